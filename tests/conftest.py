"""Shared fixtures, and the helpers that read a page as a reader or a browser would (page_text,
attribute_values, executable_scripts, active_content). Builders of users, edits, images, files
and forms are in tests/factories.py. The reference page is read from ../shared, never copied here."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_c36e51b9a16c5085.txt"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as the database it sees is rolled back."""
    from django.core.cache import caches

    from encyclopedia.caching import generations

    for alias in ("default", "shared"):
        caches[alias].clear()
    generations.forget()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()
    generations.forget()


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"The reference page is missing: {SEED}. Clone the project beside shared/.")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def known_headings(db) -> set[str]:
    from encyclopedia.models import SectionHeading

    return set(SectionHeading.objects.values_list("name", flat=True))


@pytest.fixture
def seed_page(seed_text, known_headings):
    from editorial.importer.parser import parse_page

    return parse_page(seed_text, known_headings)


@pytest.fixture
def imported_seed(seed_page):
    """The seed imported and published; returns the Article."""
    from editorial.actions.import_article import import_page
    from encyclopedia.models import Article

    import_page(seed_page, source="seed.txt")
    return Article.objects.get(public_id="003194")


@pytest.fixture
def make_article(db):
    """Build a working-copy article with ``sections`` sections (not published)."""
    from encyclopedia.models import Article, Section, SectionHeading

    def make(title: str = "Sample article", sections: int = 2, **fields) -> Article:
        fields.setdefault("article_type", "symptom")
        fields.setdefault("summary", f"A sample summary of {title.lower()}.")
        fields.setdefault("review_date", datetime.date(2026, 1, 15))
        article = Article.objects.create(title=title, **fields)
        heading = SectionHeading.objects.get(name="Causes")
        for position in range(1, sections + 1):
            Section.objects.create(
                article=article,
                position=position,
                heading=heading if position == 1 else None,
                custom_heading="" if position == 1 else f"Part {position}",
                body=f"Paragraph {position}.\n\n- item {position}a\n- item {position}b",
            )
        return article

    return make


@pytest.fixture
def superuser_client(client):
    """The test client, signed in as a superuser ("superboss")."""
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("superboss", "boss@example.org", "pw"))
    return client


@pytest.fixture
def publish_article():
    from editorial.actions.publish import publish

    def do(article, user=None, comment: str = "Published"):
        publish(article, user, comment=comment)
        article.refresh_from_db()
        return article

    return do


def page_text(html: str) -> str:
    """The visible text of a page, tags removed and white space folded, as a reader sees it."""
    import html as html_lib
    import re

    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"</?(i|em|strong|b|a|time|span)\b[^>]*>", "", text)  # inline: no break
    text = re.sub(r"<[^>]+>", " ", text)
    text = html_lib.unescape(text)
    return re.sub(r"\s+", " ", text)


def attribute_values(html: str, tag: str, attribute: str) -> list[str]:
    """The values of ``attribute`` on every ``tag`` element, unescaped as a browser reads them."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
            if name == tag:
                found.extend(value or "" for key, value in attrs if key == attribute)

    Collector(convert_charrefs=True).feed(html)
    return found


def executable_scripts(html: str) -> list[str]:
    """Inline <script> elements a browser would run: not JSON-LD data blocks, and not our own
    static files (the CSP allows only those; the page works without them)."""
    import re

    return re.findall(r"<script(?![^>]*application/ld\+json)(?![^>]*src=\"/static/)[^>]*>", html, flags=re.I)


class ActiveContent(HTMLParser):
    """Collects every element and attribute in a page that a browser could act on."""

    DANGEROUS_TAGS = {"script", "img", "svg", "style", "iframe", "object", "embed", "form", "math"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            return  # a data block the browser does not run (its text is checked not to close it)
        if tag == "script" and (dict(attrs).get("src") or "").startswith("/static/encyclopedia/"):
            return  # our own static script (the copy buttons), the only one the CSP allows
        if tag in self.DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    """What in ``html`` a browser could act on: dangerous elements, event and style attributes,
    javascript: and data: links (empty for a safe page)."""
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def sign_in(client, username: str, password: str) -> None:
    """Sign in through the admin's login form, as a person does (and as login throttling sees it)."""
    response = client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    assert response.status_code == 302, f"could not sign in as {username}"


@pytest.fixture
def production_caches():
    """``CACHES`` as the settings have them with ``REDIS_URL`` (the test Redis), on a key prefix of
    this test's own."""
    import uuid

    from django.conf import settings
    from django.core.cache import caches
    from django.test import override_settings

    from encyclopedia.caching import generations
    from tests.factories import TEST_REDIS_URL

    shared = {
        **settings.CACHES_WITH_REDIS,
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": f"budget-{uuid.uuid4().hex}",
    }
    default = {**shared, "BACKEND": "encyclopedia.caching.two_level.TwoLevelRedisCache"}
    # The epoch row is read once per CACHE_EPOCH_INTERVAL (0.5 s), whatever the request: not here.
    with override_settings(CACHES={"default": default, "shared": shared}, CACHE_EPOCH_INTERVAL=60):
        generations.forget()
        yield
        for alias in ("default", "shared"):
            caches[alias].clear()
        generations.forget()
