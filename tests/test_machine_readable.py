"""Sitemap, robots, feed, JSON-LD, Open Graph, the syndication API and HTTP caching: live content only."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from encyclopedia import views
from encyclopedia.models import PolicyPage, RelatedArticle, SiteSettings
from tests.conftest import executable_scripts
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site(make_article, publish_article):
    live = publish_article(
        make_article("Leg cramps", article_type="symptom", review_date=datetime.date(2025, 5, 6))
    )
    other = publish_article(make_article("Dehydration", article_type="disease"))
    draft = make_article("Unpublished draft")
    return {"live": live, "other": other, "draft": draft}


def test_sitemap_lists_live_articles_with_their_dates(client, site):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
        if "/ency/article/" in url.findtext(f"{SITEMAP}loc")  # the index and letter pages: test_validators
    }
    live = site["live"]
    # Django's sitemap writes the date in the site's time zone, not UTC: right after midnight UTC they differ.
    assert entries[f"http://testserver/ency/article/{live.public_id}.htm"] == (
        timezone.localdate(live.live_publication.published_at).isoformat()
    )
    assert not any(site["draft"].public_id in loc for loc in entries)
    assert len(entries) == 2


def test_robots_points_at_the_sitemap_and_keeps_out_of_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_atom_feed_of_new_and_updated_articles(client, site):
    root = ET.fromstring(client.get("/ency/feed/").content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]
    assert set(titles) == {"Leg cramps", "Dehydration"}
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.find(f"{ATOM}title").text == "Leg cramps")
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/ency/article/{site['live'].public_id}.htm")
    assert entry.find(f"{ATOM}updated").text


def test_json_ld_and_open_graph(client, site):
    live = site["live"]
    html = client.get(f"/ency/article/{live.public_id}.htm").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "Leg cramps"
    assert data["url"] == f"http://testserver/ency/article/{live.public_id}.htm"
    assert data["lastReviewed"] == "2025-05-06"
    assert data["dateModified"].startswith(live.live_publication.published_at.date().isoformat())
    assert data["publisher"]["name"] == "Example Health Publishing"
    assert data["about"]["name"] == "Leg cramps"
    assert '<meta property="og:title" content="Leg cramps">' in html
    assert f'<link rel="canonical" href="http://testserver/ency/article/{live.public_id}.htm">' in html


def test_json_ld_cannot_be_broken_out_of(client, make_article, publish_article):
    article = publish_article(make_article("</script><script>alert(1)</script>"))
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == "</script><script>alert(1)</script>"
    assert html.count("<script") == 2, "the JSON-LD block and our static copy-button script, nothing injected"
    assert executable_scripts(html) == []


def test_api_list_filters_and_pages(client, site, make_article, publish_article):
    data = client.get("/api/v1/articles/").json()
    assert data["count"] == 2
    assert {r["title"] for r in data["results"]} == {"Leg cramps", "Dehydration"}
    assert client.get("/api/v1/articles/?type=disease").json()["results"][0]["title"] == "Dehydration"
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert client.get(f"/api/v1/articles/?updated_since={tomorrow}").json()["count"] == 0
    bad = client.get("/api/v1/articles/?updated_since=yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()["error"]
    assert client.get("/api/v1/articles/?type=poem").status_code == 400
    assert client.get("/api/v1/articles/?page=99").status_code == 404
    for number in range(55):
        publish_article(make_article(f"Bulk {number}"))
    first = client.get("/api/v1/articles/").json()
    assert (first["count"], first["pages"], len(first["results"])) == (57, 2, 50)
    assert first["next"].endswith("page=2")
    assert len(client.get(first["next"]).json()["results"]) == 7


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ("updated_since=0001-01-01T00:00:00%2B14:00", 400, "updated_since"),
        ("updated_since=9999-12-31T23:59:59-14:00", 400, "updated_since"),
        ("page=abc", 400, "page"),
        ("page=-1", 400, "page"),
        ("page=0", 400, "page"),
        ("page=1.5", 400, "page"),
        ("page=", 400, "page"),
        ("page=999999999", 404, "page"),
        ("page=3", 404, "page"),
    ],
)
def test_a_bad_api_parameter_is_a_400_naming_it_and_a_page_past_the_end_a_404(
    client, site, query, status, named
):
    """Out-of-range dates were a 500 (OverflowError), and a page that is no number a 404."""
    response = client.get(f"/api/v1/articles/?{query}")
    assert response.status_code == status
    assert response.json()["error"].startswith(f"{named}:")


def test_api_detail_is_the_live_content_only(client, site):
    live = site["live"]
    edit(live, make_user("ed", "Editors"), "Draft words for the API.")
    data = client.get(f"/api/v1/articles/{live.public_id}/").json()
    assert data["title"] == "Leg cramps"
    assert data["review_date"] == "2025-05-06"
    assert [s["heading"] for s in data["sections"]] == ["Causes", "Part 2"]
    assert "Draft words" not in json.dumps(data)
    assert client.get(f"/api/v1/articles/{site['draft'].public_id}/").status_code == 404


def test_drafts_are_absent_everywhere(client, site):
    assert site["draft"].live_publication is None
    for url in (
        "/sitemap.xml",
        "/ency/feed/",
        "/api/v1/articles/",
        "/ency/encyclopedia_U.htm",
        "/ency/search/?q=unpublished",
    ):
        assert "Unpublished draft" not in client.get(url).content.decode(), url


def test_related_articles_and_links_here(client, site, publish_article):
    live, other = site["live"], site["other"]
    RelatedArticle.objects.create(article=live, related=other, position=1)
    publish_article(live)
    linker = site["draft"]
    linker.summary = f"See [leg cramps](article:{live.public_id})."
    linker.save()
    publish_article(linker)
    html = client.get(f"/ency/article/{live.public_id}.htm").content.decode()
    section = html[html.index('id="related-articles"') :]
    assert f'<a href="/ency/article/{other.public_id}.htm">Dehydration</a>' in section
    links_here = section[section.index("Articles that link here") :]
    assert f'<a href="/ency/article/{linker.public_id}.htm">Unpublished draft</a>' in links_here
    withdraw(linker, make_user("dir", "Editorial directors"), reason="x")
    assert "Articles that link here" not in client.get(f"/ency/article/{live.public_id}.htm").content.decode()


# ---------------------------------------------------------------- HTTP behaviour


def test_conditional_get_answers_304(client, site):
    url = f"/ency/article/{site['live'].public_id}.htm"
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)  # past the publish's second
    with time_machine.travel(later):
        first = client.get(url)
        assert first["Last-Modified"] and first["ETag"]
        assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
        assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


def test_the_page_cache_serves_without_queries_and_is_dropped_on_publish(client, site, publish_article):
    live = site["live"]
    url = f"/ency/article/{live.public_id}.htm"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 0
    edit(live, make_user("ed", "Editors"), "A newly published paragraph.")
    publish_article(live)
    assert "A newly published paragraph." in client.get(url).content.decode()


def test_withdrawal_and_site_data_changes_drop_cached_pages(client, site):
    live = site["live"]
    url = f"/ency/article/{live.public_id}.htm"
    client.get(url)
    settings = SiteSettings.load()
    settings.disclaimer = "A changed disclaimer."
    settings.save()
    assert "A changed disclaimer." in client.get(url).content.decode()
    assert "About this site" not in client.get("/ency/").content.decode()  # now cached
    PolicyPage.objects.create(slug="about", title="About this site", body="x")
    assert "About this site" in client.get("/ency/").content.decode()
    withdraw(live, make_user("dir", "Editorial directors"), reason="x")
    assert client.get(url).status_code == 410


def test_nothing_is_cached_or_shared_for_signed_in_staff_or_previews(client, site):
    live = site["live"]
    url = f"/ency/article/{live.public_id}.htm"
    client.force_login(make_user("boss", superuser=True))
    response = client.get(url)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    preview = client.get(f"/admin/encyclopedia/article/{live.pk}/preview/")
    assert "no-store" in preview["Cache-Control"]
    submit(site["draft"], make_user("ed", "Editors"))
    client.logout()
    assert (
        "Unpublished draft" not in client.get(f"/ency/article/{site['draft'].public_id}.htm").content.decode()
    )


def test_print_stylesheet_and_small_screens(client, site):
    html = client.get(f"/ency/article/{site['live'].public_id}.htm").content.decode()
    assert 'media="print"' in html
    assert '<p class="print-only">Cite this page: Leg cramps: Medical Encyclopedia [Internet].' in html
    assert 'content="width=device-width, initial-scale=1"' in html
    assert '<a class="skip" href="#main">Skip to main content</a>' in html


def test_a_page_rendered_for_staff_never_reaches_anonymous_readers(client, site, monkeypatch):
    live = site["live"]
    url = f"/ency/article/{live.public_id}.htm"
    rendered = []
    render_article = views.render_article
    monkeypatch.setattr(
        views, "render_article", lambda *a, **k: rendered.append(1) or render_article(*a, **k)
    )
    client.force_login(make_user("boss", superuser=True))
    staff_page = client.get(url)
    client.logout()
    client.cookies.clear()
    anonymous = client.get(url)
    assert len(rendered) == 2, "the staff page was stored in the shared cache and served to a reader"
    assert "public" in anonymous["Cache-Control"] and "private" in staff_page["Cache-Control"]


def test_the_cache_is_keyed_by_host_so_a_forged_host_cannot_poison_it(client, site, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example.org"]
    url = f"/ency/article/{site['live'].public_id}.htm"
    forged = client.get(url, headers={"host": "other.example.org"}).content.decode()
    assert "http://other.example.org/ency/article/" in forged
    honest = client.get(url).content.decode()
    assert "other.example.org" not in honest


def test_made_up_query_strings_share_the_article_pages_cache_entry(client, site):
    url = f"/ency/article/{site['live'].public_id}.htm"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url + "?utm_source=x&anything=1")
    assert len(queries) == 0


def test_if_modified_since_is_not_fooled_by_a_site_data_change(client, site):
    url = f"/ency/article/{site['live'].public_id}.htm"
    now = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)  # past the publish's second
    with time_machine.travel(now):
        first = client.get(url)
    with time_machine.travel(now + datetime.timedelta(seconds=5)):
        settings = SiteSettings.load()
        settings.disclaimer = "New disclaimer."
        settings.save()
        response = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert response.status_code in (200, 304)
    if response.status_code == 304:
        pytest.fail("a changed page answered 304")
    assert "New disclaimer." in response.content.decode()


def test_the_api_never_reveals_links_to_unpublished_articles(client, make_article, publish_article):
    secret = make_article("Secret draft")
    article = make_article("Linking")
    article.summary = f"See [the secret](article:{secret.public_id})."
    article.save()
    publish_article(article)
    data = client.get(f"/api/v1/articles/{article.public_id}/").json()
    assert data["summary_html"] == "<p>See the secret.</p>"
