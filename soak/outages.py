# ruff: noqa: S603, S607 - fixed commands (redis-server, redis-cli, manage.py) on loopback only
"""The outage phases of the soak: Redis stopped and started again under load, and SMTP refusing.

Both run `make serve`'s gunicorn line (2 workers, DEBUG off) on a SQLite file of their own, with
a Redis server of their own (``redis-server`` on a free port, so stopping it disturbs nobody) and
a mail server of their own, so they need neither PostgreSQL nor the machine's Redis.

``redis-outage`` (about 60 s): readers fetch article pages and the index back to back while an
approver (a `manage.py shell` process, as cron or an editor's request would be: its own
connections to the database and to Redis) approves an update every second, each writing a new
"Outage revision N." into the article's summary. Redis is stopped at 20 s (``SHUTDOWN SAVE``: it
keeps the data it had) and started again at 40 s from that snapshot, so it comes back with the
counters and pages of before the outage. Figures: the 5xx among every answer; the longest answer;
and, from the moment Redis answers again, how long each approved article takes to show its last
approval (the acceptance: every one within 1 s).

``smtp-outage`` (about 30 s): the mail server refuses every connection (554) while the approver
approves an update every second (a submission and an approval: two emails each). Then the server
recovers (aiosmtpd on the same port) and two `send_queued_mail --all` run at once, twice. Figures:
the emails the workflow wrote, those delivered, and those delivered more than once (by
Message-ID; the acceptance: all delivered, none twice).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from soak import config

ROOT = config.ROOT
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WORKDIR = config.WORKDIR / "outages"
ARTICLES = 12
READERS = 6
LIMIT_S = 1.0
MARKER = re.compile(r"Outage revision (\d+)\.")

SETUP = """
import datetime, json
from django.contrib.auth.models import Group, User
from editorial.actions.publish import publish
from encyclopedia.models import Article, Reviewer, Section, SectionHeading
editor = User.objects.create_user("outage-editor", "editor@example.org", is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
reviewer = User.objects.create_user("outage-reviewer", "reviewer@example.org", is_staff=True)
reviewer.groups.add(Group.objects.get(name="Medical reviewers"))
Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=reviewer)
director = User.objects.create_user("outage-director", "director@example.org", is_staff=True)
director.groups.add(Group.objects.get(name="Editorial directors"))
heading = SectionHeading.objects.get(name="Causes")
ids = []
for n in range(COUNT):
    article = Article.objects.create(
        title=f"Outage check {n}", article_type="symptom",
        summary="Outage revision 0. A summary written for the outage soak.",
        review_date=datetime.date.today(),
    )
    Section.objects.create(article=article, position=1, heading=heading, body="A paragraph of the check.")
    publish(article, director, comment="Outage soak: first publication")
    ids.append(article.public_id)
print("RESULT " + json.dumps(ids), flush=True)
"""

# Approves an update of the articles in turn, one a second, for DURATION seconds; prints one line
# per approval: when it committed, the article and its revision.
APPROVER = """
import json, re, time
import reversion
from django.contrib.auth.models import User
from editorial.actions.approve import approve
from editorial.actions.edit import record_edit
from editorial.actions.submit import submit
from encyclopedia.models import Article
editor = User.objects.get(username="outage-editor")
reviewer = User.objects.get(username="outage-reviewer")
start, seq = time.time(), 0
while time.time() - start < DURATION:
    due = start + seq * INTERVAL
    time.sleep(max(0, due - time.time()))
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
        probe.bind((config.HOST, 0))
        return probe.getsockname()[1]


