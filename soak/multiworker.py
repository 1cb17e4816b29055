"""The ``multiworker`` phase: a change made in one process shows on every worker within 1 s.

`make serve` runs two gunicorn workers; on its default deployment (SQLite, no REDIS_URL) both must
share the cache's generations, article states and site data, or the worker that did not make a
change answers from its cache for up to 5 minutes. On a site of its own (soak/site.py; the access
log also names the answering worker), each scenario warms both workers on an article's page, makes
a change (in the admin's workflow form, or with `manage.py shell -c` calling an editorial action),
then ``READERS`` threads read the page back to back, every other request with a session cookie
(which skips the shared page cache). The figure is the time from the end of the write to the first
answer after the last old one, once ``STREAK`` answers in a row, from both workers, show the new
state and go on doing so for ``HOLD_S``. tests/test_multiprocess.py asserts each scenario.
"""

from __future__ import annotations

import collections
import datetime
import itertools
import math
import re
import secrets
import shlex
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH_PASSWORD
from bench.server import HOST, log_text
from soak import PORT, WORKDIR, site

LIMIT_S = 1.0  # the acceptance: every worker shows a change within this
STREAK, READERS, HOLD_S = 20, 4, 0.5  # answers in a row in the new state; threads after a write; seconds
WARM_REQUESTS, WARM_THREADS = 40, 8
SOAK_WATCH_S = 10.0  # how long the soak watches a state that has not changed yet
SESSION_COOKIE = "sessionid=multiworker-reader"  # any value: its presence skips the page cache
# gunicorn's default access log format, then the worker's pid and the request's probe number.
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s probe=%({x-probe}i)s'
ACCESS_PROBE = re.compile(r"pid=<(\d+)> probe=(\S+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
Check = Callable[[int, bytes], bool]


@dataclass(frozen=True)
class Answer:
    sent: float  # time.time() when the request was sent
    status: int  # 0: the connection failed
    new: bool  # what the reading's check said
    probe: str
    cookie: bool


def settled_from(answers: list[Answer]) -> float | None:
    """When the answers became new for good: the first after the last old one, if ``STREAK`` or more."""
    tail = len(list(itertools.takewhile(lambda a: a.new, reversed(answers))))
    return answers[-tail].sent if tail >= STREAK else None


class Reading:
    """``threads`` readers of ``path`` back to back until ``stop`` (or ``limit`` requests were sent)."""

    def __init__(self, site: Site, tag: str, path: str, check: Check, threads: int, limit: float = math.inf):
        self.answers: list[Answer] = []
        self.lock, self.stopped, numbers = threading.Lock(), threading.Event(), itertools.count()
        self.in_flight = [math.inf] * threads  # when each reader's pending request was sent

        def reader(index: int) -> None:
            while not self.stopped.is_set():
                with self.lock:
                    if (number := next(numbers)) >= limit:
                        return
                    sent = self.in_flight[index] = time.time()
                probe, cookie = f"{tag}.{number}", number % 2 == 1
                status, body = site.get(
                    path, {"X-Probe": probe} | ({"Cookie": SESSION_COOKIE} if cookie else {})
                )
                with self.lock:
                    self.answers.append(Answer(sent, status, check(status, body), probe, cookie))
                    self.in_flight[index] = math.inf

        self.threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(threads)]
        for thread in self.threads:
            thread.start()

    def known(self) -> list[Answer]:
        """The answers sent before any request still pending, in the order sent: a slow old answer
        cannot hide behind a streak."""
        with self.lock:
            horizon = min(self.in_flight)
            return sorted((a for a in self.answers if a.sent < horizon), key=lambda a: a.sent)

    def stop(self, *, wait: bool = False) -> list[Answer]:
        """Every answer, once the readers have finished (``wait``: their ``limit``) or been stopped."""
        if not wait:
            self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return self.known()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object) -> None:
        return None  # the admin's 302 comes back as the answer (an HTTPError)


