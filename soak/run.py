"""Run the soak: set up, then each phase, then write RELIABILITY.md; always clean up.

    python -m soak [--phases steady,restart,idle-drop,multiworker,redis-outage,smtp-outage] [--keep] [--duration 60]
                   [--articles 1000] [--readers 50] [--conn-max-age N] [--conn-health-checks]
                   [--report-only]

1. Create PostgreSQL database ``soak_encyclopedia`` (127.0.0.1:5432) anew, flush Redis db 5, generate
   the articles with bench/generate.py, and approve one update of each "hot" article (``prime``), so
   every page the approver changes carries a revision marker.
2. ``steady`` and ``restart`` (PostgreSQL restarted at half time): `make serve`'s gunicorn (2 workers,
   127.0.0.1:8051), the readers and the approver for ``--duration`` seconds, then every check against
   the database. ``idle-drop`` (soak/idle.py) drops idle workers' connections and counts the 500s.
   ``multiworker`` (soak/multiworker.py) needs neither PostgreSQL nor Redis: alone, the database above
   is not created.
   ``redis-outage`` and ``smtp-outage`` (soak/outages.py, about 2 minutes each) also run on a SQLite
   file of their own, with a Redis and a mail server of their own: Redis stopped at 20 s and started
   again at 40 s under load; the mail server refusing while approvals go on, then recovering.
3. Write soak/out/<phase>.json and RELIABILITY.md; drop the database unless ``--keep``.

Everything is bounded (deadlines everywhere, a watchdog), and Ctrl-C or SIGTERM still stops the
server, starts PostgreSQL again if a restart left it down, and drops the database.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import multiprocessing
import os
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

from bench import common
from soak import config, data, idle, multiworker, outages, report, verify
from soak.approver import EDITOR, REVIEWER, Approver, approve_to_live
from soak.config import Plan
from soak.readers import ReaderJob, run_process
from soak.server import Server, log_text

PHASES = ("steady", "restart", "idle-drop", "multiworker", *outages.PHASES)
ON_POSTGRES = ("steady", "restart", "idle-drop")  # the phases that need the database and articles above
WATCHDOG_S = 30 * 60
log = data.log


class Interrupted(BaseException):
    """SIGTERM, SIGHUP or the watchdog: unwind through every ``finally``."""


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def postgres_up(timeout: float = 1.0) -> bool:
    import psycopg

    try:
        with psycopg.connect(config.PG_ADMIN_DSN, connect_timeout=max(1, int(timeout))) as conn:
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
    subprocess.run(  # noqa: S603 - a fixed command
        ["pg_ctlcluster", "--skip-systemctl-redirect", config.PG_VERSION, "main", "start"],  # noqa: S607
        timeout=120,
        check=False,
    )


class Restarter(threading.Thread):
    """At ``restart_at``, restart PostgreSQL, and time the database's outage with a probe."""

    def __init__(self, start: float, plan: Plan, command: str):
        super().__init__(name="restarter", daemon=True)
        self.start_wall = start
        self.plan = plan
        self.command = command
        self.info: dict = {"command": command, "at": plan.restart_at}
        self.stop_event = threading.Event()

    def now(self) -> float:
        return round(time.time() - self.start_wall, 3)

    def probe(self, until: float) -> None:
        """Connect anew every 0.1 s: the database is down from the first failure to the next success.

        Bounded: at most until ``until``, and 5 s after the command returned if it never went down.
        """
        while time.time() < until and not self.stop_event.is_set():
            finished = self.info.get("command_finished")
            if finished is not None and "database_down" not in self.info and self.now() > finished + 5:
                return
            up = postgres_up()
            if not up and "database_down" not in self.info:
                self.info["database_down"] = self.now()
            if up and "database_down" in self.info and "database_back" not in self.info:
                self.info["database_back"] = self.now()
                return
            time.sleep(0.1)

    def run(self) -> None:
        begin = self.start_wall + self.plan.restart_at
        if self.stop_event.wait(max(0.0, begin - time.time())):
            return
        probe = threading.Thread(target=self.probe, args=(time.time() + 120,), daemon=True)
        probe.start()
        self.info["command_started"] = self.now()
        try:
            result = subprocess.run(  # noqa: S603 - the fixed restart command
                shlex.split(self.command),
                capture_output=True,
                text=True,
                timeout=120,
                start_new_session=True,  # a Ctrl-C must not cut a restart in half
                check=False,
            )
            self.info["returncode"] = result.returncode
            self.info["output"] = (result.stdout + result.stderr).strip()[-500:]
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.info["returncode"] = None
            self.info["output"] = f"{type(exc).__name__}: {exc}"
        self.info["command_finished"] = self.now()
        probe.join(timeout=125)


