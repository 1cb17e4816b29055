"""The outage phases of the soak: Redis stopped and started again under load, and SMTP refusing.

Both run on a site of their own (soak/site.py: `make serve`'s gunicorn, 2 workers, DEBUG off, a
SQLite file) with a Redis server of their own (``redis-server`` on a free port, so stopping it
disturbs nobody) and a mail server of their own, so they need neither PostgreSQL nor the machine's Redis.

``redis-outage`` (about 60 s): readers fetch article pages and the index back to back while an
approver (a `manage.py shell` process, as cron or an editor's request would be: its own connections
to the database and to Redis) approves an update every second, each writing a new "Outage revision
N." into the article's summary. Redis is stopped at 20 s (``SHUTDOWN SAVE``: it keeps the data it
had) and started again at 40 s from that snapshot, so it comes back with the counters and pages of
before the outage. Figures: the 5xx among every answer; the longest answer; and, from the moment
Redis answers again, how long each approved article takes to show its last approval (the
acceptance: every one within 1 s).

``smtp-outage`` (about 30 s): the mail server refuses every connection (554) while the approver
approves an update every second (a submission and an approval: two emails each). Then the server
recovers (aiosmtpd on the same port) and two `send_queued_mail --all` run at once, twice. Figures:
the emails the workflow wrote, those delivered, and those delivered more than once (by Message-ID;
the acceptance: all delivered, none twice).
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

from bench.server import HOST, get
from soak import config, site

READERS, LIMIT_S = 6, 1.0
MARKER = re.compile(rb"Outage revision (\d+)\.")
SETUP = """
import datetime
from editorial.actions.publish import publish
from encyclopedia.models import Reviewer, Section, SectionHeading
users = {}
for name, group in (("editor", "Editors"), ("reviewer", "Medical reviewers"), ("director", "Editorial directors")):
    users[name] = get_user_model().objects.create_user(f"outage-{name}", f"{name}@example.org", is_staff=True)
    users[name].groups.add(Group.objects.get(name=group))
Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=users["reviewer"])
heading = SectionHeading.objects.get(name="Causes")
ids = []
for n in range(COUNT):
    article = Article.objects.create(
        title=f"Outage check {n}", article_type="symptom",
        summary="Outage revision 0. A summary written for the outage soak.", review_date=datetime.date.today(),
    )
    Section.objects.create(article=article, position=1, heading=heading, body="A paragraph of the check.")
    publish(article, users["director"], comment="Outage soak: first publication")
    ids.append(article.public_id)
done(ids=ids)
"""
# Approves an update of the articles in turn, one a second, for DURATION seconds; reports each approval
# (when it committed, the article, its revision) or failure on a line of its own.
APPROVER = """
import re, reversion
from editorial.actions.approve import approve
from editorial.actions.edit import record_edit
from editorial.actions.submit import submit
editor = get_user_model().objects.get(username="outage-editor")
reviewer = get_user_model().objects.get(username="outage-reviewer")
start, seq = time.time(), 0
while time.time() - start < DURATION:
    time.sleep(max(0, start + seq * INTERVAL - time.time()))
    seq += 1
    public_id = IDS[(seq - 1) % len(IDS)]
    try:
        article = Article.objects.get(public_id=public_id)
        previous = article.state
        with reversion.create_revision():
            article.summary = re.sub(r"Outage revision \\d+\\.", f"Outage revision {seq}.", article.summary)
            article.save()
            reversion.set_user(editor)
        record_edit(article, editor, previous, "Edited: summary")
        submit(Article.objects.get(pk=article.pk), editor, note="Outage soak")
        approve(Article.objects.get(pk=article.pk), reviewer, notes="Checked.")
        print("APPROVED " + json.dumps({"at": time.time(), "id": public_id, "seq": seq}), flush=True)
    except Exception as error:
        print("FAILED " + json.dumps({"at": time.time(), "id": public_id, "seq": seq, "error": repr(error)}), flush=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Site(site.Site):
    """The outage site: its own Redis (``REDIS_URL``) and mail server port (``EMAIL_PORT``)."""

    def __init__(self, name: str) -> None:
        workdir = config.WORKDIR / "outages" / name
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        self.redis_port, self.smtp_port, self.redis = free_port(), free_port(), None
        env = {
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(self.smtp_port),
        }
        env |= {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_TIMEOUT": "2",
            "LOG_LEVEL": "WARNING",
        }
        super().__init__(name, workdir, free_port(), env)

    def start_redis(self) -> None:
        options = (
            f"--port {self.redis_port} --bind {HOST} --dir {self.workdir} --appendonly no --daemonize no"
        )
        command = ["redis-server", *options.split(), "--save", ""]
        self.redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.redis_port), timeout=0.5):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server does not answer on port {self.redis_port}")

    def stop_redis(self) -> None:
        """``SHUTDOWN SAVE``: Redis writes what it holds and exits; it starts again with that."""
        subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "shutdown", "save"], capture_output=True, timeout=10
        )
        self.redis.wait(timeout=10)

    def approver(self, ids: list[str], duration: float) -> subprocess.Popen:
        code = (
            APPROVER.replace("DURATION", str(duration))
            .replace("INTERVAL", "1.0")
            .replace("IDS", json.dumps(ids))
        )
        return self.popen("shell", "-c", site.PRELUDE + code)

    def get(self, path: str) -> tuple[int, bytes]:
        return get(path, {}, port=self.port)

    def stop(self) -> None:
        super().stop()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait(timeout=10)


