"""Write BENCHMARKS.md from bench/out/<db>/{generate,load,measure,steps}.json and bench/ANALYSIS.md."""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import sqlite3
import subprocess
from pathlib import Path

from bench import common
from bench.targets import TARGETS, evaluate

DBS = ("postgresql", "sqlite")
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def load(db: str) -> dict:
    out = {}
    for name in ("generate", "load", "measure", "steps"):
        path = common.out_dir(db) / f"{name}.json"
        out[name] = json.loads(path.read_text()) if path.exists() else {}
    return {**out["measure"], "http": out["load"], "generate": out["generate"], "steps": out["steps"]}


def get(results: dict, *path, default=None):
    node = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def ms(value) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def num(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def machine() -> list[str]:
    cpu = common.cpu_model(unknown="")
    memory = common.memory_total(unknown="")

    def version(package: str) -> str:
        return common.package_version(package, unknown="not installed")

    postgres = common.postgres_version()
    wrk = "not installed (Python load generator used)"
    if shutil.which("wrk"):
        result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        wrk = (
            (result.stdout + result.stderr).strip().splitlines()[0]
            if (result.stdout + result.stderr)
            else "wrk"
        )
    return [
        f"- CPU: {cpu}; `nproc` = {os.cpu_count()}",
        f"- Memory: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, Django {version('django')}, django-reversion "
        f"{version('django-reversion')}, gunicorn {version('gunicorn')}, whitenoise {version('whitenoise')}, "
        f"psycopg {version('psycopg')}",
        f"- PostgreSQL {postgres} (127.0.0.1:5432, stock configuration); SQLite {sqlite3.sqlite_version}",
        f"- Load generator: {wrk}; profilers: py-spy {version('py-spy')}, pyinstrument {version('pyinstrument')}",
    ]


def row(label: str, cells: list[str]) -> str:
    return "| " + " | ".join([label, *cells]) + " |"


def timing_cells(results: dict, *path, queries_path=None) -> list[str]:
    node = get(results, *path, default={}) or {}
    cells = [ms(node.get("median_ms")), ms(node.get("p95_ms"))]
    if queries_path is not None:
        value = get(results, *queries_path)
        cells.append("–" if value is None else str(value))
    return cells


def write() -> Path:
    results = {db: load(db) for db in DBS}
    present = [db for db in DBS if results[db].get("article") or results[db]["http"]]
    run = json.loads((common.OUT / "run.json").read_text()) if (common.OUT / "run.json").exists() else {}
    lines: list[str] = []
    add = lines.append
    articles = get(results, present[0], "generate", "articles") if present else None
    add("# Benchmarks")
    add("")
    add(
        f"Written by `make bench` ({'bench/'}) on {datetime.date.today():%Y-%m-%d}, with "
        f"{num(articles)} generated articles per database. Every figure below comes from one run of the "
        "benchmark; the reading of the profiles at the end is written by hand and kept in "
        "`bench/ANALYSIS.md`."
    )
    add("")
    add("## Machine")
    add("")
    lines += machine()
    if run:
        add(
            f"- `make bench` took {run['total_s'] / 60:.1f} minutes for {', '.join(NAMES[d] for d in run['databases'])}"
            f" ({num(run['articles'])} articles, {run['duration_s']} s per load run)."
        )
    add("")

    # ---------------------------------------------------------------- headline
    add("## Headline: the article page against a static file of the same size")
    add("")
    add(
        "Requests per second through `make serve`'s gunicorn (2 sync workers, whitenoise, DEBUG off), "
        "under wrk on loopback (2 threads, 16 connections; three interleaved rounds of "
        f"{get(results, present[0], 'http', 'duration_s', default='?') if present else '?'} s per scenario, "
        "each after a 2-s unmeasured warm-up of the same scenario; the median round). The static file holds "
        "the bytes of an article page and is served by whitenoise from the collected static directory, by "
        "the same server, in the same run. wrk shares the 2 cores with the server (and PostgreSQL)."
    )
    add("")
    add(row("", [NAMES[db] + " req/s" for db in present] + [NAMES[db] + " vs static" for db in present]))
    add(row("---", ["---:"] * (2 * len(present))))
    labels = [
        ("static", "Static file (whitenoise)"),
        ("article_cached", f"Article, page cache warm ({common.HOT_ARTICLES} pages in rotation)"),
        ("article_uncached", f"Article, uncached (`sessionid` cookie, {common.SAMPLE_ARTICLES} pages)"),
        ("article_cached_wide", "Article, anonymous, 2,000 pages in rotation"),
    ]
    for key, label in labels:
        rates = [num(get(results[db], "http", "scenarios", key, "rps")) for db in present]
        ratios = []
        for db in present:
            ratio = get(results[db], "http", "scenarios", key, "ratio_to_static")
            ratios.append("100%" if key == "static" else ("–" if ratio is None else f"{ratio * 100:.0f}%"))
        add(row(label, rates + ratios))
    add("")
    for db in present:
        size = get(results[db], "http", "article_bytes")
        memory = get(results[db], "http", "memory", default={}) or {}
        add(
            f"- {NAMES[db]}: page {num(size)} bytes; worker restarts during the load "
            f"(`--max-requests` of `make serve`): {memory.get('worker_restarts', '–')}; "
            f"command: `{get(results[db], 'http', 'command', default='?')}`"
        )
    add("")

    # ---------------------------------------------------------------- targets
    add("## Targets (issue 6 §3)")
    add("")
    add(
        "The targets are set for PostgreSQL on this 2-core machine; SQLite is shown for comparison. "
        "Latency targets are judged on p95."
    )
    add("")
    add(row("Target", [f"{NAMES[db]}" for db in present]))
    add(row("---", ["---"] * len(present)))
    evaluated = {db: evaluate(results[db]) for db in present}
    for index, target in enumerate(TARGETS):
        cells = []
        for db in present:
            _, value, met = evaluated[db][index]
            verdict = "**met**" if met else ("**missed**" if met is False else "not measured")
            try:
                shown = target.show(value) if value is not None else "n/a"
            except (TypeError, ValueError):
                shown = str(value)
            cells.append(f"{shown}: {verdict}")
        add(row(target.text, cells))
    add("")

    # ---------------------------------------------------------------- data set
    add("## The data set")
    add("")
    add(
        "Generated by `bench/generate.py` into a fresh database per run (SQLite file under "
        f"`{common.WORKDIR}`, PostgreSQL database `{common.PG_DB}`), dropped afterwards. Each article: "
        "6 sections with three bullet lists (15 items), 3 alternative names, 4 references from a shared pool, "
        "2 links to other articles, 4 publications (import, two approvals, a minor correction; the last is live) "
        "and 20 django-reversion revisions (real `Version` rows of the article and the 13 rows it follows, "
        "written in bulk), 20 audit events, 4 review records; article 000100 has 200 revisions. "
        "Publications are frozen by `encyclopedia.snapshot.freeze`; the search index is built by "
        "`encyclopedia.search.rebuild()`."
    )
    add("")
    count_keys = [
        "articles",
        "sections",
        "alternative_names",
        "citations",
        "publications",
        "revisions",
        "versions",
        "audit_events",
        "index_entries",
    ]
    add(row("", [NAMES[db] for db in present]))
    add(row("---", ["---:"] * len(present)))
    for key in count_keys:
        add(row(key.replace("_", " "), [num(get(results[db], "generate", "counts", key)) for db in present]))
    for key, label in [
        ("articles_s", "writing the articles (s)"),
        ("search_rebuild_s", "search.rebuild() (s)"),
        ("total_s", "generation in all (s)"),
    ]:
        add(row(label, [num(get(results[db], "generate", "timings", key)) for db in present]))
    for key, label in [("load_s", "load step (s)"), ("measure_s", "measure step (s)")]:
        add(row(label, [num(get(results[db], "steps", key)) for db in present]))
    add("")

    # ---------------------------------------------------------------- public pages in-process
    add("## Public pages, in-process")
    add("")
    add(
        "Django test client in one process, DEBUG off, local-memory cache. *Uncached*: the request carries a "
        "`sessionid` cookie, so the page cache is neither read nor filled (what a signed-in reader gets). "
        "*First view*: uncached, and nothing of the article in the cache yet (afterwards its state is kept "
        'until it changes, its publication and rendered body for good, the linked titles and "links here" '
        "until the next publish). *Anonymous miss*: no cookie, page not in the cache (it is filled). "
        "*Cached*: served from the page cache. Times in ms; Q = SQL queries."
    )
    add("")
    header = []
    for db in present:
        header += [f"{NAMES[db]} median", "p95", "Q"]
    add(row("Page", header))
    add(row("---", ["---:"] * len(header)))
    article_rows = [
        ("Article, first view", ("article", "uncached_first"), ("article", "queries_uncached_first")),
        ("Article, uncached", ("article", "uncached"), ("article", "queries_uncached_cookie")),
        ("Article, anonymous miss", ("article", "anonymous_miss"), ("article", "queries_uncached_anonymous")),
        ("Article, cached", ("article", "cached"), ("article", "queries_cached")),
    ]
    for label, path, qpath in article_rows:
        cells = []
        for db in present:
            cells += timing_cells(results[db], *path, queries_path=qpath)
        add(row(label, cells))
    for key, label in [
        ("letter", "A–Z page"),
        ("sitemap", "Sitemap"),
        ("feed", "Atom feed"),
        ("api_list", "API list, page 1"),
        ("api_list_last_page", "API list, last page"),
    ]:
        for mode in ("uncached", "cached"):
            cells = []
            for db in present:
                cells += timing_cells(results[db], key, mode, queries_path=(key, f"queries_{mode}"))
            extra = ""
            if key == "letter" and mode == "uncached" and present:
                db = present[0]
                extra = (
                    f" (letter {get(results[db], 'letter', 'letter')}: "
                    f"{num(get(results[db], 'letter', 'entries'))} entries, "
                    f"{num(get(results[db], 'letter', 'size_bytes'))} bytes)"
                )
            add(row(f"{label}, {mode}{extra}", cells))
    cells = []
    for db in present:
        cells += timing_cells(results[db], "search", "all") + ["–"]
    add(row("Search, 10 queries × 10, uncached", cells))
    add("")
    for db in present:
        foreign = get(results[db], "foreign_cores", default={}) or {}
        if foreign:
            add(
                f"- {NAMES[db]}: cores used by others during each part: "
                + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in foreign.items())
            )
    add("")
    add("Search, per query (uncached; ms; results found; SQL queries):")
    add("")
    header = []
    for db in present:
        header += [f"{NAMES[db]} median", "p95", "results", "Q"]
    add(row("Query", header))
    add(row("---", ["---:"] * len(header)))
    queries = (
        list((get(results[present[0]], "search", "queries", default={}) or {}).keys()) if present else []
    )
    for query in queries:
        cells = []
        for db in present:
            node = get(results[db], "search", "queries", query, default={}) or {}
            cells += [
                ms(node.get("median_ms")),
                ms(node.get("p95_ms")),
                num(node.get("results")),
                str(node.get("queries", "–")),
            ]
        add(row(f"`{query}`", cells))
    add("")

    # ---------------------------------------------------------------- admin
    add("## The admin, in-process")
    add("")
    add("Signed in as a superuser (test client). Times in ms; Q = SQL queries; rows = articles listed.")
    add("")
    header = []
    for db in present:
        header += [f"{NAMES[db]} median", "p95", "Q"]
    add(row("Page", header))
    add(row("---", ["---:"] * len(header)))
    admin_rows = [
        ("changelist", "Article list, no filter (page 1 of all articles)"),
        ("changelist_filtered", "Article list, filters: live, disease, review overdue; sorted"),
        ("changelist_few", "Article list, filters: one reviewer, nutrition (few rows)"),
        ("changelist_search", "Article list, search `asthma`"),
        ("history", "History of article 000100 (200 versions)"),
        ("compare", "Compare its oldest and newest versions"),
        ("diff", "Changes since live (diff view) of a draft"),
        ("change_form", "Article change form"),
        ("dashboard", "Review dashboard (/admin/)"),
    ]
    for key, label in admin_rows:
        cells = []
        for db in present:
            cells += timing_cells(results[db], "admin", key, queries_path=("admin", key, "queries"))
        rows_shown = get(results[present[0]], "admin", key, "rows") if present else None
        suffix = f" ({rows_shown} rows)" if key.startswith("changelist") and rows_shown is not None else ""
        add(row(label + suffix, cells))
    add("")

    # ---------------------------------------------------------------- writes
    add("## Writes, in-process")
    add("")
    header = [NAMES[db] for db in present]
    add(row("", header))
    add(row("---", ["---:"] * len(header)))
    add(
        row(
            "Approve and publish (`editorial.actions.approve`), median / p95 ms",
            [
                f"{ms(get(results[db], 'writes', 'approve', 'median_ms'))} / {ms(get(results[db], 'writes', 'approve', 'p95_ms'))}"
                for db in present
            ],
        )
    )
    add(
        row(
            "Approve: SQL queries",
            [str(get(results[db], "writes", "approve", "queries", default="–")) for db in present],
        )
    )
    add(
        row(
            "Submit for review, median / p95 ms",
            [
                f"{ms(get(results[db], 'writes', 'approve', 'submit', 'median_ms'))} / "
                f"{ms(get(results[db], 'writes', 'approve', 'submit', 'p95_ms'))}"
                for db in present
            ],
        )
    )
    add(
        row(
            "Import 1,000 generated pages (`manage.py import_articles`), articles/s",
            [num(get(results[db], "writes", "import", "articles_per_s"), 1) for db in present],
        )
    )
    add(
        row(
            "Import: ms per article",
            [num(get(results[db], "writes", "import", "ms_per_article"), 1) for db in present],
        )
    )
    add(
        row(
            "Import: command summary",
            [str(get(results[db], "writes", "import", "summary", default="–"))[:90] for db in present],
        )
    )
    add("")

    # ---------------------------------------------------------------- HTTP detail and memory
    add("## Load runs in detail")
    add("")
    header = []
    for db in present:
        header += [f"{NAMES[db]} req/s per round", "p50 ms", "p99 ms", "errors", "others' cores"]
    add(row("Scenario", header))
    add(row("---", ["---:"] * len(header)))
    for key, label in labels:
        cells = []
        for db in present:
            node = get(results[db], "http", "scenarios", key, default={}) or {}
            rounds = " / ".join(num(r.get("rps")) for r in node.get("rounds", []))
            cells += [
                rounds or "–",
                ms(node.get("latency_p50_ms")),
                ms(node.get("latency_p99_ms")),
                str(node.get("non_2xx_3xx", "–")),
                num(node.get("foreign_cores_max"), 2),
            ]
        add(row(label, cells))
    add("")
    add(
        "*Others' cores*: CPU used meanwhile by processes that are not the benchmark's (other people's tests "
        "on the shared machine), the largest of the rounds; each run waits for a quiet moment first, and a "
        "round during which others used more than 0.25 cores is run once more. The figure is the median round."
    )
    add("")
    if any(get(results[db], "http", "no_recycling") for db in present):
        add(
            "Diagnostic: the same server **without** `--max-requests` (no worker is replaced during the run, "
            "so its local-memory page cache and memoised citations survive); one run each:"
        )
        add("")
        add(row("", [f"{NAMES[db]} req/s" for db in present] + [f"{NAMES[db]} vs static" for db in present]))
        add(row("---", ["---:"] * (2 * len(present))))
        for key, label in labels[:3]:
            rates = [num(get(results[db], "http", "no_recycling", "scenarios", key, "rps")) for db in present]
            ratios = []
            for db in present:
                ratio = get(results[db], "http", "no_recycling", "scenarios", key, "ratio_to_static")
                ratios.append(
                    "100%" if key == "static" else ("–" if ratio is None else f"{ratio * 100:.0f}%")
                )
            add(row(label, rates + ratios))
        add("")
    add(row("Memory (RSS)", [NAMES[db] for db in present]))
    add(row("---", ["---:"] * len(present)))
    for key, label in [
        ("worker_rss_after_mb", "each worker after the run (MB)"),
        ("peak_worker_rss_mb", "largest worker during the run (MB)"),
        ("master_rss_mb", "gunicorn master (MB)"),
        ("workers_seen", "worker processes seen (restarts included)"),
    ]:
        cells = []
        for db in present:
            value = get(results[db], "http", "memory", key)
            cells.append(
                ", ".join(f"{v:.0f}" for v in value.values()) if isinstance(value, dict) else num(value)
            )
        add(row(label, cells))
    add("")

    # ---------------------------------------------------------------- profiles
    add("## Profiles of the missed targets")
    add("")
    add(
        "Taken automatically by the run for each missed target: pyinstrument in-process "
        "(`bench/out/<db>/profile-*.txt`), py-spy on both gunicorn workers for a missed throughput target "
        "(`bench/out/<db>/pyspy-*.txt`, collapsed stacks). Shown: the project's functions by inclusive "
        "time, and the functions with the most self time."
    )
    add("")
    profiled = False
    for db in present:
        profiles = {
            **(get(results[db], "profiles", default={}) or {}),
            **{f"http:{k}": v for k, v in (get(results[db], "http", "profiles", default={}) or {}).items()},
        }
        profiled = profiled or bool(profiles)
        for name, profile in profiles.items():
            add(f"### {NAMES[db]}: {name} ({profile.get('profiler')}, {profile.get('total_s')} s sampled)")
            add("")
            add("| project function (inclusive) | share | | self time | share |")
            add("| --- | ---: | --- | --- | ---: |")
            inclusive = profile.get("project_inclusive", [])[:10]
            selfs = profile.get("self", [])[:10]
            for index in range(max(len(inclusive), len(selfs))):
                left = inclusive[index] if index < len(inclusive) else None
                right = selfs[index] if index < len(selfs) else None
                add(
                    "| "
                    + " | ".join(
                        [
                            f"`{left['function']}`" if left else "",
                            f"{left['share'] * 100:.0f}%" if left else "",
                            "",
                            f"`{right['function']}`" if right else "",
                            f"{right['share'] * 100:.0f}%" if right else "",
                        ]
                    )
                    + " |"
                )
            add("")
    if not profiled:
        add("Every target was met in this run, so none was profiled.")
        add("")
    analysis = common.ROOT / "bench" / "ANALYSIS.md"
    if analysis.exists():
        add(analysis.read_text().strip())
        add("")

    # ---------------------------------------------------------------- reproduce
    add("## How to reproduce")
    add("")
    add("```sh")
    add(
        "make bench                                      # 10,000 articles, SQLite then PostgreSQL (127.0.0.1:5432, user postgres);"
    )
    add(
        "                                                # installs wrk (apt) and the profilers (bench/requirements.txt)"
    )
    add("make bench BENCH_ARTICLES=1000                  # a smaller, faster run")
    add('make bench ARGS="--db postgresql --keep"        # one database, kept afterwards for investigation')
    add(".venv/bin/python -m bench.run --report-only     # rewrite BENCHMARKS.md from bench/out/")
    add("```")
    add("")
    add(
        f"The server listens on 127.0.0.1:{common.PORT} (`BENCH_PORT`, 8040–8049); scratch files go to "
        f"`{common.WORKDIR}` (`BENCH_WORKDIR`); raw results to `bench/out/`. The benchmark needs PostgreSQL "
        "on 127.0.0.1:5432 with a `postgres` user allowed to create databases, and port "
        f"{common.PORT} free."
    )
    add("")
    path = common.ROOT / "BENCHMARKS.md"
    path.write_text("\n".join(lines))
    return path


if __name__ == "__main__":
    write()
