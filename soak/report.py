"""Fill RELIABILITY.md's generated blocks from soak/out/<phase>.json: tables of figures, no prose.

Each block sits between ``<!-- soak:NAME -->`` and ``<!-- /soak:NAME -->`` (``BLOCKS``); what the
figures mean is written by hand around them. A table is a template of "label | cell" lines, each
cell a format string over one result file. Each phase's figures come from its own file, so running
one phase again rewrites its blocks and keeps the others' last figures, marked as from an earlier
run (``last-run.json`` names the phases of the last `make soak`); a block whose phase has no file
here (soak/out is not committed) is left as it is, and so are its verdict row and its column of
figures, marked the same way (each phase's own block says when and on which commit it ran).
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Callable
from typing import Any

from bench import common
from bench import report as bench_report
from bench.report import FORMATS, Figures, fill, rows_of, table
from soak import OUT, PG_DB, REDIS_URL, REPORT

# The benchmark's formats, and those of the soak's cells (``notes`` follow a figure, when there is one).
SOAK_FORMATS: dict[str, Callable[[Any], str]] = {
    **FORMATS,
    "counts": lambda v: ", ".join(f"{key}: {count:,}" for key, count in v.items()) or "none",
    "times": lambda v: ", ".join(f"{key} ×{count:,}" for key, count in v.items()) or "none",
    "none_or": lambda v: f"**no**: {v}" if v else "yes",
    "json": json.dumps,
    "old_new": lambda v: " · ".join(f"{key}: {c['old']} / {c['new']}" for key, c in v.items()),
    "some": lambda v: f" ({v})" if v else "",
    "changed": lambda n: f", with {n} tracked file{'s' * (n != 1)} changed" if n else "",
    "stale_pages": lambda pages: "".join(
        f"; {p['public_id']} sent at {p['sent_s']:.2f} s, {p['sent_s'] - p['newer_committed_s']:.2f} s after "
        f"revision {p['newer_marker']} committed, showed {p['marker']}"
        for p in pages
    ),
}
FIGURES_OF = Figures(SOAK_FORMATS, notes=frozenset({"some", "changed", "stale_pages"}))


def pairs(template: str, values: dict) -> list[str]:
    return bench_report.pairs(template, values, FIGURES_OF)


FIGURES = """
Run at | {started}
Requests served (sent and answered or failed) | {traffic.requests:n}
Requests per second | {traffic.rps:n}
Status codes (client side; connection errors by name) | {traffic.statuses:counts}
Server errors (5xx) | **{traffic.server_errors}**
Connection errors (refused, reset, timed out) | {traffic.client_errors}
Latency of 200s, p50 / p95 / p99 (ms) | {traffic.latency.all.p50_ms:ms} / {traffic.latency.all.p95_ms:ms} / {traffic.latency.all.p99_ms:ms}
p50 / p95 anonymous · with a session cookie (ms) | {traffic.latency.anonymous.p50_ms:ms} / {traffic.latency.anonymous.p95_ms:ms} · {traffic.latency.signed_in.p50_ms:ms} / {traffic.latency.signed_in.p95_ms:ms}
Article pages checked; distinct publications seen | {whole.pages_checked:n} ({whole.marked_pages:n} with markers), {whole.distinct_publications_seen:n}
Pages mixing two publications | **{whole.mixed_pages}**
Pages naming a publication that does not exist | {whole.unknown_publication}
Pages whose text is not the publication they name | {whole.page_not_its_publication}
Pages older than the live one when requested (the most, s after) | {whole.stale_after_commit} ({whole.stale_max_s}){whole.stale_examples:stale_pages}
A reader saw an article go back to an older revision | {whole.reader_regressions} ({whole.reader_regressions_beyond_cache_lifetime} beyond 300 s)
Approvals attempted / succeeded / failed | {approvals.attempted} / {approvals.succeeded} ({approvals.succeeded_first_try} first try, {approvals.succeeded_after_retry} after retry) / {approvals.failed}
Approvals lost | **{approvals.lost}**{approvals.lost_seqs:some}
Each article's live page is its last approval | {approvals.live_is_not_last_success:none_or}
Edit + submit + approve, p50 / p95 (ms) | {approvals.latency.p50_ms:ms} / {approvals.latency.p95_ms:ms}
No app restart (master unchanged; new workers only from `--max-requests` recycling) | {server.no_app_restart:yes} (master {server.master} throughout; workers {server.workers_before}, PIDs unchanged: {server.pids_unchanged:yes})
gunicorn error log | {logs.internal_server_errors} “Internal Server Error”; exceptions: {logs.exceptions:times}
gunicorn access log statuses | {logs.access_log_statuses:counts}
Worker events | {logs.workers_booted} booted, {logs.worker_timeouts} timeouts, {logs.worker_autorestarts} recycled
Load average (1 min) before → after | {load_before.0:n2} → {load_after.0:n2} (5 min: {load_before.1:n2} → {load_after.1:n2})
"""
SETUP = """
Database (dropped, created, then bench/generate.py's articles) | `{pg_db}` on 127.0.0.1:5432: {setup.articles:n} articles in {setup.generate.total_s} s
Redis (flushed before each phase) | `REDIS_URL={redis_url}`
Code | commit {setup.code.commit}{setup.code.changed_files:changed}
Server, as the Makefile's `serve` target starts it (CONN_MAX_AGE {conn_max_age}) | `{command}`
"""
RESTART = """
Command (exit status) | `{restart.command}` ({restart.returncode})
Command sent, returned (s) | {restart.command_started}, {restart.command_finished}
Database down, back (a probe connecting every 0.1 s; s) | {restart.database_down}, {restart.database_back}
First database page (session cookie) answered after it was back (s) | {window.first_database_page_after_back_s}
Last failed request ended, after it was back (s; negative: before) | {window.last_error_after_database_back_s}
Restart window: command sent .. database back + {window.grace_s} s | {window.window_s.0} s to {window.window_s.1} s
Failed requests inside the window; outside it | {window.errors_inside}; **{window.errors_outside}**{window.outside_examples:some}
gunicorn master; workers; worker sets seen (sampled twice a second) | {server.master}; {server.workers_before}; {server.worker_sets_seen}
"""
MULTIWORKER = """
Run at; code | {started}; commit {code.commit}{code.changed_files:changed}
Seconds in all (of which collectstatic, migrate and set-up) | {total_s:n} ({prepare_s:n})
Server: the Makefile's `serve` line, the worker's pid in the access log | `{command}`
Database; the shared cache's directory (no `REDIS_URL`) | `{database}`; `{shared_cache_dir}`
Workers; the same throughout | {workers.before}; {unchanged:yes}
Warm-up before each change: requests, threads | {warm_requests}, {warm_threads}
After the write: reader threads; new answers in a row needed; held for (s); given up after (s) | {readers}; {streak}; {hold_s}; {watch_s:n}
"""
MULTIWORKER_ROW = (
    "{change} | {expect} | {settled} | {first_read_s:n2} / {first_new_s:n2} | {old_answers:n} / {new_answers:n} "
    "| {by_worker:old_new} | {verdict}"
)
REDIS_OUTAGE = """
`redis-outage`: run for; Redis stopped (`SHUTDOWN SAVE`); started again from that snapshot (s) | {duration_s:n}; {redis_stopped_at_s}; {redis_back_at_s}
Answers by status; **5xx** | {statuses:counts}; **{errors_5xx}**
Median answer before, while Redis was down, after (ms); slowest answer (s) | {median_answer_ms.before}, {median_answer_ms.redis_down}, {median_answer_ms.after}; {slowest_answer_s}
Approvals (while Redis was down); failed | {approvals} ({approvals_during_outage}); {approvals_failed:len}
From Redis's return: reads of every article; **stale** (older than a revision committed before the request) | {visibility_after_return.reads}; **{visibility_after_return.stale_answers}**
Last stale answer; first round over every article ended (s after the return) | {visibility_after_return.last_stale_after_s}; {visibility_after_return.slowest_first_visible_s}
`/healthz` while Redis was down | {healthz_while_down.status} `{healthz_while_down.body:json}`
`/healthz` after | {healthz_after.status} `{healthz_after.body:json}`
"""
SMTP_OUTAGE = """
`smtp-outage`: approvals while the mail server refused every connection with 554 (s); failed | {approvals} ({duration_s:n}); {approvals_failed:len}
Connections refused; emails in the outbox, of them unsent | {connections_refused}; {outbox_before_recovery.total}, {outbox_before_recovery.waiting}
After recovery, two `send_queued_mail --all` at once, twice: **delivered**, **twice**, left | **{distinct_delivered}**, **{delivered_twice}**, {outbox_after_recovery.waiting}
Delivered within (s, four processes' start-up included) | {delivered_within_s}
"""
WRITTEN = "the last run of each phase (`soak/out/<phase>.json`)."
# Each phase's acceptance (its ``passed``): the phase, what is checked, the figure it rests on.
ACCEPTANCE = """
steady | Steady: no failed request; every page one whole, real publication; no approval lost | {traffic.server_errors} 5xx, {traffic.client_errors} connection errors in {traffic.requests:n} requests; {approvals.lost} approvals lost
restart | PostgreSQL restart: failures only inside the restart window, no app restart, as steady else | {window.errors_inside} failed inside the window, {window.errors_outside} outside
multiworker | Two workers on SQLite without Redis: every change shows on both within 1 s | slowest {slowest_s} s
redis-outage | Redis stopped, then back: no 5xx; every approval visible within 1 s of its return | {errors_5xx} 5xx, {visibility_after_return.stale_answers} stale
smtp-outage | Mail server refusing, then back: every email delivered, once | {distinct_delivered} delivered, {delivered_twice} twice, {outbox_after_recovery.waiting} left
"""


def read(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def earlier(name: str) -> str:
    """EARLIER for a phase whose figures are not from the last `make soak` (its file is older)."""
    return "" if name in (read("last-run") or [name]) else EARLIER


def idle_runs() -> list[dict]:
    """The idle-drop results, the settings as they are first, each with its settings in words."""
    paths = sorted(OUT.glob("idle-drop*.json"), key=lambda p: (p.stem != "idle-drop", p.stem))
    runs = [json.loads(p.read_text()) for p in paths]
    for run in runs:
        checks = ", CONN_HEALTH_CHECKS = True" if run["conn_health_checks"] else ""
        run["settings"] = f"CONN_MAX_AGE {run['conn_max_age']}{checks}"
    return runs


def seconds_table(phase: dict, first: int | None = None, last: int | None = None) -> list[str]:
    """Requests by the second they were answered (or failed) in, by outcome: those with errors (and
    from ``first`` to ``last``)."""
    errors = [r["second"] for r in phase["traffic"]["by_second"] if r["requests"] != r.get("200", 0)]
    if first is None and not errors:
        return ["None: every request of every second was answered 200.", ""]
    bounds = errors + [bound for bound in (first, last) if bound is not None]
    rows = [r for r in phase["traffic"]["by_second"] if min(bounds) <= r["second"] <= max(bounds)]
    kinds = sorted({k for r in rows for k in r} - {"second", "requests"}, key=lambda k: (k != "200", k))
    cells = [[str(r["second"]), str(r["requests"]), *(str(r.get(k, "")) for k in kinds)] for r in rows]
    return table("second", ["requests", *kinds], cells)


def written() -> list[str]:
    return [f"Written by `make soak` on {datetime.date.today():%Y-%m-%d} from {WRITTEN}", ""]


EARLIER = " (an earlier run)"


def _rows_written(block: str) -> list[list[str]]:
    """The rows of the first table RELIABILITY.md holds now in ``block``, its header first: what an
    earlier run measured."""
    text = REPORT.read_text() if REPORT.exists() else ""
    text = text.split(f"<!-- soak:{block} -->", 1)[-1].split(f"<!-- /soak:{block} -->", 1)[0]
    lines = list(itertools.takewhile(str.strip, text.lstrip("\n").splitlines()))
    lines = [line.strip() for line in lines if line.startswith("|") and set(line) - set("|-: ")]
    return [[cell.strip() for cell in line[1:-1].split(" | ")] for line in lines]


def verdict() -> list[str] | None:
    rows, written = [], {row[0]: row[1:] for row in _rows_written("verdict")[1:] if len(row) == 3}
    for name, text, figure in rows_of(ACCEPTANCE):
        if p := read(name):
            figure = FIGURES_OF.format(figure, **p) + earlier(name)
            rows.append([text, "pass" if p["passed"] else "**FAIL**", figure])
        elif text in written:
            held, figure = written[text]
            rows.append([text, held, figure if figure.endswith(EARLIER) else f"{figure}{EARLIER}"])
    idle = [  # a measurement: without health checks a dropped connection fails once
        [
            f"Idle workers, {run['settings']}: after the drop",
            "–",
            f"{run['failed_after']} of {run['requests_after']} failed",
        ]
        for run in idle_runs()
    ]
    kept = [
        [text, held, figure if figure.endswith(EARLIER) else f"{figure}{EARLIER}"]
        for text, (held, figure) in written.items()
        if text.startswith("Idle workers, ")
    ]
    rows += idle or kept
    return table("acceptance", ["verdict", "figure"], rows, align="---") if rows else None


def machine() -> list[str]:
    facts = common.machine()
    try:
        import redis

        facts["redis"] = redis.Redis.from_url(REDIS_URL, socket_timeout=3).info("server")["redis_version"]
    except Exception:  # noqa: BLE001 - only for the report: the version stays unknown
        facts["redis"] = "?"
    keys = ("cpu", "cores", "memory", "os", "python", "django", "gunicorn", "psycopg", "postgresql", "redis")
    return pairs("\n".join(f"{key} | {{{key}}}" for key in keys), facts)


def setup() -> list[str] | None:
    phase = read("steady") or read("restart")
    return pairs(SETUP, phase | {"pg_db": PG_DB, "redis_url": REDIS_URL}) if phase else None


def figures() -> list[str] | None:
    """A column per phase, steady and restart. A phase not run this time keeps the column an earlier
    run wrote, if its rows are still the template's."""
    labels, titles = [label for label, _ in rows_of(FIGURES)], {"steady": "Steady, {duration:.0f} s"}
    titles["restart"] = "PostgreSQL restarted at {restart_at:.0f} s of {duration:.0f} s"
    header, *written = _rows_written("figures") or [[]]
    columns, cells = [], []
    for name, title in titles.items():
        if p := read(name):
            columns.append(title.format(**p["plan"]) + earlier(name))
            cells.append([FIGURES_OF.format(cell, **p) for _, cell in rows_of(FIGURES)])
        elif [row[0] for row in written] == labels:
            for i in [i for i, column in enumerate(header) if column.startswith(title.split()[0])][:1]:
                columns.append(header[i] if header[i].endswith(EARLIER) else header[i] + EARLIER)
                cells.append([row[i] for row in written])
    rows = [[label, *cells_of_row] for label, *cells_of_row in zip(labels, *cells, strict=True)]
    return table("", columns, rows, align="---") if cells else None


def steady_errors() -> list[str] | None:
    return seconds_table(phase) if (phase := read("steady")) else None


def restart() -> list[str] | None:
    if not (p := read("restart")):
        return None
    rows = [
        [str(a["seq"]), a["public_id"], str(a["due"]), str(a["finished"]), a["outcome"], a.get("steps", "–")]
        + ["; ".join(f"{e['t']} s {e['error']}" for e in a["errors"][:3]) + f" ({len(a['errors'])} in all)"]
        for a in p["approvals"]["retried"]
    ]
    columns = ["article", "due (s)", "finished (s)", "outcome", "steps of the last try", "errors"]
    lines = pairs(RESTART, p) + (table("approval retried", columns, rows) if rows else [])
    lines += seconds_table(p, int(p["plan"]["restart_at"]) - 3, int(p["plan"]["restart_at"]) + 8)
    excerpt = p["logs"]["error_log_excerpt"]  # gunicorn's error log, distinct lines
    return lines + (["```", *excerpt, "```", ""] if excerpt else [])


def idle_drop() -> list[str] | None:
    rows = [
        [run["settings"], run["started"], f"{run['kept_connections']} → {run['terminated']}"]
        + [
            str(run["requests_after"]),
            SOAK_FORMATS["counts"](run["statuses_after"]),
            f"**{run['failed_after']}**",
        ]
        for run in idle_runs()
    ]
    runs = {row[1] for row in rows}  # the earlier runs' rows stay, below: soak/out keeps the last only
    rows += [row for row in _rows_written("idle-drop")[1:] if len(row) == 6 and row[1] not in runs]
    columns = ["run at", "connections kept → ended", "requests after", "statuses", "failed"]
    return table("server settings", columns, rows) if rows else None


def multiworker() -> list[str] | None:
    if not (run := read("multiworker")):
        return None
    rows = []
    for s in run["scenarios"]:
        verdict = "pass" if s["passed"] else "not measured" if not s["warmed"] else "**FAIL**"
        settled = f"**–** (> {s['watched_s']:.0f})" if s["seconds"] is None else f"**{s['seconds']:.2f}**"
        values = s | {"new_answers": s["answers"] - s["old_answers"], "verdict": verdict, "settled": settled}
        rows.append(FIGURES_OF.format(MULTIWORKER_ROW, **values).split(" | "))
    columns = [
        "every worker must answer",
        "time until both workers do (s)",
        "first read / first new answer (s)",
    ]
    columns += ["answers after the write: old / new", "old / new answers by worker", "verdict"]
    unchanged = run["workers"]["before"] == run["workers"]["after"]
    return pairs(MULTIWORKER, run | {"unchanged": unchanged}) + table("change", columns, rows, align="---")


def outages() -> list[str] | None:
    lines = []
    if r := read("redis-outage"):
        lines += pairs(REDIS_OUTAGE, r)
    if smtp := read("smtp-outage"):
        lines += pairs(SMTP_OUTAGE, smtp)
    return lines or None


BLOCKS = {
    name.replace("_", "-"): globals()[name]
    for name in ("written", "verdict", "machine", "setup", "figures", "steady_errors", "restart")
    + ("idle_drop", "multiworker", "outages")
}


def write() -> str:
    return str(fill(REPORT, "soak", BLOCKS))
