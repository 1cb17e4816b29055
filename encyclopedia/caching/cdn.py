"""Dropping pages when what they show changes: from our page cache, and from a CDN.

``pages_changed`` (called by ``stale.on_publication_changed``, with the neighbours it found)
and ``on_article_deleted`` (a receiver of an article's ``pre_delete``, connected in
``encyclopedia/apps.py``) bump the generations; ``site_data.invalidate`` calls
``site_data_changed``.

An article's own pages are cached under its own generation (``keys.article_generation``), so a
publish makes stale only the pages that show the article: its own, those of the articles it
links to or lists as related (their "links here" and titles), and those linking to it.

Public pages may be kept by others for five minutes (``Cache-Control: max-age=300``). With
``CDN_PURGE_URL`` set, a publish, withdrawal or restore asks the CDN to drop the pages that
changed at once: the article, its downloads, the pages it links to and those linking to it,
the index and letter pages, the feed, the sitemap and the API. A change of site data (notices,
policy pages, settings) drops the index and letter pages; other pages follow within five minutes.

The paths to purge are kept in the database (``PendingPurge``) in the transaction of the change,
and sent after it commits, from a background thread, so an approval never waits on the CDN. What
the CDN does not accept (down, slow: ``CDN_PURGE_TIMEOUT``, an error status) stays there and is
sent again with back-off by ``manage.py retry_cdn_purges`` (cron, every minute); ``/healthz``
counts the paths pending (``paths_pending``). Without ``CDN_PURGE_URL`` nothing is queued, and
``retry_cdn_purges`` drops what was queued while it was set. A page's own ``max-age`` bounds how long the CDN can show it stale, so a
purge older than that is dropped rather than sent: the CDN's copy has expired by itself.
"""

from __future__ import annotations

import datetime
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from encyclopedia import paths
from encyclopedia.caching import generations, keys, page_cache
from encyclopedia.models import Article, CrossReference, PendingPurge, Publication, RelatedArticle

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "CDN_PURGE_URL", ""))


FIRST_RETRY = datetime.timedelta(seconds=30)
LONGEST_RETRY = datetime.timedelta(minutes=2)
# Longer than one attempt can take (one timeout: the first one ends it), so no other process
# sends the same purge meanwhile.
CLAIM = datetime.timedelta(minutes=1)
# A CDN keeps no public page longer than this (Cache-Control: max-age).
PAGE_MAX_AGE = datetime.timedelta(seconds=page_cache.MAX_AGE)
_NEIGHBOURS_CHUNK = 500  # articles per query when finding the pages that show them


def purge(page_paths: Iterable[str]) -> None:
    """Ask the CDN to drop ``page_paths``: kept with the current transaction, sent once it commits."""
    if not enabled():
        return
    pending = PendingPurge.objects.create(paths=sorted(set(page_paths)))
    transaction.on_commit(lambda: _send_later(pending.pk))


def site_paths() -> list[str]:
    """Pages that list articles: the index, every letter, the feed of each edition, the sitemap
    and the API list of each edition."""
    return [
        paths.path("encyclopedia:index", language="en"),
        *(paths.letter_path(letter, "en") for letter in paths.LETTERS),
        paths.path("encyclopedia:feed", language="en"),
        paths.path("encyclopedia:index", language="es"),
        *(paths.letter_path(letter, "es") for letter in paths.SPANISH_LETTERS),
        paths.path("encyclopedia:feed", language="es"),
        paths.path("encyclopedia:sitemap"),
        paths.path("encyclopedia:api_articles"),
        paths.path("encyclopedia:api_articles") + "?lang=es",
    ]


def neighbours(article: Article, before: Publication | None = None) -> set[str]:
    """Ids of the other articles whose pages show something of ``article``, or did until now.

    Those it links to (from any of its publications, so a link just removed counts), those it
    lists as related, those whose live page links to it, and those listing it as related.
    """
    return neighbours_of([article], {article.pk: before})[article.pk]


