"""`make soak`: bounded, loopback-only reliability soaks of `make serve` (see ``soak.run``).

What every phase shares lives here; nothing heavy is imported, as the reader processes are spawned
from this package. Everything is on 127.0.0.1 and the database and Redis db are the soak's own, so
the soak never loads anything but this machine nor touches others' data.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from bench import common

OUT = common.ROOT / "soak" / "out"
WORKDIR = Path(os.environ.get("SOAK_WORKDIR", "/tmp/encyclopedia-soak"))  # logs and SQLite sites
REPORT = common.ROOT / "RELIABILITY.md"
# Overridable, so that a second soak on this machine (another clone) cannot meet this one. The Redis
# db is the soak's own: it is flushed before each phase.
PORT = int(os.environ.get("SOAK_PORT", "8051"))
PG_DB = os.environ.get("SOAK_PG_DB", "soak_encyclopedia")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/5")
# Every approval writes "Soak revision N." (N unique in the soak) into the summary and each section.
MARKER = re.compile(r"Soak revision (\d+)\.")


@dataclass(frozen=True)
class Plan:
    """The shape of the PostgreSQL phases, from the command line."""

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
    conn_health_checks: bool = False  # bench/settings.py: CONN_HEALTH_CHECKS = True