class Site(site.Site):
    """The check's site (bench-director and four live articles) and its two ways of making a change."""

    def __init__(self, workdir: Path, port: int = PORT):
        super().__init__("multiworker", workdir, port, extra_args=("--access-logformat", ACCESS_FORMAT))

    def command(self, index: int, code: str) -> float:
        """``code`` with ``article`` (article ``index``) and ``user`` (the director); when it returned."""
        setup = f"article = Article.objects.get(pk={self.articles[index]['pk']})\n"
        setup += "user = get_user_model().objects.get(username='bench-director')\n"
        return self.script(setup + code + "\ndone()\n")["done"]

    def admin_withdraw(self, index: int) -> float:
        """The director signs in at /admin/login/ and withdraws article ``index`` with the workflow form."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirects())

        def post(path: str, fields: dict[str, str]) -> str:
            """GET the form, POST ``fields`` with its CSRF token; the redirect's Location."""
            url = f"http://{HOST}:{self.port}{path}"
            token = CSRF_FIELD.search(opener.open(url, timeout=30).read().decode())
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1] if token else "", **fields})
            try:
                opener.open(url, data.encode(), timeout=30).close()
            except urllib.error.HTTPError as answer:
                if answer.code == 302:
                    return answer.headers["Location"]
            raise RuntimeError(f"POST {path} was not redirected: refused, or the form showed an error")

        post("/admin/login/?next=/admin/", {"username": "bench-director", "password": BENCH_PASSWORD})
        change = f"/admin/encyclopedia/article/{self.articles[index]['pk']}/"
        location = post(
            change + "workflow/withdraw/", {"reason": "Multiworker check: withdrawn in the admin."}
        )
        if not location.endswith(change + "change/"):
            raise RuntimeError(f"the admin's withdrawal went to {location}")
        return time.time()

    def workers_of(self, answers: list[Answer]) -> dict[str, int]:
        """probe -> the pid of the worker that answered it, from the access log (written just after)."""
        deadline = time.monotonic() + 3
        while True:
            found = {probe: int(pid) for pid, probe in ACCESS_PROBE.findall(log_text(self.server.access_log))}
            if {a.probe for a in answers if a.status} <= found.keys() or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def watch(site: Site, tag: str, path: str, is_new: Check, since: float, watch_s: float) -> dict:
    """Read until ``STREAK`` answers in a row are new and stay so for ``HOLD_S``, or ``watch_s`` passed."""
    reading, held_since = Reading(site, tag, path, is_new, READERS), None
    try:
        while time.time() < since + watch_s:
            time.sleep(0.01)
            if settled_from(reading.known()) is None:
                held_since = None
            elif held_since is None:
                held_since = time.time()
            elif time.time() - held_since >= HOLD_S:
                break
    finally:
        answers = reading.stop()
    settled, workers = settled_from(answers), site.workers_of(answers)
    after = [a for a in answers if settled is not None and a.sent >= settled]

    def counts(group: list[Answer]) -> dict[str, int]:
        return {"new": sum(a.new for a in group), "old": sum(not a.new for a in group)}

    def since_write(moment: float | None) -> float | None:
        return None if moment is None else round(moment - since, 3)

    by_worker = collections.defaultdict(list)
    for answer in answers:
        by_worker[str(workers.get(answer.probe, "?"))].append(answer)
    return {
        "seconds": since_write(settled),
        "watched_s": watch_s,
        "first_read_s": since_write(answers[0].sent if answers else None),
        "first_new_s": since_write(next((a.sent for a in answers if a.new), None)),
        "answers": len(answers),
        "old_answers": sum(not a.new for a in answers),
        "answers_after_settled": len(after),
        "workers_after_settled": len({workers[a.probe] for a in after if a.probe in workers}),
        "by_worker": {worker: counts(group) for worker, group in sorted(by_worker.items())},
        "by_reader": {
            "anonymous": counts([a for a in answers if not a.cookie]),
            "session cookie": counts([a for a in answers if a.cookie]),
        },
        "statuses": dict(collections.Counter(str(a.status) for a in answers)),
    }


def status_is(code: int) -> Check:
    return lambda status, _body: status == code


def shows(text: str, present: bool = True) -> Check:
    return lambda status, body: status == 200 and (text.encode() in body) == present


CHANGES = {  # each scenario's change, and what every worker must answer after it
    "admin-withdraw": ("Withdrawn in the admin (the worker that answered the form)", "410"),
    "command-withdraw": ("Withdrawn by a command (`manage.py shell -c`, another process)", "410"),
    "command-restore": ("Restored by a command (another process)", "200"),
    "publish": ("Published with a new summary by a command (another process)", "200 with the new summary"),
    "site-data": (
        "Site settings' disclaimer saved by a command (another process)",
        "200 with the new footer",
    ),
}


def scenario(
    site: Site, name: str, index: int, code: str | None, old: Check, new: Check, watch_s: float
) -> dict:
    """Warm both workers on article ``index``'s page as it is, make the change (``code`` by command, or
    the admin's withdrawal), and time how long until every worker shows it."""
    path = f"/ency/article/{site.articles[index]['public_id']}.htm"
    warm = Reading(site, f"{name}-warm", path, old, WARM_THREADS, WARM_REQUESTS).stop(wait=True)
    done = site.admin_withdraw(index) if code is None else site.command(index, code)
    result = watch(site, name, path, new, done, watch_s)
    site.reap()
    workers = site.workers_of(warm)
    warm_figures = {
        "requests": len(warm),
        "old": sum(a.new for a in warm),  # here the check was ``old``: the state before the write
        "statuses": dict(collections.Counter(str(a.status) for a in warm)),
        "workers": sorted({workers[a.probe] for a in warm if a.probe in workers}),
    }
    change, expect = CHANGES[name]
    return {"scenario": name, "change": change, "expect": expect, "path": path, "warm": warm_figures} | result


