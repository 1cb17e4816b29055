"""The dashboard per role: each role sees its own panels, and every count links to exactly its articles."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from editorial import dashboard
from editorial.actions.approve import approve
from editorial.actions.request_changes import request_changes
from editorial.actions.submit import submit
from encyclopedia.models import Article, Reviewer
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db


def due_on(make_article, publish_article, title: str, due: datetime.date, **fields) -> Article:
    review_date = datetime.date(due.year - 3, due.month, due.day)
    return publish_article(make_article(title, review_date=review_date, **fields))


@pytest.fixture
def team(make_article, publish_article):
    """An editor, a reviewer (neurology) and a director, and articles in every panel's state."""
    editor = make_user("edna", "Editors")
    other_editor = make_user("otto", "Editors")
    reviewer = make_user("rae", "Medical reviewers")
    profile = Reviewer.objects.create(
        name="Rae Viewer", credentials="MD", specialty="Neurology", user=reviewer
    )
    second = make_user("sam", "Medical reviewers")
    Reviewer.objects.create(name="Sam Second", credentials="MD", specialty="Cardiology", user=second)
    director = make_user("dora", "Editorial directors")
    today = timezone.localdate()

    mine_draft = make_article("Edna's draft")
    edit(mine_draft, editor, "Edna's words.")
    others_draft = make_article("Otto's draft")
    edit(others_draft, other_editor, "Otto's words.")
    sent_back = make_article("Sent back to Edna")
    edit(sent_back, editor, "First try.")
    submit(sent_back, editor, note="Please look")
    request_changes(sent_back, reviewer, comment="Name the source.")
    waiting_for_rae = make_article("Waiting for Rae")
    edit(waiting_for_rae, editor, "Ready.")
    submit(waiting_for_rae, editor, note="", reviewer=reviewer)
    waiting_for_sam = make_article("Waiting for Sam")
    edit(waiting_for_sam, other_editor, "Ready too.")
    submit(waiting_for_sam, other_editor, note="", reviewer=second)
    published = make_article("Edna's published page")
    edit(published, editor, "Reviewed words.")
    submit(published, editor, note="")
    approve(published, reviewer)

    overdue_rae = due_on(
        make_article, publish_article, "Overdue, Rae's", today - datetime.timedelta(days=3), reviewer=profile
    )
    overdue_queue = due_on(
        make_article,
        publish_article,
        "Overdue, neurology queue",
        today - datetime.timedelta(days=1),
        specialty="Neurology",
    )
    soon_other = due_on(
        make_article,
        publish_article,
        "Due soon, cardiology",
        today + datetime.timedelta(days=10),
        specialty="Cardiology",
    )
    nobody = publish_article(make_article("Nobody's page"))
    return {
        "editor": editor,
        "reviewer": reviewer,
        "director": director,
        "today": today,
        "articles": {
            a.title: a
            for a in (
                mine_draft,
                others_draft,
                sent_back,
                waiting_for_rae,
                waiting_for_sam,
                published,
                overdue_rae,
                overdue_queue,
                soon_other,
                nobody,
            )
        },
    }


def titles(panel: dashboard.Panel) -> set[str]:
    return {article.title for article in panel.articles}


def panels_of(user, today) -> dict[str, dashboard.Panel]:
    return {panel.key: panel for panel in dashboard.panels(user, today)}


def test_an_editor_sees_their_own_work_and_no_review_panels(team):
    panels = panels_of(team["editor"], team["today"])
    assert set(panels) == {"my_drafts", "changes_for_me", "my_submissions", "my_published"}
    assert titles(panels["my_drafts"]) == {"Edna's draft"}, "only the drafts this editor changed"
    assert titles(panels["changes_for_me"]) == {"Sent back to Edna"}
    assert titles(panels["my_submissions"]) == {"Waiting for Rae"}
    assert titles(panels["my_published"]) == {"Edna's published page"}


def test_a_reviewer_sees_what_awaits_them_and_what_is_due_in_their_name_or_specialty(team):
    panels = panels_of(team["reviewer"], team["today"])
    assert list(panels) == ["awaiting_me", "my_overdue", "my_due_soon"], "awaiting my review first"
    assert titles(panels["awaiting_me"]) == {"Waiting for Rae"}
    assert titles(panels["my_overdue"]) == {"Overdue, Rae's", "Overdue, neurology queue"}
    assert titles(panels["my_due_soon"]) == set(), "the cardiology page is someone else's"


def test_a_director_sees_all_of_it_and_the_whole_site(team):
    panels = panels_of(team["director"], team["today"])
    assert {"my_drafts", "in_review", "overdue", "due_30", "unassigned", "scheduled"} <= set(panels)
    assert titles(panels["in_review"]) == {"Waiting for Rae", "Waiting for Sam"}
    assert titles(panels["overdue"]) == {"Overdue, Rae's", "Overdue, neurology queue"}
    assert titles(panels["due_30"]) == {"Due soon, cardiology"}
    assert titles(panels["unassigned"]) == {"Nobody's page"}


@pytest.mark.parametrize("role", ["editor", "reviewer", "director"])
def test_every_count_links_to_a_list_of_exactly_those_articles(client, team, role):
    user = team[role]
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    shown = dict(re.findall(r'<a href="([^"]+)" class="panel-link"><span class="count">(\d+)</span>', html))
    panels = {panel.key: panel for _, group in dashboard.groups(user, team["today"]) for panel in group}
    assert len(shown) >= len(panels) >= 3
    for panel in panels.values():
        link = panel.link
        assert link.replace("&", "&amp;") in shown, f"{panel.key} has no count link"
        listed = client.get(link)
        assert listed.status_code == 200
        rows = {article.title for article in listed.context["cl"].result_list}
        assert int(shown[link]) == listed.context["cl"].result_count == len(rows), panel.key
        assert rows == titles(panel), panel.key


def test_a_director_who_edits_nothing_sees_the_whole_site_only(team):
    groups = dict(dashboard.groups(team["director"], team["today"]))
    assert list(groups) == [dashboard.DIRECTORS_GROUP]


def test_the_dashboard_is_full_width_and_says_nothing_of_reviews_to_an_editor(client, team):
    client.force_login(team["editor"])
    html = client.get("/admin/").content.decode()
    assert 'class="colM' in html and "content-related" not in html
    assert "Awaiting my review" not in html and "Your reviews" not in html
    assert "My drafts" in html


def test_a_reviewer_opens_a_submitted_draft_in_the_workspace_from_the_dashboard(client, team):
    client.force_login(team["reviewer"])
    html = client.get("/admin/").content.decode()
    waiting = team["articles"]["Waiting for Rae"]
    assert f'href="/admin/encyclopedia/article/{waiting.pk}/workspace/"' in html


def test_the_director_sees_the_accreditation_notices(client, team):
    from encyclopedia.models import AccreditationNotice

    AccreditationNotice.objects.create(
        body="Example Council",
        program="Health Content Provider",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=team["today"] + datetime.timedelta(days=400),
        statement="x",
    )
    client.force_login(team["director"])
    panel = client.get("/admin/").content.decode().split('id="panel-accreditation"')[1]
    assert "Example Council: Health Content Provider" in panel
    client.force_login(team["editor"])
    assert 'id="panel-accreditation"' not in client.get("/admin/").content.decode()
