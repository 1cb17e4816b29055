"""How busy the machine is with work that is not the benchmark's (others' tests, editors, ...).

The benchmark shares a 2-core machine. A tracker samples /proc every half second and adds up the CPU
time of processes that are not the benchmark's own (not this process and its children, so not the
gunicorn tree, wrk or py-spy; not kernel threads; not PostgreSQL serving the benchmark's database);
a run can then say how many cores others used meanwhile, and wait for a quiet moment before it starts.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from bench.common import PG_DB

HZ = os.sysconf("SC_CLK_TCK")
_BACKEND = re.compile(r"^postgres: \S+ (\S+) [\d.:a-f\[\]]+\(\d+\)")


def _stat(pid: str) -> tuple[int, int] | None:
    """(ppid, utime + stime in clock ticks) of a process."""
    try:
        rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(rest[1]), int(rest[11]) + int(rest[12])


class ForeignCpu(threading.Thread):
    """Samples the CPU time of foreign processes; ``window()`` returns cores used since ``mark()``."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True)
        self.interval, self.me, self.last, self.foreign_ticks = interval, os.getpid(), {}, 0
        self.lock, self.stop_event = threading.Lock(), threading.Event()
        self._mark, self._postgres = (time.monotonic(), 0), {}

    def _is_ours(self, pid: int, parents: dict[int, int]) -> bool:
        node = pid
        for _ in range(20):  # this process's tree: gunicorn, wrk, py-spy
            if node == self.me:
                return True
            node = parents.get(node, 0)
        if pid == 2 or parents.get(pid) == 2:  # kernel threads (softirq work for our sockets among them)
            return True
        if pid not in self._postgres:  # PostgreSQL's background processes, or a backend of our database
            try:
                line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                line = ""
            backend = _BACKEND.match(line)
            ours = line.startswith(("postgres:", "/usr/lib/postgresql")) and (
                not backend or backend[1] == PG_DB
            )
            self._postgres[pid] = ours
        return self._postgres[pid]

    def sample(self) -> None:
        stats = {int(pid): got for pid in os.listdir("/proc") if pid.isdigit() and (got := _stat(pid))}
        parents = {pid: ppid for pid, (ppid, _) in stats.items()}
        foreign = sum(
            max(0, ticks - self.last[pid])
            for pid, (_, ticks) in stats.items()
            if pid in self.last and not self._is_ours(pid, parents)
        )
        with self.lock:
            self.foreign_ticks += foreign
            self.last = {pid: ticks for pid, (_, ticks) in stats.items()}

    def run(self) -> None:
        self.sample()
        while not self.stop_event.wait(self.interval):
            self.sample()

    def mark(self) -> None:
        with self.lock:
            self._mark = (time.monotonic(), self.foreign_ticks)

    def window(self) -> float:
        """Foreign cores (CPU seconds per second) since the last mark."""
        with self.lock:
            started, ticks = self._mark
            elapsed = time.monotonic() - started
            return round((self.foreign_ticks - ticks) / HZ / elapsed, 3) if elapsed > 0 else 0.0

    def wait_quiet(self, threshold: float = 0.15, window: float = 2.0, limit: float = 90.0) -> float:
        """Wait (at most ``limit`` s) for a ``window`` in which others use under ``threshold`` cores."""
        deadline = time.monotonic() + limit
        while True:
            self.mark()
            time.sleep(window)
            if (used := self.window()) < threshold or time.monotonic() > deadline:
                return used

    def stop(self) -> None:
        self.stop_event.set()
