"""Every cache key of the project, built here and nowhere else.

Each function returns one key (a string); the values it is made of are its arguments, so a
reader sees at a glance what makes an entry stale. What each key holds, what changes it, its
lifetime and which cache it lives in are listed in ``encyclopedia/caching/README.md``.

Two kinds of names:

- **Generation counters** (``LIVE``, ``SITE``, ``article_generation``, ``ANY_CHANGE``) are names, not keys:
  ``generations.py`` keeps two entries per name in ``CACHES["shared"]``, ``generation_key`` (the
  counter) and ``changed_at_key`` (when it was last bumped).
- **Everything else** lives in ``CACHES["default"]`` and is keyed on the counters' current
  values (or on an immutable row), so it can never be read stale.

The strings are those the project has always used: changing one only makes the old entries
unreachable (they expire), never wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

_PREFIX = "encyclopedia"


def _digest(text: str, length: int = 64) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


# ---------------------------------------------------------------- generation counters (shared)

# Bumped whenever anything live changes (a publish, withdrawal, merge, restore, deletion or
# import: ``cdn.pages_changed``). Lists of articles (index, letters, search and its results, feed,
# sitemap, API list) and the live titles and "links here" of every article are keyed on it.
LIVE = f"{_PREFIX}:live"

# Bumped whenever editors save site data (settings, policy pages, accreditation notices).
SITE = f"{_PREFIX}:site"

# Bumped with every other counter, after it: a process that finds this one unchanged knows that
# every counter it read since is unchanged too, and reads one counter instead of all it uses.
ANY_CHANGE = f"{_PREFIX}:any-change"


def article_generation(public_id: str) -> str:
    """The counter of ``public_id``'s own pages and state: bumped when it, or an article it
    shows (links to, lists as related, is linked from), changes."""
    return f"{LIVE}:{public_id}"


def generation_key(name: str) -> str:
    """Where the counter ``name`` is kept."""
    return f"{name}:generation"


def changed_at_key(name: str) -> str:
    """Where the time the counter ``name`` was last bumped is kept (for ``Last-Modified``)."""
    return f"{name}:changed-at"


# ---------------------------------------------------------------- public pages (default)


def page(address: str, method: str, site_generation: int, live_generation: int, day: str, deploy: str) -> str:
    """A whole public page (the response), for ``method`` on ``address`` (scheme, host, path and,
    for views that read it, the query); ``live_generation`` is the article's own for its pages,
    else ``LIVE``'s. ``day`` keeps a page from outliving the day it was made for, ``deploy`` (the
    deploy's version) from being served by the next deploy."""
    return f"{_PREFIX}:page:{deploy}:{site_generation}:{live_generation}:{day}:{method}:{_digest(address)}"


def publication(pk: int) -> str:
    """Publication ``pk`` (frozen when made: never stale)."""
    return f"{_PREFIX}:publication:{pk}"


def article_body(templates_version: str, publication_pk: int) -> str:
    """The rendered text of publication ``publication_pk``, by the templates of ``templates_version``."""
    return f"{_PREFIX}:article-body:{templates_version}:{publication_pk}"


def _edition(language: str) -> str:
    """Nothing for English (its keys are as they always were), ``:<language>`` for another edition."""
    return "" if language == "en" else f":{language}"


def live_titles(live_generation: int, public_ids: list[str], language: str = "en") -> str:
    """The titles of those of ``public_ids`` that are live in ``language``'s edition."""
    return f"{_PREFIX}:live-titles{_edition(language)}:{live_generation}:{_digest(','.join(public_ids), 32)}"


def links_here(live_generation: int, public_id: str, language: str = "en") -> str:
    """(id, title) of the live articles of ``language``'s edition linking to ``public_id``."""
    return f"{_PREFIX}:links-here{_edition(language)}:{live_generation}:{public_id}"


def search_results(deploy: str, live_generation: int, query: str, page: int, language: str = "en") -> str:
    """What a search for ``query`` (as ``search.clean`` leaves it) shows on page ``page`` of
    ``language``'s edition (the article it names, or its results), while the live generation is
    ``live_generation``; ``deploy`` (the deploy's version)
    keeps the next deploy from reading results made, and shaped, by this one's code."""
    return f"{_PREFIX}:search{_edition(language)}:{deploy}:{live_generation}:{page}:{_digest(query, 32)}"


def page_citation_styles(page_citation: object) -> str:
    """The APA and MLA templates of "Cite this page" of a publication that holds none for the
    current site settings (a frozen ``PageCitation`` whose repr holds the title, site, publisher
    and review date; its URL and access date are the templates' marks)."""
    return f"{_PREFIX}:cite:{_digest(repr(page_citation))}"


# ---------------------------------------------------------------- site data (default)


def site_settings(site_generation: int) -> str:
    return f"{SITE}:settings:{site_generation}"


def site_policies(site_generation: int) -> str:
    """(url, title) of every policy page, for the footer."""
    return f"{SITE}:policies:{site_generation}"


def site_notices(site_generation: int, day: datetime.date) -> str:
    """The accreditation notices valid on ``day``."""
    return f"{SITE}:notices:{site_generation}:{day.isoformat()}"


def site_footer(site_generation: int, day: datetime.date, language: str = "en") -> str:
    """The rendered footer of every public page of ``language``'s edition on ``day``."""
    return f"{SITE}:footer{_edition(language)}:{site_generation}:{day.isoformat()}"


# ---------------------------------------------------------------- health check (both caches)


def health_probe() -> str:
    """A key nobody else uses, written, read and deleted by ``/healthz``."""
    return f"healthz:{uuid.uuid4().hex}"
