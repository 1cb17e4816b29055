"""Fill RELIABILITY.md's figures from soak/out/<phase>.json, as bench/report.py fills BENCHMARKS.md.

RELIABILITY.md is written by hand; each generated part sits between ``<!-- soak:NAME -->`` and
``<!-- /soak:NAME -->`` (``BLOCKS``). Each phase's figures come from its own file, so running one
phase again (``--phases steady``) rewrites its blocks and keeps the other phases' last figures,
each dated; a block whose phase has no figures here (soak/out is not committed) is left as it is.
"""

from __future__ import annotations

import datetime
import json

from bench import common
from bench.report import fill, table
from soak import config

PHASES = {  # the phases of the traffic table, in report order, with their column titles
    "steady": lambda plan: f"Steady, {plan['duration']:.0f} s",
    "restart": lambda plan: f"PostgreSQL restarted at {plan['restart_at']:.0f} s of {plan['duration']:.0f} s",
}
CHANGES = {  # multiworker scenario: (the change and the process that made it, what every worker must answer)
    "admin-withdraw": ("Withdrawn in the admin (the worker that answered the form)", "410"),
    "command-withdraw": ("Withdrawn by a command (`manage.py shell -c`, another process)", "410"),
    "command-restore": ("Restored by a command (another process)", "200"),
    "publish": ("Published with a new summary by a command (another process)", "200 with the new summary"),
    "site-data": (
        "Site settings' disclaimer saved by a command (another process)",
        "200 with the new footer",
    ),
}


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in counts.items()) or "–"


def p50_95(node: dict) -> str:
    return f"{ms(node['p50_ms'])} / {ms(node['p95_ms'])}"


# The traffic table: a label, and the cell as a format string over one phase's results and ``derived``.
ROWS = [
    ("Run at", "{started}"),
    ("Requests served (sent and answered or failed)", "{traffic[requests]:,}"),
    ("Requests per second", "{traffic[rps]:.0f}"),
    ("Status codes (client side; connection errors by name)", "{statuses}"),
    ("Server errors (5xx)", "**{traffic[server_errors]}**"),
    ("Connection errors (refused, reset, timed out)", "{traffic[client_errors]}"),
    ("Latency of 200s, p50 / p95 / p99 (ms)", "{latency[all]} / {latency[p99]}"),
    ("p50 / p95 anonymous · with a session cookie (ms)", "{latency[anonymous]} · {latency[signed_in]}"),
    (
        "Article pages checked; distinct publications seen",
        "{whole[pages_checked]:,} ({whole[marked_pages]:,} with markers), {whole[distinct_publications_seen]:,}",
    ),
    ("Pages mixing two publications", "**{whole[mixed_pages]}**"),
    ("Pages naming a publication that does not exist", "{whole[unknown_publication]}"),
    ("Pages whose text is not the publication they name", "{whole[page_not_its_publication]}"),
    ("Pages older than the live one when requested", "{whole[stale_after_commit]}{stale}"),
    (
        "A reader saw an article go back to an older revision",
        "{whole[reader_regressions]} ({whole[reader_regressions_beyond_cache_lifetime]} beyond 300 s)",
    ),
    (
        "Approvals attempted / succeeded / failed",
        "{approvals[attempted]} / {approvals[succeeded]} ({approvals[succeeded_first_try]} first try, "
        "{approvals[succeeded_after_retry]} after retry) / {approvals[failed]}",
    ),
    ("Approvals lost", "**{approvals[lost]}**{lost}"),
    ("Each article's live page is its last approval", "{live_last}"),
    ("Edit + submit + approve, p50 / p95 (ms)", "{latency[approvals]}"),
    (
        "No app restart (master unchanged; new workers only from `--max-requests` recycling)",
        "{restarted} (master {server[master]} throughout; workers {server[workers_before]}, PIDs unchanged: "
        "{unchanged})",
    ),
    (
        "gunicorn error log",
        "{logs[internal_server_errors]} “Internal Server Error”; exceptions: {exceptions}",
    ),
    ("gunicorn access log statuses", "{access}"),
    (
        "Worker events",
        "{logs[workers_booted]} booted, {logs[worker_timeouts]} timeouts, {logs[worker_autorestarts]} recycled",
    ),
    (
        "Load average (1 min) before → after",
        "{load_before[0]:.2f} → {load_after[0]:.2f} (5 min: {load_before[1]:.2f} → {load_after[1]:.2f})",
    ),
]


