"""How busy the machine is with work that is not the benchmark's (others' tests, editors, ...).

The benchmark shares a 2-core machine, so each figure says how many cores others used meanwhile, and
each run waits for a quiet moment first. A tracker samples /proc every half second and adds up the CPU
time of the processes that are not the benchmark's: not this process's tree (gunicorn, wrk, py-spy),
not kernel threads, not PostgreSQL serving the benchmark's database.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from bench.common import PG_DB, QUIET_S

HZ = os.sysconf("SC_CLK_TCK")
BACKEND = re.compile(r"^postgres: \S+ (\S+) [\d.:a-f\[\]]+\(\d+\)")


def cpu_ticks() -> dict[int, tuple[int, int]]:
    """Every process's (parent, utime + stime in clock ticks)."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(pid)] = int(rest[1]), int(rest[11]) + int(rest[12])
    return out


class ForeignCpu(threading.Thread):
    """Samples the CPU time of foreign processes; ``window()`` returns cores used since ``mark()``."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True)
        self.interval, self.last, self.ticks, self.postgres = interval, {}, 0, {}
        self.lock, self.stopped, self.marked = threading.Lock(), threading.Event(), (time.monotonic(), 0)

    def ours(self, pid: int, parents: dict[int, int]) -> bool:
        node = pid
        for _ in range(20):
            if node == os.getpid():
                return True
            node = parents.get(node, 0)
        if pid == 2 or parents.get(pid) == 2:  # kernel threads (softirq work for our sockets among them)
            return True
        if pid not in self.postgres:  # PostgreSQL's own processes, or a backend of our database
            try:
                line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                line = ""
            backend = BACKEND.match(line)
            postgres = line.startswith(("postgres:", "/usr/lib/postgresql"))
            self.postgres[pid] = postgres and (not backend or backend[1] == PG_DB)
        return self.postgres[pid]

    def run(self) -> None:
        while True:
            stats = cpu_ticks()
            parents = {pid: ppid for pid, (ppid, _) in stats.items()}
            foreign = sum(
                max(0, ticks - self.last[pid])
                for pid, (_, ticks) in stats.items()
                if pid in self.last and not self.ours(pid, parents)
            )
            with self.lock:
                self.ticks += foreign
                self.last = {pid: ticks for pid, (_, ticks) in stats.items()}
            if self.stopped.wait(self.interval):
                return

    def mark(self) -> None:
        with self.lock:
            self.marked = (time.monotonic(), self.ticks)

    def window(self) -> float:
        """Foreign cores (CPU seconds per second) since the last mark."""
        with self.lock:
            elapsed = time.monotonic() - self.marked[0]
            return round((self.ticks - self.marked[1]) / HZ / elapsed, 3) if elapsed > 0 else 0.0

    def wait_quiet(self, threshold: float = 0.15, window: float = 2.0, limit: float = QUIET_S) -> float:
        """Wait (at most ``limit`` s) for a ``window`` in which others use under ``threshold`` cores."""
        deadline = time.monotonic() + limit
        while True:
            self.mark()
            time.sleep(window)
            if (used := self.window()) < threshold or time.monotonic() > deadline:
                return used

    def stop(self) -> None:
        self.stopped.set()
