"""The reviewer's workspace and the editor form's helpers: the reading-grade hint, the live
preview and the article-link picker."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.contrib.auth.models import User

from editorial import readability, roles, workflow
from editorial.actions.submit import submit
from editorial.links import find_link_targets
from editorial.models import ReviewRecord
from encyclopedia.models import Article, Citation, Reviewer, WorkflowState
from tests.conftest import page_text
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db

PLAIN = (
    "Drink water when you are thirsty. Rest when you feel tired. Eat fruit and greens each day. "
    "Walk a little each day if you can. Ask your doctor if the pain does not go away."
)
DENSE = (
    "Hypothyroidism, a pathophysiological condition characterized by insufficient endogenous "
    "production of thyroid hormones, necessitates individualized pharmacological supplementation "
    "accompanied by periodic biochemical monitoring of circulating thyrotropin concentrations."
)


@pytest.fixture
def editor():
    return make_user("editor", roles.EDITORS)


@pytest.fixture
def reviewer():
    user = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def submitted(make_article, publish_article, editor):
    """A live article with a changed draft, submitted with a note."""
    article = publish_article(make_article("Leg cramps"))
    edit(article, editor, "Stretch the calf before bed.\n\nSee [heat pads](article:999998).")
    submit(Article.objects.get(pk=article.pk), editor, note="Added advice on stretching.")
    return Article.objects.get(pk=article.pk)


# ---------------------------------------------------------------- reading grade


def test_plain_text_is_within_the_target_and_dense_text_is_above_it(settings):
    settings.READING_GRADE_TARGET = 8
    plain, dense = readability.grade(PLAIN), readability.grade(DENSE)
    assert plain.grade is not None and plain.grade <= 8 and not plain.above_target
    assert "within the target of 8" in plain.message
    assert dense.grade is not None and dense.grade > 12 and dense.above_target
    assert "above the target of 8" in dense.message and "hint" in dense.message


def test_the_target_grade_is_a_setting(settings):
    settings.READING_GRADE_TARGET = 40
    hint = readability.grade(DENSE)
    assert not hint.above_target and "target of 40" in hint.message


def test_a_list_without_full_stops_is_graded_item_by_item_not_as_one_sentence():
    items = "\n".join(f"- {line}" for line in ["Drink water", "Rest well", "Eat fruit", "Walk daily"] * 4)
    as_list = readability.grade(items)
    as_one_sentence = readability.grade(items.replace("\n- ", " and ").removeprefix("- "))
    assert as_list.grade is not None and as_one_sentence.grade is not None
    assert as_list.grade < as_one_sentence.grade


def test_markup_and_link_addresses_are_not_graded():
    bare = readability.grade(PLAIN)
    marked = readability.grade(PLAIN.replace("doctor", "[doctor](https://example.org/a/very/long/address)"))
    assert marked.grade == bare.grade


def test_a_short_text_is_not_graded():
    hint = readability.grade("Rest helps.")
    assert hint.grade is None and "too short to grade" in hint.message


def test_the_change_form_shows_the_grade_of_each_section_and_of_the_article(client, editor, make_article):
    article = make_article("Cramps")
    section = article.sections.first()
    section.body = DENSE
    section.save()
    client.force_login(editor)
    text = page_text(client.get(f"/admin/encyclopedia/article/{article.pk}/change/").content.decode())
    assert "above the target of 8" in text
    assert "Reading grade of the whole article" in text


# ---------------------------------------------------------------- link picker


def test_the_picker_finds_titles_and_alternative_names_live_first(make_article, publish_article):
    live = publish_article(make_article("Heat cramps"))
    draft = make_article("Cramp relief")
    other = make_article("Dehydration")
    other.alternative_names.create(name="Heat cramps from dehydration", position=1)
    make_article("Unrelated")
    found = find_link_targets("cramp")
    assert [t.public_id for t in found][:1] == [live.public_id]
    assert {t.public_id for t in found} == {live.public_id, draft.public_id, other.public_id}
    by_id = {t.public_id: t for t in found}
    assert by_id[live.public_id].live and "Live" in by_id[live.public_id].status
    assert not by_id[draft.public_id].live and "Not live" in by_id[draft.public_id].status
    assert by_id[other.public_id].matched_name == "Heat cramps from dehydration"


def test_the_picker_leaves_out_withdrawn_articles_and_finds_an_id(make_article, publish_article):
    gone = publish_article(make_article("Cramp old"))
    Article.objects.filter(pk=gone.pk).update(withdrawn_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    kept = make_article("Cramp new")
    assert [t.public_id for t in find_link_targets("cramp")] == [kept.public_id]
    assert [t.public_id for t in find_link_targets(kept.public_id)] == [kept.public_id]
    assert find_link_targets("c") == []  # one letter matches everything: nothing until two


def test_the_picker_endpoint_answers_markdown_for_staff_only(client, editor, make_article):
    article = make_article("Calf [strain]")
    response = client.get("/admin/encyclopedia/article/editor/link-search/", {"q": "calf"})
    assert response.status_code == 302  # to the login
    client.force_login(editor)
    response = client.get("/admin/encyclopedia/article/editor/link-search/", {"q": "calf"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    [result] = response.json()["results"]
    assert result["markdown"] == rf"[Calf \[strain\]](article:{article.public_id})"
    assert result["live"] is False


# ---------------------------------------------------------------- live preview


def test_the_preview_renders_like_the_public_page_and_sanitizes(
    client, editor, make_article, publish_article
):
    target = publish_article(make_article("Target"))
    client.force_login(editor)
    text = (
        f"**Bold** and [live](article:{target.public_id}) and [draft](article:999999).\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    response = client.post("/admin/encyclopedia/article/editor/preview/", {"text": text})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    data = response.json()
    assert "<strong>Bold</strong>" in data["html"]
    assert f'<a href="/ency/article/{target.public_id}.htm">live</a>' in data["html"]
    assert "draft" in data["html"] and "999999" not in data["html"]  # not live: text, as readers see it
    assert data["not_live"] == ["999999"]
    assert "<script" not in data["html"] and "&lt;script&gt;" in data["html"]  # shown as text, never run
    assert 'href="javascript:' not in data["html"]
    assert "reading" in data and "message" in data["reading"]


def test_the_preview_needs_edit_permission_and_csrf(client, reviewer):
    client.force_login(reviewer)
    assert client.post("/admin/encyclopedia/article/editor/preview/", {"text": "x"}).status_code == 403
    assert client.get("/admin/encyclopedia/article/editor/preview/").status_code in (403, 405)
    client.logout()
    checked = client.__class__(enforce_csrf_checks=True)
    checked.force_login(make_user("ed2", roles.EDITORS))
    assert checked.post("/admin/encyclopedia/article/editor/preview/", {"text": "x"}).status_code == 403


# ---------------------------------------------------------------- the reviewer's workspace


def workspace_url(article: Article) -> str:
    return f"/admin/encyclopedia/article/{article.pk}/workspace/"


def test_the_queue_links_to_the_workspace(client, reviewer, submitted):
    client.force_login(reviewer)
    html = client.get("/admin/encyclopedia/article/queue/").content.decode()
    assert f'href="{workspace_url(submitted)}"' in html


def test_the_workspace_shows_note_diff_draft_history_and_old_references(client, reviewer, submitted):
    old = Citation.objects.create(
        kind="book", title="An old handbook", publisher="Example Press", year="2009"
    )
    new = Citation.objects.create(kind="book", title="A new handbook", publisher="Example Press", year="2025")
    submitted.citation_links.create(citation=old, position=1)
    submitted.citation_links.create(citation=new, position=2)
    ReviewRecord.objects.create(
        article=submitted,
        reviewed_on=datetime.date(2024, 3, 1),
        outcome=ReviewRecord.Outcome.APPROVED,
        notes="First review.",
    )
    client.force_login(reviewer)
    html = client.get(workspace_url(submitted)).content.decode()
    text = page_text(html)
    assert "Added advice on stretching." in text
    assert re.search(r"<ins>[^<]*Stretch the calf before bed", html)  # the word diff
    draft = html[html.index('class="draft-page"') :]
    assert "Stretch the calf before bed." in draft and "<p>See heat pads.</p>" in draft  # not live: text
    assert "First review." in text
    old_row = re.search(r'<tr class="old-reference">.*?</tr>', html, re.S)[0]
    assert "An old handbook" in old_row and "Older than 5 years" in old_row
    assert "A new handbook" not in old_row
    assert html.index('id="changes"') < html.index('id="decision"')  # decide after seeing


def test_the_workspace_names_people_by_full_name_not_login(client, reviewer, editor, submitted):
    User.objects.filter(pk=editor.pk).update(first_name="Noor", last_name="Haddad")
    ReviewRecord.objects.create(
        article=submitted,
        reviewed_on=datetime.date(2024, 3, 1),
        outcome=ReviewRecord.Outcome.APPROVED,
        user=editor,
    )
    Article.objects.filter(pk=submitted.pk).update(assigned_reviewer=editor)
    client.force_login(reviewer)
    text = page_text(client.get(workspace_url(submitted)).content.decode())
    assert re.search(r"Submitted .+ by Noor Haddad Assigned to Noor Haddad", text), text
    history = text[text.index("Review history") :]
    assert "Approved Noor Haddad" in history
    assert "by editor" not in text and "to editor" not in text


def test_approving_from_the_workspace_publishes_what_it_showed(client, reviewer, submitted):
    client.force_login(reviewer)
    html = client.get(workspace_url(submitted)).content.decode()
    seen = re.search(r'name="approve-seen" value="([0-9a-f]{64})"', html)[1]
    response = client.post(
        workspace_url(submitted),
        {"decision": "approve", "approve-notes": "Checked.", "approve-go_live_at": "", "approve-seen": seen},
        follow=True,
    )
    assert "Approved." in page_text(response.content.decode())
    article = Article.objects.get(pk=submitted.pk)
    assert article.state == WorkflowState.PUBLISHED and article.review_date is not None
    assert "Stretch the calf" in client.get(f"/ency/article/{article.public_id}.htm").content.decode()


def test_the_workspace_refuses_to_approve_a_draft_changed_after_it_was_shown(
    client, reviewer, editor, submitted
):
    client.force_login(reviewer)
    html = client.get(workspace_url(submitted)).content.decode()
    seen = re.search(r'name="approve-seen" value="([0-9a-f]{64})"', html)[1]
    Article.objects.filter(pk=submitted.pk).update(title="Leg cramps at night")
    response = client.post(
        workspace_url(submitted),
        {"decision": "approve", "approve-notes": "", "approve-go_live_at": "", "approve-seen": seen},
        follow=True,
    )
    assert "nothing was approved" in page_text(response.content.decode())
    assert Article.objects.get(pk=submitted.pk).state == WorkflowState.IN_REVIEW


def test_requesting_changes_from_the_workspace_needs_a_comment(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(workspace_url(submitted), {"decision": "request_changes", "changes-comment": " "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Article.objects.get(pk=submitted.pk).state == WorkflowState.IN_REVIEW
    client.post(
        workspace_url(submitted), {"decision": "request_changes", "changes-comment": "Cite a source."}
    )
    article = Article.objects.get(pk=submitted.pk)
    assert article.state == WorkflowState.CHANGES_REQUESTED and article.review_comment == "Cite a source."


def test_the_workspace_says_why_an_editor_cannot_decide(client, editor, submitted):
    client.force_login(editor)
    html = client.get(workspace_url(submitted)).content.decode()
    assert "your role does not allow it" in html
    assert re.search(r'<button type="submit" name="decision" value="approve"[^>]*disabled', html)


def test_confirm_still_accurate_is_offered_only_without_pending_changes(
    make_article, publish_article, reviewer, editor
):
    article = publish_article(make_article("Cramps"))
    assert "confirm" in dict(workflow.allowed_actions(article, reviewer))
    edit(article, editor, "A pending change.")
    assert "confirm" not in dict(workflow.allowed_actions(Article.objects.get(pk=article.pk), reviewer))


def test_the_picker_json_is_valid_for_an_empty_query(client, editor):
    client.force_login(editor)
    response = client.get("/admin/encyclopedia/article/editor/link-search/", {"q": ""})
    assert json.loads(response.content) == {"results": []}
