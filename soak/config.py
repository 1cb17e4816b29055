"""Where the soak runs and with what: fixed loopback addresses, its own database and Redis db.

Everything is local on purpose (127.0.0.1 only), so the soak can never load anything but this
machine; its database and Redis db number are its own, so it never disturbs others' data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench import common

ROOT = common.ROOT
OUT = ROOT / "soak" / "out"
WORKDIR = Path(os.environ.get("SOAK_WORKDIR", "/tmp/encyclopedia-soak"))  # noqa: S108 - logs only, ours
REPORT = ROOT / "RELIABILITY.md"

HOST = "127.0.0.1"
PORT = 8051
PG_DB = "soak_encyclopedia"
PG_ADMIN_DSN = common.PG_ADMIN_DSN  # host=127.0.0.1 port=5432 user=postgres dbname=postgres
DATABASE_URL = f"postgres://postgres@{common.PG_HOST}:{common.PG_PORT}/{PG_DB}"
REDIS_URL = "redis://127.0.0.1:6379/5"  # a db number of its own: flushed at the start
PG_VERSION = "15"
RESTART_COMMAND = f"pg_ctlcluster --skip-systemctl-redirect {PG_VERSION} main restart"

# The page text every approval writes into the summary and each section ("Soak revision 17.").
MARKER_TEXT = "Soak revision {seq}."
MARKER_PATTERN = r"Soak revision (\d+)\."


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
    conn_health_checks: bool = False  # soak.settings: the proposed CONN_HEALTH_CHECKS = True

    def variant(self) -> str:
        """The suffix of a phase's result file when the server's database settings are not the default."""
        suffix = ""
        if self.conn_health_checks:
            suffix += "+health-checks"
        if self.conn_max_age is not None:
            suffix += f"+conn-max-age-{self.conn_max_age}"
        return suffix


def soak_env(plan: Plan) -> dict[str, str]:
    """The environment of `make serve` in production (DEBUG off), on the soak's database and Redis db.

    It is the benchmark's environment (``bench.common.bench_env``: bench.settings, which is
    config.settings with the collected static files in a work directory) with the soak's
    database, static directory and shared Redis cache.
    """
    env = common.bench_env("postgresql")
    env["DATABASE_URL"] = DATABASE_URL
    env["BENCH_STATIC_ROOT"] = str(WORKDIR / "static")
    env["REDIS_URL"] = REDIS_URL
    if plan.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(plan.conn_max_age)
    if plan.conn_health_checks:
        env["DJANGO_SETTINGS_MODULE"] = "soak.settings"
    return env


# Inherited variables that would change what `make serve` does here; the soak runs without them.
DROPPED_VARIABLES = ("CONN_MAX_AGE", "DATABASE_REPLICA_URL", "CACHE_KEY_PREFIX", "SITE_URL", "LOG_LEVEL")