def run_readers(jobs: list[ReaderJob]) -> list[multiprocessing.Process]:
    context = multiprocessing.get_context("spawn")  # no Django, no inherited connections
    processes = [context.Process(target=run_process, args=(job,), daemon=True) for job in jobs]
    for process in processes:
        process.start()
    return processes


def load_records(jobs: list[ReaderJob]) -> list[dict]:
    records = []
    for job in jobs:
        path = Path(job.out)
        if not path.exists():
            log(f"reader process {job.process} wrote no records")
            continue
        raw = json.loads(path.read_text())
        records += [dict(zip(raw["fields"], row, strict=True)) for row in raw["records"]]
    return records


def run_phase(
    name: str,
    plan: Plan,
    ids: list[str],
    hot: list[str],
    seq: int,
    approvals_so_far: list[dict],
    restart_command: str | None,
) -> tuple[dict, int, list[dict]]:
    """One phase: the server, the readers, the approver (and the restart), then the checks."""
    data.flush_redis()
    data.close_connections()
    env = server_env(plan)
    server = Server(env, name)
    load_before = os.getloadavg()
    processes: list[multiprocessing.Process] = []
    approver = restarter = None
    started_at = datetime.datetime.now().astimezone()
    try:
        server.start()
        master = server.pid
        workers_before = server.workers()
        start = time.time() + 3.0  # the spawned readers need a moment to start
        deadline = start + plan.duration
        per_process = -(-plan.readers // plan.reader_processes)
        jobs = []
        for number, first in enumerate(range(0, plan.readers, per_process)):
            out = config.WORKDIR / f"{name}-readers-{number}.json"
            out.unlink(missing_ok=True)
            readers = min(per_process, plan.readers - first)
            jobs.append(ReaderJob(number, first, readers, plan, hot, ids, start, deadline, str(out)))
        processes = run_readers(jobs)
        server.sample_pids(start)
        approver = Approver(hot, seq, start, plan)
        approver.start()
        if restart_command:
            restarter = Restarter(start, plan, restart_command)
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
    load_after = os.getloadavg()
    records = load_records(jobs)
    log(f"{name}: {len(records)} requests; checking against the database")
    samples = server.pid_samples
    worker_sets = sorted({tuple(pids) for _, pids in samples})
    all_approvals = approvals_so_far + approver.records
    result = {
        "phase": name,
        "started": started_at.isoformat(timespec="seconds"),
        "plan": dataclasses.asdict(plan),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in load_after],
        "command": " ".join(f"{k}={v}" for k, v in server.serve_env.items()) + " " + " ".join(server.command),
        "conn_max_age": env.get("CONN_MAX_AGE", "60 (settings default)"),
        "traffic": verify.traffic(records, plan.duration),
        "by_second": verify.by_second(records),
        "whole": verify.whole_publications(records, all_approvals, start),
        "approvals": verify.approvals_check(approver.records),
        "server": {
            "master": master,
            "master_alive_at_end": master_alive,
            "workers_before": workers_before,
            "workers_after": workers_after,
            "worker_sets_seen": [list(s) for s in worker_sets],
            "pids_unchanged": master_alive and workers_before == workers_after and len(worker_sets) == 1,
        },
        "logs": verify.gunicorn_logs(log_text(server.access_log), log_text(server.error_log)),
        "logs_at": [str(server.access_log), str(server.error_log)],
    }
    logs = result["logs"]
    # gunicorn replaces a worker after --max-requests (planned recycling, not a restart): the
    # app was not restarted if the master lived on and every later boot was such a recycle.
    result["server"]["no_app_restart"] = (
        master_alive
        and logs["worker_timeouts"] == 0
        and logs["workers_booted"] - len(workers_before) == logs["worker_autorestarts"]
    )
    if restarter is not None:
        result["restart"] = restarter.info
        result["window"] = verify.restart_window(records, restarter.info)
    return result, approver.seq, approver.records


def code_state() -> dict:
    """The commit the server ran, and how many tracked files differed from it (others work in this tree)."""

    def git(*words: str) -> str:
        command = ["git", "-C", str(config.ROOT), *words]  # read-only
        return subprocess.run(command, capture_output=True, text=True, timeout=20, check=False).stdout.strip()  # noqa: S603, S607

    changed = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "changed_files": len(changed)}


