"""The CDN's purge endpoint down or slow: publishing never waits, and what failed is sent again.

The endpoints are real sockets: one that accepts and never answers (a hung CDN), a port where
nothing listens (a CDN that is down), and an HTTP server that records the purges it accepts.
"""

from __future__ import annotations

import datetime
import http.server
import io
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from editorial.actions.withdraw import withdraw
from encyclopedia.caching import cdn
from encyclopedia.models import PendingPurge
from tests.factories import make_user


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_PURGE(self) -> None:  # noqa: N802 - the HTTP method's name
        self.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hung_cdn(settings) -> Iterator[None]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{listener.getsockname()[1]}{{path}}"
    settings.CDN_PURGE_TIMEOUT = 3
    yield
    listener.close()


@pytest.fixture
def down_cdn(settings, monkeypatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{port}{{path}}"
    monkeypatch.setattr(cdn, "_send_later", cdn.send_pending)  # at once, in the test's transaction


def _recovered_cdn(settings) -> tuple[http.server.ThreadingHTTPServer, list[str]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.received = []
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}{{path}}"
    return server, _Recorder.received


def _purge_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "cdn-purge"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_never_waits_on_a_cdn_that_does_not_answer(
    hung_cdn, make_article, publish_article, client
):
    article = make_article("Slow CDN")
    started = time.monotonic()
    publish_article(article)
    took = time.monotonic() - started
    # Published while the purge still waits on the CDN (its 3-second timeout), in the background.
    assert any(thread.is_alive() for thread in _purge_threads())
    assert took < 3, took
    assert client.get(article.get_absolute_url()).status_code == 200
    for thread in _purge_threads():
        thread.join(timeout=5)
    pending = PendingPurge.objects.get()
    assert article.get_absolute_url() in pending.paths
    assert "timed out" in pending.last_error
    assert pending.attempts == 1
    # /healthz counts what retry_cdn_purges counts: the paths waiting, not the batches.
    health = client.get("/healthz").json()
    assert health["cdn_purge_paths_pending"] == len(pending.paths) > 1
    out = io.StringIO()
    call_command("retry_cdn_purges", stdout=out)  # not due yet: counts only
    assert f"{len(pending.paths)} paths pending." in out.getvalue()


@pytest.mark.django_db
def test_failed_purges_are_sent_again_with_back_off_once_the_cdn_is_back(
    down_cdn, settings, make_article, publish_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish_article(make_article("Down CDN"))
    director = make_user("director", "Editorial directors")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(article, director, reason="Out of date")
    pending = PendingPurge.objects.latest("pk")
    assert article.get_absolute_url() in pending.paths
    assert pending.next_attempt_at >= timezone.now() + cdn.retry_after(1) - datetime.timedelta(seconds=5)
    expected = sorted(
        path for paths in PendingPurge.objects.values_list("paths", flat=True) for path in paths
    )

    server, received = _recovered_cdn(settings)
    try:
        out = io.StringIO()
        call_command("retry_cdn_purges", stdout=out)  # not due yet
        assert received == [] and PendingPurge.objects.count() == 2
        assert f"{len(expected)} paths pending" in out.getvalue()
        with time_machine.travel(timezone.now() + cdn.retry_after(1) + datetime.timedelta(seconds=1)):
            call_command("retry_cdn_purges", stdout=out)
    finally:
        server.shutdown()
    assert sorted(received) == expected
    assert PendingPurge.objects.count() == 0
    assert "0 paths pending" in out.getvalue()


@pytest.mark.django_db
def test_a_purge_older_than_a_pages_max_age_is_dropped_not_sent(
    down_cdn, make_article, publish_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_article(make_article("Expired at the CDN"))
    assert PendingPurge.objects.count() == 1
    with time_machine.travel(timezone.now() + cdn.PAGE_MAX_AGE + datetime.timedelta(seconds=1)):
        assert cdn.retry_pending(ignore_back_off=True) == (0, 0, 1)
    assert PendingPurge.objects.count() == 0


@pytest.mark.django_db
def test_without_a_cdn_nothing_is_queued_and_nothing_is_reported_pending(
    settings, make_article, publish_article, client, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        publish_article(make_article("No CDN"))
    assert PendingPurge.objects.count() == 0
    assert client.get("/healthz").json()["cdn_purge_paths_pending"] == 0


@pytest.mark.django_db
def test_purges_queued_before_the_cdn_was_unset_are_dropped_not_pending_forever(settings, client):
    PendingPurge.objects.create(paths=["/a/", "/b/"])
    settings.CDN_PURGE_URL = ""
    assert client.get("/healthz").json()["cdn_purge_paths_pending"] == 0
    out = io.StringIO()
    call_command("retry_cdn_purges", stdout=out)
    assert out.getvalue().strip() == (
        "CDN_PURGE_URL is not set: nothing to purge. Dropped 1 purge queued while it was set."
    )
    assert PendingPurge.objects.count() == 0


@pytest.mark.django_db
def test_retry_cdn_purges_says_one_purge_and_one_path_in_the_singular(down_cdn):
    PendingPurge.objects.create(paths=["/a/"])
    out = io.StringIO()
    call_command("retry_cdn_purges", "--all", stdout=out)
    assert out.getvalue().strip() == (
        "0 purges sent, 0 purges dropped (older than a page's max-age), 1 path pending."
    )
