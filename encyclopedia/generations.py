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


def _new_value() -> int:
    """A value no counter had before: a counter the cache dropped comes back as a new one,
    so an old page can never match again (a count restarting at 1 could)."""
    return time.time_ns()


def current(name: str) -> int:
    key = f"{name}:generation"
    value = cache.get(key)
    if value is None:
        cache.add(key, _new_value(), None)
        value = cache.get(key)
    return value


def current_many(*names: str) -> list[int]:
    """``current`` of several counters in one round trip to the cache (every page hit asks)."""
    keys = [f"{name}:generation" for name in names]
    found = cache.get_many(keys)
    return [found[key] if key in found else current(name) for key, name in zip(keys, names, strict=True)]


def changed_at(name: str) -> datetime.datetime | None:
    return cache.get(f"{name}:changed-at")


def _bump_now(names: list[str]) -> None:
    value, now = _new_value(), timezone.now()
    cache.set_many({f"{name}:generation": value for name in names}, None)
    cache.set_many({f"{name}:changed-at": now for name in names}, None)


def bump(*names: str) -> None:
    """A change to what ``names`` count: now, for this process, and again once it commits."""
    chosen = list(names)
    _bump_now(chosen)
    transaction.on_commit(lambda: _bump_now(chosen))
