"""Generation counters in the shared cache: a change bumps one, and every key built on it is new.

A bump happens at once (so the writer's own process sees the change) and again when the
transaction commits, so a page rendered by another server from the old data in between is
cached under a key nobody asks for any more. Each bump also records when it happened, for
``Last-Modified``.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone


def current(name: str) -> int:
    return cache.get_or_set(f"{name}:generation", 1, None)


def current_many(*names: str) -> list[int]:
    """``current`` of several counters in one round trip to the cache (every page hit asks)."""
    keys = [f"{name}:generation" for name in names]
    found = cache.get_many(keys)
    return [found[key] if key in found else current(name) for key, name in zip(keys, names, strict=True)]


def changed_at(name: str) -> datetime.datetime | None:
    return cache.get(f"{name}:changed-at")


def _bump_now(name: str) -> None:
    try:
        cache.incr(f"{name}:generation")
    except ValueError:
        cache.set(f"{name}:generation", 2, None)
    cache.set(f"{name}:changed-at", timezone.now(), None)


def bump(name: str) -> None:
    _bump_now(name)
    transaction.on_commit(lambda: _bump_now(name))