class Site:
    """A SQLite file, a Redis and a mail server of its own, and `make serve`'s gunicorn on them."""

    def __init__(self, name: str) -> None:
        self.workdir = WORKDIR / name
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        self.port, self.redis_port, self.smtp_port = free_port(), free_port(), free_port()
        self.redis: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None
        self.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "soak.outage_settings",
                "OUTAGE_STATIC_ROOT": str(self.workdir / "static"),
                "PYTHONPATH": str(ROOT),
                "DEBUG": "0",
                "SECRET_KEY": "outage-soak-" + secrets.token_urlsafe(32),
                "ALLOWED_HOSTS": config.HOST,
                "SECURE_SSL_REDIRECT": "0",
                "SITE_URL": f"http://{config.HOST}:{self.port}",
                "DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}",
                "REDIS_URL": f"redis://{config.HOST}:{self.redis_port}/0",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": config.HOST,
                "EMAIL_PORT": str(self.smtp_port),
                "EMAIL_TIMEOUT": "2",
                "LOG_LEVEL": "WARNING",
            }
        )

    def manage(self, *words: str, script: str = "") -> str:
        command = [str(PYTHON), "manage.py", *words] + (["-c", script] if script else [])
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(words)} exited {done.returncode}: {done.stderr[-3000:]}")
        return done.stdout

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                config.HOST,
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        """``SHUTDOWN SAVE``: Redis writes what it holds and exits; it starts again with that."""
        subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "shutdown", "save"], capture_output=True, timeout=10
        )
        if self.redis is not None:
            self.redis.wait(timeout=10)

    def prepare(self, articles: int) -> list[str]:
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")
        out = self.manage("shell", script=SETUP.replace("COUNT", str(articles)))
        return json.loads(out.split("RESULT ", 1)[1])

    def start(self) -> None:
        self.server = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"{config.HOST}:{self.port}",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "server.log", "w"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if get(self.url("/healthz"))[0] in (200, 503):
                    return
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz within 60 s")

    def approver(self, ids: list[str], duration: float, interval: float = 1.0) -> subprocess.Popen:
        script = APPROVER.replace("DURATION", str(duration)).replace("INTERVAL", str(interval))
        script = script.replace("IDS", json.dumps(ids))
        return subprocess.Popen(
            [str(PYTHON), "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def url(self, path: str) -> str:
        return f"http://{config.HOST}:{self.port}{path}"

    def stop(self) -> None:
        for process in (self.server, self.redis):
            if process is not None and process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
                if process.poll() is None:
                    process.kill()


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((config.HOST, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


def get(url: str, timeout: float = 15) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def approvals(output: str) -> tuple[list[dict], list[dict]]:
    done = [json.loads(line[9:]) for line in output.splitlines() if line.startswith("APPROVED ")]
    failed = [json.loads(line[7:]) for line in output.splitlines() if line.startswith("FAILED ")]
    return done, failed


# ---------------------------------------------------------------------------- redis-outage


class Approvals(threading.Thread):
    """Reads the approver's lines as they come: which revision of which article committed when."""

    def __init__(self, process: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.done: list[dict] = []
        self.failed: list[dict] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        for line in self.process.stdout:
            done, failed = approvals(line)
            with self.lock:
                self.done.extend(done)
                self.failed.extend(failed)

    def latest_before(self, moment: float) -> dict[str, int]:
        """Each article's last revision committed before ``moment``."""
        with self.lock:
            return {a["id"]: a["seq"] for a in sorted(self.done, key=lambda a: a["seq"]) if a["at"] < moment}


def watch_visibility(site: Site, ids: list[str], approver: Approvals, since: float, rounds: int = 5) -> dict:
    """Read every article, ``rounds`` times over, from ``since`` (Redis's return). An answer that
    shows an older revision than one committed before the request was sent is stale; for each
    article, the time from ``since`` to its first answer with the revision it should show."""
    stale: list[dict] = []
    visible_after: dict[str, float] = {}
    reads = 0
    for _ in range(rounds):
        for public_id in ids:
            sent = time.time()
            expected = approver.latest_before(sent).get(public_id, 0)
            status, body = get(site.url(f"/ency/article/{public_id}.htm"))
            reads += 1
            shown = MARKER.search(body)
            if status != 200 or shown is None or int(shown[1]) < expected:
                stale.append(
                    {
                        "after_s": round(sent - since, 3),
                        "id": public_id,
                        "status": status,
                        "shown": shown and int(shown[1]),
                        "expected": expected,
                    }
                )
            else:
                visible_after.setdefault(public_id, round(time.time() - since, 3))
    return {
        "reads": reads,
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
        ids = site.prepare(ARTICLES)
        site.start()
        paths = [f"/ency/article/{public_id}.htm" for public_id in ids] + [
            "/ency/",
            "/ency/encyclopedia_O.htm",
        ]
        for path in paths:  # warm the page cache: this is what Redis comes back with
            get(site.url(path))
        statuses: collections.Counter = collections.Counter()
        slowest = [0.0]
        timings: list[tuple[float, float]] = []  # (when sent, seconds)
        lock = threading.Lock()
        began = time.time()
        until = began + duration

        def read(offset: int) -> None:
            n = offset
            while time.time() < until:
                path = paths[n % len(paths)]
                n += 1
                sent, started = time.time(), time.monotonic()
                try:
                    status, _ = get(site.url(path))
                except OSError:
                    status = 599  # no answer at all
                took = time.monotonic() - started
                with lock:
                    statuses[status] += 1
                    slowest[0] = max(slowest[0], took)
                    timings.append((sent, took))

        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(READERS)]
        for reader in readers:
            reader.start()
        approver = Approvals(site.approver(ids, duration - 2))
        approver.start()
        time.sleep(max(0, began + stop_at - time.time()))
        site.stop_redis()
        stopped = time.time()
        time.sleep(1)
        health_down = get(site.url("/healthz"))
        time.sleep(max(0, began + start_at - time.time()))
        site.start_redis()
        returned = time.time()
        visibility = watch_visibility(site, ids, approver, returned)
        approver.process.wait(timeout=duration + 60)
        approver.join(timeout=10)
        for reader in readers:
            reader.join(timeout=30)
        health_back = get(site.url("/healthz"))
        during = [a for a in approver.done if stopped <= a["at"] < returned]
        return {
            "phase": "redis-outage",
            "duration_s": duration,
            "redis_stopped_at_s": round(stopped - began, 1),
            "redis_back_at_s": round(returned - began, 1),
            "requests": sum(statuses.values()),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors_5xx": sum(count for status, count in statuses.items() if status >= 500),
            "slowest_answer_s": round(slowest[0], 3),
            "median_answer_ms": {
                "before": _median(timings, began, stopped),
                "redis_down": _median(timings, stopped, returned),
                "after": _median(timings, returned, until),
            },
            "approvals": len(approver.done),
            "approvals_during_outage": len(during),
            "approvals_failed": approver.failed,
            "visibility_after_return": visibility,
            "passed_visibility": visibility["last_stale_after_s"] is None
            or visibility["last_stale_after_s"] <= LIMIT_S,
            "healthz_while_down": {"status": health_down[0], "body": _json(health_down[1])},
            "healthz_after": {"status": health_back[0], "body": _json(health_back[1])},
            "approver_stderr": approver.process.stderr.read()[-2000:],
        }
    finally:
        site.stop()


# ---------------------------------------------------------------------------- smtp-outage


class RefusingSMTP:
    """A mail server out of service: every connection gets 554 and is closed."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((config.HOST, port))
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


def run_smtp(duration: float = 20.0) -> dict:
    """Approve for ``duration`` seconds with the mail server refusing; then it recovers."""
    from aiosmtpd.controller import Controller

    site = Site("smtp-outage")
    refusing = RefusingSMTP(site.smtp_port)
    controller = None
    try:
        site.start_redis()
        ids = site.prepare(4)
        site.start()
        process = site.approver(ids, duration)
        out, err = process.communicate(timeout=duration + 120)
        done, failed = approvals(out)
        waiting_before = _outbox(site)
        refusing.close()
        received: list[str] = []

        class Collector:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
                text = envelope.content.decode("utf-8", "replace")
                found = re.search(r"^Message-ID:\s*(\S+)", text, re.M | re.I)
                received.append(found[1] if found else "")
                return "250 OK"

        controller = Controller(Collector(), hostname=config.HOST, port=site.smtp_port)
        controller.start()
        recovered = time.time()
        for _ in range(2):  # twice, two at once: claims keep any email from going out twice
            runs = [
                subprocess.Popen(
                    [str(PYTHON), "manage.py", "send_queued_mail", "--all"],
                    cwd=ROOT,
                    env=site.env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            for run in runs:
                run.communicate(timeout=120)
        delivered_in = round(time.time() - recovered, 2)
        waiting_after = _outbox(site)
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
            "passed": waiting_before["total"] == len(counts)
            and waiting_after["waiting"] == 0
            and all(n == 1 for n in counts.values())
            and not failed,
            "approver_stderr": err[-2000:],
        }
    finally:
        refusing.close()
        if controller is not None:
            controller.stop()
        site.stop()


def _outbox(site: Site) -> dict:
    out = site.manage(
        "shell",
        script=(
            "from editorial.models import OutgoingMail as M; import json; "
            "print('RESULT ' + json.dumps({'total': M.objects.count(), "
            "'waiting': M.objects.filter(sent_at__isnull=True).count()}))"
        ),
    )
    return json.loads(out.split("RESULT ", 1)[1])


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value} s"


def _median(timings: list[tuple[float, float]], start: float, end: float) -> float | None:
    chosen = sorted(took for sent, took in timings if start <= sent < end)
    return round(chosen[len(chosen) // 2] * 1000, 1) if chosen else None


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text[:200]


PHASES = ("redis-outage", "smtp-outage")


def report_lines() -> list[str] | None:
    """RELIABILITY.md's ``outages`` block, from soak/out/<phase>.json (None: no results yet)."""
    found = {phase: config.OUT / f"{phase}.json" for phase in PHASES}
    results = {phase: json.loads(path.read_text()) for phase, path in found.items() if path.exists()}
    if not results:
        return None
    lines = []
    redis = results.get("redis-outage")
    if redis:
        seen = redis["visibility_after_return"]
        medians = redis["median_answer_ms"]
        lines += [
            f"- **`redis-outage`** ({redis['duration_s']:.0f} s; Redis stopped at {redis['redis_stopped_at_s']} s "
            f"with `SHUTDOWN SAVE`, started again from that snapshot at {redis['redis_back_at_s']} s): "
            f"**{redis['errors_5xx']} 5xx** in {redis['requests']} answers (by status: "
            f"{', '.join(f'{code}: {count}' for code, count in redis['statuses'].items())}); slowest answer "
            f"{redis['slowest_answer_s']} s; median answer {medians['before']} ms before, "
            f"{medians['redis_down']} ms while Redis was down, {medians['after']} ms after.",
            f"- Approvals: {redis['approvals']} ({redis['approvals_during_outage']} while Redis was down), "
            f"{len(redis['approvals_failed'])} failed. From Redis's return, {seen['reads']} reads of every "
            f"article, starting at once: **{seen['stale_answers']} stale** (an older revision than one committed "
            f"before the request was sent; the last one: {_seconds(seen['last_stale_after_s'])} after the return); "
            f"the first round over all of them ended {seen['slowest_first_visible_s']} s after it. Acceptance, "
            f"every approval visible within 1 s of the return: {'pass' if redis['passed_visibility'] else 'FAIL'}.",
            f"- `/healthz` while Redis was down: {redis['healthz_while_down']['status']} "
            f"`{json.dumps(redis['healthz_while_down']['body'])}`; after: {redis['healthz_after']['status']} "
            f"`{json.dumps(redis['healthz_after']['body'])}`.",
        ]
    smtp = results.get("smtp-outage")
    if smtp:
        lines += [
            f"- **`smtp-outage`** ({smtp['duration_s']:.0f} s of approvals, the mail server refusing every "
            f"connection with 554): {smtp['approvals']} approvals, {len(smtp['approvals_failed'])} failed; "
            f"{smtp['outbox_before_recovery']['total']} emails in the outbox, "
            f"{smtp['outbox_before_recovery']['waiting']} unsent. After the server recovered, two "
            f"`send_queued_mail --all` at once, twice: **{smtp['distinct_delivered']} delivered, "
            f"{smtp['delivered_twice']} twice**, {smtp['outbox_after_recovery']['waiting']} left "
            f"(in {smtp['delivered_within_s']} s, four processes' start-up included): "
            f"{'pass' if smtp['passed'] else 'FAIL'}.",
        ]
    return lines


def run(phase: str) -> dict:
    """Run one of ``PHASES`` and write soak/out/<phase>.json."""
    result = run_redis() if phase == "redis-outage" else run_smtp()
    config.OUT.mkdir(parents=True, exist_ok=True)
    (config.OUT / f"{phase}.json").write_text(json.dumps(result, indent=2, default=str))
    return result


def main() -> None:
    """``python -m soak.outages [redis-outage] [smtp-outage]``: run them on their own."""
    for phase in sys.argv[1:] or PHASES:
        print(json.dumps(run(phase), indent=2, default=str), flush=True)


if __name__ == "__main__":
    main()
