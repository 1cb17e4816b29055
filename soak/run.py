"""Run the soak: set up, run each phase, write RELIABILITY.md (what each phase does); always clean up.

    python -m soak [--phases steady,restart,idle-drop,multiworker,redis-outage,smtp-outage] [--keep]
                   [--duration 60] [--articles 1000] [--conn-max-age N] [--conn-health-checks]
                   [--restart-command CMD] [--report-only]

The PostgreSQL phases (steady, restart, idle-drop) share database soak_encyclopedia, created anew with
bench/generate.py's articles and dropped at the end unless ``--keep``. Each phase writes
soak/out/<phase>.json, from which soak/report.py fills RELIABILITY.md. Deadlines everywhere and a
watchdog: SIGTERM or Ctrl-C still stops the server, starts PostgreSQL again if a restart left it
down, and drops the database.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import common
from bench.server import Server, get, log_text
from soak import OUT, PG_DB, PORT, REDIS_URL, WORKDIR, log, multiworker, now, outages, report, traffic

PHASES = ("steady", "restart", "idle-drop", "multiworker", *outages.PHASES)
PG_CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]
# Inherited variables that would change what `make serve` does here; the soak runs without them.
DROPPED_VARIABLES = ("CONN_MAX_AGE", "DATABASE_REPLICA_URL", "CACHE_KEY_PREFIX", "SITE_URL", "LOG_LEVEL")
READERS, PROCESSES, HOT, RETRY_FOR = 50, 2, 20, 30.0  # the readers' threads are split over processes


class Interrupted(BaseException):
    """SIGTERM, SIGHUP or the watchdog: unwind through every ``finally``."""


def fresh_server(name: str) -> Server:
    """A server for one phase, on an empty Redis db (page cache and generations start afresh)."""
    import redis
    from django.db import connections

    with redis.Redis.from_url(REDIS_URL, socket_timeout=5) as client:
        client.flushdb()
    connections.close_all()
    return Server(dict(os.environ), name, port=PORT, workdir=WORKDIR)


def postgres_up() -> bool:
    try:
        return common.pg_admin("SELECT 1") == 1  # connect_timeout 10 s at most
    except Exception:  # noqa: BLE001 - any failure to connect means down
        return False


def ensure_postgres_up() -> None:
    """If a restart left PostgreSQL down (interrupted, or failed), start it again."""
    if not any(postgres_up() or time.sleep(1) for _ in range(30)):
        log("PostgreSQL is not answering after the restart: starting it")
        subprocess.run([*PG_CLUSTER, "start"], timeout=120, check=False)


def restart_postgres(
    start: float, restart_at: float, command: str, info: dict, stop: threading.Event
) -> None:
    """At ``restart_at`` run ``command``; a probe connecting anew every 0.1 s times the outage in ``info``."""
    if stop.wait(max(0.0, start + restart_at - time.time())):
        return

    def probe() -> None:  # down from the first failure to the next success; 5 s after the command at most
        while time.time() - start < restart_at + 120 and not stop.is_set():
            if "database_down" not in info and time.time() - start > info.get("command_finished", 1e9) + 5:
                return
            if (up := postgres_up()) and "database_down" in info:
                info["database_back"] = round(time.time() - start, 3)
                return
            if not up:
                info.setdefault("database_down", round(time.time() - start, 3))
            time.sleep(0.1)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    info["command_started"] = round(time.time() - start, 3)
    try:  # a session of its own: a Ctrl-C must not cut a restart in half
        done = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=120, start_new_session=True
        )
        info.update(returncode=done.returncode, output=(done.stdout + done.stderr).strip()[-500:])
    except (OSError, subprocess.TimeoutExpired) as exc:
        info.update(returncode=None, output=f"{type(exc).__name__}: {exc}")
    info["command_finished"] = round(time.time() - start, 3)
    prober.join(timeout=125)


def run_phase(
    name: str, args: argparse.Namespace, ids: list[str], hot: list[str], approvals: list[dict]
) -> dict:
    """steady or restart: the server, the readers, the approver (and the restart), then every check.

    ``approvals``: every approval of the soak so far (each has its own revision), this phase's added.
    """
    server, stop, approved, load_before, started = (
        fresh_server(name),
        threading.Event(),
        [],
        os.getloadavg(),
        now(),
    )
    restart = args.restart_command if name.startswith("restart") else None
    info, restart_at = {"command": restart}, args.duration / 2
    pool = multiprocessing.get_context("spawn").Pool(PROCESSES)  # no Django, no connections
    try:
        server.start()
        master, workers_before = server.pid, server.workers()
        start = time.time() + 3.0  # the spawned readers need a moment to start
        paths = {
            key: [f"/ency/article/{i}.htm" for i in chosen] for key, chosen in (("hot", hot), ("paths", ids))
        }
        job = paths | {"port": PORT, "start": start, "deadline": start + args.duration, "hot_share": 0.5}
        job["signed_in"] = READERS // 10
        groups = [list(range(READERS))[i::PROCESSES] for i in range(PROCESSES)]
        reading = pool.starmap_async(traffic.reader_process, [(numbers, job) for numbers in groups])
        server.sample_pids(start)
        threads = [
            threading.Thread(
                target=traffic.approve_every_second,
                args=(hot, len(approvals) + 1, start, args.duration, approved.append),
                kwargs={"retry_for": RETRY_FOR, "stop": stop},
                daemon=True,
            )
        ]
        if restart:
            threads.append(
                threading.Thread(
                    target=restart_postgres, args=(start, restart_at, restart, info, stop), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        log(f"{name}: {READERS} readers and the approver for {args.duration:.0f} s")
        records = [r for part in reading.get(timeout=args.duration + 90) for r in part]
        for thread in threads:
            thread.join(timeout=max(0.0, start + args.duration - time.time()) + 250)
        workers_after, master_alive = server.workers(), server.process.poll() is None
    finally:
        stop.set()
        pool.terminate()
        server.stop()
        if restart:
            ensure_postgres_up()
    approvals += approved
    log(f"{name}: {len(records)} requests; checking against the database")
    logs = traffic.gunicorn_logs(log_text(server.access_log), log_text(server.error_log))
    worker_sets = sorted({tuple(pids) for _, pids in server.pid_samples})
    result = {
        "phase": name,
        "started": started,
        "plan": {"duration": args.duration, "restart_at": restart_at},
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "command": " ".join([*(f"{k}={v}" for k, v in server.serve_env.items()), *server.command]),
        "conn_max_age": server.env.get("CONN_MAX_AGE", "60 (settings default)"),
        "traffic": (t := traffic.traffic(records, args.duration)),
        "whole": (w := traffic.whole_publications(records, approvals, start)),
        "approvals": (a := traffic.approvals_check(approved)),
        "server": {
            "master": master,
            "workers_before": workers_before,
            "worker_sets_seen": [list(s) for s in worker_sets],
            "pids_unchanged": master_alive and workers_before == workers_after and len(worker_sets) == 1,
            # gunicorn replaces a worker after --max-requests (recycling, not a restart): no app restart
            # if the master lived on and every later boot was such a recycle.
            "no_app_restart": master_alive
            and logs["worker_timeouts"] == 0
            and logs["workers_booted"] - len(workers_before) == logs["worker_autorestarts"],
        },
        "logs": logs,
    }
    wrong = (
        w["mixed_pages"] + w["unknown_publication"] + w["page_not_its_publication"] + a["lost"] + a["failed"]
    )
    if not restart:
        return result | {"passed": not wrong and not t["server_errors"] + t["client_errors"]}
    window = traffic.restart_window(records, info)
    passed = not wrong and window.get("errors_outside") == 0 and result["server"]["no_app_restart"]
    return result | {"restart": info, "window": window, "passed": passed}


def idle_drop(name: str, args: argparse.Namespace, ids: list[str]) -> dict:
    """Under load every worker meets a restart inside its window; a quiet one (a restart at night, a
    failover, a pooler's idle timeout) only on its next request. Warm both workers' connections, end
    them, wait, then count the failures of requests that read the database (a session cookie skips the
    page cache), 4 at a time so both workers get some."""
    server, started, headers = (
        fresh_server(name),
        now(),
        {"X-Forwarded-Proto": "https", "Cookie": "sessionid=i"},
    )

    def statuses(chosen: list[str]) -> list[int]:
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda i: get(f"/ency/article/{i}.htm", headers, port=PORT)[0], chosen))

    sessions = "FROM pg_stat_activity WHERE datname = %s"
    try:
        server.start()
        statuses(ids[:48])
        kept = common.pg_admin(
            f"SELECT count(*) {sessions} AND backend_type = 'client backend'", params=[PG_DB]
        )
        ended = common.pg_admin(f"SELECT count(pg_terminate_backend(pid)) {sessions}", params=[PG_DB])
        time.sleep(2.0)  # idle: nothing touches the dead connections
        after = statuses(ids[100:124])
    finally:
        server.stop()
    return {
        "phase": name,
        "started": started,
        "conn_max_age": server.env.get("CONN_MAX_AGE", "60 (settings default)"),
        "conn_health_checks": args.conn_health_checks,
        "kept_connections": kept,
        "terminated": ended,
        "requests_after": len(after),
        "statuses_after": dict(collections.Counter(map(str, after))),
        "failed_after": sum(1 for status in after if status != 200),
    }


def code_state() -> dict:
    """The commit the server ran, and how many tracked files differed from it (others work in this tree)."""

    def git(*words: str) -> str:  # read-only
        return subprocess.run(["git", "-C", str(common.ROOT), *words], capture_output=True, text=True).stdout

    changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "changed_files": len(changed)}


def write(name: str, result: dict) -> dict:
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
    parts = [result, *(part for part in result.values() if isinstance(part, dict))]  # a level down too
    figures = {k: v for part in parts for k, v in part.items() if isinstance(v, int | float | bool)}
    log(f"{name}: {json.dumps(figures)}")
    return result


def postgres_phases(phases: list[str], args: argparse.Namespace) -> None:
    """Generate the articles and approve each hot one once (so their pages carry markers), then the phases.

    This process is configured as the server is (`make serve` in production: bench's environment with
    the soak's database, Redis and static files): the approver and the checks run here.
    """
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES} | common.bench_env("postgresql")
    env |= {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DB}", "REDIS_URL": REDIS_URL}
    env |= {"BENCH_STATIC_ROOT": str(WORKDIR / "static")}
    env |= {"CONN_MAX_AGE": str(args.conn_max_age)} if args.conn_max_age is not None else {}
    env |= {"BENCH_CONN_HEALTH_CHECKS": "1"} if args.conn_health_checks else {}
    os.environ.clear()
    os.environ.update(env)
    os.chdir(common.ROOT)
    import django

    django.setup()
    from bench.generate import populate

    began = time.perf_counter()
    timings = {key: round(value, 1) for key, value in populate(args.articles, largest=False).items()}
    timings["total_s"] = round(time.perf_counter() - began, 1)
    ids = common.live_ids()
    hot = sorted(random.Random(17).sample(ids, min(HOT, len(ids))))  # fixed: runs compare
    approvals = []
    for seq, public_id in enumerate(hot, start=1):
        traffic.approve_to_live(public_id, seq, *traffic.users())
        approvals.append({"seq": seq, "public_id": public_id, "outcome": "ok", "finished_wall": time.time()})
    setup = {"articles": len(ids), "generate": timings, "code": code_state()}
    log(f"generated {len(ids)} articles in {timings['total_s']:.0f} s; primed {len(hot)} hot articles")
    suffix = ("+health-checks" if args.conn_health_checks else "") + (
        f"+conn-max-age-{args.conn_max_age}" if args.conn_max_age is not None else ""
    )
    for phase in [phase for phase in phases if phase in ("steady", "restart", "idle-drop")]:
        if phase == "idle-drop":
            write(phase + suffix, idle_drop(phase + suffix, args, ids))
        else:
            write(phase + suffix, run_phase(phase + suffix, args, ids, hot, approvals) | {"setup": setup})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help=",".join(PHASES) + " (default: all)")
    parser.add_argument("--keep", action="store_true", help=f"keep database {PG_DB} at the end")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--conn-max-age", type=int, default=None, help="CONN_MAX_AGE for the server")
    parser.add_argument("--conn-health-checks", action="store_true", help="CONN_HEALTH_CHECKS = True")
    parser.add_argument(
        "--restart-command",
        default=shlex.join([*PG_CLUSTER, "restart"]),
        help="what the restart phase runs (a no-op such as `sleep 2` tests the soak itself)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite RELIABILITY.md from soak/out")
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if args.report_only:
        return log(f"wrote {report.write()}")

    def interrupt(signum: int, _frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(signum, interrupt)
    signal.alarm(30 * 60)  # the watchdog
    WORKDIR.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "last-run.json").write_text(json.dumps(phases))  # the report marks the other phases' figures
    created = False
    try:
        if set(phases) & {"steady", "restart", "idle-drop"}:
            if not postgres_up():
                raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432 (user postgres).")
            created = True
            common.pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}")
            log(f"load average {os.getloadavg()}; created {PG_DB}; generating {args.articles} articles")
            postgres_phases(phases, args)
        if "multiworker" in phases:
            write("multiworker", multiworker.run(code_state()))
        for phase in [phase for phase in phases if phase in outages.PHASES]:
            log(f"{phase}: a SQLite site, a Redis and a mail server of its own")
            write(phase, outages.PHASES[phase]())
        log(f"wrote {report.write()}")
    finally:
        signal.alarm(0)
        if created and not args.keep:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            ensure_postgres_up()
            common.pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            log(f"dropped {PG_DB}")
