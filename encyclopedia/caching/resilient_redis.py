"""Redis as a cache that may be down: losing it costs speed, never a page.

``ResilientRedisCache`` is django-redis's ``RedisCache`` that answers a miss instead of raising when
Redis does not answer: a read finds nothing, a write keeps nothing, and the page is rendered from
the database. Each request fails fast: the connection and every command time out after
``REDIS_TIMEOUT`` seconds and are never retried (settings), and after a failure Redis is not asked
again for ``CACHE_RETRY_INTERVAL`` seconds, so a request during an outage does not wait on Redis
at all. The outage is logged once when it starts, then once per ``CACHE_DOWN_LOG_INTERVAL`` while
it lasts, and once when Redis is back.

django-redis rather than Django's own ``RedisCache``: Django's builds a Redis client for every
command, which cost as much as the round trip itself (about 0.2 ms each); django-redis keeps one
per process and server.

``set_many`` returns the keys it could not store (Django's contract), so ``generations.bump``
knows a bump failed and records it in the database (``epoch.py``): after Redis returns, with its
old data, no page from before the change is served. ``probe`` asks Redis for real (``/healthz``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

from encyclopedia.caching import keys

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


class Outage:
    """What one process knows of one Redis server: whether to ask it, and when it last said so."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.lock = threading.Lock()
        self.down_since: float | None = None  # time.time() of the first failure
        self.retry_at = 0.0  # time.monotonic() before which Redis is not asked
        self.logged_at = 0.0
        self.skipped = 0  # requests answered without Redis since the last log line

    def available(self) -> bool:
        """Whether to ask Redis now: yes when it is up, or when the retry interval has passed."""
        if self.down_since is None or time.monotonic() >= self.retry_at:
            return True
        with self.lock:
            self.skipped += 1
            self._log_still_down()
        return False

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + settings.CACHE_RETRY_INTERVAL
            if self.down_since is None:
                self.down_since, self.logged_at, self.skipped = time.time(), now, 0
                logger.error(
                    "Redis at %s is unreachable (%s: %s): serving pages without the shared cache, "
                    "asking again every %s s",
                    self.location,
                    type(error).__name__,
                    error,
                    settings.CACHE_RETRY_INTERVAL,
                )
            else:
                self._log_still_down()

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is not None:
                logger.warning(
                    "Redis at %s is back after %.1f s; the shared cache is in use again",
                    self.location,
                    time.time() - self.down_since,
                )
                self.down_since = None

    def _log_still_down(self) -> None:
        now = time.monotonic()
        if now - self.logged_at >= settings.CACHE_DOWN_LOG_INTERVAL:
            logger.error(
                "Redis at %s still unreachable after %.0f s (%d cache requests skipped since the last report)",
                self.location,
                time.time() - (self.down_since or time.time()),
                self.skipped,
            )
            self.logged_at, self.skipped = now, 0


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage(location: str) -> Outage:
    """The one ``Outage`` of ``location`` in this process, shared by every alias and thread."""
    with _outages_lock:
        return _outages.setdefault(location, Outage(location))


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that answers a miss, quickly, when Redis is down (module docstring)."""

    # Tells ``generations`` that a write may be lost without an exception.
    fails_open = True

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.outage = outage(server if isinstance(server, str) else ",".join(server))

    def _guarded(self, call: Callable[[], Result], fallback: Result) -> Result:
        if not self.outage.available():
            return fallback
        try:
            result = call()
        except RedisError as error:
            self.outage.failed(error)
            return fallback
        self.outage.succeeded()
        return result

    @property
    def down(self) -> bool:
        """Whether this process last found Redis unreachable."""
        return self.outage.down_since is not None

    def probe(self) -> None:
        """Write, read back and delete a key on Redis itself; raises if it cannot."""
        probe = keys.health_probe()
        try:
            super().set(probe, "ok", 10)
            found = super().get(probe)
            super().delete(probe)
        except RedisError as error:
            self.outage.failed(error)
            raise
        self.outage.succeeded()
        if found != "ok":
            raise RedisError("the value written was not kept")

    def persistence(self) -> list[str] | None:
        """How Redis keeps its data over a restart ("RDB snapshots", "append-only file"), or None
        when it does not say (down, or CONFIG refused, as some hosted Redis do). A cache restored
        from a snapshot has the counters from before the changes since, so it must keep none."""
        try:
            config = self.client.get_client(write=False).config_get("save", "appendonly")
        except RedisError:
            return None
        kept = ["RDB snapshots"] if config.get("save") else []
        return [*kept, "append-only file"] if config.get("appendonly") == "yes" else kept

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        """Store ``data``; returns the keys not stored (all of them when Redis is down)."""
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version) or [], list(data)
        )

    def add_many_and_get_many(
        self, new: dict[str, Any], version: int | None = None
    ) -> tuple[set[str], dict[str, Any]]:
        """Store each of ``new`` (never to expire) where its key holds nothing, and read every key
        of ``new``, in one round trip: the keys stored, and the value of every key holding one
        (those just stored included). The generations' read (``generations``): a counter Redis lost
        is made again in the same trip. Redis down: nothing stored, nothing found."""

        def call() -> tuple[set[str], dict[str, Any]]:
            made = [self.make_and_validate_key(key, version) for key in new]
            pipeline = self.client.get_client(write=True).pipeline(transaction=False)
            for redis_key, value in zip(made, new.values(), strict=True):
                pipeline.set(redis_key, self.client.encode(value), nx=True)
            pipeline.mget(made)
            *stored, values = pipeline.execute()
            added = {key for key, done in zip(new, stored, strict=True) if done}
            pairs = zip(new, values, strict=True)
            return added, {key: self.client.decode(value) for key, value in pairs if value is not None}

        return self._guarded(call, (set(), {}))

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self._guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)
