"""The demo content: loaded by make run, labelled as samples, safe to load again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from encyclopedia.models import AccreditationNotice, Article, Citation, PolicyPage, Publication, Section
from tests.conftest import sign_in
from tests.factories import form_data, seen_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo draws its sample illustrations into MEDIA_ROOT: a temporary one here."""
    settings.MEDIA_ROOT = tmp_path / "media"


def load(**kwargs) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_demo_loads_sample_articles_of_several_types(client):
    load()
    articles = Article.objects.filter(live_publication__isnull=False)
    assert articles.count() >= 3
    assert len({a.article_type for a in articles}) >= 3
    assert {c.kind for c in Citation.objects.all()} >= {
        "book_chapter",
        "book",
        "journal_article",
        "website",
        "guideline",
    }
    assert AccreditationNotice.objects.exists()
    assert set(PolicyPage.objects.values_list("slug", flat=True)) >= {
        "editorial-policy",
        "editorial-process",
        "privacy-policy",
    }
    for article in articles:
        response = client.get(f"/ency/article/{article.public_id}.htm")
        assert response.status_code == 200
        assert "Sample content" in response.content.decode()


def test_loading_again_changes_nothing():
    load()
    counts = (Article.objects.count(), Publication.objects.count(), Version.objects.count())
    second = load()
    assert (Article.objects.count(), Publication.objects.count(), Version.objects.count()) == counts
    assert " 0 created, 0 updated" in second
    assert "0 articles published" in second


def test_demo_logins_only_with_debug(settings):
    settings.DEBUG = False
    assert "Demo logins are created only when DEBUG is on." in load()
    assert not User.objects.exists()
    settings.DEBUG = True
    out = load()
    for username in ("editor", "reviewer", "director", "admin"):
        assert username in out
        user = User.objects.get(username=username)
        assert user.is_staff
    assert User.objects.get(username="director").has_perm("encyclopedia.publish_article")
    assert not User.objects.get(username="editor").has_perm("encyclopedia.publish_article")


def test_demo_editor_and_reviewer_take_an_update_live(client, settings, django_capture_on_commit_callbacks):
    """The issue's "done means": the demo editor changes a live article and submits it; the demo
    reviewer sees exactly what changed, and approving changes the public page and its review date."""
    from django.utils import timezone

    from tests.conftest import page_text

    settings.DEBUG = True
    load()
    article = Article.objects.english().get(public_id="900001")
    public_url = f"/ency/article/{article.public_id}.htm"
    sign_in(client, "editor", "editor-demo-2026")
    data = form_data(client, article)
    data["sections-0-body"] = data["sections-0-body"] + "\n\nA sentence added by the demo editor."
    response = client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data, follow=True)
    assert response.status_code == 200 and "errornote" not in response.content.decode()
    assert "added by the demo editor" not in client.get(public_url).content.decode()
    client.post(f"/admin/encyclopedia/article/{article.pk}/workflow/submit/", {"note": "One new sentence"})

    sign_in(client, "reviewer", "reviewer-demo-2026")
    review = client.get(f"/admin/encyclopedia/article/{article.pk}/workflow/approve/").content.decode()
    assert "<ins>A sentence added by the demo editor.</ins>" in review
    assert review.count("<ins>") == 2, "the legend and the one added sentence: nothing else changed"
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(
            f"/admin/encyclopedia/article/{article.pk}/workflow/approve/",
            {"notes": "Fine", "seen": seen_on(review)},
            follow=True,
        )
        assert "Approved." in approved.content.decode(), [str(m) for m in approved.context["messages"]]
        text = page_text(client.get(public_url).content.decode())
    assert "A sentence added by the demo editor." in text
    today = timezone.localdate()
    assert f"Review Date {today.month}/{today.day}/{today.year}" in text
    assert article.live_publication.review_date != today, "the demo's review date was older"


