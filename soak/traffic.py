"""The soak's traffic and its checks: the readers, the approver, and what they saw.

Readers are threads (in spawned processes for the PostgreSQL phases: 50 threads here would share the
approver's GIL) that check every page on the spot for being one whole publication and record it. The
approver goes through the workflow's own functions, as an editor and a reviewer in the admin would.
The checks then look each page's publication up in the database (JSON-LD ``dateModified`` is its
``published_at``). Locust was weighed for the readers and not used: every check needs each request's
record (times, marker, publication), which Locust's statistics do not keep, so a locustfile would
re-create these records and add gevent and a subprocess to the soak.
"""

from __future__ import annotations

import collections
import datetime
import http.client
import itertools
import math
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.server import HOST
from soak import MARKER

MARKER_BYTES = re.compile(MARKER.pattern.encode())
SECTION = re.compile(rb'<section class="article-section".*?</section>', re.S)
SUMMARY = re.compile(rb'<div class="summary">(.*?)</div>', re.S)
MODIFIED = re.compile(rb'"dateModified": "([^"]+)"')
PAGE_CACHE_LIFETIME_S = 300


def check_page(body: bytes) -> dict:
    """The page's marker and publication, and why it is not one whole publication (if it is not)."""
    summary, sections, modified = SUMMARY.search(body), SECTION.findall(body), MODIFIED.search(body)
    markers = sorted({int(m) for m in MARKER_BYTES.findall(body)})
    marked = [bool(MARKER_BYTES.search(part)) for part in [summary[1] if summary else b"", *sections]]
    whole = summary and sections and modified and len(markers) < 2 and (all(marked) or not any(marked))
    return {
        "marker": markers[0] if len(markers) == 1 else None,
        "modified": modified[1].decode() if modified else None,
        "whole": bool(whole),
    }


def read_pages(number: int, job: dict) -> list[dict]:
    """Reader ``number``: pages back to back from ``job["start"]`` to its deadline, ``hot_share`` of them
    in ``hot``; readers below ``signed_in`` send a session cookie, which skips the shared page cache."""
    rng, signed_in, records = random.Random(number * 7919 + int(job["start"])), number < job["signed_in"], []
    headers = {"X-Forwarded-Proto": "https"} | (
        {"Cookie": "sessionid=soak-not-a-session"} if signed_in else {}
    )
    time.sleep(max(0.0, job["start"] - time.time()))
    while (sent := time.time()) < job["deadline"]:
        path = rng.choice(job["hot"] if rng.random() < job["hot_share"] else job["paths"])
        connection, status, body, error = (
            http.client.HTTPConnection(HOST, job["port"], timeout=15),
            0,
            b"",
            "",
        )
        try:  # a new connection each time: gunicorn's sync workers close each one
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            status, body = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
        connection.close()
        t0, t1, public_id = round(sent - job["start"], 4), round(time.time() - job["start"], 4), path[14:-4]
        records.append(
            {"reader": number, "t0": t0, "t1": t1, "public_id": public_id, "status": status, "error": error}
            | {"signed_in": signed_in}
            | (check_page(body) if status == 200 else {"marker": None})
        )
        time.sleep(0.05 if error else 0)  # a refused connection fails at once: do not spin
    return records


def reader_process(numbers: list[int], job: dict) -> list[dict]:
    """Readers ``numbers`` in threads of this process; all their records."""
    with ThreadPoolExecutor(len(numbers)) as pool:
        return list(itertools.chain.from_iterable(pool.map(read_pages, numbers, itertools.repeat(job))))


def users() -> tuple[Any, Any]:
    """bench/generate.py's editor and medical reviewer."""
    from django.contrib.auth import get_user_model

    return tuple(get_user_model().objects.get(username=name) for name in ("bench-editor", "bench-reviewer"))


def marker_of(publication: Any) -> int | None:
    """The revision at the start of the publication's summary (``check_page`` checks the rest)."""
    found = publication and MARKER.search(publication.summary_html)
    return int(found[1]) if found else None


