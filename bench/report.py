"""Fill BENCHMARKS.md's tables from bench/out/<db>/{generate,load,measure,steps}.json, and judge the
targets.

BENCHMARKS.md is written by hand; only what sits between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` is replaced (``fill``), so the analysis stays where people write it. Every
table is data: lines of "label | cell | cell", each cell a template over one database's results
(``{path.to.figure:format}``, see ``Figures``), repeated in a column group per database. Latency
targets are judged on p95; issue 6 sets them for PostgreSQL, SQLite is shown beside it; issue 15's
hold for both setups. The soak's report (soak/report.py) uses the same machinery.
"""

from __future__ import annotations

import datetime
import json
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common, content

NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
SETUPS = {
    "postgresql": "Production: PostgreSQL and Redis (`REDIS_URL`)",
    "sqlite": "Embedded default: SQLite, no Redis (the shared store a disk cache)",
}
MET = {True: "**met**", False: "**missed**", None: "not measured"}
SCENARIOS = {  # the load runs' order; the headline puts the static file last
    "static": "Static file (whitenoise)",
    "article_cached": f"Article, page cache warm ({common.HOT_ARTICLES} pages in rotation)",
    "article_uncached": f"Article, signed-in reader (page cache skipped, {common.SAMPLE_ARTICLES} pages)",
    "long_tail": "Long tail: each request a different article, caches emptied first",
    "search": f"Search, {len(content.SEARCH_QUERIES)} common queries in rotation (page cache skipped)",
    "search_new": "Search, each request a query not asked since the caches were emptied",
}
MEMORY_ROW = "Memory per worker after the long-tail run (RSS, MB)"


def get(results: Any, path: str, default: Any = None) -> Any:
    """``results["a"]["b"]`` for ``"a.b"`` (``"a.0"``: a list's first item), or ``default`` where the
    path is missing."""
    for key in path.split("."):
        if isinstance(results, list) and key.isdigit() and int(key) < len(results):
            results = results[int(key)]
        elif isinstance(results, dict) and key in results:
            results = results[key]
        else:
            return default
    return results


def num(value: Any, digits: int = 0) -> str:
    """1,234 (a dict or list: each value, joined with commas)."""
    if isinstance(value, dict | list):
        return ", ".join(num(v, digits) for v in (value.values() if isinstance(value, dict) else value))
    return f"{value:,.{digits}f}" if isinstance(value, int | float) else str(value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "n": num,
    "n1": lambda v: num(v, 1),
    "n2": lambda v: num(v, 2),
    "ms": lambda v: f"{v:.1f}" if v < 100 else f"{v:,.0f}",
    "pct": lambda v: f"{v * 100:.0f}%",
    "ratio": lambda v: f"{v:.2f}" if v >= 0.1 else f"{v:.3f}",
    "rates": lambda rounds: " / ".join(num(run.get("rps")) for run in rounds) or "–",
    "len": lambda v: str(len(v)),
    "yes": lambda v: "yes" if v else "**no**",
}


class Figures(string.Formatter):
    """``str.format`` over nested results: ``{a.b:ms}`` is ``formats["ms"](results["a"]["b"])``, or a
    format spec Python knows (``{a:,}``). A missing figure is "–", or nothing where the format is one
    of ``notes`` (a note after a figure, with nothing to say)."""

    def __init__(self, formats: dict[str, Callable[[Any], str]], notes: frozenset[str] = frozenset()):
        super().__init__()
        self.formats, self.notes = formats, notes

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return get(kwargs, field_name), field_name

    def format_field(self, value: Any, spec: str) -> str:
        if value is None:
            return "" if spec in self.notes else "–"
        return self.formats[spec](value) if spec in self.formats else format(value, spec)


FIGURES = Figures(FORMATS)


def rows_of(text: str) -> list[list[str]]:
    """The cells of a table written as lines of "cell | cell | ..."."""
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


def table(
    first: str, columns: list[str], rows: list[list[str]], align: str | list[str] = "---:"
) -> list[str]:
    """A Markdown table; its first column left-aligned, the others as ``align`` says (one for all, or
    one per column)."""
    aligns = [align] * len(columns) if isinstance(align, str) else align
    return ["| " + " | ".join(cells) + " |" for cells in [[first, *columns], ["---", *aligns], *rows]] + [""]


def pairs(template: str, values: dict, figures: Figures = FIGURES) -> list[str]:
    """A two-column table from "label | cell" lines, both formatted over ``values``."""
    rows = [
        [figures.format(label, **values), figures.format(cell, **values)] for label, cell in rows_of(template)
    ]
    return table("", [""], rows, align="---")


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
    return Target(text, path, lambda v: v >= least, FORMATS["pct"], f"http:{scenario}", f"≥ {least:.2f}")


