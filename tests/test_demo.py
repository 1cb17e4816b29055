"""The demo content: loaded by make run, labelled as samples, safe to load again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from reversion.models import Version

from encyclopedia.models import AccreditationNotice, Article, Citation, PolicyPage, Publication

pytestmark = pytest.mark.django_db


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
