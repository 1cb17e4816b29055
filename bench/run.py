"""`make bench`: generate, load-test and measure on SQLite and PostgreSQL, then fill BENCHMARKS.md.

    python -m bench.run [--articles N] [--db sqlite|postgresql|both] [--duration S] [--keep]
                        [--steps generate,load,measure] [--report-only]

Each step runs in its own process (bench.generate, bench.load, bench.measure) with the benchmark's
environment; results go to bench/out/<db>/*.json. The databases are removed unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench import common, report

STEP_TIMEOUT = {"generate": 3600, "load": 1800, "measure": 3600}


def step(name: str, db: str, extra: list[str]) -> float:
    common.log("bench", f"{name} on {db} ...")
    started, env = time.perf_counter(), {**os.environ, **common.bench_env(db)}
    command = [sys.executable, "-m", f"bench.{name}", "--db", db, *extra]
    subprocess.run(command, cwd=common.ROOT, env=env, check=True, timeout=STEP_TIMEOUT[name])
    common.log("bench", f"{name} on {db}: {time.perf_counter() - started:.0f} s")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=common.DEFAULT_ARTICLES)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite BENCHMARKS.md's tables from bench/out"
    )
    parser.add_argument(
        "--steps",
        default="generate,load,measure",
        help="steps to run (resume with load,measure on a kept database)",
    )
    args = parser.parse_args()
    common.WORKDIR.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    extra = {"generate": ["--articles", str(args.articles)], "load": ["--duration", str(args.duration)]}
    started = time.perf_counter()
    for db in [] if args.report_only else databases:
        for name in steps:
            (common.out_dir(db) / f"{name}.json").unlink(missing_ok=True)
        try:
            timings = {f"{name}_s": step(name, db, extra.get(name, [])) for name in steps}
        finally:
            if not args.keep:
                common.drop_database(db)
        (common.out_dir(db) / "steps.json").write_text(json.dumps(timings, indent=2))
    if not args.report_only:
        run = {"total_s": round(time.perf_counter() - started, 1), "articles": args.articles}
        run.update(databases=databases, duration_s=args.duration)
        (common.OUT / "run.json").write_text(json.dumps(run, indent=2))
    common.log("bench", f"wrote {report.write()}")


if __name__ == "__main__":
    main()
