"""The two profilers, summarised alike so that a missed target can be traced to a file:function: the
functions with the most self time, and the project's own with the most inclusive time (once per stack).
pyinstrument runs in-process (bench.measure), py-spy on the gunicorn workers (bench.load)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from bench.common import ROOT

PROJECT_DIRS = ("encyclopedia/", "editorial/", "config/", "templates/")
Stack = tuple[list[tuple[str, str]], float]  # the frames (path, function) from the root; seconds in the last


def short(path: str) -> str:
    path = str(path or "")
    for marker in ("site-packages/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.removeprefix(str(ROOT) + "/")  # py-spy prints them relative to sys.path already


def summarize(stacks: Iterable[Stack], total: float) -> dict:
    self_time, inclusive = Counter(), Counter()
    for frames, seconds in stacks:
        self_time[f"{short(frames[-1][0])}:{frames[-1][1]}"] += seconds
        for key in dict.fromkeys(f"{short(p)}:{f}" for p, f in frames if short(p).startswith(PROJECT_DIRS)):
            inclusive[key] += seconds

    def rows(counter: Counter) -> list[dict]:
        share = (lambda value: round(value / total, 3)) if total else (lambda value: 0)
        return [
            {"function": k, "seconds": round(v, 4), "share": share(v)} for k, v in counter.most_common(15)
        ]

    return {"total_s": round(total, 4), "self": rows(self_time), "project_inclusive": rows(inclusive)}


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
    (outdir / f"profile-{name}.txt").write_text(profiler.output_text(unicode=False, color=False))

    def stacks(frame, above: list[tuple[str, str]]) -> Iterable[Stack]:
        if frame.function and not frame.function.startswith("[self]") and frame.function != "[await]":
            above = [*above, (frame.file_path, frame.function)]
            yield above, frame.total_self_time
        for child in frame.children:
            yield from stacks(child, above)

    tables = summarize(stacks(root, []), root.time) if root else summarize([], 0.0)
    return {"profiler": "pyinstrument", "repeat": repeat, "file": f"profile-{name}.txt", **tables}


def pyspy_summary(raw_files: list[Path], rate: int) -> dict:
    """Summarise py-spy's ``--format raw`` output (collapsed stacks: frames, then the sample count)."""
    stacks, samples = [], 0
    for raw in (raw for raw in raw_files if raw.exists()):
        for line in raw.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f.partition(" (") for f in stack.split(";") if not f.startswith("process ")]
            if count.isdigit() and frames:
                stacks.append(
                    (
                        [(where.rstrip(")").rsplit(":", 1)[0], fn) for fn, _, where in frames],
                        int(count) / rate,
                    )
                )
            samples += int(count) if count.isdigit() else 0
    return {"profiler": "py-spy", "samples": samples, **summarize(stacks, samples / rate)}