def derived(p: dict) -> dict[str, object]:
    """The cells of ``ROWS`` that are more than one figure of the results."""
    latency, approvals, wrong = (
        p["traffic"]["latency"],
        p["approvals"],
        p["approvals"]["live_is_not_last_success"],
    )
    return {
        "statuses": statuses(p["traffic"]["statuses"]),
        "latency": {
            "all": p50_95(latency["all"]),
            "p99": ms(latency["all"]["p99_ms"]),
            "anonymous": p50_95(latency["anonymous"]),
            "signed_in": p50_95(latency["signed_in"]),
            "approvals": p50_95(approvals),
        },
        "stale": f" (at most {p['whole']['stale_max_s']} s)" if p["whole"]["stale_after_commit"] else "",
        "lost": f" ({approvals['lost_seqs']})" if approvals["lost"] else "",
        "live_last": f"**no**: {wrong}" if wrong else "yes",
        "restarted": yes(no_app_restart(p)),
        "unchanged": yes(p["server"]["pids_unchanged"]),
        "exceptions": ", ".join(f"{k} ×{v}" for k, v in p["logs"]["exceptions"].items()) or "none",
        "access": statuses(p["logs"]["access_log_statuses"]),
    }


def no_app_restart(phase: dict) -> bool:
    return phase["server"].get("no_app_restart", phase["server"]["pids_unchanged"])


def read(name: str) -> dict | None:
    path = config.OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def idle_runs() -> list[dict]:
    """The idle-drop results, the settings as they are first."""
    paths = sorted(config.OUT.glob("idle-drop*.json"), key=lambda p: (p.stem != "idle-drop", p.stem))
    return [json.loads(p.read_text()) for p in paths]


def code_text(code: dict) -> str:
    changed = code.get("changed_files")
    return f"commit {code.get('commit', '?')}" + (
        f", with {changed} tracked files changed in the working tree" if changed else ""
    )


