"""Where the soak runs and with what: fixed loopback addresses, its own database and Redis db.

Everything is local on purpose (127.0.0.1 only), so the soak can never load anything but this
machine; its database and Redis db number are its own, so it never disturbs others' data. Also the
helpers its PostgreSQL phases share: the database, Redis, Django in this process, the page markers.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common

ROOT = common.ROOT
OUT = ROOT / "soak" / "out"
WORKDIR = Path(os.environ.get("SOAK_WORKDIR", "/tmp/encyclopedia-soak"))  # logs only, ours
REPORT = ROOT / "RELIABILITY.md"
PORT = 8051
PG_DB = "soak_encyclopedia"
DATABASE_URL = f"postgres://postgres@{common.PG_HOST}:{common.PG_PORT}/{PG_DB}"
REDIS_URL = "redis://127.0.0.1:6379/5"  # a db number of its own: flushed at the start
PG_VERSION = "15"
RESTART_COMMAND = f"pg_ctlcluster --skip-systemctl-redirect {PG_VERSION} main restart"
# Inherited variables that would change what `make serve` does here; the soak runs without them.
DROPPED_VARIABLES = ("CONN_MAX_AGE", "DATABASE_REPLICA_URL", "CACHE_KEY_PREFIX", "SITE_URL", "LOG_LEVEL")
# The page text every approval writes into the summary and each section ("Soak revision 17.").
MARKER_TEXT = "Soak revision {seq}."
MARKER = re.compile(r"Soak revision (\d+)\.")


@dataclass(frozen=True)
class Plan:
    """One soak's shape, from the command line."""

    articles: int = 1000
    duration: float = 60.0
    readers: int = 50
    signed_in_readers: int = 5  # send a session cookie, so the shared page cache is skipped
    reader_processes: int = 2  # the readers' threads are split over processes (the GIL)
    hot_articles: int = 20  # the articles the approver updates, in turn
    hot_share: float = 0.5  # the share of reads that go to those articles
    approval_interval: float = 1.0
    retry_for: float = 30.0  # how long one approval is retried before it is reported failed
    restart_at: float = 30.0
    request_timeout: float = 15.0
    conn_max_age: int | None = None  # None: the settings' default (60), as `make serve` has it
    conn_health_checks: bool = False  # bench/settings.py: the proposed CONN_HEALTH_CHECKS = True

    def variant(self) -> str:
        """The suffix of a phase's result file when the server's database settings are not the default."""
        suffix = "+health-checks" if self.conn_health_checks else ""
        return suffix + (f"+conn-max-age-{self.conn_max_age}" if self.conn_max_age is not None else "")


def server_env(plan: Plan) -> dict[str, str]:
    """`make serve` in production (DEBUG off): the benchmark's environment (``bench.common.bench_env``)
    with the soak's database, static directory and shared Redis cache, and none of ``DROPPED_VARIABLES``."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    env |= common.bench_env("postgresql") | {"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    env["BENCH_STATIC_ROOT"] = str(WORKDIR / "static")
    if plan.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(plan.conn_max_age)
    if plan.conn_health_checks:
        env["BENCH_CONN_HEALTH_CHECKS"] = "1"
    return env


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def flush_redis() -> None:
    """Empty the soak's own Redis db (not the others'): page cache and generation counters start afresh."""
    import redis

    with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
        client.flushdb()


def setup_django(plan: Plan) -> None:
    """Configure this process as the server is configured: same settings, database and Redis."""
    env = server_env(plan)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    import django

    django.setup()


def marker_of_text(text: str) -> int | None:
    found = MARKER.search(text)
    return int(found.group(1)) if found else None


def marker_of_publication(publication: Any) -> tuple[int | None, bool]:
    """(marker, consistent): the publication's marker, and whether its summary and sections agree."""
    if publication is None:
        return None, True
    markers = [
        marker_of_text(part)
        for part in [publication.summary_html, *(s["html"] for s in publication.sections)]
    ]
    return markers[0], len(set(markers)) == 1


def close_connections() -> None:
    from django.db import connections

    connections.close_all()
