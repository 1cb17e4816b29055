"""The targets of issue 6 §3, as checks over one database's results.

Latency targets are judged on p95 (the stricter reading of "at most"); the issue sets them for
PostgreSQL, and the same checks are shown for SQLite for comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    measure: Callable[[dict], Any]  # the figure, from the results
    ok: Callable[[Any], bool]
    show: Callable[[Any], str]
    profile: str = ""  # the in-process scenario (measure.py) or "http:<scenario>" to profile on a miss


def _get(results: dict, *path, default=None):
    node: Any = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def _ratio(results: dict, scenario: str):
    rps = _get(results, "http", "scenarios", scenario, "rps")
    static = _get(results, "http", "scenarios", "static", "rps")
    return rps / static if rps and static else None


def _ms(value) -> str:
    return "n/a" if value is None else f"{value:.1f} ms"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


TARGETS = [
    Target(
        "article_queries",
        "Article page: at most 4 SQL queries uncached, none cached",
        lambda r: (
            max(
                _get(r, "article", "queries_uncached_first", default=99),
                _get(r, "article", "queries_uncached_cookie", default=99),
                _get(r, "article", "queries_uncached_anonymous", default=99),
            ),
            _get(r, "article", "queries_cached", default=99),
        ),
        lambda v: v[0] <= 4 and v[1] == 0,
        lambda v: f"{v[0]} uncached, {v[1]} cached",
        "article_uncached",
    ),
    Target(
        "throughput_uncached",
        "Article page throughput uncached ≥ 25% of the static file's",
        lambda r: _ratio(r, "article_uncached"),
        lambda v: v is not None and v >= 0.25,
        _pct,
        "http:article_uncached",
    ),
    Target(
        "throughput_cached",
        "Article page throughput with the page cache ≥ 80% of the static file's",
        lambda r: _ratio(r, "article_cached"),
        lambda v: v is not None and v >= 0.80,
        _pct,
        "http:article_cached",
    ),
    Target(
        "search_p95",
        "Search p95 ≤ 50 ms (10 queries, uncached)",
        lambda r: _get(r, "search", "all", "p95_ms"),
        lambda v: v is not None and v <= 50,
        _ms,
        "search",
    ),
    Target(
        "az_p95",
        "A–Z page (largest letter) p95 ≤ 50 ms (uncached)",
        lambda r: _get(r, "letter", "uncached", "p95_ms"),
        lambda v: v is not None and v <= 50,
        _ms,
        "letter",
    ),
    Target(
        "admin_list_time",
        "Admin article list ≤ 300 ms (p95 of the unfiltered and filtered lists)",
        lambda r: (
            max(
                _get(r, "admin", "changelist", "p95_ms", default=0) or 0,
                _get(r, "admin", "changelist_filtered", "p95_ms", default=0) or 0,
            )
            or None
        ),
        lambda v: v is not None and v <= 300,
        _ms,
        "admin_changelist",
    ),
    Target(
        "admin_list_queries",
        "Admin article list: a constant number of queries (no N+1)",
        lambda r: (
            _get(r, "admin", "changelist", "queries"),
            _get(r, "admin", "changelist_filtered", "queries"),
            _get(r, "admin", "changelist_few", "queries"),
        ),
        lambda v: None not in v and v[0] == v[2],
        lambda v: f"{v[0]} (100 rows) / {v[1]} (filtered) / {v[2]} (few rows)",
        "",
    ),
    Target(
        "history_time",
        "History of an article with 200 versions ≤ 500 ms (p95)",
        lambda r: _get(r, "admin", "history", "p95_ms"),
        lambda v: v is not None and v <= 500,
        _ms,
        "admin_history",
    ),
    Target(
        "approve_time",
        "Approve (publish) an article ≤ 100 ms (p95)",
        lambda r: _get(r, "writes", "approve", "p95_ms"),
        lambda v: v is not None and v <= 100,
        _ms,
        "approve",
    ),
    Target(
        "import_rate",
        "Import ≥ 50 articles/s (1,000 articles)",
        lambda r: _get(r, "writes", "import", "articles_per_s"),
        lambda v: v is not None and v >= 50,
        lambda v: "n/a" if v is None else f"{v:.1f} /s",
        "import",
    ),
    Target(
        "memory",
        "Memory ≤ 90 MB resident per worker after the run",
        lambda r: _get(r, "http", "memory", "max_worker_rss_after_mb"),
        lambda v: v is not None and v <= 90,
        lambda v: "n/a" if v is None else f"{v:.0f} MB",
        "",
    ),
]


def evaluate(results: dict) -> list[tuple[Target, Any, bool | None]]:
    out = []
    for target in TARGETS:
        try:
            value = target.measure(results)
            met = bool(target.ok(value))
        except (TypeError, KeyError):
            value, met = None, None
        out.append((target, value, met))
    return out
