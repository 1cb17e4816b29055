"""After a phase: turn the readers' and the approver's records into the figures and the checks.

* one whole publication: the readers' on-the-spot check (every marker equal, every part marked
  or none), and here, against the database, that the publication each page names (its JSON-LD
  ``dateModified``, which is the Publication's ``published_at``) exists for that article and
  carries the page's marker;
* staleness: no page older than the live publication at the moment its request was sent (the
  approver saw the newer approval commit before the request started), and no reader seeing an
  article go back to an older revision;
* no lost approval: every approval the approver saw succeed is published, and is live or
  superseded by a later one; every article's live revision is its last successful approval;
* errors by second, and the gunicorn logs.
"""

from __future__ import annotations

import collections
import datetime
import re
from typing import Any

from soak.config import marker_of_publication

PAGE_CACHE_LIFETIME_S = 300


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def outcome(record: dict) -> str:
    """200, 5xx, other HTTP status, or the client error (refused, timed out, reset)."""
    if record["error"]:
        return record["error"]
    if record["status"] >= 500:
        return "5xx"
    return str(record["status"])


def traffic(records: list[dict], duration: float) -> dict:
    statuses = collections.Counter(str(r["status"]) if not r["error"] else r["error"] for r in records)
    ok = [r for r in records if r["status"] == 200]
    latency = {}
    for label, subset in (
        ("all", ok),
        ("anonymous", [r for r in ok if not r["signed_in"]]),
        ("signed_in", [r for r in ok if r["signed_in"]]),
    ):
        times = [r["t1"] - r["t0"] for r in subset]
        latency[label] = {
            "requests": len(subset),
            "p50_ms": percentile(times, 0.50),
            "p95_ms": percentile(times, 0.95),
            "p99_ms": percentile(times, 0.99),
            "max_ms": percentile(times, 1.0),
        }
    return {
        "requests": len(records),
        "rps": round(len(records) / duration, 1) if duration else None,
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(1 for r in records if r["status"] >= 500),
        "client_errors": sum(1 for r in records if r["error"]),
        "latency": latency,
    }


def by_second(records: list[dict]) -> list[dict]:
    """Requests by the second they were answered in (when the server's state showed): how each ended.

    By the answer, not the sending: with 50 readers queued on 2 workers a request waits about half
    a second, so one sent just before the restart fails during it.
    """
    seconds: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in records:
        seconds[int(record["t1"])][outcome(record)] += 1
    rows = []
    for second in sorted(seconds):
        counter = seconds[second]
        rows.append({"second": second, "requests": sum(counter.values()), **dict(counter)})
    return rows