def approve_to_live(public_id: str, seq: int, editor: Any, reviewer: Any) -> str:
    """Take the article from wherever it stands to live with revision ``seq``; the steps taken.

    Safe to call again after any failure: each step looks at the stored state first, so an edit,
    submit or approve whose commit an error hid is not repeated.
    """
    from bench.generate import edit
    from editorial.actions.approve import approve
    from editorial.actions.submit import submit
    from encyclopedia.models import Article, WorkflowState

    def mark(text: str, separator: str) -> str:
        return f"Soak revision {seq}.{separator}" + re.sub(rf"^\s*{MARKER.pattern}\s*", "", text)

    def change(article: Any) -> None:  # the rows an editor's save in the admin changes
        for section in article.sections.order_by("position", "id"):
            section.body = mark(section.body, "\n\n")
            section.save(update_fields=["body"])
        article.summary = mark(article.summary, " ")
        article.save()

    def load() -> Any:
        return Article.objects.select_related("live_publication").get(public_id=public_id)

    article, steps, state = load(), [], WorkflowState
    if article.state == state.PUBLISHED and marker_of(article.live_publication) == seq:
        return "already live"
    if article.state in (state.PUBLISHED, state.DRAFT, state.CHANGES_REQUESTED):
        found = MARKER.search(article.summary)
        if article.state == state.PUBLISHED or not found or int(found[1]) != seq:
            edit(public_id, editor, seq, change)
            steps.append("edit")
        submit(load(), editor, note=f"Soak revision {seq}")
        steps.append("submit")
        article = load()
    if article.state == state.IN_REVIEW:
        approve(article, reviewer, notes="Checked.")
        steps.append("approve")
        article = load()
    if (live := marker_of(article.live_publication)) != seq:
        raise RuntimeError(f"{public_id} is {article.state} with revision {live} live, not {seq}")
    return "+".join(steps)


def approve_every_second(
    ids: list[str], seq: int, start: float, duration: float, out: Callable[[dict], Any], **kwargs: Any
) -> None:
    """Approve an update of ``ids`` in turn, 0.5 s after ``start`` and every second on, revisions from
    ``seq`` on, each record to ``out``. A failed one is retried (PostgreSQL restarting) for up to
    ``retry_for`` seconds (0: not retried), every error recorded; ``stop`` (an Event) ends it early."""
    from django.db import connection

    retry_for, stop = kwargs.get("retry_for", 30.0), kwargs.get("stop") or threading.Event()

    def now() -> float:
        return round(time.time() - start, 3)

    try:
        for tick in range(math.ceil(duration - 0.5)):
            if stop.wait(max(0.0, start + tick + 0.5 - time.time())):
                break
            record = {
                "seq": seq + tick,
                "public_id": ids[tick % len(ids)],
                "due": tick + 0.5,
                "started": now(),
            }
            errors = record["errors"] = []
            while "outcome" not in record:
                try:
                    record["steps"] = approve_to_live(record["public_id"], record["seq"], *users())
                    record["outcome"] = "ok after retry" if errors else "ok"
                except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
                    message = str(exc).strip().partition("\n")[0][:160]
                    errors.append({"t": now(), "error": f"{type(exc).__name__}: {message}"})
                    connection.close()  # a broken connection is opened again on the next query
                    if now() - record["started"] >= retry_for:
                        record["outcome"] = "failed"
                    elif stop.wait(0.25):
                        record["outcome"] = "failed (stopped)"
            out(record | {"finished": now(), "finished_wall": time.time()})
    finally:
        connection.close()


def latency(records: list[dict]) -> dict:
    """p50, p95 and p99 in milliseconds (``statistics.quantiles``, within the data)."""
    ms = [(r["t1"] - r["t0"]) * 1000 for r in records]
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else []
    return {f"p{p}_ms": round(cuts[p - 1], 1) for p in (50, 95, 99) if cuts}


