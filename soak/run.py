"""Run the soak: set up, then each phase, then write RELIABILITY.md; always clean up.

    python -m soak [--phases steady,restart,idle-drop,multiworker,redis-outage,smtp-outage] [--keep]
                   [--duration 60] [--articles 1000] [--readers 50] [--conn-max-age N]
                   [--conn-health-checks] [--report-only]

1. Create PostgreSQL database ``soak_encyclopedia`` (127.0.0.1:5432) anew, flush Redis db 5, generate
   the articles with bench/generate.py, and approve one update of each "hot" article (``prime``), so
   every page the approver changes carries a revision marker.
2. ``steady`` and ``restart`` (PostgreSQL restarted at half time): `make serve`'s gunicorn (2 workers,
   127.0.0.1:8051), the readers and the approver for ``--duration`` seconds, then every check against
   the database. ``idle-drop`` drops idle workers' connections and counts the 500s. ``multiworker``
   (soak/multiworker.py), ``redis-outage`` and ``smtp-outage`` (soak/outages.py) run on a SQLite file
   of their own and need neither PostgreSQL nor the machine's Redis: alone, the database above is not
   created.
3. Write soak/out/<phase>.json and RELIABILITY.md; drop the database unless ``--keep``.

Everything is bounded (deadlines everywhere, a watchdog), and Ctrl-C or SIGTERM still stops the
server, starts PostgreSQL again if a restart left it down, and drops the database.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import datetime
import json
import multiprocessing
import os
import random
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

from bench import common
from bench.server import Server, get, log_text
from soak import config, multiworker, outages, report, verify
from soak.approver import Approver, approve_to_live, users
from soak.config import Plan, log
from soak.readers import ReaderJob, run_process

PHASES = ("steady", "restart", "idle-drop", "multiworker", *outages.PHASES)
ON_POSTGRES = ("steady", "restart", "idle-drop")  # the phases that need the database and articles above
WATCHDOG_S = 30 * 60


class Interrupted(BaseException):
    """SIGTERM, SIGHUP or the watchdog: unwind through every ``finally``."""


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def postgres_up(timeout: int = 1) -> bool:
    import psycopg

    try:
        with psycopg.connect(common.PG_ADMIN_DSN, connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def ensure_postgres_up() -> None:
    """If a restart left PostgreSQL down (interrupted, or failed), start it again."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if postgres_up():
            return
        time.sleep(1)
    log("PostgreSQL is not answering after the restart: starting it")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", config.PG_VERSION, "main", "start"]
    subprocess.run(command, timeout=120, check=False)


class Restarter(threading.Thread):
    """At ``restart_at``, restart PostgreSQL, and time the database's outage with a probe."""

    def __init__(self, start: float, plan: Plan, command: str):
        super().__init__(name="restarter", daemon=True)
        self.start_wall, self.plan, self.command = start, plan, command
        self.info: dict = {"command": command, "at": plan.restart_at}
        self.stop_event = threading.Event()

    def now(self) -> float:
        return round(time.time() - self.start_wall, 3)

    def probe(self, until: float) -> None:
        """Connect anew every 0.1 s: the database is down from the first failure to the next success.

        Bounded: at most until ``until``, and 5 s after the command returned if it never went down.
        """
        info = self.info
        while time.time() < until and not self.stop_event.is_set():
            finished = info.get("command_finished")
            if finished is not None and "database_down" not in info and self.now() > finished + 5:
                return
            up = postgres_up()
            if not up and "database_down" not in info:
                info["database_down"] = self.now()
            if up and "database_down" in info:
                info["database_back"] = self.now()
                return
            time.sleep(0.1)

    def run(self) -> None:
        if self.stop_event.wait(max(0.0, self.start_wall + self.plan.restart_at - time.time())):
            return
        probe = threading.Thread(target=self.probe, args=(time.time() + 120,), daemon=True)
        probe.start()
        self.info["command_started"] = self.now()
        try:  # a new session: a Ctrl-C must not cut a restart in half
            done = subprocess.run(
                shlex.split(self.command), capture_output=True, text=True, timeout=120, start_new_session=True
            )
            self.info.update(returncode=done.returncode, output=(done.stdout + done.stderr).strip()[-500:])
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.info.update(returncode=None, output=f"{type(exc).__name__}: {exc}")
        self.info["command_finished"] = self.now()
        probe.join(timeout=125)