def at_most(
    text: str, figure: str | Callable[[dict], Any], limit: float, profile: str = "", goal: str = ""
) -> Target:
    return Target(text, figure, lambda v: v <= limit, profile=profile, goal=goal)


def largest(*paths: str) -> Callable[[dict], Any]:
    """The largest of several figures; None if any is missing."""

    def value(results: dict) -> Any:
        values = [get(results, path) for path in paths]
        return None if None in values else max(values)

    return value


TARGETS = [
    Target(
        "Article page: at most 4 SQL queries uncached, none cached",
        lambda r: (
            largest(*(f"article.queries_uncached_{k}" for k in ("first", "cookie", "anonymous")))(r),
            get(r, "article.queries_cached"),
        ),
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
    at_most(
        "Search matching the largest article p95 ≤ 50 ms (10 queries × 10, uncached)",
        "search_largest.all.p95_ms",
        50,
    ),
    at_most("Infobutton service p95 ≤ 20 ms (uncached, 5 kinds × 120)", "infobutton.all.p95_ms", 20),
    at_most("A–Z page (largest letter) p95 ≤ 50 ms (uncached)", "letter.uncached.p95_ms", 50, "letter"),
    at_most(
        "Admin article list ≤ 300 ms (p95 of the unfiltered and filtered lists)",
        largest("admin.changelist.p95_ms", "admin.changelist_filtered.p95_ms"),
        300,
        "admin_changelist",
    ),
    Target(
        "Admin article list: a constant number of queries (no N+1)",
        lambda r: tuple(get(r, f"admin.changelist{k}.queries") for k in ("", "_filtered", "_few")),
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
        lambda r: max(get(r, "http.memory.worker_rss_after_long_tail_mb", {}).values(), default=None),
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
        value = get(results, t.figure) if isinstance(t.figure, str) else t.figure(results)
        measured = value is not None and None not in (value if isinstance(value, tuple) else (value,))
        out.append((t, value, bool(t.ok(value)) if measured else None))
    return out


def missed(results: dict, among: Iterable[str], prefix: str = "") -> list[str]:
    """The scenarios ``among`` to profile, each once: those of the missed targets whose profile starts
    with ``prefix`` (``http:`` for the load runs; measure profiles those in-process too)."""
    judged = [t.profile for t, _, met in evaluate(results) if met is False and t.profile.startswith(prefix)]
    return [name for name in dict.fromkeys(p.removeprefix("http:") for p in judged) if name in among]


def load(db: str) -> dict:
    parts = {}
    for name in ("generate", "load", "measure", "steps"):
        path = common.out_dir(db) / f"{name}.json"
        parts[name] = json.loads(path.read_text()) if path.exists() else {}
    return {**parts["measure"], "http": parts["load"], "generate": parts["generate"], "steps": parts["steps"]}


PAGES = {"sitemap": "Sitemap", "feed": "Atom feed", "api_list": "API list, page 1"}
PAGES["api_list_last_page"] = "API list, last page"


def timing(node: str) -> str:
    """The cells of a timing node's median and p95."""
    return f"{{{node}.median_ms:ms}} | {{{node}.p95_ms:ms}}"


PUBLIC = "\n".join(
    [
        "Page | median | p95 | Q",
        f"Article, first view | {timing('article.uncached_first')} | {{article.queries_uncached_first}}",
        f"Article, uncached | {timing('article.uncached')} | {{article.queries_uncached_cookie}}",
        f"Article, anonymous miss | {timing('article.anonymous_miss')} | {{article.queries_uncached_anonymous}}",
        f"Article, cached | {timing('article.cached')} | {{article.queries_cached}}",
        "A–Z page, uncached (letter {letter.letter}: {letter.entries:n} entries, {letter.size_bytes:n} bytes) | "
        f"{timing('letter.uncached')} | {{letter.queries_uncached}}",
        f"A–Z page, cached | {timing('letter.cached')} | {{letter.queries_cached}}",
        *(
            f"{label}, {kind} | {timing(f'{key}.{kind}')} | {{{key}.queries_{kind}}}"
            for key, label in PAGES.items()
            for kind in ("uncached", "cached")
        ),
        f"Search, {len(content.SEARCH_QUERIES)} queries × 10, uncached | {timing('search.all')} | –",
        f"Search matching the largest article, {len(content.LARGEST_QUERIES)} queries × 10, uncached | "
        f"{timing('search_largest.all')} | –",
    ]
)
ADMIN = "\n".join(
    ["Page | median | p95 | Q"]
    + [
        f"{label} | {timing(f'admin.{key}')} | {{admin.{key}.queries}}"
        for key, label in {
            "changelist": "Article list, no filter (page 1 of all articles) ({admin.changelist.rows} rows)",
            "changelist_filtered": "Article list, filters: live, disease, review overdue; sorted "
            "({admin.changelist_filtered.rows} rows)",
            "changelist_few": "Article list, filters: one reviewer, nutrition (few rows) "
            "({admin.changelist_few.rows} rows)",
            "changelist_search": "Article list, search `asthma` ({admin.changelist_search.rows} rows)",
            "history": "History of article 000100 ({admin.history.versions:n} versions)",
            "compare": "Compare its oldest and newest versions",
            "diff": "Changes since live (diff view) of a draft",
            "change_form": "Article change form",
            "dashboard": "Review dashboard (/admin/)",
        }.items()
    ]
)
WRITES = """|
Approve and publish (`editorial.actions.approve`), median / p95 ms | {writes.approve.median_ms:ms} / {writes.approve.p95_ms:ms}
Approve: SQL queries | {writes.approve.queries}
Submit for review, median / p95 ms | {writes.approve.submit.median_ms:ms} / {writes.approve.submit.p95_ms:ms}
Import 1,000 generated pages (`manage.py import_articles`), articles/s | {writes.import.articles_per_s:n1}
Import: ms per article | {writes.import.ms_per_article:n1}
Import: command summary | {writes.import.summary}"""
INFOBUTTON = "Request | median | p95 | max\n" + "\n".join(
    f"{label} | {timing(f'infobutton.{key}')} | {{infobutton.{key}.max_ms:ms}}"
    for key, label in {
        "exact_code": "exact code",
        "icd_parent": "an ICD-10-CM code under a coded one (found by its parent)",
        "snomed_json": "SNOMED CT, JSON",
        "no_match": "no match",
        "display_name": "display-name fallback (search)",
        "all": "all Infobutton requests",
        "baseline_api": "baseline: an API page, same stack",
    }.items()
)
LOAD = "Scenario | req/s per round | p50 ms | p99 ms | errors | others' cores\n" + "\n".join(
    f"{label} | {{http.scenarios.{key}.rounds:rates}} | {{http.scenarios.{key}.latency_p50_ms:ms}} | "
    f"{{http.scenarios.{key}.latency_p99_ms:ms}} | {{http.scenarios.{key}.non_2xx_3xx}} | "
    f"{{http.scenarios.{key}.foreign_cores_max:n2}}"
    for key, label in SCENARIOS.items()
)
NO_RECYCLING = "| req/s | vs static\n" + "\n".join(
    f"{SCENARIOS[key]} | {{http.no_recycling.scenarios.{key}.rps:n}} | {{http.no_recycling.scenarios.{key}.ratio_to_static:pct}}"
    for key in list(SCENARIOS)[:3]
)
MEMORY = """Memory (RSS) |
each worker after the run (MB) | {http.memory.worker_rss_after_mb:n}
largest worker during the run (MB) | {http.memory.peak_worker_rss_mb:n}
gunicorn master (MB) | {http.memory.master_rss_mb:n}
worker processes seen (restarts included) | {http.memory.workers_seen:n}"""
HEADLINE_NOTE = (
    "- Long tail over {http.long_tail_articles:n} articles: {http.scenarios.long_tail.first_views:pct} of the "
    "requests first views. Requests answered with a redirect (a search naming an article): "
    "{http.sql_per_request.redirected:len}. Page {http.article_bytes:n} bytes; worker restarts during the "
    "load (`--max-requests` of `make serve`): {http.memory.worker_restarts}; command: `{http.command}`"
)


class Report:
    def __init__(self, results: dict[str, dict]):
        self.results = {db: r for db, r in results.items() if r.get("article") or r["http"]}
        self.first = next(iter(self.results.values()), {})

    def grid(self, template: str) -> list[str]:
        """A table from "label | cell" lines (the first the titles), a column group per database."""
        (first, *columns), *rows = rows_of(template)
        titles = [t for db in self.results for t in (f"{NAMES[db]} {columns[0]}".strip(), *columns[1:])]
        cells = [
            [
                FIGURES.format(label, **self.first),
                *(FIGURES.format(c, **r) for r in self.results.values() for c in cells),
            ]
            for label, *cells in rows
        ]
        return table(first, titles, cells)

    def dataset(self) -> list[str]:
        counts = get(self.first, "generate.counts", {})
        rows = [f"{key.replace('_', ' ')} | {{generate.counts.{key}:n}}" for key in counts]
        rows += [
            "importing the articles (s) | {generate.timings.articles_s:n}",
            "the history of article 000100 (s) | {generate.timings.history_s:n}",
            "generation in all (s) | {generate.timings.total_s:n}",
            "load step (s) | {steps.load_s:n}",
            "measure step (s) | {steps.measure_s:n}",
        ]
        return self.grid("|\n" + "\n".join(rows))

    def written(self) -> list[str]:
        articles = num(get(self.first, "generate.articles"))
        return [
            f"Written by `make bench` on {datetime.date.today():%Y-%m-%d}, with {articles} generated articles per database.",
            "",
        ]

    def machine(self) -> list[str]:
        lines = """- CPU: {cpu}; `nproc` = {cores}
- Memory: {memory}
- OS: {os}
- Python {python}, Django {django}, django-reversion {django-reversion}, gunicorn {gunicorn}, whitenoise {whitenoise}, psycopg {psycopg}
- PostgreSQL {postgresql} (127.0.0.1:5432, stock configuration); SQLite {sqlite}
- Load generator: {wrk}; profilers: py-spy {py-spy}, pyinstrument {pyinstrument}"""
        lines = [line.format(**common.machine()) for line in lines.splitlines()]
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
            for key, label in [
                *list(SCENARIOS.items())[1:],
                ("static", SCENARIOS["static"]),
                ("memory", MEMORY_ROW),
            ]:
                mine = [(t.goal, met) for t, _, met in judged if t.profile == f"http:{key}"]
                verdict = MET[None] if any(m is None for _, m in mine) else MET[all(m for _, m in mine)]
                no_goal = "the reference" if key == "static" else "none: what a change costs"
                goal = [", ".join(g for g, _ in mine) or no_goal, verdict if mine else "–"]
                node = f"http.scenarios.{key}"
                trips = (
                    f"{{{node}.redis_round_trips_per_request:n2}}" if get(r, "http.redis_url") else "no Redis"
                )
                template = (
                    f"{{{node}.rps:n}} | {{{node}.ratio_to_static:ratio}} | {{{node}.latency_p95_ms:ms}} | "
                )
                template += f"{trips} | {{http.sql_per_request.{key}:n1}}"
                if key == "memory":
                    template = "{http.memory.worker_rss_after_long_tail_mb:n} |  |  |  | "
                rows.append([label, *FIGURES.format(template, **r).split(" | "), *goal])
            redis = (
                FIGURES.format(" with `REDIS_URL={http.redis_url}`", **r) if get(r, "http.redis_url") else ""
            )
            lines += [f"**{SETUPS[db]}**", ""]
            lines += table("Page", [*columns, "goal", "met?"], rows, ["---:"] * 5 + ["---"] * 2)
            lines += [FIGURES.format(HEADLINE_NOTE, **r) + redis, ""]
        return lines

    def targets(self) -> list[str]:
        judged = list(zip(*(evaluate(r) for r in self.results.values()), strict=True))
        rows = [
            [
                row[0][0].text,
                *(f"{'n/a' if v is None or met is None else t.show(v)}: {MET[met]}" for t, v, met in row),
            ]
            for row in judged
        ]
        return table("Target", [NAMES[db] for db in self.results], rows, align="---")

    def public(self) -> list[str]:
        lines = self.grid(PUBLIC)
        for db, r in self.results.items():
            foreign = ", ".join(
                f"{k.replace('_', ' ')} {v:.2f}" for k, v in r.get("foreign_cores", {}).items()
            )
            lines.append(f"- {NAMES[db]}: cores used by others during each part: {foreign}")
        return [*lines, ""]

    def search(self, part: str = "search") -> list[str]:
        largest = part == "search_largest"
        rows = ["Query | median | p95 | results | Q" + (" | largest shown" if largest else "")]
        for query in get(self.first, f"{part}.queries", {}):
            node = f"{part}.queries.{query}"
            rows.append(f"`{query}` | {timing(node)} | {{{node}.results:n}} | {{{node}.queries}}")
            rows[-1] += f" | {{{node}.largest_on_first_page:yes}}" if largest else ""
        return self.grid("\n".join(rows))

    def search_largest(self) -> list[str]:
        return self.search("search_largest")

    def infobutton(self) -> list[str]:
        return self.grid(INFOBUTTON)

    def admin(self) -> list[str]:
        return self.grid(ADMIN)

    def writes(self) -> list[str]:
        return self.grid(WRITES)

    def load(self) -> list[str]:
        return self.grid(LOAD)

    def no_recycling(self) -> list[str]:
        return self.grid(NO_RECYCLING)

    def memory(self) -> list[str]:
        return self.grid(MEMORY)

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
                rows = [
                    [
                        cell
                        for c in (inclusive, selfs)
                        for cell in (
                            [f"`{c[i]['function']}`", FORMATS["pct"](c[i]["share"])]
                            if i < len(c)
                            else ["", ""]
                        )
                    ]
                    for i in range(max(len(inclusive), len(selfs)))
                ]
                rows = [[*row[:2], "", *row[2:]] for row in rows]
                columns, align = ["share", "", "self time", "share"], ["---:", "---", "---", "---:"]
                lines += table("project function (inclusive)", columns, rows, align)
        return lines or ["Every target was met in this run, so none was profiled.", ""]


BLOCKS = "written machine headline targets dataset public search search-largest infobutton admin writes load "
BLOCKS += "no-recycling memory profiles"


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