class Report:
    def __init__(self) -> None:
        self.phases = {name: phase for name in PHASES if (phase := read(name))}
        self.multiworker = read("multiworker")
        self.idle = idle_runs()

    def written(self) -> list[str]:
        return [
            f"Written by `make soak` on {datetime.date.today():%Y-%m-%d} from the figures of its last run of each phase (`soak/out/<phase>.json`).",
            "",
        ]

    def verdict(self) -> list[str]:
        lines = []
        steady, restart = self.phases.get("steady"), self.phases.get("restart")
        for name, p in (("Steady", steady), ("PostgreSQL restart", restart)):
            if p is None:
                continue
            t, w, a = p["traffic"], p["whole"], p["approvals"]
            whole = w["unknown_publication"] == 0 and w["page_not_its_publication"] == 0
            ok = w["mixed_pages"] == 0 and whole and a["lost"] == 0 and a["failed"] == 0
            if p is steady:
                ok = ok and t["server_errors"] == 0 and t["client_errors"] == 0
                lines.append(
                    f"- **{name}: {'pass' if ok else 'FAIL'}.** {t['requests']:,} requests, {t['server_errors']} "
                    f"server errors (target 0), {w['mixed_pages']} pages mixing two publications, every page a "
                    f"publication that exists: {yes(whole)}, {a['succeeded']} of {a['attempted']} approvals live "
                    f"or superseded, {a['lost']} lost."
                )
                continue
            window = p.get("window", {})
            ok = ok and window.get("errors_outside", 1) == 0 and no_app_restart(p)
            delta = window.get("last_error_after_database_back_s")
            last = (
                "no failed request"
                if delta is None
                else (
                    f"the last failed request ended {abs(delta):.2f} s {'after' if delta > 0 else 'before'} the "
                    "database answered again"
                )
            )
            lines.append(
                f"- **{name}: {'pass' if ok else 'FAIL'}.** {t['server_errors'] + t['client_errors']} failed "
                f"requests, {window.get('errors_inside', '?')} inside the restart window and "
                f"{window.get('errors_outside', '?')} outside it; {last}; no app restart: {yes(no_app_restart(p))}; "
                f"approvals that succeeded after retrying: {a['succeeded_after_retry']}, {a['failed']} failed, "
                f"{a['lost']} lost."
            )
        for run in self.idle:
            lines.append(
                f"- **Idle workers, {idle_settings(run, ' with')}: {run['failed_after']} of {run['requests_after']} "
                f"requests failed** after the database ended the workers' {run['terminated']} kept connections."
            )
        if self.multiworker:
            run = self.multiworker
            figures = "; ".join(
                f"{CHANGES[s['scenario']][0].split(' (')[0].lower()}: {multiworker_figure(s)}"
                for s in run["scenarios"]
            )
            lines.append(
                f"- **Two workers on SQLite without Redis: {'pass' if run['passed'] else 'FAIL'}.** Time until both "
                f"workers show a change (target {run['limit_s']:.0f} s each): {figures}."
            )
        return [*lines, ""] if lines else None

    def machine(self) -> list[str]:
        facts = common.machine()
        try:
            import redis

            version = redis.Redis.from_url(config.REDIS_URL, socket_timeout=3).info("server")["redis_version"]
        except Exception:  # noqa: BLE001 - only for the report: the version stays unknown
            version = "?"
        return [
            f"- CPU: {facts['cpu']}; `nproc` = {facts['cores']}; memory {facts['memory']}; {facts['os']}",
            f"- Python {facts['python']}, Django {facts['django']}, gunicorn {facts['gunicorn']}, psycopg "
            f"{facts['psycopg']}",
            f"- PostgreSQL {facts['postgresql']} (127.0.0.1:5432, stock configuration), Redis "
            f"{version} (127.0.0.1:6379, db 5)",
            "",
        ]

    def setup(self) -> list[str] | None:
        phase = next(iter(self.phases.values()), None)
        if phase is None:
            return None
        setup = phase.get("setup", {})
        generated = setup.get("generate", {}).get("total_s")
        return [
            f"- Data: database `{config.PG_DB}` on 127.0.0.1:5432, dropped and created, then "
            f"{setup.get('articles', '?'):,} articles from bench/generate.py ({generated} s, with collectstatic and "
            f"migrate as `make serve` runs them). Redis db 5 (`REDIS_URL={config.REDIS_URL}`) is flushed before each phase.",
            f"- Code: {code_text(setup.get('code', {}))}.",
            f"- Server, started as the Makefile's `serve` target starts it (CONN_MAX_AGE {phase.get('conn_max_age')}): "
            f"`{phase['command']}`",
            "",
        ]

    def figures(self) -> list[str] | None:
        if not self.phases:
            return None
        columns = [PHASES[name](phase["plan"]) for name, phase in self.phases.items()]
        rows = [
            [label, *(cell.format(**p, **derived(p)) for p in self.phases.values())] for label, cell in ROWS
        ]
        return table("", columns, rows, align="---")

    def steady_errors(self) -> list[str] | None:
        phase = self.phases.get("steady")
        if phase is None:
            return None
        errors = error_seconds(phase)
        if not errors:
            return ["None: every request of every second was answered 200.", ""]
        return seconds_table(phase, min(errors), max(errors))

    def restart(self) -> list[str] | None:
        p = self.phases.get("restart")
        if p is None:
            return None
        r, window, server = p.get("restart", {}), p.get("window", {}), p["server"]
        lines = [
            f"- `{r.get('command')}` sent at {r.get('command_started')} s, returned at {r.get('command_finished')} s "
            f"(exit status {r.get('returncode')}).",
            f"- A probe connecting anew every 0.1 s found the database down from {r.get('database_down', '–')} s "
            f"to {r.get('database_back', '–')} s.",
        ]
        if window:
            outside = f" (e.g. {window['outside_examples']})" if window["errors_outside"] else ""
            lines += [
                "- Recovery: the first page read from the database (a reader with a session cookie) was answered "
                f"{window.get('first_database_page_after_back_s', '–')} s after the probe found the database back.",
                f"- Restart window: {window['window_s'][0]} s to {window['window_s'][1]} s (the command sent until the "
                f"database answered again, plus {window['grace_s']:.0f} s). Failed requests inside it: "
                f"{window['errors_inside']}; outside it: **{window['errors_outside']}**{outside}.",
            ]
        lines += [
            f"- No app restart: gunicorn master {server['master']} and workers {server['workers_before']} served the "
            f"whole phase (worker sets seen: {server['worker_sets_seen']}).",
            "",
        ]
        if p["approvals"]["retried"]:
            lines.append(
                f"Approvals that failed at first and were retried ({len(p['approvals']['retried'])}):"
            )
            lines.append("")
            rows = []
            for a in p["approvals"]["retried"]:
                errors = "; ".join(f"{e['t']} s {e['error']}" for e in a["errors"][:3])
                errors += f"; … {len(a['errors'])} in all" if len(a["errors"]) > 3 else ""
                rows.append([str(a[k]) for k in ("seq", "public_id", "due", "finished", "outcome")])
                rows[-1] += [a.get("steps", "–"), errors]
            lines += table(
                "approval",
                ["article", "due (s)", "finished (s)", "outcome", "steps of the last try", "errors"],
                rows,
            )
        errors, at = error_seconds(p), int(p["plan"].get("restart_at", 30))
        first, last = min([at - 3, *errors]), max([at + 8, *errors])
        lines += [
            f"Requests by the second they were answered in (seconds from the start of the phase), {first} s to "
            f"{last} s; a failed request is counted when it failed:",
            "",
            *seconds_table(p, first, last),
        ]
        excerpt = p["logs"].get("error_log_excerpt") or []
        if excerpt:
            lines += ["From gunicorn's error log (distinct lines):", "", "```", *excerpt, "```", ""]
        return lines

    def idle_drop(self) -> list[str] | None:
        if not self.idle:
            return None
        rows = [
            [
                idle_settings(run, ",", " (bench/settings.py)"),
                run["started"],
                f"{run['kept_connections']} → {run['terminated']}",
                str(run["requests_after"]),
                statuses(run["statuses_after"]),
                f"**{run['failed_after']}**",
            ]
            for run in self.idle
        ]
        return table(
            "server settings",
            ["run at", "connections kept → ended", "requests after", "statuses", "failed"],
            rows,
        )

    def multiworker_run(self) -> list[str] | None:
        run = self.multiworker
        if run is None:
            return None
        store = ", ".join(f"`{name}`" for name in run.get("shared_cache_variables", [])) or "none"
        lines = [
            f"- Run at {run['started']} ({code_text(run.get('code') or {})}); {run['total_s']:.0f} s in all "
            f"({run['prepare_s']:.0f} s of collectstatic, migrate and set-up).",
            f"- Server, the Makefile's `serve` line with the worker's pid added to the access log: `{run['command']}`, "
            f"with `DATABASE_URL={run['database']}` (the shared cache's directory variable pointed into the work "
            f"directory: {store}). Workers {run['workers']['before']} throughout: "
            f"{yes(run['workers']['before'] == run['workers']['after'])}.",
            f"- Each change: {run['warm_requests']} requests from {run['warm_threads']} threads first; then "
            f"{run['readers']} threads read the page back to back. The figure needs at least {run['streak']} answers "
            f"after the last old one, all new for {run['hold_s']} s more, from both workers; a state still old after "
            f"{run['watch_s']:.0f} s is reported as such.",
            "",
        ]
        rows = []
        for s in run["scenarios"]:
            workers = " · ".join(
                f"{pid}: {c['old']} / {c['new']}" for pid, c in sorted(s["by_worker"].items())
            )
            seconds = (
                f"**{s['seconds']:.2f}**" if s["seconds"] is not None else f"**–** (> {s['watched_s']:.0f})"
            )
            first = " / ".join(
                "–" if s[k] is None else f"{s[k]:.2f}" for k in ("first_read_s", "first_new_s")
            )
            verdict = "pass" if s["passed"] else ("not measured" if not s.get("warmed", True) else "**FAIL**")
            answers = f"{s['old_answers']:,} / {s['answers'] - s['old_answers']:,}"
            rows.append([*CHANGES[s["scenario"]], seconds, first, answers, workers, verdict])
        columns = [
            "every worker must answer",
            "time until both workers do (s)",
            "first read / first new answer (s)",
        ]
        columns += ["answers after the write: old / new", "old / new answers by worker", "verdict"]
        return lines + table("change", columns, rows, align="---")

    def outages(self) -> list[str] | None:
        """``redis-outage`` and ``smtp-outage`` (soak/outages.py)."""
        redis, smtp, lines = read("redis-outage"), read("smtp-outage"), []
        if redis:
            seen, medians = redis["visibility_after_return"], redis["median_answer_ms"]
            down, back = redis["healthz_while_down"], redis["healthz_after"]
            last = "none" if seen["last_stale_after_s"] is None else f"{seen['last_stale_after_s']} s"
            lines += [
                f"- **`redis-outage`** ({redis['duration_s']:.0f} s; Redis stopped at {redis['redis_stopped_at_s']} s "
                f"with `SHUTDOWN SAVE`, started again from that snapshot at {redis['redis_back_at_s']} s): "
                f"**{redis['errors_5xx']} 5xx** in {redis['requests']} answers (by status: "
                f"{', '.join(f'{code}: {count}' for code, count in redis['statuses'].items())}); slowest answer "
                f"{redis['slowest_answer_s']} s; median answer {medians['before']} ms before, "
                f"{medians['redis_down']} ms while Redis was down, {medians['after']} ms after.",
                f"- Approvals: {redis['approvals']} ({redis['approvals_during_outage']} while Redis was down), "
                f"{len(redis['approvals_failed'])} failed. From Redis's return, {seen['reads']} reads of every "
                f"article, starting at once: **{seen['stale_answers']} stale** (an older revision than one committed "
                f"before the request was sent; the last one: {last} after the return); the first round over all of "
                f"them ended {seen['slowest_first_visible_s']} s after it. Acceptance, every approval visible within "
                f"1 s of the return: {'pass' if redis['passed_visibility'] else 'FAIL'}.",
                f"- `/healthz` while Redis was down: {down['status']} `{json.dumps(down['body'])}`; after: "
                f"{back['status']} `{json.dumps(back['body'])}`.",
            ]
        if smtp:
            before, after = smtp["outbox_before_recovery"], smtp["outbox_after_recovery"]
            lines.append(
                f"- **`smtp-outage`** ({smtp['duration_s']:.0f} s of approvals, the mail server refusing every "
                f"connection with 554): {smtp['approvals']} approvals, {len(smtp['approvals_failed'])} failed; "
                f"{before['total']} emails in the outbox, {before['waiting']} unsent. After the server recovered, two "
                f"`send_queued_mail --all` at once, twice: **{smtp['distinct_delivered']} delivered, "
                f"{smtp['delivered_twice']} twice**, {after['waiting']} left (in {smtp['delivered_within_s']} s, four "
                f"processes' start-up included): {'pass' if smtp['passed'] else 'FAIL'}."
            )
        return lines or None


