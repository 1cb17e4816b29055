"""`make soak`: bounded, loopback-only reliability soaks of `make serve` (see ``soak.run``).

What every phase shares. Nothing heavy is imported: the reader processes are spawned from here.
Port, database and Redis db are the soak's own (SOAK_PORT, SOAK_PG_DB, SOAK_REDIS_URL move them, so
that a second soak on this machine cannot meet this one; the Redis db is flushed before each phase).
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import time
from pathlib import Path

from bench.common import ROOT

OUT = ROOT / "soak" / "out"
WORKDIR = Path(os.environ.get("SOAK_WORKDIR", "/tmp/encyclopedia-soak"))  # logs and SQLite sites
REPORT = ROOT / "RELIABILITY.md"
PORT = int(os.environ.get("SOAK_PORT", "8051"))
PG_DB = os.environ.get("SOAK_PG_DB", "soak_encyclopedia")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/5")
# Every approval writes "Soak revision N." (N unique in the soak) into the summary and each section.
MARKER = re.compile(r"Soak revision (\d+)\.")


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")
