"""The targets of issue 6 §3 and, for the pages under load and memory, issue 15, as checks over
one database's results.

Latency targets are judged on p95 (the stricter reading of "at most"); issue 6 sets them for
PostgreSQL, and the same checks are shown for SQLite for comparison. Issue 15's hold for both
setups: production (PostgreSQL and Redis) and the embedded default (SQLite, no Redis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def get(results: dict, path: str, default: Any = None) -> Any:
    """``results["a"]["b"]`` for ``"a.b"``, or ``default`` where the path is missing."""
    node: Any = results
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    measure: Callable[[dict], Any]  # the figure, from the results
    ok: Callable[[Any], bool]
    show: Callable[[Any], str]
    profile: str = ""  # the in-process scenario (measure.py) or "http:<scenario>" to profile on a miss


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _latency(key: str, text: str, path: str, limit: float, profile: str) -> Target:
    """A target on one timing (p95, ms) of the results: at most ``limit``."""
    return Target(key, text, lambda r: get(r, path), lambda v: v <= limit, _ms, profile)


def _throughput(key: str, text: str, scenario: str, share: float) -> Target:
    """A target on a page's rate as a share of the static file's: at least ``share``."""
    path = f"http.scenarios.{scenario}.ratio_to_static"
    return Target(key, text, lambda r: get(r, path), lambda v: v >= share, _pct, f"http:{scenario}")


def _article_queries(r: dict) -> tuple[int, int]:
    uncached = ("uncached_first", "uncached_cookie", "uncached_anonymous")
    return max(get(r, f"article.queries_{k}", 99) for k in uncached), get(r, "article.queries_cached", 99)


def _admin_list_p95(r: dict) -> float | None:
    return max(get(r, "admin.changelist.p95_ms", 0), get(r, "admin.changelist_filtered.p95_ms", 0)) or None


TARGETS = [
    Target(
        "article_queries",
        "Article page: at most 4 SQL queries uncached, none cached",
        _article_queries,
        lambda v: v[0] <= 4 and v[1] == 0,
        lambda v: f"{v[0]} uncached, {v[1]} cached",
        "article_uncached",
    ),
    _throughput(
        "throughput_cached", "Article, page cache warm ≥ 90% of the static file's", "article_cached", 0.90
    ),
    _throughput(
        "throughput_uncached",
        "Article, signed-in reader ≥ 35% of the static file's",
        "article_uncached",
        0.35,
    ),
    _throughput("throughput_long_tail", "Long tail ≥ 25% of the static file's", "long_tail", 0.25),
    _throughput("throughput_search", "Search (20 queries) ≥ 10% of the static file's", "search", 0.10),
    _latency(
        "search_load_p95",
        "Search under load p95 ≤ 20 ms",
        "http.scenarios.search.latency_p95_ms",
        20,
        "http:search",
    ),
    _latency(
        "search_p95",
        "Search p95 ≤ 50 ms (in-process, 20 queries × 10, uncached)",
        "search.all.p95_ms",
        50,
        "search",
    ),
    _latency(
        "az_p95", "A–Z page (largest letter) p95 ≤ 50 ms (uncached)", "letter.uncached.p95_ms", 50, "letter"
    ),
    Target(
        "admin_list_time",
        "Admin article list ≤ 300 ms (p95 of the unfiltered and filtered lists)",
        _admin_list_p95,
        lambda v: v <= 300,
        _ms,
        "admin_changelist",
    ),
    Target(
        "admin_list_queries",
        "Admin article list: a constant number of queries (no N+1)",
        lambda r: tuple(get(r, f"admin.changelist{k}.queries") for k in ("", "_filtered", "_few")),
        lambda v: None not in v and v[0] == v[2],
        lambda v: f"{v[0]} (100 rows) / {v[1]} (filtered) / {v[2]} (few rows)",
    ),
    _latency(
        "history_time",
        "History of an article with 200 versions ≤ 500 ms (p95)",
        "admin.history.p95_ms",
        500,
        "admin_history",
    ),
    _latency(
        "approve_time", "Approve (publish) an article ≤ 100 ms (p95)", "writes.approve.p95_ms", 100, "approve"
    ),
    Target(
        "import_rate",
        "Import ≥ 50 articles/s (1,000 articles)",
        lambda r: get(r, "writes.import.articles_per_s"),
        lambda v: v >= 50,
        lambda v: f"{v:.1f} /s",
        "import",
    ),
    Target(
        "memory",
        "Memory ≤ 90 MB resident per worker after the long-tail run",
        lambda r: max(get(r, "http.memory.worker_rss_after_long_tail_mb", {}).values(), default=None),
        lambda v: v <= 90,
        lambda v: f"{v:.0f} MB",
    ),
]


def evaluate(results: dict) -> list[tuple[Target, Any, bool | None]]:
    """Each target with its figure and whether it is met (None: not measured)."""
    out = []
    for target in TARGETS:
        try:
            value = target.measure(results)
            met = None if value is None else bool(target.ok(value))
        except (TypeError, KeyError):
            value, met = None, None
        out.append((target, value, met))
    return out
