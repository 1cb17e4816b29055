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
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
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


# The counters this process read last: when (``time.monotonic()``), their value and
# ``changed_at``, and the value ``keys.ANY_CHANGE`` had when they were read. A request within
# ``CACHE_GENERATION_RECHECK`` seconds of the last read (0.1 s) asks the shared cache nothing; after
# that, a counter read when ``ANY_CHANGE`` had the value it has now (read again) is still current,
# so a process serving many pages reads one counter per interval, not one per page. A change shows
# on every process that much later at most, far inside the one second the site promises; this
# process's own bumps show at once.
_seen: dict[tuple[str, str], tuple[float, int, datetime.datetime | None, int]] = {}
_SEEN_LIMIT = 10_000  # article counters: forgotten all at once past this many


def _store_name() -> str:
    """Which shared cache the counters were read from (tests swap it)."""
    shared = settings.CACHES["shared"]
    return f"{shared.get('LOCATION')}|{shared.get('KEY_PREFIX', '')}"


def _remember(values: dict[str, tuple[int, datetime.datetime | None]], any_change: int) -> None:
    if len(_seen) > _SEEN_LIMIT:
        _seen.clear()
    now, store = time.monotonic(), _store_name()
    _seen.update({(store, name): (now, *value, any_change) for name, value in values.items()})
    _seen[(store, keys.ANY_CHANGE)] = (now, any_change, None, any_change)


# When the request this thread serves began (``one_request``): a counter read since then is
# used again for the rest of the request, whatever ``CACHE_GENERATION_RECHECK`` says.
_request_began: ContextVar[float] = ContextVar("generations_request_began", default=math.inf)

# The counters this request gave a first value (``_read_or_create``): no page can be cached
# under them yet, so the page cache need not ask (``created``).
_created: ContextVar[frozenset[str]] = ContextVar("generations_created", default=frozenset())


@contextmanager
def one_request() -> Iterator[None]:
    """Within it (a request), each counter is read from the shared cache once at most."""
    token, made = _request_began.set(time.monotonic()), _created.set(frozenset())
    try:
        yield
    finally:
        _created.reset(made)
        _request_began.reset(token)


def forget() -> None:
    """Ask the shared cache next time: it was emptied (the test suite does between tests)."""
    _seen.clear()


def _read(names: tuple[str, ...]) -> dict[str, tuple[int, datetime.datetime | None]]:
    """Each counter of ``names`` and when it was last bumped: from what this process read in the
    last ``CACHE_GENERATION_RECHECK`` seconds, or read before with ``ANY_CHANGE`` unchanged since,
    the others in one round trip to the cache, ``ANY_CHANGE`` first."""
    fresh_after = min(time.monotonic() - settings.CACHE_GENERATION_RECHECK, _request_began.get())
    store = _store_name()
    any_seen = _seen.get((store, keys.ANY_CHANGE))
    any_change = any_seen[1] if any_seen is not None and any_seen[0] >= fresh_after else None
    known = {}
    for name in names:
        seen = _seen.get((store, name))
        if seen is not None and (seen[0] >= fresh_after or seen[3] == any_change):
            known[name] = seen[1:3]
    missing = [name for name in dict.fromkeys(names) if name not in known]
    if missing:
        found, created = _read_or_create([keys.ANY_CHANGE, *missing])
        if created and _request_began.get() != math.inf:
            _created.set(_created.get() | created)
        read = {name: (_counter(found, name), found.get(keys.changed_at_key(name))) for name in missing}
        _remember(read, _counter(found, keys.ANY_CHANGE))
        known.update(read)
    return known


def _counter(found: dict[str, object], name: str) -> int:
    """Counter ``name`` as ``_read_or_create`` found it, or a new value (the cache is down)."""
    key = keys.generation_key(name)
    return found[key] if key in found else _new_value()


def _read_or_create(names: list[str]) -> tuple[dict[str, object], frozenset[str]]:
    """The counters of ``names`` and when they were bumped (but ``ANY_CHANGE``'s), by key, read in
    that order, a counter the cache does not hold (new, or lost) given a new value unless another
    process stored one first; and the names of the counters given one here. With Redis, one round
    trip (``add_many_and_get_many``).

    A counter made here is taken to have changed now: one the cache lost may have been bumped
    just before, and ``Last-Modified`` must never go back to before a change a reader has seen."""
    counters = {keys.generation_key(name): name for name in names}
    moments = [keys.changed_at_key(name) for name in names if name != keys.ANY_CHANGE]
    store, now = _store(), timezone.now()
    if hasattr(store, "add_many_and_get_many"):
        new = {key: _new_value() for key in counters} | dict.fromkeys(moments, now)
        added, found = store.add_many_and_get_many(new)
        return found, frozenset(counters[key] for key in added if key in counters)
    found, added, taken = store.get_many([*counters, *moments]), [], []
    for key in [key for key in [*counters, *moments] if key not in found]:
        value = _new_value() if key in counters else now
        if store.add(key, value, None):
            found[key] = value
            added.append(key)
        else:  # another process stored one first: read it back
            taken.append(key)
    if taken:
        found.update(store.get_many(taken))
    return found, frozenset(counters[key] for key in added if key in counters)


def created(name: str) -> bool:
    """Whether counter ``name`` was given its value by this request: nothing is kept under it yet."""
    return name in _created.get()


def current(name: str) -> int:
    return current_many(name)[0]


def current_many(*names: str) -> list[int]:
    """``current`` of several counters in one round trip to the cache, or none when each was
    read in the last ``CACHE_GENERATION_RECHECK`` seconds (every request asks)."""
    known = _read(names)
    values = [known[name][0] for name in names]
    return [epoch.combine(value) for value in values] if _fails_open() else values


def changed_at(*names: str) -> list[datetime.datetime | None]:
    """When each of ``names`` was last bumped (None if never, or dropped), read with the
    counters (``current_many``); a bump that failed to reach the store counts from when it
    happened (``epoch``)."""
    known = _read(names)
    moments = [known[name][1] for name in names]
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
            keys.generation_key(keys.ANY_CHANGE): value,  # last: see ``_seen``
        },
        None,
    )
    if not_stored:
        logger.warning("Generations %s not stored in the shared cache; advancing the epoch", ", ".join(names))
        epoch.advance()
        forget()
    else:
        _remember(dict.fromkeys(names, (value, now)), value)


def bump(*names: str) -> None:
    """A change to what ``names`` count: now, for this process, and again once it commits."""
    _bump_now(names)
    transaction.on_commit(lambda: _bump_now(names))
