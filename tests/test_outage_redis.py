"""Redis down, at start-up or mid-run: every page still answers, fast, and nothing is stale after.

Redis is really unreachable here: a port where nothing listens, or a socket that accepts and
never answers. "Coming back with its old data" is the CI Redis (127.0.0.1:6379) that never saw
the change made while the site could not reach it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

from editorial.actions.withdraw import withdraw
from encyclopedia.models import SharedCacheEpoch
from tests.factories import TEST_REDIS_URL, make_user, needs_redis

REDIS_URL = TEST_REDIS_URL

pytestmark = pytest.mark.django_db


def _caches(location: str) -> dict:
    """Both caches on one Redis, as the settings have them with REDIS_URL; a fresh key prefix,
    so tests running side by side never share entries."""
    redis = {**settings.CACHES_WITH_REDIS, "LOCATION": location, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    return {"default": redis, "shared": redis}


def _closed_port() -> int:
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down() -> Iterator[None]:
    with override_settings(CACHES=_caches(f"redis://127.0.0.1:{_closed_port()}/0")):
        yield


class SilentRedis:
    """A Redis that accepts connections and never answers (a hung server); counts connections."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def redis_silent() -> Iterator[SilentRedis]:
    silent = SilentRedis()
    try:
        with override_settings(CACHES=_caches(f"redis://127.0.0.1:{silent.port}/0")):
            yield silent
    finally:
        silent.close()


def test_every_public_page_and_the_admin_answer_without_redis(
    redis_down, client, make_article, publish_article
):
    article = publish_article(make_article("Hand spasm"))
    for url in (
        f"/ency/article/{article.public_id}.htm",
        "/ency/",
        "/ency/encyclopedia_H.htm",
        "/ency/search/?q=hand",
        "/admin/login/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Hand spasm" in client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    boss = make_user("boss", superuser=True)
    client.force_login(boss)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/encyclopedia/article/{article.pk}/change/").status_code == 200


def test_a_hung_redis_costs_each_request_one_short_timeout_at_most(
    redis_silent, client, make_article, publish_article
):
    article = publish_article(make_article("Hung"))
    url = f"/ency/article/{article.public_id}.htm"
    slowest, started = 0.0, time.monotonic()
    for _ in range(10):
        before = time.monotonic()
        assert client.get(url).status_code == 200
        slowest = max(slowest, time.monotonic() - before)
    elapsed = time.monotonic() - started
    # Each attempt on the hung Redis is a new connection that times out (REDIS_TIMEOUT) and then
    # Redis is left alone for CACHE_RETRY_INTERVAL: at most one attempt per interval, not one per
    # cache call (a dozen per page), and no request waits on it more than once.
    assert len(redis_silent.connections) <= elapsed / settings.CACHE_RETRY_INTERVAL + 2
    assert slowest < 2 * settings.REDIS_TIMEOUT + 1.5, slowest


def test_the_outage_is_logged_once_per_interval_not_per_request(
    redis_down, client, make_article, publish_article, caplog
):
    article = publish_article(make_article("Logged"))
    with caplog.at_level(logging.WARNING, logger="encyclopedia.caching.resilient_redis"):
        for _ in range(20):
            assert client.get(f"/ency/article/{article.public_id}.htm").status_code == 200
    outage_lines = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(outage_lines) == 1, [record.getMessage() for record in outage_lines]


def test_healthz_says_the_cache_is_down_and_the_site_serving(redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "ok"
    assert response.json()["cache"] == "down"


@needs_redis
def test_a_withdrawal_made_while_redis_was_unreachable_shows_when_it_returns_with_old_data(
    client, make_article, publish_article
):
    working = _caches(REDIS_URL)
    boss = make_user("boss", superuser=True)
    with override_settings(CACHES=working):
        article = publish_article(make_article("Withdrawn in the dark"))
        url = f"/ency/article/{article.public_id}.htm"
        assert client.get(url).status_code == 200  # cached in Redis
        assert client.get(url).status_code == 200  # served from Redis
        assert "Withdrawn in the dark" in client.get("/ency/encyclopedia_W.htm").content.decode()
    with override_settings(CACHES=_caches(f"redis://127.0.0.1:{_closed_port()}/0")):
        withdraw(article, boss, reason="Outdated")
        assert client.get(url).status_code == 410
    assert SharedCacheEpoch.objects.get().value != 0  # the failed bump, recorded with the change
    with override_settings(CACHES=working):  # Redis is back, with the page and counters of before
        assert client.get(url).status_code == 410
        assert client.get("/ency/encyclopedia_W.htm").content.decode().count("Withdrawn in the dark") == 0