def run_phase(
    name: str,
    plan: Plan,
    ids: list[str],
    hot: list[str],
    seq: int,
    approvals: list[dict],
    restart: str | None,
):
    """One phase: the server, the readers, the approver (and the restart), then the checks."""
    config.flush_redis()
    config.close_connections()
    env = config.server_env(plan)
    server = Server(env, name, port=config.PORT, workdir=config.WORKDIR)
    load_before, started_at = os.getloadavg(), datetime.datetime.now().astimezone()
    processes, approver, restarter, jobs = [], None, None, []
    try:
        server.start()
        master, workers_before = server.pid, server.workers()
        start = time.time() + 3.0  # the spawned readers need a moment to start
        deadline = start + plan.duration
        per_process = -(-plan.readers // plan.reader_processes)
        for number, first in enumerate(range(0, plan.readers, per_process)):
            out = config.WORKDIR / f"{name}-readers-{number}.json"
            out.unlink(missing_ok=True)
            count = min(per_process, plan.readers - first)
            jobs.append(ReaderJob(number, first, count, plan, hot, ids, start, deadline, str(out)))
        context = multiprocessing.get_context("spawn")  # no Django, no inherited connections
        processes = [context.Process(target=run_process, args=(job,), daemon=True) for job in jobs]
        for process in processes:
            process.start()
        server.sample_pids(start)
        approver = Approver(hot, seq, start, plan)
        approver.start()
        if restart:
            restarter = Restarter(start, plan, restart)
            restarter.start()
        log(f"{name}: {plan.readers} readers and the approver for {plan.duration:.0f} s")
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.time()) + plan.request_timeout + 30)
            if process.is_alive():
                log(f"{name}: reader process {process.pid} overran; terminating it")
                process.terminate()
                process.join(timeout=10)
        approver.join(timeout=max(0.0, deadline - time.time()) + plan.retry_for + 30)
        if restarter is not None:
            restarter.join(timeout=max(0.0, start + plan.restart_at - time.time()) + 250)
        workers_after = server.workers()
        master_alive = server.process is not None and server.process.poll() is None
    finally:
        if approver is not None:
            approver.stop_event.set()
            approver.join(timeout=60)
        if restarter is not None:
            restarter.stop_event.set()
        for process in processes:
            if process.is_alive():
                process.terminate()
        server.stop()
        if restarter is not None:
            ensure_postgres_up()
    records = []
    for job in jobs:
        raw = (
            json.loads(Path(job.out).read_text()) if Path(job.out).exists() else {"fields": [], "records": []}
        )
        records += [dict(zip(raw["fields"], row, strict=True)) for row in raw["records"]]
    log(f"{name}: {len(records)} requests; checking against the database")
    worker_sets = sorted({tuple(pids) for _, pids in server.pid_samples})
    logs = verify.gunicorn_logs(log_text(server.access_log), log_text(server.error_log))
    result = {
        "phase": name,
        "started": started_at.isoformat(timespec="seconds"),
        "plan": dataclasses.asdict(plan),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "command": " ".join([*(f"{k}={v}" for k, v in server.serve_env.items()), *server.command]),
        "conn_max_age": env.get("CONN_MAX_AGE", "60 (settings default)"),
        "traffic": verify.traffic(records, plan.duration),
        "by_second": verify.by_second(records),
        "whole": verify.whole_publications(records, approvals + approver.records, start),
        "approvals": verify.approvals_check(approver.records),
        "server": {
            "master": master,
            "master_alive_at_end": master_alive,
            "workers_before": workers_before,
            "workers_after": workers_after,
            "worker_sets_seen": [list(s) for s in worker_sets],
            "pids_unchanged": master_alive and workers_before == workers_after and len(worker_sets) == 1,
            # gunicorn replaces a worker after --max-requests (planned recycling, not a restart): the app
            # was not restarted if the master lived on and every later boot was such a recycle.
            "no_app_restart": master_alive
            and logs["worker_timeouts"] == 0
            and logs["workers_booted"] - len(workers_before) == logs["worker_autorestarts"],
        },
        "logs": logs,
        "logs_at": [str(server.access_log), str(server.error_log)],
    }
    if restarter is not None:
        result |= {"restart": restarter.info, "window": verify.restart_window(records, restarter.info)}
    return result, approver.seq, approver.records


