"""What reviewers and editors see in the admin: diff, preview, queue, history, revert, recover, stale forms."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from editorial import diff
from editorial.actions.submit import submit
from editorial.models import AuditEvent
from encyclopedia.models import Article, Citation, SectionHeading, WorkflowState
from tests.factories import edit, form_data, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    user = make_user("boss", superuser=True)
    client.force_login(user)
    return user


# ---------------------------------------------------------------- diff


def test_diff_shows_word_level_changes_added_and_removed_sections(make_article, publish_article):
    article = publish_article(make_article("Diffed", sections=2))
    first = article.sections.get(position=1)
    first.body = "Paragraph one changed.\n\n- item 1a\n- item 1c"
    first.save()
    article.sections.get(position=2).delete()
    article.sections.create(position=3, custom_heading="Living with it", body="Rest helps.")
    article.alternative_names.create(name="Cramp", position=1)
    article.title = "Diffed article"
    article.save()
    result = diff.compare(diff.from_publication(article.live_publication), diff.from_working_copy(article))
    assert result.has_changes and not result.whole
    assert result.title.status == "changed"
    assert result.title.html == "Diffed<ins> article</ins>"
    causes = next(s for s in result.sections if s.heading == "Causes")
    assert causes.status == "changed"
    assert [(b.kind, b.html) for b in causes.blocks if b.status == "changed"] == [
        ("p", "Paragraph<del> 1.</del><ins> one changed.</ins>"),
        ("li", "item<del> 1b</del><ins> 1c</ins>"),
    ]
    assert [b.html for b in causes.blocks if b.status == "same"] == ["item 1a"]
    statuses = {s.heading: s.status for s in result.sections}
    assert statuses["Part 2"] == "removed"
    assert statuses["Living with it"] == "added"
    assert result.alternative_names.added == ["Cramp"]


def test_diff_of_an_unchanged_draft_says_so(make_article, publish_article):
    article = publish_article(make_article("Same"))
    result = diff.compare(diff.from_publication(article.live_publication), diff.from_working_copy(article))
    assert not result.has_changes


def test_never_published_article_shows_the_whole_draft(client, boss, make_article):
    article = make_article("Brand new")
    html = client.get(f"/admin/encyclopedia/article/{article.pk}/changes/").content.decode()
    assert "never been published: the whole draft is new" in html
    assert "<ins>Paragraph 1.</ins>" in html


def test_references_in_the_diff(make_article, publish_article):
    article = publish_article(make_article("Refs"))
    citation = Citation.objects.create(
        kind="book", title="Example Book", publisher="Example Press", year="2024"
    )
    article.citation_links.create(citation=citation, position=1)
    result = diff.compare(diff.from_publication(article.live_publication), diff.from_working_copy(article))
    assert result.references.added == ["Example Book. Example Press; 2024."]


# ---------------------------------------------------------------- preview


def test_preview_is_marked_never_cached_and_not_indexed(client, boss, make_article, publish_article):
    article = publish_article(make_article("Previewed"))
    section = article.sections.first()
    section.body = "Draft-only words."
    section.save()
    response = client.get(f"/admin/encyclopedia/article/{article.pk}/preview/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft-only words." in html
    assert "<strong>Preview</strong>" in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Draft-only words." not in client.get(f"/ency/article/{article.public_id}.htm").content.decode()


def test_preview_needs_a_staff_login(client, make_article):
    article = make_article("Secret draft")
    response = client.get(f"/admin/encyclopedia/article/{article.pk}/preview/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# ---------------------------------------------------------------- queue


def test_queue_lists_assigned_articles_first(client, make_article):
    editor = make_user("ed", "Editors")
    me = make_user("me", "Medical reviewers")
    other = make_user("other", "Medical reviewers")
    first = make_article("Submitted first")
    second = make_article("Assigned to me")
    third = make_article("Assigned to someone else")
    submit(first, editor)
    submit(second, editor, reviewer=me)
    submit(third, editor, reviewer=other)
    client.force_login(me)
    html = client.get("/admin/encyclopedia/article/queue/").content.decode()
    order = [html.index(title) for title in ("Assigned to me", "Submitted first", "Assigned to someone else")]
    assert order == sorted(order)


def test_queue_names_people_by_full_name_not_login(client, make_article):
    editor = make_user("ed", "Editors")
    User.objects.filter(pk=editor.pk).update(first_name="Noor", last_name="Haddad")
    me = make_user("me", "Medical reviewers")
    other = make_user("other", "Medical reviewers")
    User.objects.filter(pk=other.pk).update(first_name="Sam", last_name="Okafor")
    submit(make_article("Night cramps"), editor, reviewer=other)
    client.force_login(me)
    html = client.get("/admin/encyclopedia/article/queue/").content.decode()
    row = next(row for row in html.split("<tr")[1:] if "Night cramps" in row)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[2:4] == ["Noor Haddad", "Sam Okafor"], cells


# ---------------------------------------------------------------- history, compare, revert


def test_history_compare_and_revert(client, boss, make_article, publish_article):
    article = publish_article(make_article("Versioned"))
    editor = make_user("writer", "Editors")
    edit(article, editor, "Second wording.")
    edit(article, editor, "Third wording.")
    versions = list(Version.objects.get_for_object(article))
    assert len(versions) == 3
    html = client.get(f"/admin/encyclopedia/article/{article.pk}/history/").content.decode()
    assert html.count('name="old"') == 3
    assert "writer" in html and "Published" in html

    newest, oldest = versions[0], versions[-1]
    compared = client.get(
        f"/admin/encyclopedia/article/{article.pk}/compare/", {"old": oldest.pk, "new": newest.pk}
    ).content.decode()
    assert "<del>Paragraph 1.</del><ins>Third wording.</ins>" in compared

    live_before = Article.objects.get(pk=article.pk).live_publication
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/revert/{oldest.pk}/", follow=True)
    assert "The draft is back to that version" in response.content.decode()
    article = Article.objects.get(pk=article.pk)
    assert article.sections.first().body.startswith("Paragraph 1.")
    assert article.live_publication == live_before, "the live page is unchanged until approval"
    assert article.state == WorkflowState.DRAFT
    latest = Version.objects.get_for_object(article).first()
    assert latest.revision.comment.startswith("Reverted to the version of ")
    assert AuditEvent.objects.filter(article=article, action="revert").exists()


def test_reversions_raw_revert_form_is_not_used(client, boss, make_article, publish_article):
    article = publish_article(make_article("No raw revert"))
    version = Version.objects.get_for_object(article).first()
    response = client.get(f"/admin/encyclopedia/article/{article.pk}/history/{version.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/encyclopedia/article/{article.pk}/history/")


# ---------------------------------------------------------------- delete and recover


def test_delete_needs_a_director_and_is_recoverable(client, make_article):
    article = make_article("Deleted by mistake")
    article.alternative_names.create(name="Oops", position=1)
    citation = Citation.objects.create(kind="book", title="Kept Book", publisher="Example Press", year="2024")
    article.citation_links.create(citation=citation, position=1)
    import reversion

    with reversion.create_revision():
        article.save()

    editor = make_user("ed", "Editors")
    client.force_login(editor)
    assert (
        client.post(f"/admin/encyclopedia/article/{article.pk}/delete/", {"post": "yes"}).status_code == 403
    )

    director = make_user("dir", "Editorial directors")
    client.force_login(director)
    client.post(f"/admin/encyclopedia/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()

    version = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    assert client.get(f"/admin/encyclopedia/article/recover/{version.pk}/").status_code == 200
    response = client.post(f"/admin/encyclopedia/article/recover/{version.pk}/", follow=True)
    assert "Recovered “Deleted by mistake”" in response.content.decode()
    recovered = Article.objects.get(pk=article.pk)
    assert recovered.public_id == article.public_id
    assert [s.heading_text for s in recovered.sections.all()] == ["Causes", "Part 2"]
    assert list(recovered.alternative_names.values_list("name", flat=True)) == ["Oops"]
    assert list(recovered.citations.values_list("title", flat=True)) == ["Kept Book"]
    assert list(
        AuditEvent.objects.filter(article_public_id=article.public_id).values_list("action", flat=True)
    )[:2] == ["recover", "delete"]


def test_a_live_article_must_be_withdrawn_before_it_is_deleted(client, make_article, publish_article):
    from editorial.actions.withdraw import withdraw

    article = publish_article(make_article("Live"))
    director = make_user("dir", "Editorial directors")
    client.force_login(director)
    assert (
        client.post(f"/admin/encyclopedia/article/{article.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Article.objects.filter(pk=article.pk).exists()
    withdraw(article, director, reason="Replaced")
    page = client.get(f"/admin/encyclopedia/article/{article.pk}/delete/").content.decode()
    assert "Are you sure" in page
    client.post(f"/admin/encyclopedia/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()
    assert client.get(f"/ency/article/{article.public_id}.htm").status_code == 404


# ---------------------------------------------------------------- editing through the admin


def test_editing_a_live_article_starts_a_draft_and_the_public_page_waits(
    client, boss, make_article, publish_article
):
    article = publish_article(make_article("Live page"))
    data = form_data(client, article)
    data["summary"] = "A new summary awaiting review."
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data, follow=True)
    assert response.status_code == 200
    article = Article.objects.get(pk=article.pk)
    assert article.summary == "A new summary awaiting review."
    assert article.state == WorkflowState.DRAFT and article.is_live
    listing = client.get("/admin/encyclopedia/article/").content.decode()
    assert "Live + draft" in listing
    assert "awaiting review" not in client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    event = AuditEvent.objects.filter(article=article, action="edit").get()
    assert (event.user, event.from_state, event.to_state) == (
        User.objects.get(username="boss"),
        "published",
        "draft",
    )


def test_a_stale_form_is_refused_naming_who_saved_and_nothing_is_overwritten(client, boss, make_article):
    article = make_article("Contested")
    stale = form_data(client, article)

    other = make_user("colleague", "Editors")
    import reversion

    with reversion.create_revision():
        article.summary = "The colleague's summary."
        article.save()
        reversion.set_user(other)

    stale["summary"] = "My summary."
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r"colleague saved this article at \d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d [AP]M \w+ after you opened it",
        html,
    )
    assert Article.objects.get(pk=article.pk).summary == "The colleague's summary."


def test_a_draft_in_review_is_locked_against_editing(client, boss, make_article):
    article = make_article("Locked")
    data = form_data(client, article)
    submit(article, make_user("ed", "Editors"))
    page = client.get(f"/admin/encyclopedia/article/{article.pk}/change/").content.decode()
    assert "locked against editing" in page
    data["summary"] = "Sneaky edit."
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data, follow=True)
    assert "Nothing was saved" in response.content.decode()
    assert Article.objects.get(pk=article.pk).summary != "Sneaky edit."


def test_editors_can_use_the_heading_autocomplete(client):
    client.force_login(make_user("ed", "Editors"))
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "encyclopedia", "model_name": "section", "field_name": "heading", "term": "Cau"},
    )
    assert response.status_code == 200
    assert "Causes" in response.content.decode()
    assert SectionHeading.objects.filter(name="Causes").exists()


def test_diff_shows_changed_links_credits_and_section_order(make_article, publish_article):
    from encyclopedia.models import ReviewOrganization

    article = make_article("Links", sections=2)
    article.summary = "See [cramps](article:000777)."
    article.save()
    publish_article(article)
    article.summary = "See [cramps](https://example.org/elsewhere)."
    article.review_organization = ReviewOrganization.objects.create(name="Example Review Group")
    article.save()
    first, second = article.sections.order_by("position")
    first.position, second.position = 2, 1
    first.save()
    second.save()
    result = diff.compare(diff.from_publication(article.live_publication), diff.from_working_copy(article))
    assert result.summary[0].status == "changed"
    assert result.summary[0].html == (
        "See cramps [link:<del> /ency/article/000777.htm].</del><ins> https://example.org/elsewhere].</ins>"
    )
    assert result.credits.status == "added"
    assert "Review provided by Example Review Group." in result.credits.html
    assert result.order_changed


def test_reverting_keeps_the_review_date(client, boss, make_article, publish_article):
    import datetime

    article = publish_article(make_article("Reviewed", review_date=datetime.date(2023, 1, 1)))
    oldest = Version.objects.get_for_object(article).first()
    Article.objects.filter(pk=article.pk).update(review_date=datetime.date(2026, 11, 1))
    client.post(f"/admin/encyclopedia/article/{article.pk}/revert/{oldest.pk}/")
    assert Article.objects.get(pk=article.pk).review_date == datetime.date(2026, 11, 1)


def test_admin_edits_are_audited_with_what_changed(client, boss, make_article):
    data = {
        **form_data(client, make_article("Audited")),
        "summary": "Changed summary.",
    }
    article = Article.objects.get(title="Audited")
    client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    event = AuditEvent.objects.filter(article=article, action="edit").get()
    assert event.comment == "Edited: Summary"


def test_a_form_without_its_opened_at_time_is_refused(client, boss, make_article):
    article = make_article("No stamp")
    data = form_data(client, article)
    data.pop("loaded_at")
    data["summary"] = "Overwrite."
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    assert "does not say when it was opened" in response.content.decode()
    assert Article.objects.get(pk=article.pk).summary != "Overwrite."


def test_a_bulk_reassignment_makes_open_forms_stale(client, boss, make_article):
    from editorial.actions.reassign import reassign_reviewer
    from encyclopedia.models import Reviewer

    article = make_article("Reassigned")
    data = form_data(client, article)
    reassign_reviewer([article], boss, reviewer=Reviewer.objects.create(name="New Reviewer"))
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    assert "after you opened it" in response.content.decode()
    assert Article.objects.get(pk=article.pk).reviewer.name == "New Reviewer"


def test_recovery_gives_back_the_audit_log(make_article):
    from editorial.actions.recover import recover
    from editorial.audit import record

    article = make_article("Logged")
    import reversion

    with reversion.create_revision():
        article.save()
    editor = make_user("ed", "Editors")
    record(article, "edit", editor, "Edited: Summary")
    public_id = article.public_id
    article.delete()
    version = Version.objects.get_deleted(Article).get()
    recovered = recover(version, make_user("dir", "Editorial directors"))
    actions = list(
        AuditEvent.objects.filter(article=recovered).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["edit", "recover"]
    assert recovered.public_id == public_id