def traffic(records: list[dict], duration: float) -> dict:
    ok = [r for r in records if r["status"] == 200]
    seconds: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in records:  # by the second of the answer (or failure): when the server's state showed
        seconds[int(r["t1"])][r["error"] or ("5xx" if r["status"] >= 500 else str(r["status"]))] += 1
    return {
        "requests": len(records),
        "rps": round(len(records) / duration, 1),
        "statuses": dict(
            sorted(collections.Counter(r["error"] or str(r["status"]) for r in records).items())
        ),
        "server_errors": sum(1 for r in records if r["status"] >= 500),
        "client_errors": sum(1 for r in records if r["error"]),
        "latency": {
            "all": latency(ok),
            "anonymous": latency([r for r in ok if not r["signed_in"]]),
            "signed_in": latency([r for r in ok if r["signed_in"]]),
        },
        "by_second": [{"second": s, "requests": sum(c.values()), **c} for s, c in sorted(seconds.items())],
    }


def publications(public_ids: set[str]) -> dict[str, list[dict]]:
    """Every publication of these articles, oldest first, with its marker."""
    from encyclopedia.models import Publication

    found: dict[str, list[dict]] = collections.defaultdict(list)
    rows = Publication.objects.filter(article__public_id__in=public_ids).select_related("article")
    for publication in rows.order_by("published_at", "id").iterator(chunk_size=500):
        item = {"id": publication.pk, "at": publication.published_at, "marker": marker_of(publication)}
        found[publication.article.public_id].append(item)
    return found


def whole_publications(records: list[dict], approvals: list[dict], start_wall: float) -> dict:
    """Did every page show one publication that was really published, and never an old one?"""
    pages = [r for r in records if r["status"] == 200]
    by_article = publications({r["public_id"] for r in pages})
    index = {(public_id, p["at"]): p for public_id, items in by_article.items() for p in items}
    committed = {
        a["seq"]: a["finished_wall"] - start_wall for a in approvals if a["outcome"].startswith("ok")
    }
    unknown = mismatched = 0
    seen, stale, stale_examples, regressions, last = set(), [], [], [], {}
    for record in pages:
        modified = record["modified"] and datetime.datetime.fromisoformat(record["modified"])
        if (publication := index.get((record["public_id"], modified))) is None:
            unknown += 1
        elif publication["marker"] != record["marker"]:
            mismatched += 1
        else:
            seen.add(publication["id"])
            later = [p for p in by_article[record["public_id"]] if p["at"] > publication["at"]]
            newer_commit = committed.get(later[0]["marker"]) if later else None
            if newer_commit is not None and record["t0"] > newer_commit:  # sent after it committed
                stale.append(round(record["t0"] - newer_commit, 3))
                shown = {"public_id": record["public_id"], "sent_s": record["t0"], "answered_s": record["t1"]}
                newer = {"marker": record["marker"], "newer_marker": later[0]["marker"]}
                stale_examples.append(shown | newer | {"newer_committed_s": round(newer_commit, 3)})
    # A reader seeing an article go back to an older revision, and after how long.
    for record in sorted((r for r in pages if r["marker"] is not None), key=lambda r: r["t0"]):
        key = (record["reader"], record["public_id"])
        if key in last and record["marker"] < last[key][0]:
            regressions.append(record["t0"] - last[key][1])
        if key not in last or record["marker"] > last[key][0]:
            last[key] = (record["marker"], record["t1"])
    return {
        "pages_checked": len(pages),
        "marked_pages": sum(1 for r in pages if r["marker"] is not None),
        "distinct_publications_seen": len(seen),
        "mixed_pages": sum(1 for r in pages if not r["whole"]),
        "unknown_publication": unknown,
        "page_not_its_publication": mismatched,
        "stale_after_commit": len(stale),
        "stale_max_s": max(stale, default=None),
        "stale_examples": stale_examples[:5],
        "reader_regressions": len(regressions),
        "reader_regressions_beyond_cache_lifetime": sum(1 for s in regressions if s > PAGE_CACHE_LIFETIME_S),
    }


