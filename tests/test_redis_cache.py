"""The shared Redis cache, against a real Redis server (CI starts one at 127.0.0.1:6379)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from encyclopedia.caching import keys, site_data
from encyclopedia.models import SiteSettings
from tests.factories import TEST_REDIS_URL, needs_redis

REDIS_URL = TEST_REDIS_URL
_REDIS = {**settings.CACHES_WITH_REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": ""}
REDIS = {"default": _REDIS, "shared": _REDIS}  # as the settings have it with REDIS_URL


pytestmark = [pytest.mark.django_db, needs_redis]


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def another_server() -> RedisCache:
    """What a second app server sees: its own connection to the same Redis."""
    return RedisCache(REDIS_URL, {})


def test_a_publish_on_one_server_invalidates_pages_on_every_server(
    redis_cache, client, make_article, publish_article
):
    article = publish_article(make_article("Shared"))
    url = f"/ency/article/{article.public_id}.htm"
    client.get(url)
    before = another_server().get(f"{keys.LIVE}:generation")
    publish_article(article)
    assert another_server().get(f"{keys.LIVE}:generation") not in (None, before)


def test_site_data_changes_reach_every_server(redis_cache, client, make_article, publish_article):
    article = publish_article(make_article("Notice"))
    client.get(f"/ency/article/{article.public_id}.htm")
    before = another_server().get(f"{keys.SITE}:generation")
    settings = SiteSettings.load()
    settings.disclaimer = "Changed on server one."
    settings.save()
    assert another_server().get(f"{keys.SITE}:generation") not in (None, before)
    assert site_data.settings().disclaimer == "Changed on server one."


def test_healthz_checks_database_and_cache(redis_cache, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cdn_purge_paths_pending": 0,
        "cache": "ok",
        "shared_cache": "ok",
    }


def test_healthz_reports_an_unreachable_cache_but_the_site_serving(client):
    nowhere = {**settings.CACHES_WITH_REDIS, "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": nowhere, "shared": nowhere}):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "down"
    assert response.json()["shared_cache"] == "down"