def _parse_modified(value: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def publications(public_ids: set[str]) -> dict[str, list[dict]]:
    """Every publication of these articles, oldest first, with its marker."""
    from encyclopedia.models import Publication

    out: dict[str, list[dict]] = collections.defaultdict(list)
    rows = (
        Publication.objects.filter(article__public_id__in=public_ids)
        .select_related("article")
        .only("article__public_id", "published_at", "summary_html", "sections")
        .order_by("published_at", "id")
    )
    for publication in rows.iterator(chunk_size=500):
        marker, consistent = marker_of_publication(publication)
        out[publication.article.public_id].append(
            {"id": publication.pk, "at": publication.published_at, "marker": marker, "consistent": consistent}
        )
    return out


def whole_publications(records: list[dict], approvals: list[dict], start_wall: float) -> dict:
    """Did every page show exactly one publication that was really published, and never an old one?"""
    pages = [r for r in records if r["status"] == 200]
    by_article = publications({r["public_id"] for r in pages})
    index = {(pid, p["at"]): p for pid, items in by_article.items() for p in items}
    # When the approver saw each revision commit (seconds from the phase's start).
    committed = {
        a["seq"]: a["finished_wall"] - start_wall for a in approvals if a["outcome"].startswith("ok")
    }
    mixed = [r for r in pages if not r["whole"]]
    unknown, mismatched, stale = [], [], []
    seen = collections.Counter()
    for record in pages:
        at = _parse_modified(record["modified"])
        publication = index.get((record["public_id"], at))
        if publication is None:
            unknown.append(record)
            continue
        seen[(record["public_id"], publication["id"])] += 1
        if publication["marker"] != record["marker"]:
            mismatched.append(record)
            continue
        # The next publication of the article: was it committed before this request was sent?
        later = [p for p in by_article[record["public_id"]] if p["at"] > publication["at"]]
        if later:
            newer_commit = committed.get(later[0]["marker"])
            if newer_commit is not None and record["t0"] > newer_commit:
                stale.append({**record, "staleness_s": round(record["t0"] - newer_commit, 3)})
    regressions = []
    last: dict[tuple[int, str], tuple[int, float]] = {}
    for record in sorted(pages, key=lambda r: r["t0"]):
        if record["marker"] is None:
            continue
        key = (record["reader"], record["public_id"])
        if key in last and record["marker"] < last[key][0]:
            regressions.append({**record, "after_s": round(record["t0"] - last[key][1], 3)})
        if key not in last or record["marker"] > last[key][0]:
            last[key] = (record["marker"], record["t1"])
    inconsistent = sum(1 for items in by_article.values() for p in items if not p["consistent"])
    return {
        "pages_checked": len(pages),
        "distinct_publications_seen": len(seen),
        "marked_pages": sum(1 for r in pages if r["marker"] is not None),
        "mixed_pages": len(mixed),
        "mixed_examples": [r["reason"] for r in mixed[:5]],
        "unknown_publication": len(unknown),
        "unknown_examples": [(r["public_id"], r["modified"]) for r in unknown[:5]],
        "page_not_its_publication": len(mismatched),
        "stale_after_commit": len(stale),
        "stale_max_s": max((s["staleness_s"] for s in stale), default=None),
        "stale_examples": [
            {k: s[k] for k in ("public_id", "t0", "marker", "staleness_s", "signed_in")} for s in stale[:5]
        ],
        "reader_regressions": len(regressions),
        "reader_regressions_beyond_cache_lifetime": sum(
            1 for r in regressions if r["after_s"] > PAGE_CACHE_LIFETIME_S
        ),
        "regression_max_after_s": max((r["after_s"] for r in regressions), default=None),
        "publications_with_mixed_markers_in_db": inconsistent,
    }


def approvals_check(approvals: list[dict]) -> dict:
    """Every approval the approver saw succeed is published and live or superseded; none is lost."""
    from encyclopedia.models import Article

    public_ids = {a["public_id"] for a in approvals}
    by_article = publications(public_ids)
    live = {
        a.public_id: marker_of_publication(a.live_publication)[0]
        for a in Article.objects.filter(public_id__in=public_ids).select_related("live_publication")
    }
    published = collections.Counter(
        (pid, p["marker"]) for pid, items in by_article.items() for p in items if p["marker"] is not None
    )
    succeeded = [a for a in approvals if a["outcome"].startswith("ok")]
    failed = [a for a in approvals if not a["outcome"].startswith("ok")]
    lost = [
        a["seq"]
        for a in succeeded
        if published[(a["public_id"], a["seq"])] == 0 or (live.get(a["public_id"]) or 0) < a["seq"]
    ]
    last_ok: dict[str, int] = {}
    for a in succeeded:
        last_ok[a["public_id"]] = max(last_ok.get(a["public_id"], 0), a["seq"])
    not_last = sorted(pid for pid, seq in last_ok.items() if live.get(pid) != seq)
    durations = [a["finished"] - a["started"] for a in succeeded]
    return {
        "attempted": len(approvals),
        "succeeded": len(succeeded),
        "succeeded_first_try": sum(1 for a in succeeded if not a["errors"]),
        "succeeded_after_retry": sum(1 for a in succeeded if a["errors"]),
        "retried_attempt_errors": sum(len(a["errors"]) for a in approvals),
        "failed": len(failed),
        "failed_but_published": sum(1 for a in failed if published[(a["public_id"], a["seq"])]),
        "lost": len(lost),
        "lost_seqs": lost,
        "live_is_not_last_success": not_last,
        "duplicate_publications": sum(1 for count in published.values() if count > 1),
        "p50_ms": percentile(durations, 0.5),
        "p95_ms": percentile(durations, 0.95),
        "retried": [
            {
                k: a[k]
                for k in ("seq", "public_id", "due", "started", "finished", "outcome", "steps", "errors")
            }
            for a in approvals
            if a["errors"]
        ],
        "late_starts": sum(1 for a in approvals if a["started"] - a["due"] > 1.0),
    }


TRACEBACK_END = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Refused)\w*):", re.MULTILINE)
ACCESS_STATUS = re.compile(r'" (\d{3}) ')


