"""The public article page: what readers see, what they never see, and what it costs."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encyclopedia.models import AccreditationNotice, PolicyPage, SiteSettings
from tests.conftest import active_content, executable_scripts, page_text

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
    assert executable_scripts(html) == [], "the page needs no JavaScript"
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
    url = f"/ency/article/{article.public_id}.htm"
    # Cold: the article's editions with its stored page; which linked and related articles are
    # live; which live articles link here; the site data (valid notices, policy pages); storing
    # the page (a savepoint around one update).
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<section class="article-section"') == sections
    # From the page cache: no query at all.
    with django_assert_max_num_queries(0):
        assert client.get(url).content == response.content
    # Past the page cache (as for a signed-in reader): the stored page, in one query.
    client.cookies["sessionid"] = "not-a-session"
    with django_assert_max_num_queries(1):
        assert client.get(url).content == response.content


def test_a_site_data_change_warms_the_cache_so_pages_stay_at_three_queries(
    client, make_article, publish_article, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    article = publish_article(make_article("Warm"))
    url = f"/ency/article/{article.public_id}.htm"
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        site = SiteSettings.load()
        site.disclaimer = "Changed."
        site.save()
    with django_assert_max_num_queries(3):
        assert "Changed." in client.get(url).content.decode()


def test_article_page_queries_are_the_same_for_2_and_30_sections(client, make_article, publish_article):
    counts = []
    for sections in (2, 30):
        article = publish_article(make_article(f"Article {sections}", sections=sections))
        cache.clear()
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
    assert "6/1/2028" in html
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


def test_credits_show_even_without_a_named_reviewer(client, make_article, publish_article):
    from encyclopedia.models import EditorialCredit

    EditorialCredit.objects.create(name="the Example Editorial team", standing=True)
    article = publish_article(make_article("No reviewer"))
    text = page_text(client.get(f"/ency/article/{article.public_id}.htm").content.decode())
    assert "Reviewed by the Example Editorial team." in text
    assert "Updated by" not in text


def test_two_policy_links_are_joined_with_and(client, make_article, publish_article):
    first = PolicyPage.objects.create(slug="editorial-policy", title="Editorial policy", body="x")
    second = PolicyPage.objects.create(slug="privacy-policy", title="Privacy policy", body="x")
    AccreditationNotice.objects.create(
        body="Example Council",
        body_url="https://example.org/council",
        program="Health Content Provider",
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        statement="Sample.",
        editorial_policy=first,
        privacy_policy=second,
    )
    article = publish_article(make_article("Policies"))
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    assert (
        'Learn more about our <a href="/about/editorial-policy/">editorial policy</a> and '
        '<a href="/about/privacy-policy/">privacy policy</a>.'
    ) in html
    assert '<a href="https://example.org/council">Example Council</a>' in html


def test_links_by_path_to_a_live_article_stay_links(client, make_article, publish_article):
    target = publish_article(make_article("Target"))
    article = make_article("Linker")
    article.summary = f"See [the target](/ency/article/{target.public_id}.htm)."
    article.save()
    publish_article(article)
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    assert f'<a href="/ency/article/{target.public_id}.htm">the target</a>' in html


def test_the_query_string_never_reaches_canonical_or_citation(client, make_article, publish_article):
    article = publish_article(make_article("Canonical"))
    html = client.get(f"/ency/article/{article.public_id}.htm?q=%22%3E%3Cx").content.decode()
    url = f"http://testserver/ency/article/{article.public_id}.htm"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f"Available from: {url}</p>" in html
    assert "?q=" not in html


@pytest.mark.parametrize("field", ["alternative name", "citation", "credit", "reviewer", "notice"])
def test_hostile_text_in_every_field_is_inert(client, make_article, publish_article, field):
    from encyclopedia.models import Citation, EditorialCredit, Reviewer

    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"><svg onload=alert(3)>'
    article = make_article("Hostile fields")
    if field == "alternative name":
        article.alternative_names.create(name=hostile, position=1)
    elif field == "citation":
        citation = Citation.objects.create(kind="book", title=hostile, publisher=hostile, year="2024")
        article.citation_links.create(citation=citation, position=1)
    elif field == "credit":
        article.credit_links.create(
            credit=EditorialCredit.objects.create(name=hostile, role=hostile), position=1
        )
    elif field == "reviewer":
        article.reviewer = Reviewer.objects.create(name=hostile, institution=hostile)
        article.save()
    else:
        AccreditationNotice.objects.create(
            body=hostile,
            program=hostile,
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2099, 1, 1),
            statement=hostile + "[x](javascript:alert(4))",
        )
    publish_article(article)
    response = client.get(f"/ency/article/{article.public_id}.htm")
    assert response.status_code == 200
    assert active_content(response.content.decode()) == []
    assert "&lt;script&gt;" in response.content.decode()