def neighbours_of(
    articles: list[Article], before: dict[int, Publication | None] | None = None
) -> dict[int, set[str]]:
    """``neighbours`` of each of ``articles`` (by pk), in three queries however many there are:
    an import batch announces hundreds of articles at once."""
    before = before or {}
    by_id: dict[str, list[int]] = {}
    for article in articles:  # an English article and its Spanish edition share their id
        by_id.setdefault(article.public_id, []).append(article.pk)
    found: dict[int, set[str]] = {article.pk: set() for article in articles}
    for start in range(0, len(articles), _NEIGHBOURS_CHUNK):
        chunk = articles[start : start + _NEIGHBOURS_CHUNK]
        pks = [article.pk for article in chunk]
        public_ids = [article.public_id for article in chunk]
        linking = CrossReference.objects.filter(target_public_id__in=public_ids).values_list(
            "target_public_id", "publication__article__public_id"
        )
        for target, source in linking:
            for pk in by_id[target]:
                found[pk].add(source)
        linked = CrossReference.objects.filter(publication__article_id__in=pks).values_list(
            "publication__article_id", "target_public_id"
        )
        for pk, target in linked:
            found[pk].add(target)
        related = RelatedArticle.objects.filter(Q(article_id__in=pks) | Q(related_id__in=pks))
        for pair in related.values_list(
            "article_id", "related_id", "article__public_id", "related__public_id"
        ):
            for pk in pair[:2]:
                if pk in found:
                    found[pk].update(pair[2:])
    for article in articles:
        for publication in (article.live_publication, before.get(article.pk)):
            if publication is not None:
                found[article.pk].update(publication.related_article_ids)
        found[article.pk].discard(article.public_id)
    return found


def _own_paths(public_id: str, language: str) -> list[str]:
    """An article's page and downloads in ``language``'s edition."""
    return [
        paths.article_path(public_id, language),
        paths.path("encyclopedia:article_ris", public_id, language),
        paths.path("encyclopedia:article_bibtex", public_id, language),
        paths.path("encyclopedia:article_references_ris", public_id, language),
    ]


def article_paths(article: Article, others: set[str] | None = None) -> list[str]:
    """Every public page that shows something of ``article``: in both editions where the
    article has a Spanish edition (each edition's page shows something of the other)."""
    public_id = article.public_id
    others = neighbours(article) if others is None else others
    translated = set(
        Article.objects.filter(language="es", public_id__in=[public_id, *others]).values_list(
            "public_id", flat=True
        )
    )
    own = [*_own_paths(public_id, "en"), paths.path("encyclopedia:api_article", public_id)]
    if public_id in translated:
        own += [*_own_paths(public_id, "es"), paths.path("encyclopedia:api_article", public_id) + "?lang=es"]
    shown = [paths.article_path(other, "en") for other in sorted(others)]
    shown += [paths.article_path(other, "es") for other in sorted(others & translated)]
    return [*own, *shown, *site_paths()]


def pages_changed(articles: list[Article], found: dict[int, set[str]]) -> None:
    """Every page showing ``articles`` (``found``: their ``neighbours_of``) is stale, here and at
    the CDN.

    One bump for all of them: the live generation (lists of articles) and each article's own
    and its neighbours' generations.
    """
    names = {keys.LIVE}
    stale_ids: set[str] = set()
    stale_paths: set[str] = set()
    for article in articles:
        others = found[article.pk]
        stale_ids.update({article.public_id, *others})
        if enabled():
            stale_paths.update(article_paths(article, others))
    names.update(keys.article_generation(public_id) for public_id in stale_ids)
    generations.bump(*sorted(names))
    if stale_paths:
        purge(stale_paths)


def on_article_deleted(sender, instance: Article, **kwargs) -> None:
    """``pre_delete`` of an article, however it is deleted (the delete action announces it too,
    but a flush or a raw delete does not): pages and state cached for it are stale."""
    generations.bump(keys.LIVE, keys.article_generation(instance.public_id))


def lists_changed() -> None:
    """The lists of articles (the index, letters, search and its results, feed, sitemap, API list)
    are stale, though no article changed: the search and A–Z indexes were rebuilt. At the CDN the
    list pages are purged; search pages, which no list of addresses names, expire there
    (``MAX_AGE``), as after a publish."""
    generations.bump(keys.LIVE)
    if enabled():
        purge(site_paths())


def site_data_changed() -> None:
    if enabled():
        purge(site_paths())


def _send_later(pk: int) -> None:
    threading.Thread(target=_send_in_background, args=(pk,), name="cdn-purge", daemon=True).start()


