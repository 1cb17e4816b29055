"""Fill BENCHMARKS.md's tables from bench/out/<db>/{generate,load,measure,steps}.json.

BENCHMARKS.md is written by hand; each generated part sits between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` and is replaced by ``BLOCKS[NAME]``'s lines (``fill``). Everything else in
the file (the method, the reading of the profiles, what was changed) is left as it is. The tables are
data: a label and the path of its figure in the results (``targets.get``), shown for each database.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench import common, content
from bench.targets import evaluate, get

NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
REPORT = common.ROOT / "BENCHMARKS.md"
SCENARIOS = [
    ("static", "Static file (whitenoise)"),
    ("article_cached", f"Article, page cache warm ({common.HOT_ARTICLES} pages in rotation)"),
    ("article_uncached", f"Article, signed-in reader (page cache skipped, {common.SAMPLE_ARTICLES} pages)"),
    ("long_tail", "Long tail: each request a different article, caches emptied first"),
    ("search", f"Search, {len(content.SEARCH_QUERIES)} common queries in rotation (page cache skipped)"),
]
SETUPS = {
    "postgresql": "Production: PostgreSQL and Redis (`REDIS_URL`)",
    "sqlite": "Embedded default: SQLite, no Redis (the shared store a disk cache)",
}
HEADLINE_GOALS = {  # scenario: issue 15's goal, and the targets (targets.py) that judge it
    "article_cached": ("≥ 0.90", ("throughput_cached",)),
    "article_uncached": ("≥ 0.35", ("throughput_uncached",)),
    "long_tail": ("≥ 0.25", ("throughput_long_tail",)),
    "search": ("≥ 0.10, p95 ≤ 20 ms", ("throughput_search", "search_load_p95")),
    "static": ("the reference", ()),
}
PAGES = [("letter", "A–Z page"), ("sitemap", "Sitemap"), ("feed", "Atom feed")]
PAGES += [("api_list", "API list, page 1"), ("api_list_last_page", "API list, last page")]
PUBLIC_PAGES = [  # label, timing, queries
    ("Article, first view", "article.uncached_first", "article.queries_uncached_first"),
    ("Article, uncached", "article.uncached", "article.queries_uncached_cookie"),
    ("Article, anonymous miss", "article.anonymous_miss", "article.queries_uncached_anonymous"),
    ("Article, cached", "article.cached", "article.queries_cached"),
    *(
        (f"{label}, {mode}", f"{key}.{mode}", f"{key}.queries_{mode}")
        for key, label in PAGES
        for mode in ("uncached", "cached")
    ),
    (f"Search, {len(content.SEARCH_QUERIES)} queries × 10, uncached", "search.all", None),
]
ADMIN_PAGES = [
    ("changelist", "Article list, no filter (page 1 of all articles){rows}"),
    ("changelist_filtered", "Article list, filters: live, disease, review overdue; sorted{rows}"),
    ("changelist_few", "Article list, filters: one reviewer, nutrition (few rows){rows}"),
    ("changelist_search", "Article list, search `asthma`{rows}"),
    ("history", "History of article 000100 ({versions} versions)"),
    ("compare", "Compare its oldest and newest versions"),
    ("diff", "Changes since live (diff view) of a draft"),
    ("change_form", "Article change form"),
    ("dashboard", "Review dashboard (/admin/)"),
]
COUNTS = (
    "articles sections alternative_names citations publications revisions versions audit_events index_entries"
)
DATASET = [
    *((key.replace("_", " "), f"generate.counts.{key}") for key in COUNTS.split()),
    ("importing the articles (s)", "generate.timings.articles_s"),
    ("the history of article 000100 (s)", "generate.timings.history_s"),
    ("generation in all (s)", "generate.timings.total_s"),
    ("load step (s)", "steps.load_s"),
    ("measure step (s)", "steps.measure_s"),
]
MEMORY = [
    ("each worker after the run (MB)", "http.memory.worker_rss_after_mb"),
    ("largest worker during the run (MB)", "http.memory.peak_worker_rss_mb"),
    ("gunicorn master (MB)", "http.memory.master_rss_mb"),
    ("worker processes seen (restarts included)", "http.memory.workers_seen"),
]
WRITES = [  # label, the figures' path, how they are shown
    ("Approve and publish (`editorial.actions.approve`), median / p95 ms", "writes.approve", "median_p95"),
    ("Approve: SQL queries", "writes.approve.queries", str),
    ("Submit for review, median / p95 ms", "writes.approve.submit", "median_p95"),
    (
        "Import 1,000 generated pages (`manage.py import_articles`), articles/s",
        "writes.import.articles_per_s",
        1,
    ),
    ("Import: ms per article", "writes.import.ms_per_article", 1),
    ("Import: command summary", "writes.import.summary", lambda v: str(v)[:90]),
]


def ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def num(value: float | dict | None, digits: int = 0) -> str:
    if isinstance(value, dict):
        return ", ".join(num(v, digits) for v in value.values())
    return "–" if value is None else f"{value:,.{digits}f}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def table(
    first: str, columns: list[str], rows: list[list[str]], align: str | list[str] = "---:"
) -> list[str]:
    """A Markdown table: a header, then one line per row (its first cell left-aligned; the others as
    ``align`` says, one for all or one per column)."""
    aligns = [align] * len(columns) if isinstance(align, str) else align
    return ["| " + " | ".join(cells) + " |" for cells in [[first, *columns], ["---", *aligns], *rows]] + [""]


def load(db: str) -> dict:
    parts = {}
    for name in ("generate", "load", "measure", "steps"):
        path = common.out_dir(db) / f"{name}.json"
        parts[name] = json.loads(path.read_text()) if path.exists() else {}
    return {**parts["measure"], "http": parts["load"], "generate": parts["generate"], "steps": parts["steps"]}


def timing_cells(results: dict, timing: str, queries: str | None) -> list[str]:
    node, count = get(results, timing, {}), get(results, queries) if queries else None
    return [ms(node.get("median_ms")), ms(node.get("p95_ms")), "–" if count is None else str(count)]


class Report:
    def __init__(self, results: dict[str, dict]):
        self.results = {db: r for db, r in results.items() if r.get("article") or r["http"]}
        self.first = next(iter(self.results.values()), {})
        self.names = [NAMES[db] for db in self.results]

    def cells(self, fn: Callable[[dict], list[str]]) -> list[str]:
        return [cell for results in self.results.values() for cell in fn(results)]

    def columns(self, first: str, *rest: str) -> list[str]:
        """Each database's columns: its name and ``first``, then ``rest``."""
        return [title for name in self.names for title in (f"{name} {first}", *rest)]

    def figures(self, rows: list[tuple[str, str]], first: str = "") -> list[str]:
        """One figure per database for each (label, path)."""
        return table(
            first,
            self.names,
            [[label, *self.cells(lambda r, p=path: [num(get(r, p))])] for label, path in rows],
        )

    def written(self) -> list[str]:
        articles = num(get(self.first, "generate.articles"))
        return [
            f"Written by `make bench` on {datetime.date.today():%Y-%m-%d}, with {articles} generated articles per database.",
            "",
        ]

    def machine(self) -> list[str]:
        facts, wrk = common.machine(), "not installed"
        if shutil.which("wrk"):
            result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
            wrk = ((result.stdout + result.stderr).strip().splitlines() or ["wrk"])[0]
        lines = [
            f"- CPU: {facts['cpu']}; `nproc` = {facts['cores']}",
            f"- Memory: {facts['memory']}",
            f"- OS: {facts['os']}",
            f"- Python {facts['python']}, Django {facts['django']}, django-reversion {facts['django-reversion']}, "
            f"gunicorn {facts['gunicorn']}, whitenoise {facts['whitenoise']}, psycopg {facts['psycopg']}",
            f"- PostgreSQL {facts['postgresql']} (127.0.0.1:5432, stock configuration); SQLite {facts['sqlite']}",
            f"- Load generator: {wrk}; profilers: py-spy {facts['py-spy']}, pyinstrument {facts['pyinstrument']}",
        ]
        if (common.OUT / "run.json").exists():
            run = json.loads((common.OUT / "run.json").read_text())
            lines.append(
                f"- `make bench` took {run['total_s'] / 60:.1f} minutes for {', '.join(NAMES[d] for d in run['databases'])} "
                f"({num(run['articles'])} articles, {run['duration_s']} s per load run)."
            )
        return [*lines, ""]

    def throughput(self, prefix: str, scenarios: list[tuple[str, str]]) -> list[str]:
        rows = [
            [label, *self.cells(lambda r, k=key: [num(get(r, f"{prefix}.{k}.rps"))])]
            + self.cells(lambda r, k=key: [pct(get(r, f"{prefix}.{k}.ratio_to_static"))])
            for key, label in scenarios
        ]
        return table(
            "", [f"{name} req/s" for name in self.names] + [f"{name} vs static" for name in self.names], rows
        )

    def headline(self) -> list[str]:
        """Issue 15's table, one per setup: each page's rate, its ratio to the static file's, p95,
        Redis round trips and SQL queries per request, the goal and whether it was met."""
        lines = []
        for db, r in self.results.items():
            met = {target.key: verdict for target, _, verdict in evaluate(r)}

            def judged(keys: tuple[str, ...], met: dict = met) -> str:
                verdicts = [met.get(key) for key in keys]
                return "–" if not keys else "not measured" if None in verdicts else MET[all(verdicts)]

            rows = []
            for key, label in [*SCENARIOS[1:], SCENARIOS[0]]:
                node, (goal, keys) = get(r, f"http.scenarios.{key}", {}), HEADLINE_GOALS[key]
                trips = node.get("redis_round_trips_per_request")
                rows.append(
                    [label, num(node.get("rps")), ratio(node.get("ratio_to_static"))]
                    + [ms(node.get("latency_p95_ms")), "no Redis" if trips is None else num(trips, 2)]
                    + [num(get(r, f"http.sql_per_request.{key}"), 1), goal, judged(keys)]
                )
            memory = get(r, "http.memory.worker_rss_after_long_tail_mb")
            rows.append(["Memory per worker after the long-tail run (RSS, MB)", num(memory)] + [""] * 4)
            rows[-1] += ["≤ 90 MB", judged(("memory",))]
            columns = ["req/s", "vs static", "p95 ms", "Redis round trips / request", "SQL queries / request"]
            lines += [
                f"**{SETUPS[db]}**",
                "",
                *table("Page", [*columns, "goal", "met?"], rows, ["---:"] * 5 + ["---"] * 2),
            ]
            long_tail = get(r, "http.scenarios.long_tail", {})
            lines.append(
                f"- Long tail over {num(get(r, 'http.long_tail_articles'))} articles: "
                f"{pct(long_tail.get('first_views'))} of the requests first views. Requests answered with a "
                f"redirect (a search naming an article): {len(get(r, 'http.sql_per_request.redirected', []))}. Page "
                f"{num(get(r, 'http.article_bytes'))} bytes; worker restarts during the load (`--max-requests` "
                f"of `make serve`): {get(r, 'http.memory.worker_restarts', '–')}; command: "
                f"`{get(r, 'http.command', '?')}`"
                + (f" with `REDIS_URL={r['http']['redis_url']}`" if get(r, "http.redis_url") else "")
            )
            lines.append("")
        return lines

    def targets(self) -> list[str]:
        evaluated = [evaluate(r) for r in self.results.values()]
        rows = []
        for index, (target, _, _) in enumerate(evaluated[0] if evaluated else []):
            cells = []
            for results in evaluated:
                _, value, met = results[index]
                verdict = {True: "**met**", False: "**missed**", None: "not measured"}[met]
                cells.append(f"{'n/a' if value is None else target.show(value)}: {verdict}")
            rows.append([target.text, *cells])
        return table("Target", self.names, rows, align="---")

    def public(self) -> list[str]:
        letter = self.first.get("letter", {})
        about = f" (letter {letter.get('letter')}: {num(letter.get('entries'))} entries, {num(letter.get('size_bytes'))} bytes)"
        rows = [
            [
                label + (about if timing == "letter.uncached" else ""),
                *self.cells(lambda r, t=timing, q=queries: timing_cells(r, t, q)),
            ]
            for label, timing, queries in PUBLIC_PAGES
        ]
        lines = table("Page", self.columns("median", "p95", "Q"), rows)
        for db, r in self.results.items():
            foreign = ", ".join(
                f"{k.replace('_', ' ')} {v:.2f}" for k, v in r.get("foreign_cores", {}).items()
            )
            lines.append(f"- {NAMES[db]}: cores used by others during each part: {foreign}")
        return [*lines, ""]

    def search(self) -> list[str]:
        def cells(r: dict, query: str) -> list[str]:
            node = get(r, "search.queries", {}).get(query, {})
            return [
                ms(node.get("median_ms")),
                ms(node.get("p95_ms")),
                num(node.get("results")),
                str(node.get("queries", "–")),
            ]

        rows = [
            [f"`{q}`", *self.cells(lambda r, q=q: cells(r, q))] for q in get(self.first, "search.queries", {})
        ]
        return table("Query", self.columns("median", "p95", "results", "Q"), rows)

    def admin(self) -> list[str]:
        rows = []
        for key, label in ADMIN_PAGES:
            shown = get(self.first, f"admin.{key}.rows")
            versions = num(get(self.first, "admin.history.versions"))
            label = label.format(rows=f" ({shown} rows)" if shown is not None else "", versions=versions)
            rows.append(
                [label, *self.cells(lambda r, k=key: timing_cells(r, f"admin.{k}", f"admin.{k}.queries"))]
            )
        return table("Page", self.columns("median", "p95", "Q"), rows)

    def writes(self) -> list[str]:
        def show(node: object, how: object) -> str:
            if how == "median_p95":
                return f"{ms(node.get('median_ms'))} / {ms(node.get('p95_ms'))}"
            return "–" if node is None else how(node) if callable(how) else num(node, how)

        rows = [
            [
                label,
                *self.cells(lambda r, p=path, h=how: [show(get(r, p, {} if h == "median_p95" else None), h)]),
            ]
            for label, path, how in WRITES
        ]
        return table("", self.names, rows)

    def load_runs(self) -> list[str]:
        def cells(r: dict, key: str) -> list[str]:
            node = get(r, f"http.scenarios.{key}", {})
            rounds = " / ".join(num(run.get("rps")) for run in node.get("rounds", [])) or "–"
            latency = [ms(node.get("latency_p50_ms")), ms(node.get("latency_p99_ms"))]
            return [
                rounds,
                *latency,
                str(node.get("non_2xx_3xx", "–")),
                num(node.get("foreign_cores_max"), 2),
            ]

        rows = [[label, *self.cells(lambda r, k=key: cells(r, k))] for key, label in SCENARIOS]
        return table(
            "Scenario", self.columns("req/s per round", "p50 ms", "p99 ms", "errors", "others' cores"), rows
        )

    def profiles(self) -> list[str]:
        lines = []
        for db, r in self.results.items():
            found = {
                **r.get("profiles", {}),
                **{f"http:{k}": v for k, v in get(r, "http.profiles", {}).items()},
            }
            for name, profile in found.items():
                lines += [
                    f"### {NAMES[db]}: {name} ({profile['profiler']}, {profile['total_s']} s sampled)",
                    "",
                ]
                inclusive, selfs = profile["project_inclusive"][:10], profile["self"][:10]
                rows = []
                for index in range(max(len(inclusive), len(selfs))):
                    row = []
                    for column in (inclusive, selfs):
                        entry = column[index] if index < len(column) else None
                        row += [f"`{entry['function']}`", pct(entry["share"])] if entry else ["", ""]
                    rows.append([row[0], row[1], "", row[2], row[3]])
                aligns = ["---:", "---", "---", "---:"]
                lines += table(
                    "project function (inclusive)", ["share", "", "self time", "share"], rows, aligns
                )
        return lines or ["Every target was met in this run, so none was profiled.", ""]


