"""With SITE_URL set, every absolute address the site hands out is built from it, whatever Host
header the request came with (one ALLOWED_HOSTS admits, such as ``127.0.0.1.`` or another port)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SITE = "https://encyclopedia.example.org"
SURFACES = [
    "/ency/article/{id}.htm",
    "/ency/feed/",
    "/sitemap.xml",
    "/ency/article/{id}.ris",
    "/ency/article/{id}.bib",
    "/api/v1/articles/",
    "/api/v1/articles/{id}/",
]


@pytest.mark.parametrize("host", ["127.0.0.1:6666", "127.0.0.1.", "localhost"])
@pytest.mark.parametrize("surface", SURFACES)
def test_every_absolute_address_comes_from_site_url(
    client, settings, make_article, publish_article, surface, host
):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["127.0.0.1", "127.0.0.1.", "localhost"]
    article = make_article("Night cramps")
    publish_article(article)
    response = client.get(surface.format(id=article.public_id), HTTP_HOST=host)
    assert response.status_code == 200, surface
    body = response.content.decode()
    assert SITE in body, f"{surface} names no address from SITE_URL"
    for wrong in ("127.0.0.1", "localhost", "http://testserver"):
        assert wrong not in body, f"{surface} names {wrong} when SITE_URL is set"
