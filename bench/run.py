"""`make bench`: generate, load-test and measure on SQLite and PostgreSQL, then write BENCHMARKS.md.

    python -m bench.run [--articles N] [--db sqlite|postgresql|both] [--duration S] [--keep]
                        [--report-only]

Each step runs in its own process (bench.generate, bench.load, bench.measure) with the
benchmark's environment (DEBUG off, its own database); results go to bench/out/<db>/*.json
and bench/report.py turns them into BENCHMARKS.md. The databases are removed at the end
unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench import common

STEP_TIMEOUT = {"generate": 3600, "load": 900, "measure": 3600}


def step(name: str, db: str, extra: list[str]) -> float:
    print(f"[bench] {name} on {db} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    env = {**os.environ, **common.bench_env(db)}
    subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--db", db, *extra],
        cwd=common.ROOT,
        env=env,
        check=True,
        timeout=STEP_TIMEOUT[name],
    )
    elapsed = time.perf_counter() - started
    print(f"[bench] {name} on {db}: {elapsed:.0f} s", file=sys.stderr, flush=True)
    return elapsed


def drop(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-journal", "-wal", "-shm"):
            path = common.sqlite_path().with_name(common.sqlite_path().name + suffix)
            path.unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(common.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {common.PG_DB} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=common.default_articles())
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--report-only", action="store_true", help="rewrite BENCHMARKS.md from bench/out")
    parser.add_argument(
        "--steps",
        default="generate,load,measure",
        help="comma-separated steps to run (resume with load,measure on a kept database)",
    )
    args = parser.parse_args()
    common.WORKDIR.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if not args.report_only:
        started = time.perf_counter()
        steps = [s.strip() for s in args.steps.split(",") if s.strip()]
        for db in databases:
            for name in steps:
                (common.out_dir(db) / f"{name}.json").unlink(missing_ok=True)
            timings = {}
            generated = common.out_dir(db) / "generate.json"
            if "generate" not in steps and generated.exists():  # resumed: the earlier generation's time
                timings["generate_s"] = json.loads(generated.read_text())["timings"]["total_s"]
            try:
                if "generate" in steps:
                    timings["generate_s"] = step("generate", db, ["--articles", str(args.articles)])
                if "load" in steps:
                    timings["load_s"] = step("load", db, ["--duration", str(args.duration)])
                if "measure" in steps:
                    timings["measure_s"] = step("measure", db, [])
            finally:
                if not args.keep:
                    drop(db)
            (common.out_dir(db) / "steps.json").write_text(json.dumps(timings, indent=2))
        (common.OUT / "run.json").write_text(
            json.dumps(
                {
                    "total_s": round(time.perf_counter() - started, 1),
                    "articles": args.articles,
                    "databases": databases,
                    "duration_s": args.duration,
                },
                indent=2,
            )
        )
    from bench import report

    report.write()
    print(f"[bench] wrote {common.ROOT / 'BENCHMARKS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
