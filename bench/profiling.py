"""The two profilers: pyinstrument in-process, py-spy for gunicorn workers.

A profile is summarised the same way from either profiler: the functions with the most self time,
and the project's own functions (under encyclopedia/, editorial/, config/, templates/) with the most
inclusive time, so a missed target can be traced to a file:function.
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


class Summary:
    """Self and inclusive time per function; inclusive counted once per stack."""

    def __init__(self) -> None:
        self.self_time, self.inclusive = Counter(), Counter()

    def add_inclusive(self, path: str, function: str, seconds: float, on_stack: set[str]) -> None:
        project = _project_path(path)
        if project and (key := f"{project}:{function}") not in on_stack:
            on_stack.add(key)
            self.inclusive[key] += seconds

    def tables(self, total: float) -> dict:
        def rows(counter: Counter) -> list[dict]:
            return [
                {
                    "function": name,
                    "seconds": round(value, 4),
                    "share": round(value / total, 3) if total else 0,
                }
                for name, value in counter.most_common(15)
            ]

        return {
            "total_s": round(total, 4),
            "self": rows(self.self_time),
            "project_inclusive": rows(self.inclusive),
        }


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
    root = profiler.stop().root_frame()
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / f"profile-{name}.txt").write_text(
        profiler.output_text(unicode=False, color=False, show_all=False)
    )
    summary = Summary()

    def walk(frame, on_stack: frozenset) -> None:
        stack = set(on_stack)
        if frame.function and not frame.function.startswith("[self]") and frame.function != "[await]":
            summary.self_time[f"{_short(frame.file_path)}:{frame.function}"] += frame.total_self_time
            summary.add_inclusive(frame.file_path, frame.function, frame.time, stack)
        for child in frame.children:
            walk(child, frozenset(stack))

    if root is not None:
        walk(root, frozenset())
    tables = summary.tables(root.time if root else 0.0)
    return {"profiler": "pyinstrument", "repeat": repeat, "file": f"profile-{name}.txt", **tables}


def pyspy_summary(raw_files: list[Path], rate: int) -> dict:
    """Summarise py-spy ``--format raw`` (collapsed stacks) output of one or more workers."""
    summary, samples = Summary(), 0
    for raw in (raw for raw in raw_files if raw.exists()):
        for line in raw.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not count_text.isdigit():
                continue
            count, on_stack = int(count_text), set()
            samples += count
            frames = [f for f in stack.split(";") if not f.startswith("process ")]
            for index, frame in enumerate(frames):
                function, _, where = frame.partition(" (")
                path = where.rstrip(")").rsplit(":", 1)[0]
                if index == len(frames) - 1:
                    summary.self_time[f"{_short(path)}:{function}"] += count / rate
                summary.add_inclusive(path, function, count / rate, on_stack)
    return {"profiler": "py-spy", "samples": samples, **summary.tables(samples / rate)}
