"""The public article page: what readers see, what they never see, and what it costs."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encyclopedia.models import AccreditationNotice, PolicyPage, SiteSettings
from tests.conftest import page_text

pytestmark = pytest.mark.django_db


def test_unknown_id_is_the_sites_404(client):
    response = client.get("/ency/article/123456.htm")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/ency/article/12345.htm").status_code == 404
    assert client.get("/ency/article/abcdef.htm").status_code == 404


def test_never_published_article_is_404(client, make_article):
    article = make_article("Unpublished draft")
    response = client.get(f"/ency/article/{article.public_id}.htm")
    assert response.status_code == 404
    assert "Unpublished draft" not in response.content.decode()


def test_edits_to_the_working_copy_never_reach_the_public_page(client, make_article, publish_article):
    article = publish_article(make_article("Live article"))
    article.title = "Unapproved new title"
    article.summary = "Unapproved words."
    article.save()
    section = article.sections.first()
    section.body = "An unapproved paragraph."
    section.save()
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    assert "Live article" in html
    assert "Unapproved" not in html and "unapproved" not in html


def test_page_parts(client, make_article, publish_article):
    article = publish_article(make_article("Parts page"))
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    text = page_text(html)
    assert "Home Medical Encyclopedia Parts page" in text  # the breadcrumb
    assert 'aria-label="Breadcrumb"' in html
    assert "Review Date 1/15/2026" in text
    assert "Learn how to cite this page" in text
    assert "Parts page: Medical Encyclopedia [Internet]." in text
    assert "[reviewed 2026 Jan 15; cited " in text
    assert f"Available from: http://testserver/ency/article/{article.public_id}.htm" in text
    assert "<script" not in html, "the page needs no JavaScript"
    assert 'name="viewport"' in html


@pytest.mark.parametrize("sections", [2, 30])
def test_article_page_query_count_does_not_grow_with_sections(
    client, make_article, publish_article, django_assert_max_num_queries, sections
):
    target = publish_article(make_article("Linked target", sections=1))
    article = make_article(f"Article with {sections} sections", sections=sections)
    body = article.sections.first()
    body.body += f"\n\nSee [the target](article:{target.public_id}) and [a draft](article:999998)."
    body.save()
    publish_article(article)
    with django_assert_max_num_queries(4):
        response = client.get(f"/ency/article/{article.public_id}.htm")
    assert response.status_code == 200
    assert response.content.decode().count('<section class="article-section"') == sections


def test_article_page_queries_are_the_same_for_2_and_30_sections(client, make_article, publish_article):
    counts = []
    for sections in (2, 30):
        article = publish_article(make_article(f"Article {sections}", sections=sections))
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/ency/article/{article.public_id}.htm")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_copyright_range_ends_in_the_current_year(client, make_article, publish_article):
    settings = SiteSettings.load()
    settings.copyright_start_year = 1997
    settings.copyright_holder = "Example Health Publishing"
    settings.save()
    article = publish_article(make_article("Copyright"))
    for year in (2026, 2031):
        with time_machine.travel(datetime.datetime(year, 6, 1, 12, tzinfo=datetime.UTC)):
            text = page_text(client.get(f"/ency/article/{article.public_id}.htm").content.decode())
        assert f"© 1997-{year} Example Health Publishing" in text


def test_accreditation_notice_shows_only_while_valid(client, make_article, publish_article):
    policy = PolicyPage.objects.create(slug="editorial-policy", title="Editorial policy", body="Our policy.")
    AccreditationNotice.objects.create(
        body="Example Accreditation Council",
        program="Health Content Provider",
        valid_from=datetime.date(2025, 1, 1),
        valid_until=datetime.date(2028, 6, 1),
        statement="We are accredited by the *Example Accreditation Council*.",
        editorial_policy=policy,
    )
    article = publish_article(make_article("Accredited"))
    url = f"/ency/article/{article.public_id}.htm"
    with time_machine.travel(datetime.datetime(2027, 1, 1, 12, tzinfo=datetime.UTC)):
        html = client.get(url).content.decode()
    assert "Health Content Provider" in html
    assert "06/01/2028" in html
    assert "<em>Example Accreditation Council</em>" in html
    assert '<a href="/about/editorial-policy/">editorial policy</a>' in html
    with time_machine.travel(datetime.datetime(2028, 6, 2, 12, tzinfo=datetime.UTC)):
        html = client.get(url).content.decode()
    assert "Health Content Provider" not in html


def test_policy_pages_are_public(client):
    PolicyPage.objects.create(slug="privacy-policy", title="Privacy policy", body="We keep *little*.")
    response = client.get("/about/privacy-policy/")
    assert response.status_code == 200
    assert "<em>little</em>" in response.content.decode()
    assert client.get("/about/nothing/").status_code == 404


def test_index_lists_live_articles_only(client, make_article, publish_article):
    publish_article(make_article("Visible article"))
    make_article("Hidden draft")
    html = client.get("/ency/").content.decode()
    assert "Visible article" in html
    assert "Hidden draft" not in html
