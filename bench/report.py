"""Fill BENCHMARKS.md's tables from bench/out/<db>/{generate,load,measure,steps}.json, and judge the
targets.

BENCHMARKS.md is written by hand; only what sits between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` is replaced (``fill``), so the analysis stays where people write it. Every
table is data: rows of a label and the path of its figure in the results, one column group per
database. Latency targets are judged on p95; issue 6 sets them for PostgreSQL, SQLite is shown beside
it; issue 15's hold for both setups.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common, content
from bench.generate import COUNTED

NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
SETUPS = {
    "postgresql": "Production: PostgreSQL and Redis (`REDIS_URL`)",
    "sqlite": "Embedded default: SQLite, no Redis (the shared store a disk cache)",
}
MET = {True: "**met**", False: "**missed**", None: "not measured"}
SCENARIOS = {  # the headline's order; the load runs' table puts the static file first
    "article_cached": f"Article, page cache warm ({common.HOT_ARTICLES} pages in rotation)",
    "article_uncached": f"Article, signed-in reader (page cache skipped, {common.SAMPLE_ARTICLES} pages)",
    "long_tail": "Long tail: each request a different article, caches emptied first",
    "search": f"Search, {len(content.SEARCH_QUERIES)} common queries in rotation (page cache skipped)",
    "search_new": "Search, each request a query not asked since the caches were emptied",
    "static": "Static file (whitenoise)",
}
LOAD_ORDER = ["static", "article_cached", "article_uncached", "long_tail", "search", "search_new"]
PAGES = {"letter": "A–Z page", "sitemap": "Sitemap", "feed": "Atom feed", "api_list": "API list, page 1"}
PAGES["api_list_last_page"] = "API list, last page"
PUBLIC = [  # label, timing, queries
    ("Article, first view", "article.uncached_first", "article.queries_uncached_first"),
    ("Article, uncached", "article.uncached", "article.queries_uncached_cookie"),
    ("Article, anonymous miss", "article.anonymous_miss", "article.queries_uncached_anonymous"),
    ("Article, cached", "article.cached", "article.queries_cached"),
    *(
        (f"{label}, {m}", f"{k}.{m}", f"{k}.queries_{m}")
        for k, label in PAGES.items()
        for m in ("uncached", "cached")
    ),
    (f"Search, {len(content.SEARCH_QUERIES)} queries × 10, uncached", "search.all", ""),
]
ADMIN = {
    "changelist": "Article list, no filter (page 1 of all articles){rows}",
    "changelist_filtered": "Article list, filters: live, disease, review overdue; sorted{rows}",
    "changelist_few": "Article list, filters: one reviewer, nutrition (few rows){rows}",
    "changelist_search": "Article list, search `asthma`{rows}",
    "history": "History of article 000100 ({versions} versions)",
    "compare": "Compare its oldest and newest versions",
    "diff": "Changes since live (diff view) of a draft",
    "change_form": "Article change form",
    "dashboard": "Review dashboard (/admin/)",
}
DATASET = [(key.replace("_", " "), f"generate.counts.{key}") for key in COUNTED] + [
    ("importing the articles (s)", "generate.timings.articles_s"),
    ("the history of article 000100 (s)", "generate.timings.history_s"),
    ("generation in all (s)", "generate.timings.total_s"),
    ("load step (s)", "steps.load_s"),
    ("measure step (s)", "steps.measure_s"),
]
MEMORY_ROW = "Memory per worker after the long-tail run (RSS, MB)"
MEMORY = [
    ("each worker after the run (MB)", "http.memory.worker_rss_after_mb"),
    ("largest worker during the run (MB)", "http.memory.peak_worker_rss_mb"),
    ("gunicorn master (MB)", "http.memory.master_rss_mb"),
    ("worker processes seen (restarts included)", "http.memory.workers_seen"),
]


def get(results: dict, path: str, default: Any = None) -> Any:
    """``results["a"]["b"]`` for ``"a.b"``, or ``default`` where the path is missing."""
    node: Any = results
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


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


@dataclass(frozen=True)
class Target:
    text: str
    figure: str | Callable[[dict], Any]  # its path in one database's results, or a function of them
    ok: Callable[[Any], bool]
    show: Callable[[Any], str] = lambda v: f"{v:.1f} ms"
    profile: str = ""  # the in-process scenario (measure.py), or "http:<scenario>": profiled on a miss
    goal: str = ""  # in the headline, on the row of its "http:" scenario


def share(name: str, scenario: str, least: float) -> Target:
    """A page's rate as a share of the static file's, at least ``least``."""
    text, path = f"{name} ≥ {least:.0%} of the static file's", f"http.scenarios.{scenario}.ratio_to_static"
    return Target(text, path, lambda v: v >= least, pct, f"http:{scenario}", f"≥ {least:.2f}")


def at_most(
    text: str, figure: str | Callable[[dict], Any], limit: float, profile: str, goal: str = ""
) -> Target:
    return Target(text, figure, lambda v: v <= limit, profile=profile, goal=goal)


def article_queries(r: dict) -> tuple[int, int]:
    uncached = max(get(r, f"article.queries_uncached_{k}", 99) for k in ("first", "cookie", "anonymous"))
    return uncached, get(r, "article.queries_cached", 99)


def admin_list(r: dict) -> float | None:
    return max(get(r, "admin.changelist.p95_ms", 0), get(r, "admin.changelist_filtered.p95_ms", 0)) or None


def admin_queries(r: dict) -> tuple[int | None, ...]:
    return tuple(get(r, f"admin.changelist{k}.queries") for k in ("", "_filtered", "_few"))


def worker_memory(r: dict) -> float | None:
    return max(get(r, "http.memory.worker_rss_after_long_tail_mb", {}).values(), default=None)


TARGETS = [
    Target(
        "Article page: at most 4 SQL queries uncached, none cached",
        article_queries,
        lambda v: v[0] <= 4 and v[1] == 0,
        lambda v: f"{v[0]} uncached, {v[1]} cached",
        "article_uncached",
    ),
    share("Article, page cache warm", "article_cached", 0.90),
    share("Article, signed-in reader", "article_uncached", 0.35),
    share("Long tail", "long_tail", 0.25),
    share("Search (20 queries)", "search", 0.10),
    at_most(
        "Search under load p95 ≤ 20 ms",
        "http.scenarios.search.latency_p95_ms",
        20,
        "http:search",
        "p95 ≤ 20 ms",
    ),
    at_most("Search p95 ≤ 50 ms (in-process, 20 queries × 10, uncached)", "search.all.p95_ms", 50, "search"),
    at_most("A–Z page (largest letter) p95 ≤ 50 ms (uncached)", "letter.uncached.p95_ms", 50, "letter"),
    at_most(
        "Admin article list ≤ 300 ms (p95 of the unfiltered and filtered lists)",
        admin_list,
        300,
        "admin_changelist",
    ),
    Target(
        "Admin article list: a constant number of queries (no N+1)",
        admin_queries,
        lambda v: None not in v and v[0] == v[2],
        lambda v: f"{v[0]} (100 rows) / {v[1]} (filtered) / {v[2]} (few rows)",
    ),
    at_most(
        "History of an article with 200 versions ≤ 500 ms (p95)", "admin.history.p95_ms", 500, "admin_history"
    ),
    at_most("Approve (publish) an article ≤ 100 ms (p95)", "writes.approve.p95_ms", 100, "approve"),
    Target(
        "Import ≥ 50 articles/s (1,000 articles)",
        "writes.import.articles_per_s",
        lambda v: v >= 50,
        lambda v: f"{v:.1f} /s",
        "import",
    ),
    Target(
        "Memory ≤ 90 MB resident per worker after the long-tail run",
        worker_memory,
        lambda v: v <= 90,
        lambda v: f"{v:.0f} MB",
        "http:memory",
        "≤ 90 MB",
    ),
]


def evaluate(results: dict) -> list[tuple[Target, Any, bool | None]]:
    """Each target with its figure and whether it is met (None: not measured)."""
    out = []
    for t in TARGETS:
        try:
            value = get(results, t.figure) if isinstance(t.figure, str) else t.figure(results)
            out.append((t, value, None if value is None else bool(t.ok(value))))
        except (TypeError, KeyError):
            out.append((t, None, None))
    return out


def missed(results: dict, among: Iterable[str], prefix: str = "") -> list[str]:
    """The scenarios ``among`` to profile, each once: those of the missed targets whose profile starts
    with ``prefix`` (``http:`` for the load runs; measure profiles those in-process too)."""
    judged = [t.profile for t, _, met in evaluate(results) if met is False and t.profile.startswith(prefix)]
    return [name for name in dict.fromkeys(p.removeprefix("http:") for p in judged) if name in among]


def table(
    first: str, columns: list[str], rows: list[list[str]], align: str | list[str] = "---:"
) -> list[str]:
    """A Markdown table; its first column left-aligned, the others as ``align`` says (one for all, or
    one per column). The soak's report uses it too."""
    aligns = [align] * len(columns) if isinstance(align, str) else align
    return ["| " + " | ".join(cells) + " |" for cells in [[first, *columns], ["---", *aligns], *rows]] + [""]


