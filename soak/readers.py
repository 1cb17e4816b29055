"""The readers: keep-alive HTTP clients in threads, in processes of their own (no Django here).

Each reader checks every page on the spot for being one whole publication (every marker on it
equal, every section and the summary marked or none of them) and records what it saw, so that
the run can check afterwards that each (article, publication) seen really was published.
The readers are spawned processes because 50 threads in the soak's own process would share one
GIL with the approver and slow both.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.server import HOST
from soak.config import MARKER, PORT, Plan

MARKER_BYTES = re.compile(MARKER.pattern.encode())
SECTION = re.compile(rb'<section class="article-section".*?</section>', re.S)
SUMMARY = re.compile(rb'<div class="summary">(.*?)</div>', re.S)
MODIFIED = re.compile(rb'"dateModified": "([^"]+)"')


@dataclass(frozen=True)
class ReaderJob:
    """What one reader process does: its readers' numbers and where it reads."""

    process: int
    first_reader: int
    readers: int
    plan: Plan  # readers numbered below its signed_in_readers send a session cookie
    hot_ids: list[str]
    all_ids: list[str]
    start: float  # wall-clock time.time() of the phase's start
    deadline: float
    out: str


def check_page(body: bytes) -> tuple[int | None, str | None, bool, str]:
    """(marker, dateModified, whole, why not whole) of one article page."""
    markers = sorted({int(m) for m in MARKER_BYTES.findall(body)})
    sections = SECTION.findall(body)
    summary = SUMMARY.search(body)
    modified = MODIFIED.search(body)
    parts = [summary.group(1) if summary else b"", *sections]
    marked = [bool(MARKER_BYTES.search(part)) for part in parts]
    reasons = []
    if not summary or not sections:
        reasons.append("no summary or no sections")
    if modified is None:
        reasons.append("no dateModified")
    if len(markers) > 1:
        reasons.append(f"markers differ: {markers}")
    if any(marked) and not all(marked):
        reasons.append(f"{marked.count(False)} of {len(parts)} parts unmarked")
    return (
        markers[0] if len(markers) == 1 else None,
        modified.group(1).decode() if modified else None,
        not reasons,
        "; ".join(reasons),
    )


def _read(job: ReaderJob, number: int, records: list, lock: threading.Lock) -> None:
    """One reader: GET article pages back to back until the deadline, on one kept-alive connection.

    gunicorn's sync workers close the connection after each response; http.client then opens a
    new one for the next request, as a browser would.
    """
    rng = random.Random(number * 7919 + int(job.start))
    headers = {"X-Forwarded-Proto": "https", "Connection": "keep-alive"}
    signed_in = number < job.plan.signed_in_readers
    if signed_in:
        headers["Cookie"] = "sessionid=soak-not-a-session"  # skips the shared page cache
    connection: http.client.HTTPConnection | None = None
    mine = []
    while time.time() < job.deadline:
        public_id = rng.choice(job.hot_ids) if rng.random() < job.plan.hot_share else rng.choice(job.all_ids)
        started = time.time()
        status, error, body = 0, "", b""
        try:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, PORT, timeout=job.plan.request_timeout)
            connection.request("GET", f"/ency/article/{public_id}.htm", headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            if connection is not None:
                connection.close()
            connection = None
        finished = time.time()
        marker, modified, whole, reason = None, None, None, ""
        if status == 200:
            marker, modified, whole, reason = check_page(body)
        times = [round(started - job.start, 4), round(finished - job.start, 4)]
        mine.append([number, *times, public_id, status, error, marker, modified, whole, reason, signed_in])
        if error:
            time.sleep(0.05)  # a refused connection fails at once: do not spin
    if connection is not None:
        connection.close()
    with lock:
        records.extend(mine)


FIELDS = ["reader", "t0", "t1", "public_id", "status", "error"]  # of each record, in order
FIELDS += ["marker", "modified", "whole", "reason", "signed_in"]


def run_process(job: ReaderJob) -> None:
    """Entry point of one spawned reader process: run its readers, then write their records."""
    records: list = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_read, args=(job, job.first_reader + i, records, lock), daemon=True)
        for i in range(job.readers)
    ]
    delay = max(0.0, job.start - time.time())
    time.sleep(delay)  # every process starts its readers at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, job.deadline - time.time()) + job.plan.request_timeout + 5)
    Path(job.out).write_text(json.dumps({"fields": FIELDS, "records": records}))
