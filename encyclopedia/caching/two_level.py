"""Redis with each process's own memory in front of it, for ``CACHES["default"]``.

Every entry of the default cache is keyed on the current generations or on a row that never
changes (README), so a copy in this process's memory can never be read stale: after a change,
every process builds new keys. Holding the last entries read here spares most requests their
round trips to Redis (a page, its publication, its body, the site data): a warm page is answered
from memory once the generations are known (``generations``, read at most every
``CACHE_GENERATION_RECHECK`` seconds). The copies are bounded (``LOCAL_CACHE_ENTRIES``, least
recently stored dropped first) and kept ``LOCAL_CACHE_TIMEOUT`` seconds at most.

Never for ``CACHES["shared"]``: the counters must be read where every process writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

from encyclopedia.caching.resilient_redis import ResilientRedisCache

_MISSING = object()


class TwoLevelRedisCache(ResilientRedisCache):
    """``ResilientRedisCache`` that keeps what it reads and writes in this process's memory too."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.local = LocMemCache(
            f"two-level:{server}:{self.key_prefix}",
            {
                "TIMEOUT": settings.LOCAL_CACHE_TIMEOUT,
                "OPTIONS": {"MAX_ENTRIES": settings.LOCAL_CACHE_ENTRIES},
            },
        )

    def _local_timeout(self, timeout: Any) -> float:
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return settings.LOCAL_CACHE_TIMEOUT
        return min(timeout, settings.LOCAL_CACHE_TIMEOUT)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        value = self.local.get(key, _MISSING, version)
        if value is _MISSING:
            value = super().get(key, _MISSING, version)
            if value is _MISSING:
                return default
            self.local.set(key, value, version=version)
        return value

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        keys = list(keys)
        found = self.local.get_many(keys, version)
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = super().get_many(missing, version)
            if fetched:
                self.local.set_many(fetched, version=version)
            found.update(fetched)
        return found

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        super().set(key, value, timeout, version)
        self.local.set(key, value, self._local_timeout(timeout), version)

    def get_local(self, key: str, default: Any = None, version: int | None = None) -> Any:
        """This process's copy only, Redis not asked: for entries whose shared copy is kept
        elsewhere (an article's page: its stored page in the database, ``page_cache``)."""
        return self.local.get(key, default, version)

    def set_local(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        """Keep ``value`` in this process's memory only (``get_local``)."""
        self.local.set(key, value, self._local_timeout(timeout), version)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        added = super().add(key, value, timeout, version)
        if added:
            self.local.set(key, value, self._local_timeout(timeout), version)
        return added

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        not_stored = super().set_many(data, timeout, version)
        self.local.set_many(data, self._local_timeout(timeout), version)
        return not_stored

    def get_or_set(
        self, key: str, default: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> Any:
        """One round trip to Redis on a miss rather than Django's three (get, add, get): every
        entry here is the same whoever computes it, so the last writer winning changes nothing
        (under a counter bumped before a commit, one computed before the commit may differ from
        one computed after; the bump on commit replaces that counter, so neither is read again)."""
        value = self.get(key, _MISSING, version)
        if value is _MISSING:
            value = default() if callable(default) else default
            if value is not None:
                self.set(key, value, timeout, version)
        return value

    def delete(self, key: str, version: int | None = None) -> bool:
        self.local.delete(key, version)
        return super().delete(key, version)

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        keys = list(keys)
        self.local.delete_many(keys, version)
        super().delete_many(keys, version)

    def clear(self) -> None:
        self.local.clear()
        super().clear()
