"""The shared cache of one machine without Redis: diskcache, kept open for the process's life.

Django closes every cache at the end of each request (``request_finished``), which for
diskcache closes its SQLite connections: the next request opens them again, about 0.5 ms per
hit, more than the rest of a page-cache hit. diskcache keeps a connection per thread and is
safe to keep open, so closing is left to the process's exit.
"""

from __future__ import annotations

from diskcache import DjangoCache


class ProcessDiskCache(DjangoCache):
    """``diskcache.DjangoCache`` whose connections outlive the request."""

    def close(self, **kwargs) -> None:
        """Keep the connections: they are per thread, and reopening them costs each request."""
