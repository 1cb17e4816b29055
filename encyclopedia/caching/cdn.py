"""Dropping pages when what they show changes: from our page cache, and from a CDN.

``on_publication_changed`` (a receiver of ``publication_changed``) and ``on_article_deleted``
(of an article's ``pre_delete``), both connected in ``encyclopedia/apps.py``, bump the
generations; ``site_data.invalidate`` calls ``site_data_changed``.

An article's own pages are cached under its own generation (``keys.article_generation``), so a
publish makes stale only the pages that show the article: its own, those of the articles it
links to or lists as related (their "links here" and titles), and those linking to it.

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
from django.db.models import Q

from encyclopedia import paths
from encyclopedia.caching import generations, keys
from encyclopedia.models import Article, CrossReference, Publication, RelatedArticle

logger = logging.getLogger(__name__)


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
        *(paths.letter_path(letter) for letter in paths.LETTERS),
        paths.path("encyclopedia:feed"),
        paths.path("encyclopedia:sitemap"),
        paths.path("encyclopedia:api_articles"),
    ]


def neighbours(article: Article, before: Publication | None = None) -> set[str]:
    """Ids of the other articles whose pages show something of ``article``, or did until now.

    Those it links to (from any of its publications, so a link just removed counts), those it
    lists as related, those whose live page links to it, and those listing it as related.
    """
    public_id = article.public_id
    found = set(
        CrossReference.objects.filter(target_public_id=public_id).values_list(
            "publication__article__public_id", flat=True
        )
    )
    found.update(
        CrossReference.objects.filter(publication__article_id=article.pk).values_list(
            "target_public_id", flat=True
        )
    )
    related = RelatedArticle.objects.filter(Q(article_id=article.pk) | Q(related_id=article.pk))
    found.update(_flatten(related.values_list("article__public_id", "related__public_id")))
    for publication in (article.live_publication, before):
        if publication is not None:
            found.update(publication.related_article_ids)
    found.discard(public_id)
    return found


def _flatten(pairs: Iterable[tuple[str, str]]) -> set[str]:
    return {public_id for pair in pairs for public_id in pair}


def article_paths(article: Article, others: set[str] | None = None) -> list[str]:
    """Every public page that shows something of ``article``."""
    public_id = article.public_id
    others = neighbours(article) if others is None else others
    own = [
        paths.article_path(public_id),
        paths.path("encyclopedia:article_ris", public_id),
        paths.path("encyclopedia:article_bibtex", public_id),
        paths.path("encyclopedia:article_references_ris", public_id),
        paths.path("encyclopedia:api_article", public_id),
    ]
    return [*own, *(paths.article_path(other) for other in sorted(others)), *site_paths()]


def on_publication_changed(
    sender, articles: list[Article], before: dict[int, Publication | None] | None = None, **kwargs
) -> None:
    """``publication_changed``: every page showing these articles is stale, here and at the CDN.

    One bump for all of them: the live generation (lists of articles) and each article's own
    and its neighbours' generations.
    """
    before = before or {}
    names = {keys.LIVE}
    stale_paths: set[str] = set()
    for article in articles:
        others = neighbours(article, before.get(article.pk))
        names.update(keys.article_generation(public_id) for public_id in {article.public_id, *others})
        if enabled():
            stale_paths.update(article_paths(article, others))
    generations.bump(*sorted(names))
    if stale_paths:
        purge(stale_paths)


def on_article_deleted(sender, instance: Article, **kwargs) -> None:
    """``pre_delete`` of an article, however it is deleted (the delete action announces it too,
    but a flush or a raw delete does not): pages and state cached for it are stale."""
    generations.bump(keys.LIVE, keys.article_generation(instance.public_id))


def site_data_changed() -> None:
    if enabled():
        purge(site_paths())


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