def approvals(lines: list[str]) -> tuple[list[dict], list[dict]]:
    done = [json.loads(line[9:]) for line in lines if line.startswith("APPROVED ")]
    return done, [json.loads(line[7:]) for line in lines if line.startswith("FAILED ")]


class Approvals(threading.Thread):
    """Reads the approver's lines as they come: which revision of which article committed when."""

    def __init__(self, process: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.process, self.lines, self.lock = process, [], threading.Lock()

    def run(self) -> None:
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line)

    def latest_before(self, moment: float) -> dict[str, int]:
        """Each article's last revision committed before ``moment``."""
        with self.lock:
            done = approvals(self.lines)[0]
        return {a["id"]: a["seq"] for a in sorted(done, key=lambda a: a["seq"]) if a["at"] < moment}


def watch_visibility(site: Site, ids: list[str], approver: Approvals, since: float, rounds: int = 5) -> dict:
    """Read every article, ``rounds`` times over, from ``since`` (Redis's return). An answer that shows an
    older revision than one committed before the request was sent is stale; for each article, the time
    from ``since`` to its first answer with the revision it should show."""
    stale, visible_after = [], {}
    for public_id in [public_id for _ in range(rounds) for public_id in ids]:
        sent = time.time()
        expected = approver.latest_before(sent).get(public_id, 0)
        status, body = site.get(f"/ency/article/{public_id}.htm")
        shown = MARKER.search(body)
        if status != 200 or shown is None or int(shown[1]) < expected:
            stale.append(
                {"after_s": round(sent - since, 3), "id": public_id, "status": status, "expected": expected}
            )
            stale[-1]["shown"] = shown and int(shown[1])
        else:
            visible_after.setdefault(public_id, round(time.time() - since, 3))
    return {
        "reads": rounds * len(ids),
        "stale_answers": len(stale),
        "last_stale_after_s": max((s["after_s"] for s in stale), default=None),
        "stale_examples": stale[:10],
        "slowest_first_visible_s": max(visible_after.values(), default=None),
    }


