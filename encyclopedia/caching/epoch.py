"""The shared cache's epoch, kept in the database: a bump that could not reach Redis still happened.

When Redis is down, ``generations.bump`` cannot store the new counters. Redis may come back with
the counters it had before (a network cut, a restart from its last snapshot), and every page
cached under them would be served again, stale. So a failed bump ``advance``s the epoch, one row
in the database, in the same transaction as the change (and again after it commits if that bump
fails too), and every counter a key holds is combined with the epoch (``generations``): after
the outage, every key is new and nothing from before the change is served.

Each process reads the row at most once per ``CACHE_EPOCH_INTERVAL`` seconds (0.5 s): one
query per interval, not per request, and a change made during the outage shows that long after
Redis returns, at most. Only caches that fail open (``ResilientRedisCache``) need this; a
cache that raises makes the change fail instead.
"""

from __future__ import annotations

import datetime
import math
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from encyclopedia.models import SharedCacheEpoch

EPOCH_ROW = 1

_lock = threading.Lock()
# (time.monotonic() when read, value, changed_at): this process's copy of the row.
_copy: tuple[float, int, datetime.datetime | None] = (-math.inf, 0, None)


def _read() -> tuple[int, datetime.datetime | None]:
    global _copy
    read_at, value, changed_at = _copy
    now = time.monotonic()
    if now - read_at < settings.CACHE_EPOCH_INTERVAL:
        return value, changed_at
    row = (
        SharedCacheEpoch.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk=EPOCH_ROW)
        .values_list("value", "changed_at")
        .first()
    )
    value, changed_at = row or (0, None)
    with _lock:
        _copy = (now, value, changed_at)
    return value, changed_at


def combine(generation: int) -> int:
    """``generation`` as a key holds it: changed whenever the epoch is (injective while
    generations are ``time.time_ns()`` values, below 2**64); unchanged while the epoch is 0."""
    value = _read()[0]
    return generation if not value else (value << 64) | generation


def changed_at() -> datetime.datetime | None:
    """When a change last failed to reach the shared cache (for ``Last-Modified``)."""
    return _read()[1]


def advance() -> None:
    """A change could not reach the shared cache: give every key a new epoch.

    Written on the primary database, in the caller's transaction if there is one, so the epoch
    commits (or rolls back) with the change it stands for.
    """
    global _copy
    value, now = time.time_ns(), timezone.now()
    SharedCacheEpoch.objects.using(DEFAULT_DB_ALIAS).update_or_create(
        pk=EPOCH_ROW, defaults={"value": value, "changed_at": now}
    )
    with _lock:
        _copy = (time.monotonic(), value, now)  # this process sees it at once
