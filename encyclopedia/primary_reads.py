"""Reads that must come from the primary database even when a read replica serves the public pages.

``config/routers.py`` sends the public pages' reads to the replica (``DATABASE_REPLICA_URL``). What
is kept in a cache under the live generation must not be read there: the generation is bumped when
the primary commits, so an answer read from a replica still behind it would be kept under the new
key, stale, for as long as the entry lives, rather than for the replica's lag. The search view
reads what it keeps (``views._search_answer``) through ``primary``; the page cache and the cached
lists of live titles and "links here" still read the replica (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_primary: ContextVar[bool] = ContextVar("primary_reads", default=False)


@contextmanager
def primary() -> Iterator[None]:
    """Within it, every read goes to the primary."""
    token = _primary.set(True)
    try:
        yield
    finally:
        _primary.reset(token)


def required() -> bool:
    """Whether the reads now must come from the primary (``primary``)."""
    return _primary.get()