def timing(node: dict | None, queries: Any = None, *more: str) -> list[str]:
    """Median and p95 of a timing node, then ``more``, then its SQL queries."""
    node = node or {}
    return [
        ms(node.get("median_ms")),
        ms(node.get("p95_ms")),
        *more,
        "–" if queries is None else str(queries),
    ]


def load(db: str) -> dict:
    parts = {}
    for name in ("generate", "load", "measure", "steps"):
        path = common.out_dir(db) / f"{name}.json"
        parts[name] = json.loads(path.read_text()) if path.exists() else {}
    return {**parts["measure"], "http": parts["load"], "generate": parts["generate"], "steps": parts["steps"]}


Row = tuple[str, Callable[[dict], list[str]]]  # a label, and its cells from one database's results


class Report:
    def __init__(self, results: dict[str, dict]):
        self.results = {db: r for db, r in results.items() if r.get("article") or r["http"]}
        self.first = next(iter(self.results.values()), {})

    def grid(self, first: str, columns: list[str], rows: list[Row]) -> list[str]:
        """One group of ``columns`` per database (the first titled with its name), a row per label."""
        titles = [t for db in self.results for t in (f"{NAMES[db]} {columns[0]}".strip(), *columns[1:])]
        cells = [[label, *(c for r in self.results.values() for c in fn(r))] for label, fn in rows]
        return table(first, titles, cells)

    def figures(self, rows: list[tuple[str, str]], first: str = "") -> list[str]:
        return self.grid(first, [""], [(label, lambda r, p=path: [num(get(r, p))]) for label, path in rows])

    def dataset(self) -> list[str]:
        return self.figures(DATASET)

    def memory(self) -> list[str]:
        return self.figures(MEMORY, "Memory (RSS)")

    def written(self) -> list[str]:
        articles, today = num(get(self.first, "generate.articles")), datetime.date.today()
        return [
            f"Written by `make bench` on {today:%Y-%m-%d}, with {articles} generated articles per database.",
            "",
        ]

    def machine(self) -> list[str]:
        f = common.machine()
        lines = [
            f"- CPU: {f['cpu']}; `nproc` = {f['cores']}",
            f"- Memory: {f['memory']}",
            f"- OS: {f['os']}",
            f"- Python {f['python']}, Django {f['django']}, django-reversion {f['django-reversion']}, "
            f"gunicorn {f['gunicorn']}, whitenoise {f['whitenoise']}, psycopg {f['psycopg']}",
            f"- PostgreSQL {f['postgresql']} (127.0.0.1:5432, stock configuration); SQLite {f['sqlite']}",
            f"- Load generator: {f['wrk']}; profilers: py-spy {f['py-spy']}, "
            f"pyinstrument {f['pyinstrument']}",
        ]
        if (common.OUT / "run.json").exists():
            run = json.loads((common.OUT / "run.json").read_text())
            dbs = ", ".join(NAMES[d] for d in run["databases"])
            lines.append(
                f"- `make bench` took {run['total_s'] / 60:.1f} minutes for {dbs} "
                f"({num(run['articles'])} articles, {run['duration_s']} s per load run)."
            )
        return [*lines, ""]

    def headline(self) -> list[str]:
        """Issue 15's table, one per setup: each page's rate, its ratio to the static file's, p95,
        Redis round trips and SQL queries per request, the goal and whether it was met."""
        columns = ["req/s", "vs static", "p95 ms", "Redis round trips / request", "SQL queries / request"]
        lines = []
        for db, r in self.results.items():
            rows, judged = [], evaluate(r)
            for key, label in [*SCENARIOS.items(), ("memory", MEMORY_ROW)]:
                mine = [(t.goal, met) for t, _, met in judged if t.profile == f"http:{key}"]
                verdict = MET[None] if any(m is None for _, m in mine) else MET[all(m for _, m in mine)]
                no_goal = "the reference" if key == "static" else "none: what a change costs"
                goal = [", ".join(g for g, _ in mine) or no_goal, verdict if mine else "–"]
                node = get(r, f"http.scenarios.{key}", {})
                trips, sql = node.get("redis_round_trips_per_request"), get(r, f"http.sql_per_request.{key}")
                figures = [
                    num(node.get("rps")),
                    ratio(node.get("ratio_to_static")),
                    ms(node.get("latency_p95_ms")),
                ]
                figures += ["no Redis" if trips is None else num(trips, 2), num(sql, 1)]
                if key == "memory":
                    figures = [num(get(r, "http.memory.worker_rss_after_long_tail_mb")), "", "", "", ""]
                rows.append([label, *figures, *goal])
            lines += [
                f"**{SETUPS[db]}**",
                "",
                *table("Page", [*columns, "goal", "met?"], rows, ["---:"] * 5 + ["---"] * 2),
            ]
            redis = f" with `REDIS_URL={get(r, 'http.redis_url')}`" if get(r, "http.redis_url") else ""
            lines += [
                f"- Long tail over {num(get(r, 'http.long_tail_articles'))} articles: "
                f"{pct(get(r, 'http.scenarios.long_tail.first_views'))} of the requests first views. Requests answered "
                f"with a redirect (a search naming an article): {len(get(r, 'http.sql_per_request.redirected', []))}. "
                f"Page {num(get(r, 'http.article_bytes'))} bytes; worker restarts during the load (`--max-requests` of "
                f"`make serve`): {get(r, 'http.memory.worker_restarts', '–')}; command: `{get(r, 'http.command', '?')}`{redis}",
                "",
            ]
        return lines

    def targets(self) -> list[str]:
        judged = list(zip(*(evaluate(r) for r in self.results.values()), strict=True))
        rows = [
            [row[0][0].text, *(f"{'n/a' if v is None else t.show(v)}: {MET[met]}" for t, v, met in row)]
            for row in judged
        ]
        return table("Target", [NAMES[db] for db in self.results], rows, align="---")

    def public(self) -> list[str]:
        letter = self.first.get("letter", {})
        about = f" (letter {letter.get('letter')}: {num(letter.get('entries'))} entries, {num(letter.get('size_bytes'))} bytes)"
        rows = [
            (
                label + (about if path == "letter.uncached" else ""),
                lambda r, p=path, q=q: timing(get(r, p), get(r, q) if q else None),
            )
            for label, path, q in PUBLIC
        ]
        lines = self.grid("Page", ["median", "p95", "Q"], rows)
        for db, r in self.results.items():
            foreign = ", ".join(
                f"{k.replace('_', ' ')} {v:.2f}" for k, v in r.get("foreign_cores", {}).items()
            )
            lines.append(f"- {NAMES[db]}: cores used by others during each part: {foreign}")
        return [*lines, ""]

    def search(self) -> list[str]:
        def cells(r: dict, query: str) -> list[str]:
            node = get(r, "search.queries", {}).get(query, {})
            return timing(node, node.get("queries", "–"), num(node.get("results")))

        rows = [(f"`{q}`", lambda r, q=q: cells(r, q)) for q in get(self.first, "search.queries", {})]
        return self.grid("Query", ["median", "p95", "results", "Q"], rows)

    def admin(self) -> list[str]:
        versions, rows = num(get(self.first, "admin.history.versions")), []
        for key, label in ADMIN.items():
            shown = get(self.first, f"admin.{key}.rows")
            label = label.format(rows="" if shown is None else f" ({shown} rows)", versions=versions)
            rows.append((label, lambda r, k=key: timing(get(r, f"admin.{k}"), get(r, f"admin.{k}.queries"))))
        return self.grid("Page", ["median", "p95", "Q"], rows)

    def writes(self) -> list[str]:
        def figure(
            path: str, show: Callable[[Any], str] = lambda v: num(v, 1)
        ) -> Callable[[dict], list[str]]:
            return lambda r: ["–" if get(r, path) is None else show(get(r, path))]

        def median_p95(path: str) -> Callable[[dict], list[str]]:
            return lambda r: [" / ".join(timing(get(r, path))[:2])]

        rows = [
            (
                "Approve and publish (`editorial.actions.approve`), median / p95 ms",
                median_p95("writes.approve"),
            ),
            ("Approve: SQL queries", figure("writes.approve.queries", str)),
            ("Submit for review, median / p95 ms", median_p95("writes.approve.submit")),
            (
                "Import 1,000 generated pages (`manage.py import_articles`), articles/s",
                figure("writes.import.articles_per_s"),
            ),
            ("Import: ms per article", figure("writes.import.ms_per_article")),
            ("Import: command summary", figure("writes.import.summary", lambda v: str(v)[:90])),
        ]
        return self.grid("", [""], rows)

    def load(self) -> list[str]:
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

        columns = ["req/s per round", "p50 ms", "p99 ms", "errors", "others' cores"]
        return self.grid(
            "Scenario", columns, [(SCENARIOS[k], lambda r, k=k: cells(r, k)) for k in LOAD_ORDER]
        )

    def no_recycling(self) -> list[str]:
        """The diagnostic run's rates: all databases' req/s, then all their ratios to static."""
        runs, names = [get(r, "http.no_recycling.scenarios", {}) for r in self.results.values()], self.results
        rates = [
            (k, [get(s, f"{k}.rps") for s in runs], [get(s, f"{k}.ratio_to_static") for s in runs])
            for k in LOAD_ORDER[:3]
        ]
        rows = [[SCENARIOS[k], *map(num, rps), *map(pct, shares)] for k, rps, shares in rates]
        columns = [f"{NAMES[db]} req/s" for db in names] + [f"{NAMES[db]} vs static" for db in names]
        return table("", columns, rows)

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
                for i in range(max(len(inclusive), len(selfs))):
                    pair = [
                        [f"`{c[i]['function']}`", pct(c[i]["share"])] if i < len(c) else ["", ""]
                        for c in (inclusive, selfs)
                    ]
                    rows.append([*pair[0], "", *pair[1]])
                columns, align = ["share", "", "self time", "share"], ["---:", "---", "---", "---:"]
                lines += table("project function (inclusive)", columns, rows, align)
        return lines or ["Every target was met in this run, so none was profiled.", ""]


BLOCKS = (
    "written machine headline targets dataset public search admin writes load no-recycling memory profiles"
)


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


def write(path: Path = common.ROOT / "BENCHMARKS.md") -> Path:
    report = Report({db: load(db) for db in NAMES})
    if not report.results:
        raise SystemExit(f"No results in {common.OUT}: run `make bench` first.")
    return fill(path, "bench", {name: getattr(report, name.replace("-", "_")) for name in BLOCKS.split()})
