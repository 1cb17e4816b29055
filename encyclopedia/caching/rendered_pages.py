"""Each edition's article page as a reader last got it, kept in the database (``RenderedPage``).

Why the database and not a cache: a first view after a cache flush, on a fresh worker or on a
second server is then one query, not a render, and the stored page commits or rolls back with
the change that makes it stale. Three rules keep it from ever serving a page that is out of date:

- **A change gives the page a new version, in its transaction.** ``mark_stale`` (called by
  ``stale.on_publication_changed``, the receiver of ``publication_changed``) marks every edition
  of the changed articles and of their neighbours stale, and empties their stored pages.
- **A page is stored only over the version it was rendered from** (``keep``: an update that
  names the version ``find`` read, or an insert that yields to any row). A render that raced a
  publish is dropped. So that this holds, a render that will be kept reads what is live from
  the database after ``find`` (``views`` skips the cached live titles and "links here" then).
- **What the page shows that no publish changes is in its ``stamp``:** the deploy (templates,
  translations, static files, code), the address it was served at, its edition and the other's
  state, and the site settings it shows outside its footer (the site's name, the publisher). A
  page whose stamp differs is rendered again. What changes by the day is put in on every view:
  the footer (notices valid today, policy links, the disclaimer) from ``site_data``, and the
  day "Cite this page" says the page was read, for which the stored page holds marks (it is
  rendered on a ``dates.DayRead``, which every form of that date writes as a token of the
  render's own, so no text of the page can stand in for one).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from encyclopedia import dates, page_citation, paths
from encyclopedia.caching import deploy, site_data
from encyclopedia.caching.page_cache import set_last_modified
from encyclopedia.models import Article, RenderedPage

logger = logging.getLogger(__name__)

_FOOTER = "<!-- site footer -->"


@dataclass(frozen=True)
class Edition:
    """One edition of an article as its page needs it: live or not, and what it shows."""

    withdrawn_at: bool
    merged_into: str | None
    live_publication: int | None

    @property
    def is_live(self) -> bool:
        return not self.withdrawn_at and not self.merged_into and bool(self.live_publication)


@dataclass(frozen=True)
class Stored:
    """The stored page of one edition, as ``find`` read it."""

    article_id: int
    version: int | None  # None: no row yet
    stamp: str
    html: str
    last_modified: float | None  # the newest publication shown, as a Unix time

    def fits(self, stamp: str) -> bool:
        return bool(self.html) and self.stamp == stamp


def _find_sql() -> str:
    """One join, written out: the ORM spent ten times the database's own time building it, on
    the query every article view makes."""
    article, page = Article._meta, RenderedPage._meta
    # Table names from the models; the values are parameters.
    return (
        "SELECT a.language, a.withdrawn_at, m.public_id, a.live_publication_id, a.id, r.version, "  # noqa: S608
        "r.stamp, CASE WHEN a.language = %s THEN r.html END, r.last_modified "
        f"FROM {article.db_table} a LEFT JOIN {article.db_table} m ON m.id = a.merged_into_id "
        f"LEFT JOIN {page.db_table} r ON r.article_id = a.id WHERE a.public_id = %s"
    )


_FIND_SQL = _find_sql()


def find(public_id: str, language: str) -> tuple[dict[str, Edition], Stored | None]:
    """Each edition of article ``public_id`` that exists, by language, and ``language``'s stored
    page (None when that edition does not exist): one query."""
    with connection.cursor() as cursor:
        cursor.execute(_FIND_SQL, [language, public_id])
        rows = cursor.fetchall()
    found, stored = {}, None
    for row_language, withdrawn_at, merged_into, live, pk, version, stamp, html, moment in rows:
        found[row_language] = Edition(bool(withdrawn_at), merged_into, live)
        if row_language == language:
            stored = Stored(pk, version, stamp or "", html or "", moment)
    return found, stored


def stamp(request: HttpRequest, language: str, found: dict[str, Edition]) -> str:
    """What the page of ``language``'s edition shows beyond its publications' own words."""
    site = site_data.settings()
    with translation.override(language):
        site_name = site.display_name  # the default name is translated
    parts = [
        deploy.VERSION,
        paths.absolute_url(request, request.path),
        language,
        repr(sorted(found.items())),
        # What the page shows of the site settings outside its footer (title, header, citation).
        site_name,
        site.publisher_name,
        site.publisher_place,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


_FORMS = page_citation.access_date_forms()


def _mark(form: str) -> str:
    """Where a stored page writes the day it is read, in ``form``: a comment no text can hold
    (text is escaped, and article bodies lose their comments when they are sanitized)."""
    return f"<!-- day read: {form} -->"


def marked(rendered: HttpResponse, day: dates.DayRead) -> str | None:
    """The page ``rendered`` on ``day`` as it is stored: marks for the footer and for each form
    of the day it was read. None if the placeholder day is written anywhere in a form the
    marks do not cover: the page must then be neither served nor stored."""
    html = rendered.content.decode(rendered.charset)
    footer = str(site_data.footer_html())
    if rendered.status_code != 200 or not footer or html.count(footer) != 1:
        return None
    html = html.replace(footer, _FOOTER)
    for form in _FORMS:
        html = html.replace(day.mark(form), _mark(form))
    unmarked = [write(day) for write in _FORMS.values()] + [day.token, day.isoformat()]
    return None if any(text in html for text in unmarked) else html


# Every mark ``marked`` writes: ``_FOOTER``, and ``_mark(form)`` for each form of the day.
_MARKS = re.compile(r"<!-- (?:site footer|day read: (?P<form>[a-z-]+)) -->")


def response(html: str, moment: float | None) -> HttpResponse:
    """A stored page as the view answers it: today's footer and today's date put in, in one pass
    over the page (a signed-in reader's every view, and a first view's)."""
    today, footer = timezone.localdate(), str(site_data.footer_html())

    def fill(mark: re.Match) -> str:
        if mark["form"] is None:
            return footer
        write = _FORMS.get(mark["form"])
        return write(today) if write else mark[0]

    answer = HttpResponse(_MARKS.sub(fill, html))
    if moment is not None:
        changed = datetime.datetime.fromtimestamp(moment, datetime.UTC)
        set_last_modified(answer, changed)
    return answer


def keep(stored: Stored, stamp: str, html: str, moment: float) -> None:
    """Store ``html`` (``marked``) as the page of ``stored``'s edition, unless a change has given
    it a new version since ``find`` (or the database is busy: the page was served all the same)."""
    fields = {"stamp": stamp, "html": html, "last_modified": moment}
    try:
        with transaction.atomic():
            if stored.version is None:
                page = RenderedPage(article_id=stored.article_id, version=0, **fields)
                RenderedPage.objects.bulk_create([page], ignore_conflicts=True)
            else:
                RenderedPage.objects.filter(article_id=stored.article_id, version=stored.version).update(
                    **fields
                )
    except DatabaseError:
        logger.warning("Article page %s not stored", stored.article_id, exc_info=True)


def mark_stale(public_ids: Iterable[str]) -> None:
    """Every edition of these articles must be rendered again: a new version, no page.

    Called inside the transaction of the change. Rows are made for editions that have none, so
    a render that began before the change and would insert its page finds a row and yields.
    """
    public_ids = sorted(set(public_ids))
    version = time.time_ns()
    for start in range(0, len(public_ids), 500):
        pks = Article.objects.filter(public_id__in=public_ids[start : start + 500]).values_list(
            "pk", flat=True
        )
        RenderedPage.objects.bulk_create(
            [RenderedPage(article_id=pk, version=version) for pk in pks],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["version", "stamp", "html", "last_modified"],
        )