def test_demo_reviewer_requesting_changes_leaves_the_public_page(client, settings):
    settings.DEBUG = True
    load()
    article = Article.objects.english().get(public_id="900002")
    public_url = f"/ency/article/{article.public_id}.htm"
    before = client.get(public_url).content
    sign_in(client, "editor", "editor-demo-2026")
    data = form_data(client, article)
    data["summary"] = "Sample content for demonstration; not medical advice. A rewritten summary."
    client.post(f"/admin/encyclopedia/article/{article.pk}/change/", data)
    client.post(f"/admin/encyclopedia/article/{article.pk}/workflow/submit/", {"note": ""})
    sign_in(client, "reviewer", "reviewer-demo-2026")
    client.post(
        f"/admin/encyclopedia/article/{article.pk}/workflow/request_changes/",
        {"comment": "Keep the old one."},
    )
    assert Article.objects.get(pk=article.pk).state == "changes_requested"
    assert client.get(public_url).content == before


def test_demo_review_schedule_shows_on_the_dashboard_and_in_one_digest(client, settings):
    """Issue 4's "done means": overdue and due-soon demo articles, the reviewer's dashboard, one digest."""
    settings.DEBUG = True
    load()
    sign_in(client, "reviewer", "reviewer-demo-2026")
    html = client.get("/admin/").content.decode()
    overdue = html[html.index('id="panel-my_overdue"') : html.index('id="panel-my_due_soon"')]
    due_soon = html[html.index('id="panel-my_due_soon"') :]
    assert "Hiccups" in overdue
    assert "Common cold" in due_soon
    out = StringIO()
    call_command("send_review_reminders", "--dry-run", stdout=out)
    assert out.getvalue().count("To: ") == 1
    assert "To: reviewer@example.org" in out.getvalue()
    assert "Hiccups" in out.getvalue() and "Common cold" in out.getvalue()


def test_the_demo_has_25_sample_articles_of_every_type_that_link_to_each_other(client):
    import re

    from encyclopedia.models import ArticleType, RelatedArticle

    load()
    samples = Article.objects.english().filter(public_id__gte="900000")
    live = samples.filter(live_publication__isnull=False)
    assert live.count() >= 25
    assert {a.article_type for a in live} == set(ArticleType.values), "every article type"
    ids = set(samples.values_list("public_id", flat=True))
    for article in samples:
        assert article.summary.startswith("*Sample content"), article.public_id
    linked = {
        target
        for body in [
            *samples.values_list("summary", flat=True),
            *Section.objects.values_list("body", flat=True),
        ]
        for target in re.findall(r"\(article:(\d{6})\)", body)
    }
    assert len(linked) >= 15 and linked <= ids, "they link to each other, never to a missing id"
    assert RelatedArticle.objects.filter(article__in=samples).count() >= 20
    illustrated = live.filter(images__isnull=False).distinct()
    assert illustrated.count() >= 3
    page = client.get(f"/ency/article/{illustrated.first().public_id}.htm").content.decode()
    assert "Sample illustration" in page and "<img" in page


def test_every_letter_of_the_a_to_z_bar_has_a_sample_article(client):
    from encyclopedia.paths import LETTERS
    from encyclopedia.search.a_to_z import index_page

    load()
    empty = [letter for letter in LETTERS if letter.isalpha() and not index_page(letter)]
    assert empty == []


def test_every_panel_of_the_demo_editor_and_reviewer_has_something_in_it(settings):
    from django.utils import timezone

    from editorial import dashboard

    settings.DEBUG = True
    load()
    today = timezone.localdate()
    for username in ("editor", "reviewer"):
        user = User.objects.get(username=username)
        empty = [panel.key for panel in dashboard.panels(user, today) if not panel.count]
        assert empty == [], username
    director = User.objects.get(username="director")
    site = [panel for panel in dashboard.panels(director, today) if panel.group == dashboard.DIRECTORS_GROUP]
    assert [panel.key for panel in site if not panel.count] == []


def test_the_readme_infobutton_example_answers_on_the_demo(client):
    """The demo carries codes, so the README's example request finds the common cold page."""
    load()
    response = client.get(
        "/infobutton/service",
        {
            "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90",
            "mainSearchCriteria.v.c": "J00",
            "knowledgeResponseType": "application/json",
        },
    )
    assert response.status_code == 200
    entries = response.json()["feed"]["entry"]
    assert [entry["title"]["_value"] for entry in entries] == ["Common cold"]