MET = {True: "**met**", False: "**missed**"}
BLOCKS = {
    "written": Report.written,
    "machine": Report.machine,
    "headline": Report.headline,
    "targets": Report.targets,
    "dataset": lambda report: report.figures(DATASET),
    "public": Report.public,
    "search": Report.search,
    "admin": Report.admin,
    "writes": Report.writes,
    "load": Report.load_runs,
    "no-recycling": lambda report: report.throughput("http.no_recycling.scenarios", SCENARIOS[:3]),
    "memory": lambda report: report.figures(MEMORY, "Memory (RSS)"),
    "profiles": Report.profiles,
}


def fill(path: Path, prefix: str, blocks: dict[str, Callable[[], list[str] | None]]) -> Path:
    """Replace each ``<!-- PREFIX:NAME -->`` block of ``path`` with ``blocks[NAME]()``'s lines; a block
    whose figures are missing (None) keeps what it had. Also the soak's report (soak/report.py)."""
    markers = re.compile(
        rf"(<!-- {prefix}:(?P<name>[\w-]+) -->\n).*?(<!-- /{prefix}:(?P=name) -->)", re.DOTALL
    )
    text = path.read_text()
    found = {match.group("name") for match in markers.finditer(text)}
    if found != set(blocks):
        missing, unknown = sorted(set(blocks) - found), sorted(found - set(blocks))
        raise SystemExit(f"{path}: the {prefix} markers do not match: missing {missing}, unknown {unknown}")

    def replace(match: re.Match[str]) -> str:
        lines = blocks[match.group("name")]()
        return match.group(0) if lines is None else match.group(1) + "\n".join(lines) + "\n" + match.group(3)

    path.write_text(markers.sub(replace, text))
    return path


def write(path: Path = REPORT) -> Path:
    report = Report({db: load(db) for db in NAMES})
    if not report.results:
        raise SystemExit(f"No results in {common.OUT}: run `make bench` first.")
    return fill(
        path, "bench", {name: (lambda method=method: method(report)) for name, method in BLOCKS.items()}
    )
