"""The outage phases, ``redis-outage`` and ``smtp-outage``: what they do and accept is in RELIABILITY.md.

Each runs on a site of its own (soak/site.py) with a ``redis-server`` and a mail server of its own on
free ports, so stopping them disturbs nobody and neither PostgreSQL nor the machine's Redis is needed.
The approver is a `manage.py shell` process (its own connections, as cron or an editor's would have).
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import socket
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.server import HOST, RedisServer
from soak import MARKER, WORKDIR, site, traffic

READERS, LIMIT_S = 6, 1.0
APPROVER = """
from soak.traffic import approve_every_second
out = lambda record: print("APPROVAL " + json.dumps(record), flush=True)
approve_every_second(IDS, 1, time.time(), DURATION, out, retry_for=0)
"""
OUTBOX = "from editorial.models import OutgoingMail as M\n"
OUTBOX += "done(total=M.objects.count(), waiting=M.objects.filter(sent_at__isnull=True).count())"


class OutageSite(site.Site):
    """A site with a Redis server (``REDIS_URL``) and a mail server port (``EMAIL_PORT``) of its own."""

    def __init__(self, name: str) -> None:
        redis_port, self.smtp_port, self.approvals = site.free_port(), site.free_port(), []
        env = {"REDIS_URL": f"redis://{HOST}:{redis_port}/0", "LOG_LEVEL": "WARNING", "EMAIL_TIMEOUT": "2"}
        env |= {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": HOST}
        env["EMAIL_PORT"] = str(self.smtp_port)
        super().__init__(name, WORKDIR / "outages" / name, site.free_port(), env)
        self.redis = RedisServer(redis_port, self.workdir)

    def approve(self, ids: list[str], duration: float) -> threading.Thread:
        """The approver process, its records collected in ``approvals`` as they come, until it exits."""
        code = APPROVER.replace("DURATION", str(duration)).replace("IDS", json.dumps(ids))
        process = self.manage("shell", "-c", site.PRELUDE + code)

        def collect() -> None:
            for line in process.stdout:
                if line.startswith("APPROVAL "):
                    self.approvals.append(json.loads(line[len("APPROVAL ") :]))
            process.wait()

        (thread := threading.Thread(target=collect, daemon=True)).start()
        return thread

    def approved(self, before: float = float("inf")) -> list[dict]:
        return [a for a in list(self.approvals) if a["outcome"] == "ok" and a["finished_wall"] < before]

    def failed(self) -> list[dict]:
        return [a for a in self.approvals if a["outcome"] != "ok"]

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.redis.stop()


def watch_visibility(site: OutageSite, ids: list[str], since: float, rounds: int = 5) -> dict:
    """Read every article ``rounds`` times over from ``since`` (Redis's return). An answer older than a
    revision committed before the request was sent is stale; and how long until each showed its own."""
    stale, visible_after = [], {}
    for public_id in ids * rounds:
        sent = time.time()
        expected = max((a["seq"] for a in site.approved(sent) if a["public_id"] == public_id), default=0)
        status, body = site.get(f"/ency/article/{public_id}.htm")
        shown = MARKER.search(body.decode(errors="replace"))
        if status != 200 or shown is None or int(shown[1]) < expected:
            stale.append(round(sent - since, 3))
        else:
            visible_after.setdefault(public_id, round(time.time() - since, 3))
    return {
        "reads": rounds * len(ids),
        "stale_answers": len(stale),
        "last_stale_after_s": max(stale, default=None),
        "slowest_first_visible_s": max(visible_after.values(), default=None),
    }


def run_redis(duration: float = 60.0, stop_at: float = 20.0, start_at: float = 40.0) -> dict:
    """Stop Redis at ``stop_at`` and start it again, with its old data, at ``start_at``."""
    site = OutageSite("redis-outage")
    try:
        site.redis.start()
        ids = [article["public_id"] for article in site.prepare(12)]
        site.start()
        paths = [f"/ency/article/{public_id}.htm" for public_id in ids] + [
            "/ency/",
            "/ency/encyclopedia_O.htm",
        ]
        for path in paths:  # warm the page cache: this is what Redis comes back with
            site.get(path)
        began = time.time()
        job = {"port": site.port, "hot": [], "paths": paths, "start": began, "deadline": began + duration}
        with ThreadPoolExecutor(READERS) as pool:
            reading = pool.map(
                traffic.read_pages, range(READERS), [job | {"hot_share": 0, "signed_in": 0}] * READERS
            )
            approver = site.approve(ids, duration - 2)
            time.sleep(max(0, began + stop_at - time.time()))
            command = ["redis-cli", "-p", str(site.redis.port), "shutdown", "save"]
            subprocess.run(command, capture_output=True, timeout=10)  # it writes what it holds, then exits
            site.redis.process.wait(timeout=10)
            stopped = time.time()
            time.sleep(1)
            health_down = site.get("/healthz")
            time.sleep(max(0, began + start_at - time.time()))
            site.redis.start()
            returned = time.time()
            visibility = watch_visibility(site, ids, returned)
            approver.join(timeout=duration + 60)
            records = [r for part in reading for r in part]
        health_back, done = site.get("/healthz"), site.approved()

        def median_ms(start: float, end: float) -> float | None:
            took = [r["t1"] - r["t0"] for r in records if start - began <= r["t0"] < end - began]
            return round(statistics.median(took) * 1000, 1) if took else None

        statuses = collections.Counter(r["status"] or 599 for r in records)  # 599: no answer
        errors_5xx = sum(count for status, count in statuses.items() if status >= 500)
        return {
            "phase": "redis-outage",
            "duration_s": duration,
            "redis_stopped_at_s": round(stopped - began, 1),
            "redis_back_at_s": round(returned - began, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors_5xx": errors_5xx,
            "slowest_answer_s": round(max(r["t1"] - r["t0"] for r in records), 3),
            "median_answer_ms": {
                "before": median_ms(began, stopped),
                "redis_down": median_ms(stopped, returned),
                "after": median_ms(returned, began + duration),
            },
            "approvals": len(done),
            "approvals_during_outage": sum(1 for a in done if stopped <= a["finished_wall"] < returned),
            "approvals_failed": site.failed(),
            "visibility_after_return": visibility,
            "passed": (visibility["last_stale_after_s"] or 0) <= LIMIT_S and not errors_5xx,
            "healthz_while_down": {"status": health_down[0], "body": json_or_text(health_down[1])},
            "healthz_after": {"status": health_back[0], "body": json_or_text(health_back[1])},
        }
    finally:
        site.stop()


def refuse_mail(listener: socket.socket, refused: list[int]) -> None:
    """A mail server out of service: every connection gets 554 and is closed, until the listener is."""
    with contextlib.suppress(OSError):
        while True:
            connection = listener.accept()[0]
            refused.append(1)
            with contextlib.suppress(OSError), connection:
                connection.sendall(b"554 5.3.2 Service unavailable\r\n")


def run_smtp(duration: float = 20.0) -> dict:
    """Approve for ``duration`` seconds with the mail server refusing; then it recovers."""
    from aiosmtpd.controller import Controller

    site, refused, received, controller = OutageSite("smtp-outage"), [], [], None
    listener = socket.create_server((HOST, site.smtp_port), backlog=64)
    threading.Thread(target=refuse_mail, args=(listener, refused), daemon=True).start()
    try:
        site.redis.start()
        ids = [article["public_id"] for article in site.prepare(4)]
        site.start()
        site.approve(ids, duration).join(timeout=duration + 120)
        waiting_before = site.script(OUTBOX)
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() the refusing thread waits in
        listener.close()

        class Collector:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
                found = re.search(
                    r"^Message-ID:\s*(\S+)", envelope.content.decode(errors="replace"), re.M | re.I
                )
                received.append(found[1] if found else "")
                return "250 OK"

        controller = Controller(Collector(), hostname=HOST, port=site.smtp_port)
        controller.start()
        recovered = time.time()
        for _ in range(2):  # twice, two at once: claims keep any email from going out twice
            for process in [site.manage("send_queued_mail", "--all") for _ in range(2)]:
                process.communicate(timeout=120)
        delivered_in = round(time.time() - recovered, 2)
        waiting_after = site.script(OUTBOX)
        site.reap()
        counts = collections.Counter(received)
        return {
            "phase": "smtp-outage",
            "duration_s": duration,
            "approvals": len(site.approved()),
            "approvals_failed": site.failed(),
            "connections_refused": len(refused),
            "outbox_before_recovery": waiting_before,
            "outbox_after_recovery": waiting_after,
            "distinct_delivered": len(counts),
            "delivered_twice": sum(1 for n in counts.values() if n > 1),
            "delivered_within_s": delivered_in,
            "passed": waiting_before["total"] == len(counts) == len(received)
            and not waiting_after["waiting"]
            and not site.failed(),
        }
    finally:
        listener.close()
        if controller is not None:
            controller.stop()
        site.stop()


def json_or_text(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")


PHASES = {"redis-outage": run_redis, "smtp-outage": run_smtp}
