"""The admin is usable: lists, search, inlines, warnings, and every save is a recorded revision."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from encyclopedia.models import Article, Citation, SectionHeading

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    client.user = user
    return client


def article_form(**overrides) -> dict:
    causes = SectionHeading.objects.get(name="Causes")
    data = {
        "public_id": "",
        "title": "Leg cramps",
        "slug": "",
        "article_type": "symptom",
        "summary": "A sample summary.",
        "review_date": "2026-01-15",
        "reviewer": "",
        "review_organization": "",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-0-heading": str(causes.pk),
        "sections-0-custom_heading": "",
        "sections-0-position": "1",
        "sections-0-body": "Overuse, mostly.",
        "sections-1-heading": "",
        "sections-1-custom_heading": "Living with cramps",
        "sections-1-position": "2",
        "sections-1-body": "See [the target](article:777777).",
        "alternative_names-TOTAL_FORMS": "1",
        "alternative_names-INITIAL_FORMS": "0",
        "alternative_names-0-name": "Muscle cramps",
        "alternative_names-0-position": "1",
        "citation_links-TOTAL_FORMS": "0",
        "citation_links-INITIAL_FORMS": "0",
        "credit_links-TOTAL_FORMS": "0",
        "credit_links-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_add_article_through_the_admin_records_a_revision_and_warns_about_links(admin_client):
    response = admin_client.post("/admin/encyclopedia/article/add/", article_form(), follow=True)
    assert response.status_code == 200
    article = Article.objects.get(title="Leg cramps")
    assert article.public_id == "000001"
    assert [s.heading_text for s in article.sections.all()] == ["Causes", "Living with cramps"]
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == admin_client.user
    messages = [str(m) for m in response.context["messages"]]
    assert any("article 777777 will show as plain text" in m for m in messages), messages


def test_a_section_with_both_heading_kinds_is_refused_with_a_message(admin_client):
    data = article_form(**{"sections-0-custom_heading": "Also custom"})
    response = admin_client.post("/admin/encyclopedia/article/add/", data)
    assert response.status_code == 200
    assert "Choose a standard heading or type a custom one" in response.content.decode()
    assert not Article.objects.exists()


def test_admin_pages_load(admin_client, imported_seed):
    pk = imported_seed.pk
    for url in [
        "/admin/",
        "/admin/encyclopedia/article/",
        "/admin/encyclopedia/article/?q=Carpopedal",
        "/admin/encyclopedia/article/?status=live_draft&article_type__exact=symptom",
        f"/admin/encyclopedia/article/{pk}/change/",
        f"/admin/encyclopedia/article/{pk}/history/",
        "/admin/encyclopedia/article/add/",
        "/admin/encyclopedia/citation/",
        f"/admin/encyclopedia/citation/{Citation.objects.first().pk}/change/",
        "/admin/encyclopedia/reviewer/",
        "/admin/encyclopedia/sectionheading/",
        "/admin/encyclopedia/accreditationnotice/add/",
        "/admin/encyclopedia/sitesettings/1/change/",
        "/admin/encyclopedia/publication/",
        "/admin/editorial/auditevent/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_search_finds_articles_by_alternative_name(admin_client, imported_seed):
    response = admin_client.get("/admin/encyclopedia/article/?q=Carpopedal")
    assert "Hand or foot spasms" in response.content.decode()
    response = admin_client.get("/admin/encyclopedia/article/?q=nothing-like-this")
    assert "Hand or foot spasms" not in response.content.decode()


def test_public_id_is_read_only_once_created(admin_client, make_article):
    article = make_article("Fixed id")
    html = admin_client.get(f"/admin/encyclopedia/article/{article.pk}/change/").content.decode()
    assert 'name="public_id"' not in html
    assert article.public_id in html
