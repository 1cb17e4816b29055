"""Timing statistics, and the two profilers: pyinstrument in-process, py-spy for gunicorn workers.

A profile is summarised the same way from either profiler: the functions with the most
self time, and the project's own functions (under encyclopedia/, editorial/, config/,
templates/) with the most inclusive time, so a missed target can be traced to a
file:function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT

PROJECT_DIRS = ("encyclopedia/", "editorial/", "config/", "templates/")


def _project_path(path: str) -> str | None:
    relative = str(path or "").removeprefix(str(ROOT) + "/")  # py-spy prints them relative to sys.path
    return relative if relative.startswith(PROJECT_DIRS) and "site-packages" not in relative else None


def _short(path: str) -> str:
    path = str(path or "")
    for marker in ("site-packages/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.removeprefix(str(ROOT) + "/")


def _tables(self_time: Counter, inclusive: Counter, total: float) -> dict:
    def rows(counter: Counter, limit: int) -> list[dict]:
        return [
            {"function": name, "seconds": round(value, 4), "share": round(value / total, 3) if total else 0}
            for name, value in counter.most_common(limit)
        ]

    return {"total_s": round(total, 4), "self": rows(self_time, 15), "project_inclusive": rows(inclusive, 15)}


def pyinstrument_profile(
    fn: Callable[[], object], repeat: int, name: str, outdir: Path, warmup: int = 1
) -> dict:
    """Profile ``repeat`` calls of ``fn``; save the call tree as text; return the summary tables."""
    from pyinstrument import Profiler

    for _ in range(warmup):
        fn()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        fn()
    session = profiler.stop()
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / f"profile-{name}.txt").write_text(
        profiler.output_text(unicode=False, color=False, show_all=False)
    )
    root = session.root_frame()
    self_time: Counter = Counter()
    inclusive: Counter = Counter()

    def walk(frame, on_path: frozenset) -> None:
        label = f"{_short(frame.file_path)}:{frame.function}"
        if frame.function and not frame.function.startswith("[self]") and frame.function != "[await]":
            self_time[label] += frame.total_self_time
            project = _project_path(frame.file_path)
            key = f"{project}:{frame.function}" if project else None
            if key and key not in on_path:
                inclusive[key] += frame.time
                on_path = on_path | {key}
        for child in frame.children:
            walk(child, on_path)

    if root is not None:
        walk(root, frozenset())
    return {
        "profiler": "pyinstrument",
        "repeat": repeat,
        "file": f"profile-{name}.txt",
        **_tables(self_time, inclusive, root.time if root else 0.0),
    }


def pyspy_summary(raw_files: list[Path], rate: int) -> dict:
    """Summarise py-spy ``--format raw`` (collapsed stacks) output of one or more workers."""
    self_time: Counter = Counter()
    inclusive: Counter = Counter()
    samples = 0
    for raw in raw_files:
        if not raw.exists():
            continue
        for line in raw.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            try:
                count = int(count_text)
            except ValueError:
                continue
            samples += count
            frames = [f for f in stack.split(";") if not f.startswith("process ")]
            seen = set()
            for index, frame in enumerate(frames):
                function, _, where = frame.partition(" (")
                path = where.rstrip(")").rsplit(":", 1)[0]
                label = f"{_short(path)}:{function}"
                if index == len(frames) - 1:
                    self_time[label] += count / rate
                project = _project_path(path)
                if project:
                    key = f"{project}:{function}"
                    if key not in seen:
                        seen.add(key)
                        inclusive[key] += count / rate
    return {"profiler": "py-spy", "samples": samples, **_tables(self_time, inclusive, samples / rate)}
