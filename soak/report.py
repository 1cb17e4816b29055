"""Write RELIABILITY.md from soak/out/<phase>.json, as bench/report.py writes BENCHMARKS.md.

Each phase's figures come from its own file, so running one phase again (``--phases steady``)
rewrites the report with the other phase's last figures kept, each dated. When only the
``multiworker`` phase has figures here (a fresh checkout: soak/out is not committed), only its verdict,
command and section are put into the RELIABILITY.md there is, and the rest of it is kept.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path

from bench import common
from soak import config

NAMES = ("steady", "restart")  # the phases in soak/out/<phase>.json, in report order


def title(name: str, phase: dict) -> str:
    plan = phase["plan"]
    if name == "restart":
        return f"PostgreSQL restarted at {plan['restart_at']:.0f} s of {plan['duration']:.0f} s"
    return f"Steady, {plan['duration']:.0f} s"


def load() -> dict[str, dict]:
    phases = {}
    for name in NAMES:
        path = config.OUT / f"{name}.json"
        if path.exists():
            phases[name] = json.loads(path.read_text())
    return phases


def machine() -> list[str]:
    cpu = common.cpu_model(unknown="?")
    memory = common.memory_total(unknown="?")

    def version(package: str) -> str:
        return common.package_version(package, unknown="?")

    postgres = common.postgres_version(config.PG_ADMIN_DSN)
    redis = "?"
    try:
        out = subprocess.run(  # noqa: S603 - a fixed command
            ["redis-cli", "-h", "127.0.0.1", "INFO", "server"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
        found = re.search(r"redis_version:(\S+)", out)
        redis = found.group(1) if found else "?"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return [
        f"- CPU: {cpu}; `nproc` = {os.cpu_count()}; memory {memory}; {platform.platform()}",
        f"- Python {platform.python_version()}, Django {version('django')}, gunicorn {version('gunicorn')}, "
        f"psycopg {version('psycopg')}, redis-py {version('redis')}",
        f"- PostgreSQL {postgres} (127.0.0.1:5432, stock configuration), Redis {redis} (127.0.0.1:6379, db 5)",
        "- The machine is shared: tests and a benchmark may run at the same time, so throughput and latency "
        "are noisy. The load average (1, 5, 15 min) before and after each phase is in the table.",
    ]


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in counts.items()) or "–"


def cell(phase: dict, name: str) -> str:  # noqa: C901 - one table row per branch, kept flat
    t, w, a, s, g = phase["traffic"], phase["whole"], phase["approvals"], phase["server"], phase["logs"]
    lat = t["latency"]
    match name:
        case "requests":
            return f"{t['requests']:,}"
        case "rps":
            return f"{t['rps']:.0f}"
        case "statuses":
            return statuses(t["statuses"])
        case "server_errors":
            return f"**{t['server_errors']}**"
        case "client_errors":
            return str(t["client_errors"])
        case "latency":
            x = lat["all"]
            return f"{ms(x['p50_ms'])} / {ms(x['p95_ms'])} / {ms(x['p99_ms'])}"
        case "latency_split":
            x, y = lat["anonymous"], lat["signed_in"]
            return f"{ms(x['p50_ms'])} / {ms(x['p95_ms'])} · {ms(y['p50_ms'])} / {ms(y['p95_ms'])}"
        case "pages":
            return f"{w['pages_checked']:,} ({w['marked_pages']:,} with markers), {w['distinct_publications_seen']:,}"
        case "mixed":
            return f"**{w['mixed_pages']}**"
        case "unknown":
            return str(w["unknown_publication"])
        case "mismatch":
            return str(w["page_not_its_publication"])
        case "stale":
            extra = f" (at most {w['stale_max_s']} s)" if w["stale_after_commit"] else ""
            return f"{w['stale_after_commit']}{extra}"
        case "regressions":
            return f"{w['reader_regressions']} ({w['reader_regressions_beyond_cache_lifetime']} beyond 300 s)"
        case "approvals":
            return (
                f"{a['attempted']} / {a['succeeded']} ({a['succeeded_first_try']} first try, "
                f"{a['succeeded_after_retry']} after retry) / {a['failed']}"
            )
        case "lost":
            return f"**{a['lost']}**" + (f" ({a['lost_seqs']})" if a["lost"] else "")
        case "live_last":
            return "yes" if not a["live_is_not_last_success"] else f"**no**: {a['live_is_not_last_success']}"
        case "approval_latency":
            return f"{ms(a['p50_ms'])} / {ms(a['p95_ms'])}"
        case "pids":
            restarted = yes(s.get("no_app_restart", s["pids_unchanged"]))
            return (
                f"{restarted} (master {s['master']} throughout; workers {s['workers_before']}, "
                f"PIDs unchanged: {yes(s['pids_unchanged'])})"
            )
        case "log":
            exceptions = ", ".join(f"{k} ×{v}" for k, v in g["exceptions"].items()) or "none"
            return f"{g['internal_server_errors']} “Internal Server Error”; exceptions: {exceptions}"
        case "access":
            return statuses(g["access_log_statuses"])
        case "workers":
            return f"{g['workers_booted']} booted, {g['worker_timeouts']} timeouts, {g['worker_autorestarts']} recycled"
        case "load":
            before, after = phase["load_before"], phase["load_after"]
            return f"{before[0]:.2f} → {after[0]:.2f} (5 min: {before[1]:.2f} → {after[1]:.2f})"
        case "started":
            return phase["started"]
    raise KeyError(name)


ROWS = [
    ("started", "Run at"),
    ("requests", "Requests served (sent and answered or failed)"),
    ("rps", "Requests per second"),
    ("statuses", "Status codes (client side; connection errors by name)"),
    ("server_errors", "Server errors (5xx)"),
    ("client_errors", "Connection errors (refused, reset, timed out)"),
    ("latency", "Latency of 200s, p50 / p95 / p99 (ms)"),
    ("latency_split", "p50 / p95 anonymous · with a session cookie (ms)"),
    ("pages", "Article pages checked; distinct publications seen"),
    ("mixed", "Pages mixing two publications"),
    ("unknown", "Pages naming a publication that does not exist"),
    ("mismatch", "Pages whose text is not the publication they name"),
    ("stale", "Pages older than the live one when requested"),
    ("regressions", "A reader saw an article go back to an older revision"),
    ("approvals", "Approvals attempted / succeeded / failed"),
    ("lost", "Approvals lost"),
    ("live_last", "Each article's live page is its last approval"),
    ("approval_latency", "Edit + submit + approve, p50 / p95 (ms)"),
    ("pids", "No app restart (master unchanged; new workers only from `--max-requests` recycling)"),
    ("log", "gunicorn error log"),
    ("access", "gunicorn access log statuses"),
    ("workers", "Worker events"),
    ("load", "Load average (1 min) before → after"),
]


def seconds_table(phase: dict, first: int, last: int) -> list[str]:
    rows = [r for r in phase["by_second"] if first <= r["second"] <= last]
    kinds = sorted(
        {k for r in rows for k in r if k not in ("second", "requests")}, key=lambda k: (k != "200", k)
    )
    lines = [
        "| second | requests | " + " | ".join(kinds) + " |",
        "|---:|---:|" + "---:|" * len(kinds),
    ]
    for r in rows:
        lines.append(
            f"| {r['second']} | {r['requests']} | " + " | ".join(str(r.get(k, "")) for k in kinds) + " |"
        )
    return lines


def error_seconds(phase: dict) -> list[int]:
    return [r["second"] for r in phase["by_second"] if r["requests"] != r.get("200", 0)]


def last_error(window: dict) -> str:
    delta = window.get("last_error_after_database_back_s")
    if delta is None:
        return "no failed request"
    side = "after" if delta > 0 else "before"
    return f"the last failed request ended {abs(delta):.2f} s {side} the database answered again"


def verdicts(phases: dict[str, dict]) -> list[str]:
    lines = []
    if "steady" in phases:
        p = phases["steady"]
        ok = (
            p["traffic"]["server_errors"] == 0
            and p["traffic"]["client_errors"] == 0
            and p["whole"]["mixed_pages"] == 0
            and p["whole"]["unknown_publication"] == 0
            and p["whole"]["page_not_its_publication"] == 0
            and p["approvals"]["lost"] == 0
            and p["approvals"]["failed"] == 0
        )
        lines.append(
            f"- **Steady: {'pass' if ok else 'FAIL'}.** {p['traffic']['requests']:,} requests, "
            f"{p['traffic']['server_errors']} server errors (target 0), {p['whole']['mixed_pages']} pages mixing "
            f"two publications, every page a publication that exists: "
            f"{yes(p['whole']['unknown_publication'] == 0 and p['whole']['page_not_its_publication'] == 0)}, "
            f"{p['approvals']['succeeded']} of {p['approvals']['attempted']} approvals live or superseded, "
            f"{p['approvals']['lost']} lost."
        )
    if "restart" in phases:
        p = phases["restart"]
        window = p.get("window", {})
        ok = (
            window.get("errors_outside", 1) == 0
            and p["server"].get("no_app_restart", p["server"]["pids_unchanged"])
            and p["approvals"]["lost"] == 0
            and p["approvals"]["failed"] == 0
            and p["whole"]["mixed_pages"] == 0
            and p["whole"]["unknown_publication"] == 0
            and p["whole"]["page_not_its_publication"] == 0
        )
        failed = p["traffic"]["server_errors"] + p["traffic"]["client_errors"]
        lines.append(
            f"- **PostgreSQL restart: {'pass' if ok else 'FAIL'}.** {failed} failed requests, "
            f"{window.get('errors_inside', '?')} inside the restart window and {window.get('errors_outside', '?')} "
            f"outside it; {last_error(window)}; no app restart: {yes(p['server'].get('no_app_restart', p['server']['pids_unchanged']))}; "
            f"approvals that succeeded after retrying: {p['approvals']['succeeded_after_retry']}, "
            f"{p['approvals']['failed']} failed, {p['approvals']['lost']} lost."
        )
    mw = multiworker_run()
    if mw:
        lines.append(multiworker_verdict(mw))
    idle = idle_runs()
    for run in idle:
        settings = f"CONN_MAX_AGE {run['conn_max_age']}" + (
            " with CONN_HEALTH_CHECKS = True" if run["conn_health_checks"] else ""
        )
        lines.append(
            f"- **Idle workers, {settings}: {run['failed_after']} of {run['requests_after']} requests failed** "
            f"after the database ended the workers' {run['terminated']} kept connections."
        )
    default = next((r for r in idle if r["phase"] == "idle-drop"), None)
    checked = next((r for r in idle if r["phase"] == "idle-drop+health-checks"), None)
    if default and checked and default["failed_after"] and not checked["failed_after"]:
        lines.append(
            "- **Proposed change:** `CONN_HEALTH_CHECKS = True` for the default database in config/settings.py "
            "(`dj_database_url.config(..., conn_health_checks=True)`): a worker then checks a kept connection "
            "before reusing it, and the 500 per worker after an outage during a quiet spell goes away."
        )
    return lines


def idle_runs() -> list[dict]:
    """The idle-drop results, the settings as they are first."""
    paths = sorted(config.OUT.glob("idle-drop*.json"), key=lambda p: (p.stem != "idle-drop", p.stem))
    return [json.loads(p.read_text()) for p in paths]


def idle_drop_section() -> list[str]:
    """The idle-drop check, one row per settings variant that has been run."""
    runs = idle_runs()
    if not runs:
        return []
    lines = [
        "### Idle workers after their connections were dropped",
        "",
        "Under load every worker hits the restart and replaces its connection inside the window. A quiet "
        "worker only finds its kept connection dead on its next request. `idle-drop` warms both workers' "
        "connections, ends them with `pg_terminate_backend` (the soak database only; no restart), waits 2 s, "
        "then sends requests that read the database (session cookie, 4 at a time):",
        "",
        "| server settings | run at | connections kept → ended | requests after | statuses | failed |",
        "|---|---|---:|---:|---|---:|",
    ]
    for run in runs:
        settings = f"CONN_MAX_AGE {run['conn_max_age']}" + (
            ", CONN_HEALTH_CHECKS = True (soak/settings.py)" if run["conn_health_checks"] else ""
        )
        lines.append(
            f"| {settings} | {run['started']} | {run['kept_connections']} → {run['terminated']} | "
            f"{run['requests_after']} | {statuses(run['statuses_after'])} | **{run['failed_after']}** |"
        )
    lines += [
        "",
        "Without a health check Django reuses the dead connection once per worker: that request fails with a "
        "500 (OperationalError), the error marks the connection and Django closes it at the end of the request, "
        "and the next request connects afresh. `CONN_HEALTH_CHECKS = True` checks a kept connection before its "
        "first use in each request and reconnects instead.",
        "",
    ]
    return lines


# ---------------------------------------------------------------------- the multiworker phase

MULTIWORKER_VERDICT = "- **Two workers on SQLite without Redis"
MULTIWORKER_BEGIN, MULTIWORKER_END = "<!-- multiworker -->", "<!-- /multiworker -->"
MULTIWORKER_COMMAND = (
    'make soak ARGS="--phases multiworker"        # SQLite, no Redis: a change on both workers within 1 s'
)
CHANGES = {  # scenario: (the change and the process that made it, what every worker must then answer)
    "admin-withdraw": ("Withdrawn in the admin (the worker that answered the form)", "410"),
    "command-withdraw": ("Withdrawn by a command (`manage.py shell -c`, another process)", "410"),
    "command-restore": ("Restored by a command (another process)", "200"),
    "publish": ("Published with a new summary by a command (another process)", "200 with the new summary"),
    "site-data": (
        "Site settings' disclaimer saved by a command (another process)",
        "200 with the new footer",
    ),
}


def multiworker_run() -> dict | None:
    path = config.OUT / "multiworker.json"
    return json.loads(path.read_text()) if path.exists() else None


def figure(scenario: dict) -> str:
    if not scenario.get("warmed", True):
        return "not measured (the change before it never showed)"
    if scenario["seconds"] is None:
        return f"still old after {scenario['watched_s']:.0f} s"
    return f"{scenario['seconds']:.2f} s"


def multiworker_verdict(run: dict) -> str:
    figures = "; ".join(
        f"{CHANGES[s['scenario']][0].split(' (')[0].lower()}: {figure(s)}" for s in run["scenarios"]
    )
    return (
        f"{MULTIWORKER_VERDICT}: {'pass' if run['passed'] else 'FAIL'}.** Time until both workers show a "
        f"change (target {run['limit_s']:.0f} s each): {figures}."
    )


def multiworker_section(run: dict) -> list[str]:
    code = run.get("code") or {}
    changed = code.get("changed_files")
    code_text = f"commit {code.get('commit', '?')}" + (
        f", with {changed} tracked files changed in the working tree" if changed else ""
    )
    store = ", ".join(f"`{name}`" for name in run.get("shared_cache_variables", [])) or "none"
    lines = [
        MULTIWORKER_BEGIN,
        "### Two workers on SQLite without Redis (`multiworker`)",
        "",
        "`make serve`'s default deployment: 2 gunicorn workers, a SQLite file and no `REDIS_URL`. Whatever "
        "process makes a change (the worker that answered the admin, or a command), both workers must show "
        f"it within {run['limit_s']:.0f} s, not when what they cached expires (the page cache keeps a page "
        "for 5 minutes).",
        "",
        f'- Run at {run["started"]} ({code_text}); `make soak ARGS="--phases multiworker"`, {run["total_s"]:.0f} s '
        f"in all ({run['prepare_s']:.0f} s of collectstatic, migrate and set-up). Needs neither PostgreSQL nor "
        "Redis, and creates no database there.",
        f"- Server, the Makefile's `serve` line with the worker's pid added to the access log: `{run['command']}`, "
        "with `DEBUG=0`, `SECRET_KEY`, `ALLOWED_HOSTS=127.0.0.1`, `SECURE_SSL_REDIRECT=0`, session and CSRF "
        f"cookies over plain HTTP, `DATABASE_URL={run['database']}`, a `CACHE_KEY_PREFIX` of its own and no "
        f"`REDIS_URL` (cache directory variables found in config/settings.py and pointed into the work directory: {store}). "
        f"Workers {run['workers']['before']} throughout: {yes(run['workers']['before'] == run['workers']['after'])}.",
        "- Data: a director and four live articles made with the project's functions "
        "(`editorial.actions.publish.publish`), in a `manage.py shell -c` subprocess after `migrate`.",
        f"- Each change: {run['warm_requests']} requests from {run['warm_threads']} threads first, so both "
        "workers have the page as it was (checked "
        f"in the access log); then, the moment the write has returned (its transaction committed), {run['readers']} "
        "threads read the page back to back, every other request with a session cookie (which skips the page "
        f"cache). The figure is the time from the end of the write to the first answer after the last old one, "
        f"with at least {run['streak']} answers after it, all new for {run['hold_s']} s more, from both workers. "
        f"A state still old after {run['watch_s']:.0f} s is reported as such.",
        "",
        "| change | every worker must answer | time until both workers do (s) | first read / first new answer (s) "
        "| answers after the write: old / new | old / new answers by worker | verdict |",
        "|---|---|---:|---|---|---|---|",
    ]
    for s in run["scenarios"]:
        change, expected = CHANGES[s["scenario"]]
        workers = " · ".join(f"{pid}: {c['old']} / {c['new']}" for pid, c in sorted(s["by_worker"].items()))
        seconds = f"**{s['seconds']:.2f}**" if s["seconds"] is not None else f"**–** (> {s['watched_s']:.0f})"
        first = " / ".join("–" if s[k] is None else f"{s[k]:.2f}" for k in ("first_read_s", "first_new_s"))
        old = s["old_answers"]
        verdict = "pass" if s["passed"] else ("not measured" if not s.get("warmed", True) else "**FAIL**")
        lines.append(
            f"| {change} | {expected} | {seconds} | {first} | {old:,} / {s['answers'] - old:,} | {workers} "
            f"| {verdict} |"
        )
    lines += ["", MULTIWORKER_END, ""]
    return lines


def splice_multiworker(text: str, run: dict) -> str:
    """Put the multiworker verdict, command and section into an existing RELIABILITY.md, keeping the rest."""
    lines = text.splitlines()
    if MULTIWORKER_BEGIN in lines and MULTIWORKER_END in lines:
        begin, end = lines.index(MULTIWORKER_BEGIN), lines.index(MULTIWORKER_END)
        del lines[begin : end + 1]
        while begin < len(lines) and not lines[begin].strip():
            del lines[begin]
    lines = [line for line in lines if not line.startswith(MULTIWORKER_VERDICT)]
    if "## Verdict" in lines:  # after the list's last item
        heading = lines.index("## Verdict")
        at = heading + 1
        while at < len(lines) and not lines[at].startswith("## "):
            at += 1
        items = [i for i in range(heading, at) if lines[i].startswith("- ")]
        lines.insert((items[-1] if items else heading + 1) + 1, multiworker_verdict(run))
    if not any(line.startswith('make soak ARGS="--phases multiworker"') for line in lines):
        at = next(
            (i for i, line in enumerate(lines) if line.startswith('make soak ARGS="--phases steady"')), None
        )
        if at is not None:
            lines.insert(at + 1, MULTIWORKER_COMMAND)
    at = lines.index("## How the checks work") if "## How the checks work" in lines else len(lines)
    lines[at:at] = multiworker_section(run)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def write() -> Path:
    phases = load()
    mw = multiworker_run()
    if mw and not phases and not idle_runs() and config.REPORT.exists():
        config.REPORT.write_text(splice_multiworker(config.REPORT.read_text(), mw))
        return config.REPORT
    lines: list[str] = []
    add = lines.append
    names = [n for n in NAMES if n in phases]
    any_phase = phases[names[0]] if names else {}
    plan = any_phase.get("plan", {})
    setup = any_phase.get("setup", {})
    add("# Reliability")
    add("")
    add(
        f"Written by `make soak` (`soak/`) on {datetime.date.today():%Y-%m-%d} from the figures of its last "
        "run of each phase (`soak/out/<phase>.json`). The soak serves the site with `make serve`'s gunicorn "
        f"on PostgreSQL and Redis, reads it with {plan.get('readers', 50)} concurrent readers for "
        f"{plan.get('duration', 60):.0f} s while an editor and a reviewer approve an update every second, "
        "and checks that every page is one whole, really published publication and that no approval is lost; "
        "the second phase restarts PostgreSQL halfway."
        + (
            " `multiworker` checks, on SQLite without Redis, that a change shows on both workers within 1 s."
            if mw
            else ""
        )
    )
    add("")
    add("## Verdict")
    add("")
    lines += verdicts(phases)
    add("")
    add("## Machine")
    add("")
    lines += machine()
    add("")
    add("## Commands")
    add("")
    add("```sh")
    run = json.loads((config.OUT / "run.json").read_text()) if (config.OUT / "run.json").exists() else {}
    took = f"{run['total_s'] / 60:.0f} minutes last time" if run.get("total_s") else "a few minutes"
    everything = ", ".join(run.get("phases", ["steady", "restart", "idle-drop", "multiworker"]))
    add(f"make soak                                    # {everything} ({took}); writes RELIABILITY.md")
    add('make soak ARGS="--phases steady"             # one phase; the others\' last figures are kept')
    add(MULTIWORKER_COMMAND)
    add('make soak ARGS="--phases idle-drop --conn-health-checks"   # the proposed settings change')
    add('make soak ARGS="--keep"                      # keep database soak_encyclopedia afterwards')
    add(".venv/bin/python -m soak --report-only       # rewrite this file from soak/out/*.json")
    add("```")
    add("")
    if any_phase:
        add(
            f"- Data: database `{config.PG_DB}` on 127.0.0.1:5432, dropped and created, then "
            f"{setup.get('articles', '?'):,} articles from bench/generate.py's generator "
            f"({setup.get('generate', {}).get('total_s', '?')} s, with collectstatic and migrate as `make serve` "
            "runs them). Redis db 5 (`REDIS_URL=redis://127.0.0.1:6379/5`) is flushed before each phase."
        )
        code = setup.get("code")
        if code:
            changed = code["changed_files"]
            add(
                f"- Code: commit {code['commit']}"
                + (f", with {changed} tracked files changed in the working tree." if changed else ".")
            )
        else:
            add(
                "- Code: the working tree of the day (its commit was not recorded for this run; it held others' "
                "uncommitted changes)."
            )
        add(
            f"- Server, started as the Makefile's `serve` target starts it (CONN_MAX_AGE {any_phase['conn_max_age']}):"
        )
        add("")
        add(f"  `{any_phase['command']}`")
        add("")
        add(
            "  with `DEBUG=0`, `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL`, `REDIS_URL` and "
            "`SECURE_PROXY_SSL_HEADER=1` in its environment (bench/common.py's production-like environment; "
            "`DJANGO_SETTINGS_MODULE=bench.settings` only moves the collected static files out of the tree)."
        )
        add(
            f"- Readers: {plan.get('readers')} threads in {plan.get('reader_processes')} processes, each a keep-alive "
            "HTTP/1.1 client on loopback (gunicorn's sync workers close each connection, so each request opens a "
            f"new one). {plan.get('signed_in_readers')} of them send a session cookie, which skips the shared page "
            f"cache; the rest are anonymous. {plan.get('hot_share', 0) * 100:.0f}% of reads go to the "
            f"{plan.get('hot_articles')} articles the approver changes, the rest to any of the "
            f"{setup.get('articles', '?'):,}."
        )
        add(
            "- Approver: in-process, in the soak's own process, against the same database and Redis: as "
            "`bench-editor` it edits the article as the admin's save does (`check_editable`, a reversion "
            "revision, `record_edit`) and `submit`s it; as `bench-reviewer` it `approve`s it, which publishes a "
            "new frozen Publication and bumps the shared cache generations. One approval a second, the hot "
            "articles in turn; a failed step is retried from the state the article is in, for up to "
            f"{plan.get('retry_for', 30):.0f} s."
        )
        add("")
    add("## Figures")
    add("")
    if names:
        add("| | " + " | ".join(title(n, phases[n]) for n in names) + " |")
        add("|---|" + "---|" * len(names))
        for key, label in ROWS:
            add(f"| {label} | " + " | ".join(cell(phases[n], key) for n in names) + " |")
        add("")
    steady = phases.get("steady")
    if steady:
        anonymous, signed = (
            steady["traffic"]["latency"]["anonymous"],
            steady["traffic"]["latency"]["signed_in"],
        )
        if anonymous["p50_ms"] and signed["p50_ms"] and anonymous["p50_ms"] > 0.8 * signed["p50_ms"]:
            add(
                "Anonymous readers wait about as long as those with a session cookie: half the reads go to the "
                "20 articles being approved, and each approval makes the pages of its article and of the "
                "articles it shows stale, so those are rendered again. Latency is mostly queueing: "
                f"{plan.get('readers')} readers on 2 sync workers, on a machine other jobs were also using."
            )
            add("")
    if "steady" in phases:
        errors = error_seconds(phases["steady"])
        add("### Steady: errors by second")
        add("")
        if errors:
            lines += seconds_table(phases["steady"], min(errors), max(errors))
        else:
            add("None: every request of every second was answered 200.")
        add("")
    if "restart" in phases:
        p = phases["restart"]
        r, window = p.get("restart", {}), p.get("window", {})
        add("### The PostgreSQL restart")
        add("")
        add(
            f"- `{r.get('command')}` sent at {r.get('command_started')} s, returned at {r.get('command_finished')} s "
            f"(exit status {r.get('returncode')})."
        )
        add(
            f"- A probe connecting anew every 0.1 s found the database down from {r.get('database_down', '–')} s "
            f"to {r.get('database_back', '–')} s."
        )
        if window:
            add(
                "- Recovery: the first page read from the database (a reader with a session cookie) was answered "
                f"{window.get('first_database_page_after_back_s', '–')} s after the probe found the database back, "
                "by the same workers, with no restart of the app; no request failed after that."
            )
            add(
                f"- Restart window: {window['window_s'][0]} s to {window['window_s'][1]} s (the command sent until the "
                f"database answered again, plus {window['grace_s']:.0f} s). Failed requests inside it: "
                f"{window['errors_inside']}; outside it: **{window['errors_outside']}**"
                + (f" (e.g. {window['outside_examples']})" if window["errors_outside"] else "")
                + "."
            )
        add(
            f"- No app restart: gunicorn master {p['server']['master']} and workers {p['server']['workers_before']} "
            f"served the whole phase (worker sets seen: {p['server']['worker_sets_seen']})."
        )
        retried = p["approvals"]["retried"]
        if retried:
            add(f"- Approvals that failed at first and were retried ({len(retried)}):")
            add("")
            add("| approval | article | due (s) | finished (s) | outcome | steps of the last try | errors |")
            add("|---:|---|---:|---:|---|---|---|")
            for a in retried:
                errs = "; ".join(f"{e['t']} s {e['error']}" for e in a["errors"][:3])
                if len(a["errors"]) > 3:
                    errs += f"; … {len(a['errors'])} in all"
                add(
                    f"| {a['seq']} | {a['public_id']} | {a['due']} | {a['finished']} | {a['outcome']} | "
                    f"{a.get('steps', '–')} | {errs} |"
                )
            add("")
        errors = error_seconds(p)
        at = int(plan.get("restart_at", 30))
        first = min([at - 3, *errors]) if errors else at - 3
        last = max([at + 8, *errors]) if errors else at + 8
        add("")
        add(
            f"Requests by the second they were answered in (seconds from the start of the phase), {first} s to "
            f"{last} s; a failed request is counted when it failed:"
        )
        add("")
        lines += seconds_table(p, first, last)
        add("")
        excerpt = p["logs"].get("error_log_excerpt") or []
        if excerpt:
            add("From gunicorn's error log (distinct lines):")
            add("")
            add("```")
            lines += excerpt
            add("```")
            add("")
    lines += idle_drop_section()
    if mw:
        lines += multiworker_section(mw)
    add("## How the checks work")
    add("")
    add(
        "- **One whole publication.** Every approval writes “Soak revision N.” (N unique in the whole soak) at "
        "the start of the summary and of every section. A reader accepts a page only if every marker on it is "
        "the same N and the summary and every section carry it (or, for a page never approved in the soak, none "
        "does). After the run each page's publication identity, the JSON-LD `dateModified` (the Publication's "
        "`published_at`, to the microsecond), is looked up in the database: it must be a publication of that "
        "article, and carry the page's marker."
    )
    add(
        "- **Never older than live.** A page is stale if its request was sent after the approver saw a newer "
        "approval of the article commit. Publishing bumps the shared generation counters (at once and again on "
        "commit), so the page cache's 5-minute lifetime should never show: the expected count is 0. A reader's "
        "going back to an older revision of an article is counted too."
    )
    add(
        "- **No lost approval.** Every approval the approver saw succeed must exist as a publication with its "
        "marker, and the article's live publication must carry that marker or a later one; each article's live "
        "marker must be its last successful approval. A failed step is retried from the state the article is in "
        "(an edit, submit or approve whose commit the error hid is not repeated)."
    )
    add(
        "- **Errors.** Status codes and connection errors as the readers saw them, by the second the answer came "
        "(or the connection failed); gunicorn's access and error logs (Django logs each 500's traceback there); the master's and "
        "workers' PIDs sampled twice a second."
    )
    add("")
    config.REPORT.write_text("\n".join(lines))
    return config.REPORT


if __name__ == "__main__":
    print(write())