def idle_drop(name: str, plan: Plan, ids: list[str]) -> dict:
    """What idle workers do when the database has dropped their connections.

    Under load (the ``restart`` phase) every worker touches the database during the restart, so each
    broken persistent connection fails inside the restart window. A quiet worker (a PostgreSQL restart
    at night, a failover, a pooler's idle timeout) only finds out on its next request. This warms both
    workers' connections, terminates the soak database's server processes (this database only), waits,
    then sends requests that need the database (a session cookie skips the page cache) and counts the 500s.
    """
    config.flush_redis()
    config.close_connections()
    env = config.server_env(plan)
    server = Server(env, name, port=config.PORT, workdir=config.WORKDIR)
    started = datetime.datetime.now().astimezone()
    paths = [f"/ency/article/{public_id}.htm" for public_id in ids]

    def fetch(chosen: list[str]) -> list[int]:
        """The paths over 4 threads at once, so both workers get some."""
        results: list[list[int]] = [[] for _ in range(4)]
        headers = {"X-Forwarded-Proto": "https", "Cookie": "sessionid=soak-idle"}

        def work(i: int) -> None:
            results[i] = [get(path, headers, port=config.PORT)[0] for path in chosen[i::4]]

        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return [status for part in results for status in part]

    clients = "FROM pg_stat_activity WHERE datname = %s"
    try:
        server.start()
        workers_before, warm = server.workers(), fetch(paths[:48])
        kept = common.pg_admin(
            f"SELECT count(*) {clients} AND backend_type = 'client backend'", params=[config.PG_DB]
        )
        terminate = f"SELECT count(pg_terminate_backend(pid)) {clients} AND pid <> pg_backend_pid()"
        dropped = common.pg_admin(terminate, params=[config.PG_DB])
        time.sleep(2.0)  # idle: nothing touches the dead connections
        after = fetch(paths[100:124])
        workers_after = server.workers()
    finally:
        server.stop()
    return {
        "phase": name,
        "started": started.isoformat(timespec="seconds"),
        "conn_max_age": env.get("CONN_MAX_AGE", "60 (settings default)"),
        "conn_health_checks": plan.conn_health_checks,
        "warm_statuses": dict(collections.Counter(map(str, warm))),
        "kept_connections": kept,
        "terminated": dropped,
        "requests_after": len(after),
        "statuses_after": dict(collections.Counter(map(str, after))),
        "failed_after": sum(1 for status in after if status != 200),
        "workers_unchanged": workers_before == workers_after,
        "logs": verify.gunicorn_logs(log_text(server.access_log), log_text(server.error_log)),
    }


def code_state() -> dict:
    """The commit the server ran, and how many tracked files differed from it (others work in this tree)."""

    def git(*words: str) -> str:  # read-only
        return subprocess.run(
            ["git", "-C", str(config.ROOT), *words], capture_output=True, text=True, timeout=20
        ).stdout

    changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "changed_files": len(changed)}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help=",".join(PHASES) + " (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep database soak_encyclopedia at the end")
    parser.add_argument("--articles", type=int, default=Plan.articles)
    parser.add_argument("--duration", type=float, default=Plan.duration)
    parser.add_argument("--readers", type=int, default=Plan.readers)
    parser.add_argument("--conn-max-age", type=int, default=None, help="CONN_MAX_AGE for the server")
    parser.add_argument(
        "--conn-health-checks", action="store_true", help="serve with CONN_HEALTH_CHECKS = True"
    )
    parser.add_argument(
        "--restart-command",
        default=config.RESTART_COMMAND,
        help="what the restart phase runs (a no-op such as `sleep 2` tests the soak itself)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite RELIABILITY.md from soak/out")
    args = parser.parse_args()
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if unknown := set(args.phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return args


def write(name: str, result: dict) -> None:
    (config.OUT / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))