def idle_settings(run: dict, joiner: str, where: str = "") -> str:
    checks = f"{joiner} CONN_HEALTH_CHECKS = True{where}" if run["conn_health_checks"] else ""
    return f"CONN_MAX_AGE {run['conn_max_age']}{checks}"


def multiworker_figure(scenario: dict) -> str:
    if not scenario.get("warmed", True):
        return "not measured (the change before it never showed)"
    if scenario["seconds"] is None:
        return f"still old after {scenario['watched_s']:.0f} s"
    return f"{scenario['seconds']:.2f} s"


def error_seconds(phase: dict) -> list[int]:
    return [r["second"] for r in phase["by_second"] if r["requests"] != r.get("200", 0)]


def seconds_table(phase: dict, first: int, last: int) -> list[str]:
    rows = [r for r in phase["by_second"] if first <= r["second"] <= last]
    kinds = sorted(
        {k for r in rows for k in r if k not in ("second", "requests")}, key=lambda k: (k != "200", k)
    )
    cells = [[str(r["second"]), str(r["requests"]), *(str(r.get(k, "")) for k in kinds)] for r in rows]
    return table("second", ["requests", *kinds], cells)


BLOCKS = {
    "written": Report.written,
    "verdict": Report.verdict,
    "machine": Report.machine,
    "setup": Report.setup,
    "figures": Report.figures,
    "steady-errors": Report.steady_errors,
    "restart": Report.restart,
    "idle-drop": Report.idle_drop,
    "multiworker": Report.multiworker_run,
    "outages": Report.outages,
}


def write() -> str:
    report = Report()
    fill(
        config.REPORT,
        "soak",
        {name: (lambda method=method: method(report)) for name, method in BLOCKS.items()},
    )
    return str(config.REPORT)


if __name__ == "__main__":
    print(write())
