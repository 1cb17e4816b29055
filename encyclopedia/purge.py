"""Telling a CDN or caching proxy to drop pages when what they show changes.

Public pages may be kept by others for five minutes (``Cache-Control: max-age=300``). With
``CDN_PURGE_URL`` set, a publish, withdrawal or restore asks the CDN to drop the pages that
changed at once: the article, its downloads, the pages it links to and those linking to it,
the index and letter pages, the feed, the sitemap and the API. A change of site data (notices,
policy pages, settings) drops the index and letter pages; other pages follow within five minutes.

The requests are sent after the transaction commits, from a background thread, so an approval
never waits on the CDN; a failed purge is logged and the page expires on its own.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from encyclopedia import paths
from encyclopedia.models import Article, CrossReference

logger = logging.getLogger(__name__)

LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0-9"]


def enabled() -> bool:
    return bool(getattr(settings, "CDN_PURGE_URL", ""))


def purge(page_paths: Iterable[str]) -> None:
    """Ask the CDN to drop ``page_paths`` once the current transaction commits."""
    if not enabled():
        return
    chosen = sorted(set(page_paths))
    transaction.on_commit(lambda: _send_later(chosen))


def site_paths() -> list[str]:
    """Pages that list articles: the index, every letter, the feed, the sitemap and the API list."""
    return [
        paths.path("encyclopedia:index"),
        *(_letter_path(letter) for letter in LETTERS),
        paths.path("encyclopedia:feed"),
        paths.path("encyclopedia:sitemap"),
        paths.path("encyclopedia:api_articles"),
    ]


def article_paths(article: Article) -> list[str]:
    """Every public page that shows something of ``article``."""
    public_id = article.public_id
    neighbours = set(
        CrossReference.objects.filter(target_public_id=public_id).values_list(
            "publication__article__public_id", flat=True
        )
    )
    publication = article.live_publication
    if publication is not None:
        neighbours.update(publication.linked_article_ids)
        neighbours.update(publication.related_article_ids)
    own = [
        paths.article_path(public_id),
        paths.path("encyclopedia:article_ris", public_id),
        paths.path("encyclopedia:article_bibtex", public_id),
        paths.path("encyclopedia:article_references_ris", public_id),
        paths.path("encyclopedia:api_article", public_id),
    ]
    return [*own, *(paths.article_path(other) for other in sorted(neighbours - {public_id})), *site_paths()]


def article_changed(article: Article) -> None:
    """What is live of ``article`` changed: drop its pages from the CDN after commit."""
    if enabled():
        purge(article_paths(article))


def site_data_changed() -> None:
    if enabled():
        purge(site_paths())


def _letter_path(letter: str) -> str:
    from django.urls import reverse

    return reverse("encyclopedia:letter", args=[letter])


def _send_later(page_paths: list[str]) -> None:
    threading.Thread(target=send, args=(page_paths,), name="cdn-purge", daemon=True).start()


def send(page_paths: list[str]) -> int:
    """Send one purge request per path; returns how many the CDN accepted."""
    accepted = 0
    headers = dict(getattr(settings, "CDN_PURGE_HEADERS", {}))
    method = getattr(settings, "CDN_PURGE_METHOD", "PURGE")
    for page_path in page_paths:
        url = settings.CDN_PURGE_URL.format(path=page_path)
        if not url.startswith(("http://", "https://")):
            logger.warning("CDN_PURGE_URL must be an http(s) URL, not %s", url)
            return accepted
        request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - URL from settings
                accepted += 200 <= response.status < 300
        except Exception as error:  # noqa: BLE001 - a failed purge only delays the page by max-age
            logger.warning("CDN purge of %s failed: %s", url, error)
    return accepted
