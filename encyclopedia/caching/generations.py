"""Generation counters in the shared cache: a change bumps one, and every key built on it is new.

Why this is correct on any number of processes and servers: the counters live in
``CACHES["shared"]``, which every process sees (Redis with ``REDIS_URL``, else a disk cache under
the project folder). Everything that could show a reader stale content (a page, an article's live
state, the site data) is cached under a key holding the current counters, so it may sit in one
process's memory: after a bump no process asks for the old key again.

A bump happens at once (so the writer's own process sees the change) and again when the
transaction commits, so a page rendered by another process from the old data in between is
cached under a key nobody asks for any more. A counter the cache lost comes back as a new value,
never an old one. Each bump also records when it happened, for ``Last-Modified``.

Redis may be down (``resilient_redis.py``): a bump it cannot store still happened. It advances
the epoch in the database (``epoch.py``), and every counter read from a cache that fails open is
combined with the epoch, so Redis coming back with its old counters serves nothing stale.

The counters' names (``keys.LIVE``, ``keys.SITE``, ``keys.article_generation``) and the keys
they are kept under are in ``keys.py``.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from encyclopedia.caching import epoch, keys

logger = logging.getLogger(__name__)


def _store():
    """The cache every process of the site shares (settings: ``CACHES["shared"]``)."""
    return caches["shared"]


def _new_value() -> int:
    """A value no counter had before: a counter the cache dropped comes back as a new one,
    so an old page can never match again (a count restarting at 1 could)."""
    return time.time_ns()


def _fails_open() -> bool:
    """Whether the store answers a miss rather than raising when it is down (Redis)."""
    return getattr(_store(), "fails_open", False)


def _stored(name: str) -> int:
    return _store().get_or_set(keys.generation_key(name), _new_value, None)


def current(name: str) -> int:
    value = _stored(name)
    return epoch.combine(value) if _fails_open() else value


def current_many(*names: str) -> list[int]:
    """``current`` of several counters in one round trip to the cache (every page hit asks)."""
    wanted = [keys.generation_key(name) for name in names]
    found = _store().get_many(wanted)
    values = [found[key] if key in found else _stored(name) for key, name in zip(wanted, names, strict=True)]
    return [epoch.combine(value) for value in values] if _fails_open() else values


def changed_at(*names: str) -> list[datetime.datetime | None]:
    """When each of ``names`` was last bumped (None if never, or dropped), in one round trip;
    a bump that failed to reach the store counts from when it happened (``epoch``)."""
    wanted = [keys.changed_at_key(name) for name in names]
    found = _store().get_many(wanted)
    moments = [found.get(key) for key in wanted]
    failed_at = epoch.changed_at() if _fails_open() else None
    if failed_at is None:
        return moments
    return [failed_at if moment is None else max(moment, failed_at) for moment in moments]


def _bump_now(names: tuple[str, ...]) -> None:
    value, now = _new_value(), timezone.now()
    not_stored = _store().set_many(
        {
            **{keys.generation_key(name): value for name in names},
            **{keys.changed_at_key(name): now for name in names},
        },
        None,
    )
    if not_stored:
        logger.warning("Generations %s not stored in the shared cache; advancing the epoch", ", ".join(names))
        epoch.advance()


def bump(*names: str) -> None:
    """A change to what ``names`` count: now, for this process, and again once it commits."""
    _bump_now(names)
    transaction.on_commit(lambda: _bump_now(names))
