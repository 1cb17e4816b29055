"""Generation counters in the shared cache: a change bumps one, and every key built on it is new.

A bump happens at once (so the writer's own process sees the change) and again when the
transaction commits, so a page rendered by another server from the old data in between is
cached under a key nobody asks for any more. Each bump also records when it happened, for
``Last-Modified``.
"""

from __future__ import annotations

import datetime
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

# Bumped whenever anything live changes (``purge.on_publication_changed``): lists of articles
# (index, letters, feed, sitemap, search) are keyed on it.
LIVE = "encyclopedia:live"


def _new_value() -> int:
    """A value no counter had before: a counter the cache dropped comes back as a new one,
    so an old page can never match again (a count restarting at 1 could)."""
    return time.time_ns()


def current(name: str) -> int:
    return cache.get_or_set(f"{name}:generation", _new_value, None)


def current_many(*names: str) -> list[int]:
    """``current`` of several counters in one round trip to the cache (every page hit asks)."""
    keys = [f"{name}:generation" for name in names]
    found = cache.get_many(keys)
    return [found[key] if key in found else current(name) for key, name in zip(keys, names, strict=True)]


def changed_at(*names: str) -> list[datetime.datetime | None]:
    """When each of ``names`` was last bumped (None if never, or dropped), in one round trip."""
    keys = [f"{name}:changed-at" for name in names]
    found = cache.get_many(keys)
    return [found.get(key) for key in keys]


def _bump_now(names: tuple[str, ...]) -> None:
    value, now = _new_value(), timezone.now()
    cache.set_many(
        {**{f"{name}:generation": value for name in names}, **{f"{name}:changed-at": now for name in names}},
        None,
    )


def bump(*names: str) -> None:
    """A change to what ``names`` count: now, for this process, and again once it commits."""
    _bump_now(names)
    transaction.on_commit(lambda: _bump_now(names))