def admin_withdraw(site: Site, watch_s: float) -> dict:
    return scenario(site, "admin-withdraw", 0, None, status_is(200), status_is(410), watch_s)


def command_withdraw(site: Site, watch_s: float) -> dict:
    code = "from editorial.actions.withdraw import withdraw\nwithdraw(article, user, reason='Multiworker check.')"
    return scenario(site, "command-withdraw", 1, code, status_is(200), status_is(410), watch_s)


def command_restore(site: Site, watch_s: float) -> dict:
    """After ``command_withdraw``: the same article restored."""
    code = "from editorial.actions.restore import restore\nrestore(article, user)"
    return scenario(site, "command-restore", 1, code, status_is(410), status_is(200), watch_s)


def publish(site: Site, watch_s: float) -> dict:
    """A new summary: readers with a session cookie (past the page cache) and without one alike."""
    text = f"A new summary {secrets.token_hex(4)}."
    code = f"from editorial.actions.publish import publish\narticle.summary = {text!r}\narticle.save()\n"
    code += "publish(article, user, comment='Multiworker check: a new summary')"
    return scenario(site, "publish", 2, code, shows(text, False), shows(text), watch_s)


def site_data(site: Site, watch_s: float) -> dict:
    """SiteSettings' disclaimer, shown in every page's footer."""
    text = f"A new disclaimer {secrets.token_hex(4)}."
    code = "from encyclopedia.models import SiteSettings\nsettings = SiteSettings.load()\n"
    code += f"settings.disclaimer = {text!r}\nsettings.save()"
    return scenario(site, "site-data", 3, code, shows(text, False), shows(text), watch_s)


def warmed(result: dict) -> bool:
    """Whether every warm-up answer showed the state before the write, on both workers."""
    return result["warm"]["old"] == result["warm"]["requests"] and len(result["warm"]["workers"]) >= 2


def passed(result: dict) -> bool:
    seconds = result["seconds"]
    return (
        warmed(result) and seconds is not None and seconds <= LIMIT_S and result["workers_after_settled"] >= 2
    )


def describe(result: dict) -> str:
    """One line: the figure, or how stale the workers still were when the watch gave up."""
    warm, seconds = result["warm"], result["seconds"]
    if seconds is None:
        figure = f"STILL OLD {result['watched_s']:.1f} s after the write (statuses {result['statuses']})"
    else:
        figure = f"{seconds:.3f} s to {STREAK} new answers in a row (limit {LIMIT_S:.1f} s) from {result['workers_after_settled']} workers"
    counts = [
        f"{who} {c['old']} old/{c['new']} new"
        for who, c in {**result["by_worker"], **result["by_reader"]}.items()
    ]
    before = f"warm-up {warm['old']}/{warm['requests']} as before on workers {warm['workers']}"
    return "; ".join(
        [f"{result['scenario']}: {figure}", *counts, before if warmed(result) else f"NOT MEASURED: {before}"]
    )


def run(code: dict | None = None, watch_s: float = SOAK_WATCH_S) -> dict:
    """The soak's phase on 127.0.0.1:8051: a fresh SQLite file in the soak's work directory."""
    site, started, began = (
        Site(WORKDIR / "multiworker"),
        datetime.datetime.now().astimezone(),
        time.monotonic(),
    )
    site.prepare()
    prepared, results = time.monotonic(), []
    try:
        site.start()
        workers = site.server.workers()
        for step in (admin_withdraw, command_withdraw, command_restore, publish, site_data):
            results.append(result := step(site, watch_s))
            result |= {"passed": passed(result), "warmed": warmed(result)}
            print(f"[soak] {describe(result)}", file=sys.stderr, flush=True)
        workers_after = site.server.workers()
    finally:
        site.stop()
    return {
        "phase": "multiworker",
        "started": started.isoformat(timespec="seconds"),
        **{"limit_s": LIMIT_S, "streak": STREAK, "readers": READERS, "hold_s": HOLD_S, "watch_s": watch_s},
        **{"warm_requests": WARM_REQUESTS, "warm_threads": WARM_THREADS},
        "prepare_s": round(prepared - began, 1),
        "total_s": round(time.monotonic() - began, 1),
        "command": shlex.join(site.server.command),
        "database": site.env["DATABASE_URL"],
        "shared_cache_dir": site.env["SHARED_CACHE_DIR"],  # every worker's shared store, REDIS_URL unset
        "workers": {"before": workers, "after": workers_after},
        "code": code or {},
        "scenarios": results,
        "passed": all(r["passed"] for r in results),
        "slowest_s": max(
            (r["seconds"] if r["seconds"] is not None else math.inf for r in results), default=None
        ),
    }