def approvals_check(approvals: list[dict]) -> dict:
    """Every approval the approver saw succeed is published, and live or superseded: none is lost."""
    from encyclopedia.models import Article

    ids = {a["public_id"] for a in approvals}
    articles = Article.objects.filter(public_id__in=ids).select_related("live_publication")
    live = {a.public_id: marker_of(a.live_publication) or 0 for a in articles}
    published = {(public_id, p["marker"]) for public_id, items in publications(ids).items() for p in items}
    succeeded = [a for a in approvals if a["outcome"].startswith("ok")]
    last_ok = {a["public_id"]: a["seq"] for a in sorted(succeeded, key=lambda a: a["seq"])}
    lost = [
        a["seq"]
        for a in succeeded
        if (a["public_id"], a["seq"]) not in published or live[a["public_id"]] < a["seq"]
    ]
    return {
        "attempted": len(approvals),
        "succeeded": len(succeeded),
        "succeeded_first_try": sum(1 for a in succeeded if not a["errors"]),
        "succeeded_after_retry": sum(1 for a in succeeded if a["errors"]),
        "failed": len(approvals) - len(succeeded),
        "lost": len(lost),
        "lost_seqs": lost,
        "live_is_not_last_success": sorted(i for i, seq in last_ok.items() if live.get(i) != seq),
        "latency": latency([{"t0": a["started"], "t1": a["finished"]} for a in succeeded]),
        "retried": [{k: v for k, v in a.items() if k != "finished_wall"} for a in approvals if a["errors"]],
    }


EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Refused)\w*):", re.M)
WORTH_SHOWING = re.compile(
    r"^(Internal Server Error|\[[^]]*\] \[\d+\] \[(ERROR|CRITICAL|WARNING)\]|[\w.]+(Error|Exception|Shutdown)\w*:)"
)


def gunicorn_logs(access: str, error: str) -> dict:
    """What the server logged: statuses served, 500s and exceptions, worker events, distinct errors."""
    excerpt: dict[str, str] = {}  # the first distinct lines that say what went wrong, ids and numbers aside
    for line in (line.strip() for line in error.splitlines() if WORTH_SHOWING.match(line.strip())):
        excerpt.setdefault(re.sub(r"\d+", "#", line)[:120], line[:200])
    return {
        "access_log_statuses": dict(sorted(collections.Counter(re.findall(r'" (\d{3}) ', access)).items())),
        "internal_server_errors": error.count("Internal Server Error"),
        "exceptions": dict(collections.Counter(EXCEPTION.findall(error))),
        "worker_timeouts": error.count("WORKER TIMEOUT"),
        "workers_booted": error.count("Booting worker"),
        "worker_autorestarts": error.count("Autorestarting worker"),
        "error_log_excerpt": list(excerpt.values())[:12],
    }


def restart_window(records: list[dict], restart: dict, grace: float = 2.0) -> dict:
    """Failed requests inside the window (restart command sent .. database back + grace) and outside it."""
    begin, back = (
        restart.get("command_started"),
        restart.get("database_back") or restart.get("command_finished"),
    )
    if begin is None or back is None:
        return {}
    failed = [r for r in records if r["status"] != 200]
    outside = [
        r for r in failed if not (begin <= r["t0"] <= back + grace or begin <= r["t1"] <= back + grace)
    ]
    last = max((r["t1"] for r in failed), default=None)
    # Pages with a session cookie always read the database: the first answered after it was back.
    served = [r["t1"] for r in records if r["signed_in"] and r["status"] == 200 and r["t1"] >= back]
    return {
        "window_s": [round(begin, 2), round(back + grace, 2)],
        "grace_s": grace,
        "errors_inside": len(failed) - len(outside),
        "errors_outside": len(outside),
        "outside_examples": [{k: r[k] for k in ("t0", "public_id", "status", "error")} for r in outside][:5],
        "last_error_after_database_back_s": None if last is None else round(last - back, 2),
        "first_database_page_after_back_s": round(min(served) - back, 2) if served else None,
    }
