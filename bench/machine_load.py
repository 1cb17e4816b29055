"""How busy the machine is with work that is not the benchmark's (others' tests, editors, ...).

The benchmark shares a 2-core machine. A tracker samples /proc every half second and adds up
the CPU time of processes that are not the benchmark's own (not this process and its
children, not the gunicorn tree, not wrk, not PostgreSQL serving the benchmark's database);
a run can then say how many cores others used meanwhile, and the load step waits for a quiet
moment before each run.
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


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, utime + stime in clock ticks) of a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = text.rsplit(")", 1)[1].split()
    return int(rest[1]), int(rest[11]) + int(rest[12])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class ForeignCpu(threading.Thread):
    """Samples the CPU time of foreign processes; ``window()`` returns cores used since ``mark()``."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True)
        self.interval = interval
        self.me = os.getpid()
        self.last: dict[int, int] = {}
        self.foreign_ticks = 0
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self._mark = (time.monotonic(), 0)
        self._classified: dict[int, bool] = {}

    def _is_ours(self, pid: int, ppid: int, parents: dict[int, int]) -> bool:
        seen = 0
        node = pid
        while node and seen < 20:
            if node == self.me:  # this process's tree: gunicorn, wrk, py-spy
                return True
            node = parents.get(node, 0)
            seen += 1
        if ppid == 2 or pid == 2:  # kernel threads (softirq work for our sockets among them)
            return True
        cmd = self._classified.get(pid)
        if cmd is None:
            line = _cmdline(pid)
            backend = _BACKEND.match(line)
            if line.startswith("postgres:") or line.startswith("/usr/lib/postgresql"):
                cmd = backend is None or backend.group(1) == PG_DB  # background processes, or our database
            else:
                cmd = False
            self._classified[pid] = cmd
        return cmd

    def sample(self) -> None:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                got = _stat(int(entry))
                if got:
                    stats[int(entry)] = got
        parents = {pid: ppid for pid, (ppid, _) in stats.items()}
        foreign = 0
        current = {}
        for pid, (ppid, ticks) in stats.items():
            current[pid] = ticks
            if pid in self.last and not self._is_ours(pid, ppid, parents):
                foreign += max(0, ticks - self.last[pid])
        with self.lock:
            self.foreign_ticks += foreign
            self.last = current

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
            used = self.window()
            if used < threshold or time.monotonic() > deadline:
                return used

    def stop(self) -> None:
        self.stop_event.set()