def gunicorn_logs(access: str, error: str) -> dict:
    """What the server itself logged: statuses served, errors and tracebacks, worker events."""
    statuses = collections.Counter(m.group(1) for m in ACCESS_STATUS.finditer(access))
    return {
        "access_log_statuses": dict(sorted(statuses.items())),
        "internal_server_errors": error.count("Internal Server Error"),
        "tracebacks": error.count("Traceback (most recent call last)"),
        "exceptions": dict(collections.Counter(m.group(1) for m in TRACEBACK_END.finditer(error))),
        "worker_timeouts": error.count("WORKER TIMEOUT"),
        "workers_booted": error.count("Booting worker"),
        "worker_autorestarts": error.count("Autorestarting worker"),
        "error_log_lines": len(error.splitlines()),
        "error_log_excerpt": _excerpt(error),
    }


def _excerpt(error: str, limit: int = 12) -> list[str]:
    """The first distinct lines that say what went wrong: gunicorn's errors, Django's 500s, exceptions."""
    wanted = re.compile(
        r"^(Internal Server Error|\[[^]]*\] \[\d+\] \[(ERROR|CRITICAL|WARNING)\]|[\w.]+(Error|Exception|Shutdown)\w*:)"
    )
    lines, seen = [], set()
    for line in error.splitlines():
        text = line.strip()
        if not wanted.match(text):
            continue
        key = re.sub(r"\d+", "#", re.sub(r"/ency/article/\d+\.htm", "/ency/article/…", text))[:120]
        if key in seen:
            continue
        seen.add(key)
        lines.append(text[:200])
        if len(lines) >= limit:
            break
    return lines


def restart_window(records: list[dict], restart: dict[str, Any], grace: float = 2.0) -> dict:
    """Errors inside the window (restart command sent .. database back + grace) and outside it."""
    begin = restart.get("command_started")
    back = restart.get("database_back") or restart.get("command_finished")
    if begin is None or back is None:
        return {}
    end = back + grace
    failed = [r for r in records if r["status"] != 200]
    inside = [r for r in failed if begin <= r["t0"] <= end or begin <= r["t1"] <= end]
    outside = [r for r in failed if r not in inside]
    last = max((r["t1"] for r in failed), default=None)
    served = [r["t1"] for r in records if r["signed_in"] and r["status"] == 200 and r["t1"] >= back]
    return {
        "window_s": [round(begin, 2), round(end, 2)],
        "grace_s": grace,
        "errors_inside": len(inside),
        "errors_outside": len(outside),
        "outside_examples": [
            {k: r[k] for k in ("t0", "public_id", "status", "error", "signed_in")} for r in outside[:5]
        ],
        "last_error_at": round(last, 2) if last is not None else None,
        "last_error_after_database_back_s": round(last - back, 2) if last is not None else None,
        # Pages with a session cookie always read the database: the first one answered after it was back
        # (a request waits in gunicorn's queue first, but is processed in the last few ms before its answer).
        "first_database_page_after_back_s": round(min(served) - back, 2) if served else None,
    }
