"""Honest records: history, compare, the audit log and emails say what really happened.

- A form posted as a browser posts it (every textarea with CRLF line endings) names only the
  field that changed; text is normalised wherever it enters (forms, importer, restore).
- The diff and compare show every change of the public page (the review date, related
  articles) and no heading with nothing under it.
- Emails link absolutely and name people by their full name, from templates, text and HTML.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django import forms
from django.contrib.auth.models import User
from reversion.models import Version

from editorial import diff, roles
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.request_changes import request_changes
from editorial.actions.submit import submit
from editorial.importer.parser import parse_page
from editorial.models import AuditEvent
from editorial.reminders import send_digests
from encyclopedia.models import Article, PolicyPage, RelatedArticle, Section
from tests.factories import edit, export_text, make_user, restore_text, wipe, with_profile

pytestmark = pytest.mark.django_db


def chromium_form_data(client, article: Article) -> dict:
    """The article's change form as Chromium posts it back: each field's current value, every
    textarea's line breaks sent as CRLF (the HTML form submission's newline normalisation)."""
    response = client.get(f"/admin/encyclopedia/article/{article.pk}/change/")
    forms_on_page = [response.context["adminform"].form]
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        forms_on_page += formset.formset.forms
    for form in forms_on_page:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(field.widget, forms.Textarea):
                value = str(value).replace("\r\n", "\n").replace("\n", "\r\n")
            data[form.add_prefix(name)] = value
    return data


# ---------------------------------------------------------------- the record must be true


def test_a_form_posted_as_chromium_posts_it_names_only_the_changed_section(client, make_article):
    boss = make_user("boss", superuser=True)
    client.force_login(boss)
    article = make_article("Hiccups", sections=4, summary="Hiccups are sudden.\n\nThey usually stop.")
    data = chromium_form_data(client, article)
    textareas = [value for value in data.values() if isinstance(value, str) and "\r\n" in value]
    assert len(textareas) == 5, "the summary and four section bodies come back with CRLF"
    part_3 = Section.objects.get(article=article, position=3)
    key = next(name for name, value in data.items() if name.endswith("-id") and str(value) == str(part_3.pk))
    body = key.removesuffix("-id") + "-body"
    assert data[body] == "Paragraph 3.\r\n\r\n- item 3a\r\n- item 3b"
    data[body] = data[body].replace("Paragraph 3.", "Paragraph three, changed.")

    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    event = AuditEvent.objects.filter(article=article, action="edit").get()
    assert event.comment == "Edited: Body of section “Part 3”"
    revision = Version.objects.get_for_object(article).first().revision
    history_line = revision.get_comment()
    assert history_line == "Changed Body for section “Part 3”.", history_line
    history = client.get(f"/admin/encyclopedia/article/{article.pk}/history/").content.decode()
    assert "Changed Body for section “Part 3”." in history and "Summary" not in history
    stored = {s.position: s.body for s in Section.objects.filter(article=article)}
    assert stored[3] == "Paragraph three, changed.\n\n- item 3a\n- item 3b"
    assert not any("\r" in text for text in stored.values())
    assert Article.objects.get(pk=article.pk).summary == "Hiccups are sudden.\n\nThey usually stop."

    # Sent back again exactly as it is now: nothing changed, and nothing is named.
    client.post(f"/admin/encyclopedia/article/{article.pk}/change/", chromium_form_data(client, article))
    latest = AuditEvent.objects.filter(article=article, action="edit").order_by("-pk").first()
    assert latest.comment == "Saved without changes"


def test_text_is_normalised_as_the_importer_and_the_restore_take_it_in(make_article, known_headings):
    page = parse_page(
        "Night cramps  \r\n\r\nA cramp is a sudden tightening.\t\r\nIt passes.\r\n\r\n"
        "Causes\r\n\r\nToo little water.   \r\n- Heat \r\n",
        known_headings,
    )
    assert page.summary == "A cramp is a sudden tightening.\nIt passes."
    assert page.sections[0].body == "Too little water.\n- Heat"

    article = make_article("Restored text", sections=1)
    document = json.loads(export_text())
    for record in document["objects"]:
        if record["model"] == "encyclopedia.section":
            record["fields"]["body"] = "Line one.  \r\nLine two.\r\n\r\n- item\t"
        if record["model"] == "encyclopedia.article":
            record["fields"]["summary"] = "First line. \r\nSecond line."
    wipe()
    restore_text(json.dumps(document))
    restored = Article.objects.get(public_id=article.public_id)
    assert restored.summary == "First line.\nSecond line."
    assert restored.sections.get().body == "Line one.\nLine two.\n\n- item"


# ---------------------------------------------------------------- every change, no empty headings


def test_compare_shows_the_review_date_change_and_no_empty_headings(client, make_article, publish_article):
    article = publish_article(make_article("Reviewed again", review_date=datetime.date(2024, 3, 31)))
    reviewer = with_profile(make_user("checker", roles.MEDICAL_REVIEWERS))
    confirm_still_accurate(article, reviewer)
    new, old = Version.objects.get_for_object(article)[:2]
    client.force_login(make_user("boss", superuser=True))
    html = client.get(
        f"/admin/encyclopedia/article/{article.pk}/compare/", {"old": old.pk, "new": new.pk}
    ).content.decode()
    today = Article.objects.get(pk=article.pk).review_date
    assert "<h2>Review date</h2>" in html
    assert f"<del>3/31/2024</del><ins>{today.month}/{today.day}/{today.year}</ins>" in html
    assert "No changes" not in html
    for empty in ("Images", "Alternative names", "References", "Related articles"):
        assert f"<h2>{empty}</h2>" not in html, empty


def test_the_changes_since_live_show_related_articles(client, make_article, publish_article):
    article = publish_article(make_article("Hand spasms"))
    other = publish_article(make_article("Muscle cramps"))
    RelatedArticle.objects.create(article=article, related=other, position=1)
    result = diff.compare(diff.from_publication(article.live_publication), diff.from_working_copy(article))
    assert result.has_changes
    assert result.related.added == [f"Muscle cramps ({other.public_id})"]
    client.force_login(make_user("boss", superuser=True))
    html = client.get(f"/admin/encyclopedia/article/{article.pk}/changes/").content.decode()
    assert "<h2>Related articles</h2>" in html and "<h2>Images</h2>" not in html


# ---------------------------------------------------------------- emails


@pytest.fixture
def people():
    editor = make_user("jdoe", roles.EDITORS)
    User.objects.filter(pk=editor.pk).update(first_name="Jane", last_name="Doe")
    reviewer = with_profile(make_user("rroe", roles.MEDICAL_REVIEWERS), "Dr Richard Roe")
    User.objects.filter(pk=reviewer.pk).update(first_name="Richard", last_name="Roe")
    nameless = make_user("kim", roles.EDITORS)
    return {
        "editor": User.objects.get(pk=editor.pk),
        "reviewer": User.objects.get(pk=reviewer.pk),
        "nameless": nameless,
    }


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_workflow_emails_link_absolutely_and_name_people(
    settings, make_article, publish_article, people, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["encyclopedia.example.org", "localhost"]
    settings.DEBUG = False
    article = publish_article(make_article("Hiccups"))
    edit(article, people["editor"], "A new sentence about hiccups.")
    link = f"https://encyclopedia.example.org/admin/encyclopedia/article/{article.pk}/change/"

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, people["editor"], note="Please check the <dose>.")
    submitted = mailoutbox[-1]
    assert submitted.to == ["rroe@example.org"]
    assert submitted.body == (
        f"Jane Doe submitted “Hiccups” ({article.public_id}) for medical review.\n\n"
        f"Note from the editor:\nPlease check the <dose>.\n\nReview it: {link}\n"
    )
    html = _html(submitted)
    assert f'<a href="{link}">Review it</a>' in html and "Jane Doe" in html and "&lt;dose&gt;" in html
    assert "jdoe" not in submitted.body + html

    with django_capture_on_commit_callbacks(execute=True):
        request_changes(article, people["reviewer"], comment="Add a source.")
    asked = mailoutbox[-1]
    assert asked.to == ["jdoe@example.org"]
    assert asked.body.startswith(f"Richard Roe asked for changes to “Hiccups” ({article.public_id}):")
    assert f"Resume the draft: {link}" in asked.body and f'href="{link}"' in _html(asked)
    assert "rroe" not in asked.body

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, people["editor"])
        approve(article, people["reviewer"])
    approved = mailoutbox[-1]
    assert approved.to == ["jdoe@example.org"]
    assert approved.body.startswith("Richard Roe approved your update to “Hiccups”")
    assert "It is live now." in approved.body and link in approved.body
    assert f'href="{link}"' in _html(approved)


def test_a_person_without_a_full_name_is_named_by_login_and_site_url_wins(
    settings, make_article, publish_article, people, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://medlineplus.example.org"
    article = publish_article(make_article("Cramps"))
    edit(article, people["nameless"], "Changed.")
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, people["nameless"])
    body = mailoutbox[-1].body
    assert body.startswith("kim submitted “Cramps”")
    assert f"https://medlineplus.example.org/admin/encyclopedia/article/{article.pk}/change/" in body


def test_the_reminder_digest_links_absolutely_in_text_and_html(
    settings, make_article, publish_article, people, mailoutbox
):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["encyclopedia.example.org"]
    settings.DEBUG = False
    profile = people["reviewer"].reviewer_profile
    article = publish_article(
        make_article("Overdue page", review_date=datetime.date(2023, 5, 29), reviewer=profile)
    )
    send_digests(datetime.date(2026, 6, 1))
    [message] = mailoutbox
    link = f"https://encyclopedia.example.org/admin/encyclopedia/article/{article.pk}/change/"
    assert message.body.startswith("Dear Dr Richard Roe,\n")
    assert f"- Overdue page ({article.public_id}), due 5/29/2026: {link}" in message.body
    assert f'<a href="{link}">Overdue page</a>' in _html(message)


def test_site_data_and_workflow_forms_store_text_as_the_page_shows_it(client, make_article):
    """A policy page or a reviewer's comment sent back with CRLF is stored with LF, and the same
    page sent again unchanged is recorded as "No fields changed", not as an edit of its body."""
    boss = make_user("boss", superuser=True)
    client.force_login(boss)
    client.post(
        "/admin/encyclopedia/policypage/add/",
        {"slug": "editorial-policy", "title": "Editorial policy", "body": "First line.  \r\n\r\n- a\r\n- b"},
    )
    page = PolicyPage.objects.get(slug="editorial-policy")
    assert page.body == "First line.\n\n- a\n- b"
    client.post(
        f"/admin/encyclopedia/policypage/{page.pk}/change/",
        {
            "slug": "editorial-policy",
            "title": "Editorial policy",
            "body": "First line.\r\n\r\n- a\r\n- b\r\n",
        },
    )
    assert Version.objects.get_for_object(page).first().revision.get_comment() == "No fields changed."

    writer, checker = make_user("writer", roles.EDITORS), make_user("checker", roles.MEDICAL_REVIEWERS)
    article = make_article("Night cramps")
    submit(article, writer, note="")
    client.force_login(checker)
    client.post(
        f"/admin/encyclopedia/article/{article.pk}/workflow/request_changes/",
        {"comment": "Shorter, please.  \r\nAnd cite the 2024 guideline.\r\n"},
    )
    article.refresh_from_db()
    assert article.state == "changes_requested"
    assert article.review_comment == "Shorter, please.\nAnd cite the 2024 guideline."
