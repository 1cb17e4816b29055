"""Publishing tells the CDN to drop the changed pages (CDN_PURGE_URL), through a real HTTP server."""

from __future__ import annotations

import http.server
import threading

import pytest

from encyclopedia.caching import cdn as purge  # the fixture below is named cdn
from tests.factories import make_user


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def do_PURGE(self) -> None:  # noqa: N802 - the HTTP method's name
        self.received.append((self.command, self.path, self.headers.get("X-Purge-Key", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def cdn(settings, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.received = []
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{server.server_port}{{path}}"
    settings.CDN_PURGE_HEADERS = {"X-Purge-Key": "secret"}
    monkeypatch.setattr(purge, "_send_later", purge.send_pending)  # send at once, so the test can look
    yield _Recorder.received
    server.shutdown()


def test_publishing_purges_the_article_its_neighbours_and_the_lists(
    cdn, make_article, publish_article, django_capture_on_commit_callbacks
):
    target = publish_article(make_article("Linked to"))
    with django_capture_on_commit_callbacks(execute=True):
        linker = make_article("Links out", summary=f"See [the other]({target.get_absolute_url()}).")
        publish_article(linker)
    purged = {path for method, path, key in cdn}
    assert all(method == "PURGE" and key == "secret" for method, path, key in cdn)
    assert linker.get_absolute_url() in purged
    assert f"/ency/article/{linker.public_id}.ris" in purged
    assert f"/api/v1/articles/{linker.public_id}/" in purged
    assert target.get_absolute_url() in purged, "the linked page's 'links here' changed"
    assert {"/ency/", "/ency/encyclopedia_L.htm", "/ency/feed/", "/sitemap.xml"} <= purged


def test_withdrawing_purges_the_page(cdn, make_article, publish_article, django_capture_on_commit_callbacks):
    from editorial.actions.withdraw import withdraw

    article = publish_article(make_article("To withdraw"))
    director = make_user("director", "Editorial directors")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(article, director, reason="Out of date")
    assert article.get_absolute_url() in {path for _, path, _ in cdn}


def test_nothing_is_sent_before_commit_or_without_a_cdn(settings, make_article, publish_article, monkeypatch):
    sent = []
    monkeypatch.setattr(purge, "_send_later", sent.append)
    settings.CDN_PURGE_URL = ""
    publish_article(make_article("No CDN"))
    assert sent == []
    settings.CDN_PURGE_URL = "http://127.0.0.1:9{path}"
    publish_article(make_article("Not committed"))
    assert sent == [], "purged only once the transaction commits"


def test_an_unreachable_cdn_is_logged_not_raised(settings, caplog):
    settings.CDN_PURGE_URL = "http://127.0.0.1:9{path}"
    assert purge.send(["/ency/"]) == 0
    assert "CDN purge of http://127.0.0.1:9/ency/ failed" in caplog.text