def server_env(plan: Plan) -> dict[str, str]:
    """This process's environment without what would change `make serve`, plus the soak's settings."""
    env = {k: v for k, v in os.environ.items() if k not in config.DROPPED_VARIABLES}
    env.update(config.soak_env(plan))
    return env


def prime(hot: list[str], seq: int) -> tuple[list[dict], int]:
    """One approval of each hot article before the readers start, so their pages carry markers."""
    editor, reviewer = data.user(EDITOR), data.user(REVIEWER)
    records = []
    for public_id in hot:
        approve_to_live(public_id, seq, editor, reviewer)
        records.append({"seq": seq, "public_id": public_id, "outcome": "ok", "finished_wall": time.time()})
        seq += 1
    return records, seq


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help=",".join(PHASES) + " (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep database soak_encyclopedia at the end")
    parser.add_argument("--articles", type=int, default=Plan.articles)
    parser.add_argument("--duration", type=float, default=Plan.duration)
    parser.add_argument("--readers", type=int, default=Plan.readers)
    parser.add_argument("--conn-max-age", type=int, default=None, help="CONN_MAX_AGE for the server")
    parser.add_argument(
        "--conn-health-checks",
        action="store_true",
        help="serve with soak.settings (CONN_HEALTH_CHECKS = True), the proposed settings change",
    )
    parser.add_argument(
        "--restart-command",
        default=config.RESTART_COMMAND,
        help="what the restart phase runs (a no-op such as `sleep 2` tests the soak itself)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite RELIABILITY.md from soak/out")
    args = parser.parse_args()
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return args


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
    created = False
    began = time.monotonic()
    postgres_phases = [phase for phase in args.phases if phase in ON_POSTGRES]
    try:
        if postgres_phases:
            if not postgres_up(5):
                raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432 (user postgres).")
            log(f"load average {os.getloadavg()}; creating {config.PG_DB} and {args.articles} articles")
            data.create_database()
            created = True
            data.setup_django(plan)
            data.flush_redis()
            timings = data.generate(plan.articles)
            ids = common.live_ids()
            hot = data.pick_hot(ids, plan.hot_articles)
            primed, seq = prime(hot, 1)
            setup = {
                "articles": len(ids),
                "hot": hot,
                "generate": timings,
                "primed": len(primed),
                "code": code_state(),
            }
            log(
                f"generated {len(ids)} articles in {timings['total_s']:.0f} s; primed {len(hot)} hot articles"
            )
            approvals = primed
            for phase in postgres_phases:
                name = phase + plan.variant()
                if phase == "idle-drop":
                    result = idle.run(name, plan, ids, server_env(plan))
                    (config.OUT / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
                    log(
                        f"{name}: {result['terminated']} connections dropped, then {result['statuses_after']}"
                    )
                    continue
                restart = args.restart_command if phase == "restart" else None
                result, seq, done = run_phase(name, plan, ids, hot, seq, approvals, restart)
                result["setup"] = setup
                approvals = approvals + done
                (config.OUT / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
                summary = result["traffic"]
                log(
                    f"{phase}: {summary['requests']} requests ({summary['rps']} req/s), statuses {summary['statuses']}, "
                    f"mixed {result['whole']['mixed_pages']}, lost approvals {result['approvals']['lost']}"
                )
        if "multiworker" in args.phases:
            log("multiworker: a SQLite file of its own, 2 workers, no REDIS_URL")
            result = multiworker.run(code_state())
            (config.OUT / "multiworker.json").write_text(json.dumps(result, indent=2, default=str))
            log(f"multiworker: {'pass' if result['passed'] else 'FAIL'} in {result['total_s']} s")
        for phase in (phase for phase in args.phases if phase in outages.PHASES):
            log(f"{phase}: soak/outages.py, a SQLite file, a Redis and a mail server of its own")
            result = outages.run(phase)
            log(f"{phase}: {json.dumps({k: v for k, v in result.items() if not isinstance(v, dict | list)})}")
        if args.phases == list(PHASES):  # how long a whole `make soak` takes, for the report
            (config.OUT / "run.json").write_text(
                json.dumps({"phases": args.phases, "total_s": round(time.monotonic() - began, 1)}, indent=2)
            )
        log(f"wrote {report.write()}")
    finally:
        signal.alarm(0)
        with contextlib.suppress(Exception):
            data.close_connections()
        if created and not args.keep:
            ensure_postgres_up()
            data.drop_database()
            log(f"dropped {config.PG_DB}")