def postgres_phases(args: argparse.Namespace, plan: Plan) -> None:
    """Generate the articles, prime the hot ones, then run the phases that need PostgreSQL."""
    log(f"load average {os.getloadavg()}; creating {config.PG_DB} and {args.articles} articles")
    config.setup_django(plan)
    config.flush_redis()
    from bench.generate import populate

    began = time.perf_counter()
    timings = {key: round(value, 1) for key, value in populate(plan.articles).items()}
    timings["total_s"] = round(time.perf_counter() - began, 1)
    ids = common.live_ids()
    hot = sorted(random.Random(17).sample(ids, min(plan.hot_articles, len(ids))))  # fixed: runs compare
    approvals, seq = [], 1
    for public_id in hot:  # one approval of each before the readers start, so their pages carry markers
        approve_to_live(public_id, seq, *users())
        approvals.append({"seq": seq, "public_id": public_id, "outcome": "ok", "finished_wall": time.time()})
        seq += 1
    setup = {"articles": len(ids), "hot": hot, "generate": timings, "primed": len(hot), "code": code_state()}
    log(f"generated {len(ids)} articles in {timings['total_s']:.0f} s; primed {len(hot)} hot articles")
    for phase in [phase for phase in args.phases if phase in ON_POSTGRES]:
        name = phase + plan.variant()
        if phase == "idle-drop":
            write(name, result := idle_drop(name, plan, ids))
            log(f"{name}: {result['terminated']} connections dropped, then {result['statuses_after']}")
            continue
        restart = args.restart_command if phase == "restart" else None
        result, seq, done = run_phase(name, plan, ids, hot, seq, approvals, restart)
        approvals += done
        write(name, result | {"setup": setup})
        traffic = result["traffic"]
        log(
            f"{phase}: {traffic['requests']} requests ({traffic['rps']} req/s), statuses {traffic['statuses']}, "
            f"mixed {result['whole']['mixed_pages']}, lost approvals {result['approvals']['lost']}"
        )


def main() -> None:
    args = parse_args()
    if args.report_only:
        log(f"wrote {report.write()}")
        return
    plan = Plan(
        articles=args.articles,
        duration=args.duration,
        readers=args.readers,
        signed_in_readers=max(1, args.readers // 10),
        restart_at=args.duration / 2,
        conn_max_age=args.conn_max_age,
        conn_health_checks=args.conn_health_checks,
    )
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(signum, _interrupt)
    signal.alarm(WATCHDOG_S)
    config.WORKDIR.mkdir(parents=True, exist_ok=True)
    config.OUT.mkdir(parents=True, exist_ok=True)
    began, created = time.monotonic(), False
    try:
        if any(phase in ON_POSTGRES for phase in args.phases):
            if not postgres_up(5):
                raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432 (user postgres).")
            created = True
            common.pg_admin(
                f"DROP DATABASE IF EXISTS {config.PG_DB} WITH (FORCE)", f"CREATE DATABASE {config.PG_DB}"
            )
            postgres_phases(args, plan)
        if "multiworker" in args.phases:
            log("multiworker: a SQLite file of its own, 2 workers, no REDIS_URL")
            write("multiworker", result := multiworker.run(code_state()))
            log(f"multiworker: {'pass' if result['passed'] else 'FAIL'} in {result['total_s']} s")
        for phase in [phase for phase in args.phases if phase in outages.PHASES]:
            log(f"{phase}: soak/outages.py, a SQLite file, a Redis and a mail server of its own")
            write(phase, result := outages.PHASES[phase]())
            log(
                f"{phase}: {json.dumps({k: v for k, v in result.items() if isinstance(v, int | float | bool)})}"
            )
        if args.phases == list(PHASES):  # how long a whole `make soak` takes, for the report
            write("run", {"phases": args.phases, "total_s": round(time.monotonic() - began, 1)})
        log(f"wrote {report.write()}")
    finally:
        signal.alarm(0)
        with contextlib.suppress(Exception):
            config.close_connections()
        if created and not args.keep:
            ensure_postgres_up()
            common.pg_admin(f"DROP DATABASE IF EXISTS {config.PG_DB} WITH (FORCE)")
            log(f"dropped {config.PG_DB}")