def _send_in_background(pk: int) -> None:
    try:
        send_pending(pk)
    except Exception:
        logger.exception("CDN purge %s could not be sent; retry_cdn_purges sends it", pk)
    finally:
        connections.close_all()  # this thread's own database connections


def retry_after(attempts: int) -> datetime.timedelta:
    """The back-off after ``attempts`` failed attempts: 30 s, 1 min, then every 2 minutes."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def send_pending(pk: int, *, ignore_back_off: bool = False) -> int:
    """Send the pending purge ``pk`` if it is due and no other process has it; returns how many
    of its paths are still pending (0 once the CDN accepted them all, and the row is gone)."""
    now = timezone.now()
    claim = PendingPurge.objects.filter(pk=pk).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if not ignore_back_off:
        claim = claim.filter(next_attempt_at__lte=now)
    if not claim.update(claimed_until=now + CLAIM):
        return 0
    pending = PendingPurge.objects.get(pk=pk)
    failed, error = _attempt(pending.paths)
    if not failed:
        pending.delete()
        return 0
    attempts = pending.attempts + 1
    PendingPurge.objects.filter(pk=pk).update(
        paths=failed,
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_after(attempts),
        claimed_until=None,
        last_error=error[:2000],
    )
    return len(failed)


def retry_pending(*, ignore_back_off: bool = False) -> tuple[int, int, int]:
    """Send every due purge again; drop those older than a page's max-age (the CDN's copy has
    expired by itself). Returns (paths still pending, purges sent in full, purges dropped)."""
    expired = PendingPurge.objects.filter(created_at__lt=timezone.now() - PAGE_MAX_AGE)
    dropped, _ = expired.delete()
    if dropped:
        logger.warning("Dropped %d CDN purges older than a page's max-age: those pages have expired", dropped)
    due = PendingPurge.objects.all()
    if not ignore_back_off:
        due = due.filter(next_attempt_at__lte=timezone.now())
    done = 0
    for pk in due.values_list("pk", flat=True):
        done += send_pending(pk, ignore_back_off=ignore_back_off) == 0
    return paths_pending(), done, dropped


def paths_pending() -> int:
    """How many page paths wait for the CDN: the one count ``/healthz`` and ``retry_cdn_purges``
    report. Without ``CDN_PURGE_URL`` nothing is queued, and nothing waits."""
    if not enabled():
        return 0
    return sum(len(page_paths) for page_paths in PendingPurge.objects.values_list("paths", flat=True))


def drop_unsendable() -> int:
    """Drop the purges queued while ``CDN_PURGE_URL`` was set, now that it is not: nothing would
    ever send them. Returns how many were dropped."""
    if enabled():
        return 0
    dropped, _ = PendingPurge.objects.all().delete()
    return dropped


def send(page_paths: list[str]) -> int:
    """Send one purge request per path; returns how many the CDN accepted."""
    failed, _ = _attempt(page_paths)
    return len(page_paths) - len(failed)


def _attempt(page_paths: list[str]) -> tuple[list[str], str]:
    """Purge each path; returns those the CDN did not accept and the last error. A CDN that does
    not answer (refused, timed out) ends the attempt: the rest would only wait on it too."""
    headers = dict(getattr(settings, "CDN_PURGE_HEADERS", {}))
    method = getattr(settings, "CDN_PURGE_METHOD", "PURGE")
    timeout = getattr(settings, "CDN_PURGE_TIMEOUT", 5)
    failed: list[str] = []
    error_text = ""
    for index, page_path in enumerate(page_paths):
        url = settings.CDN_PURGE_URL.format(path=page_path)
        if not url.startswith(("http://", "https://")):
            logger.warning("CDN_PURGE_URL must be an http(s) URL, not %s", url)
            return list(page_paths[index:]), f"not an http(s) URL: {url}"
        request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from settings
                if not 200 <= response.status < 300:
                    failed.append(page_path)
                    error_text = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:  # the CDN answered: only this path failed
            logger.warning("CDN purge of %s failed: %s", url, error)
            failed.append(page_path)
            error_text = f"{url}: HTTP {error.code}"
        except Exception as error:  # noqa: BLE001 - refused, timed out, reset: the CDN is not answering
            logger.warning("CDN purge of %s failed: %s; the rest wait for retry_cdn_purges", url, error)
            return [*failed, *page_paths[index:]], f"{url}: {type(error).__name__}: {error}"
    return failed, error_text
