"""Words and looks in the admin: states and actions named in words, one date format, people by
name, and the steps that take a page from readers saying what readers will get and how to undo it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from editorial import roles
from editorial.actions.approve import approve
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.forms import SubmitForm
from encyclopedia.models import Article, Reviewer
from tests.conftest import page_text
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    editor = make_user("ed", roles.EDITORS)
    editor.first_name, editor.last_name = "Noor", "Haddad"
    editor.save()
    reviewer = make_user("rae", roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=reviewer)
    director = make_user("dora", roles.EDITORIAL_DIRECTORS)
    return {
        "editor": editor,
        "reviewer": User.objects.get(pk=reviewer.pk),
        "director": director,
    }


@pytest.fixture
def live(make_article, publish_article):
    return publish_article(make_article("Leg cramps"))


def test_the_audit_log_names_states_and_actions_in_words(client, team, live):
    edit(live, team["editor"], "New words.")
    submit(live, team["editor"], note="Please review")
    approve(Article.objects.get(pk=live.pk), team["reviewer"])
    client.force_login(team["director"])
    for url in (f"/admin/encyclopedia/article/{live.pk}/history/", "/admin/editorial/auditevent/"):
        text = page_text(client.get(url).content.decode())
        assert "In review → Published" in text, url
        assert "Submitted for review" in text, url
        assert "Published → Draft" in text, url
        assert "in_review" not in text and "request_changes" not in text, url
        assert "— → draft" not in text and "→ draft" not in text, url
        assert "Noor Haddad" in text, f"{url}: people by name"


def test_requesting_changes_says_where_the_draft_is_in_words(client, team, live):
    edit(live, team["editor"], "New words.")
    submit(live, team["editor"])
    client.force_login(team["reviewer"])
    response = client.post(
        f"/admin/encyclopedia/article/{live.pk}/workflow/request_changes/",
        {"comment": "Name the source."},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Changes requested. The draft is back with its editor; the public page is unchanged."]
    assert "is now changes requested" not in response.content.decode()


def test_one_date_format_in_admin_and_public_pages(client, team, live, settings):
    settings.LANGUAGE_CODE = "en-us"
    client.force_login(team["director"])
    today = timezone.localdate()
    us = f"{today.month}/{today.day}/{today.year}"
    change = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/change/").content.decode())
    history = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/history/").content.decode())
    public = page_text(client.get(f"/ency/article/{live.public_id}.htm").content.decode())
    review = live.review_date
    assert f"{review.month}/{review.day}/{review.year}" in change
    assert us in history
    assert f"Review Date {review.month}/{review.day}/{review.year}" in public
    for text in (change, history, public):
        assert today.isoformat() not in text and today.strftime("%m/%d/%Y") not in text.replace(us, "")
        assert today.strftime("%b. %-d, %Y") not in text


def test_assign_to_lists_only_reviewers_who_can_approve_by_name(team):
    make_user("admin", superuser=True)  # may do anything, but has no reviewer profile to credit
    make_user("unlinked", roles.MEDICAL_REVIEWERS)  # a reviewer login not linked to a profile
    field = SubmitForm().fields["reviewer"]
    choices = [label for value, label in field.choices if value]
    assert choices == ["Rae Viewer, MD"]


def test_withdraw_and_merge_pages_are_dangerous_and_say_what_readers_get(client, team, live):
    client.force_login(team["director"])
    change = client.get(f"/admin/encyclopedia/article/{live.pk}/change/").content.decode()
    assert f'class="button danger" href="/admin/encyclopedia/article/{live.pk}/workflow/withdraw/"' in change
    assert f'class="button" href="/admin/encyclopedia/article/{live.pk}/workflow/withdraw/"' not in change
    page = client.get(f"/admin/encyclopedia/article/{live.pk}/workflow/withdraw/").content.decode()
    text = page_text(page)
    assert f"Readers who open /ency/article/{live.public_id}.htm will get “410 Gone”" in text
    assert "How to undo it" in text and "restore it" in text
    assert 'type="submit" class="danger"' in page
    assert "Preview the draft" not in text, "a live article with no draft has nothing to preview"
    merge = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/workflow/merge/").content.decode())
    assert "redirected (301) to the article you name" in merge and "How to undo it" in merge


def test_restore_explains_itself_and_offers_no_preview_without_a_draft(client, team, live):
    withdraw(live, team["director"], reason="Out of date")
    client.force_login(team["director"])
    text = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/workflow/restore/").content.decode())
    assert "puts back the page readers had when the article was withdrawn or merged" in text
    assert "a draft in progress stays a draft" in text
    assert f"Readers who open /ency/article/{live.public_id}.htm will get its page again" in text
    assert "It was taken down on" in text and "(Withdrawn: Out of date)" in text
    assert "Preview the draft" not in text


def test_restoring_an_article_with_a_draft_says_its_page_is_back(client, team, live):
    edit(live, team["editor"], "New words, not yet reviewed.")
    withdraw(live, team["director"], reason="Out of date")
    client.force_login(team["director"])
    url = f"/admin/encyclopedia/article/{live.pk}/workflow/restore/"
    response = client.post(url, {"comment": "Back"}, follow=True)
    text = page_text(response.content.decode())
    assert "The public page shows its last approved version again; its draft stays a draft." in text
    assert "the public page is unchanged" not in text
    assert client.get(f"/ency/article/{live.public_id}.htm").status_code == 200


def test_a_draft_offers_its_preview(client, team, live):
    edit(live, team["editor"], "New words.")
    client.force_login(team["director"])
    text = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/workflow/withdraw/").content.decode())
    assert "Preview the draft" in text


def test_delete_says_readers_get_404_and_how_to_recover(client, team, make_article):
    draft = make_article("Never published")
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    text = page_text(client.get(f"/admin/encyclopedia/article/{draft.pk}/delete/").content.decode())
    assert f"Readers who open /ency/article/{draft.public_id}.htm will get “404 Not Found”" in text
    assert "Recover deleted articles" in text


def test_the_scheduled_time_names_its_zone(client, team, live):
    edit(live, team["editor"], "New words.")
    submit(live, team["editor"])
    moment = timezone.now() + datetime.timedelta(days=2)
    approve(Article.objects.get(pk=live.pk), team["reviewer"], go_live_at=moment)
    client.force_login(team["director"])
    text = page_text(client.get(f"/admin/encyclopedia/article/{live.pk}/change/").content.decode())
    local = timezone.localtime(moment)
    assert f"goes live at {local.month}/{local.day}/{local.year} " in text
    assert local.strftime("%Z") in text