def run_redis(duration: float = 60.0, stop_at: float = 20.0, start_at: float = 40.0) -> dict:
    """Stop Redis at ``stop_at`` and start it again, with its old data, at ``start_at``."""
    site = Site("redis-outage")
    try:
        site.start_redis()
        ids = site.prepare(SETUP.replace("COUNT", "12"))["ids"]
        site.start()
        paths = [f"/ency/article/{public_id}.htm" for public_id in ids] + [
            "/ency/",
            "/ency/encyclopedia_O.htm",
        ]
        for path in paths:  # warm the page cache: this is what Redis comes back with
            site.get(path)
        statuses, timings, lock = collections.Counter(), [], threading.Lock()  # timings: (when sent, seconds)
        began = time.time()
        until = began + duration

        def read(offset: int) -> None:
            for n in range(offset, 10**9):
                if time.time() >= until:
                    return
                sent, started = time.time(), time.monotonic()
                status = site.get(paths[n % len(paths)])[0] or 599  # 599: no answer at all
                with lock:
                    statuses[status] += 1
                    timings.append((sent, time.monotonic() - started))

        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(READERS)]
        for reader in readers:
            reader.start()
        approver = Approvals(site.approver(ids, duration - 2))
        approver.start()
        time.sleep(max(0, began + stop_at - time.time()))
        site.stop_redis()
        stopped = time.time()
        time.sleep(1)
        health_down = site.get("/healthz")
        time.sleep(max(0, began + start_at - time.time()))
        site.start_redis()
        returned = time.time()
        visibility = watch_visibility(site, ids, approver, returned)
        approver.process.wait(timeout=duration + 60)
        approver.join(timeout=10)
        for reader in readers:
            reader.join(timeout=30)
        health_back = site.get("/healthz")
        done, failed = approvals(approver.lines)

        def median_ms(start: float, end: float) -> float | None:
            chosen = sorted(took for sent, took in timings if start <= sent < end)
            return round(chosen[len(chosen) // 2] * 1000, 1) if chosen else None

        return {
            "phase": "redis-outage",
            "duration_s": duration,
            "redis_stopped_at_s": round(stopped - began, 1),
            "redis_back_at_s": round(returned - began, 1),
            "requests": sum(statuses.values()),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors_5xx": sum(count for status, count in statuses.items() if status >= 500),
            "slowest_answer_s": round(max(took for _, took in timings), 3),
            "median_answer_ms": {
                "before": median_ms(began, stopped),
                "redis_down": median_ms(stopped, returned),
                "after": median_ms(returned, until),
            },
            "approvals": len(done),
            "approvals_during_outage": sum(1 for a in done if stopped <= a["at"] < returned),
            "approvals_failed": failed,
            "visibility_after_return": visibility,
            "passed_visibility": (visibility["last_stale_after_s"] or 0) <= LIMIT_S,
            "healthz_while_down": {"status": health_down[0], "body": json_or_text(health_down[1])},
            "healthz_after": {"status": health_back[0], "body": json_or_text(health_back[1])},
            "approver_output": "".join(line for line in approver.lines if not line.startswith("APPROVED"))[
                -2000:
            ],
        }
    finally:
        site.stop()


class RefusingSMTP:
    """A mail server out of service: every connection gets 554 and is closed."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, port))
        self.listener.listen(64)
        self.refused = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.refused += 1
            with contextlib.suppress(OSError):
                connection.sendall(b"554 5.3.2 Service unavailable\r\n")
            connection.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() the thread waits in
        self.listener.close()


OUTBOX = "from editorial.models import OutgoingMail as M\ndone(total=M.objects.count(), waiting=M.objects.filter(sent_at__isnull=True).count())"


def run_smtp(duration: float = 20.0) -> dict:
    """Approve for ``duration`` seconds with the mail server refusing; then it recovers."""
    from aiosmtpd.controller import Controller

    site = Site("smtp-outage")
    refusing, controller, received = RefusingSMTP(site.smtp_port), None, []
    try:
        site.start_redis()
        ids = site.prepare(SETUP.replace("COUNT", "4"))["ids"]
        site.start()
        output, _ = site.approver(ids, duration).communicate(timeout=duration + 120)
        done, failed = approvals(output.splitlines())
        waiting_before = site.script(OUTBOX)
        refusing.close()

        class Collector:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
                found = re.search(
                    r"^Message-ID:\s*(\S+)", envelope.content.decode("utf-8", "replace"), re.M | re.I
                )
                received.append(found[1] if found else "")
                return "250 OK"

        controller = Controller(Collector(), hostname=HOST, port=site.smtp_port)
        controller.start()
        recovered = time.time()
        for _ in range(2):  # twice, two at once: claims keep any email from going out twice
            for process in [site.popen("send_queued_mail", "--all") for _ in range(2)]:
                process.communicate(timeout=120)
        delivered_in = round(time.time() - recovered, 2)
        waiting_after = site.script(OUTBOX)
        site.reap()
        counts = collections.Counter(received)
        return {
            "phase": "smtp-outage",
            "duration_s": duration,
            "approvals": len(done),
            "approvals_failed": failed,
            "connections_refused": refusing.refused,
            "outbox_before_recovery": waiting_before,
            "outbox_after_recovery": waiting_after,
            "delivered": len(received),
            "distinct_delivered": len(counts),
            "delivered_twice": sum(1 for n in counts.values() if n > 1),
            "delivered_within_s": delivered_in,
            "passed": waiting_before["total"] == len(counts) == len(received)
            and waiting_after["waiting"] == 0
            and not failed,
            "approver_output": output[-2000:],
        }
    finally:
        refusing.close()
        if controller is not None:
            controller.stop()
        site.stop()


def json_or_text(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")


PHASES = {"redis-outage": run_redis, "smtp-outage": run_smtp}

if __name__ == "__main__":  # python -m soak.outages [redis-outage] [smtp-outage]: on their own, into soak/out
    config.OUT.mkdir(parents=True, exist_ok=True)
    for phase in sys.argv[1:] or PHASES:
        result = json.dumps(PHASES[phase](), indent=2, default=str)
        (config.OUT / f"{phase}.json").write_text(result)
        print(result, flush=True)
