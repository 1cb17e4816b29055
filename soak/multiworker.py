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
import functools
import itertools
import math
import re
import secrets
import shlex
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from bench.common import BENCH_PASSWORD
from bench.report import rows_of
from bench.server import HOST, log_text
from soak import PORT, WORKDIR, log, now, site

LIMIT_S = 1.0  # the acceptance: every worker shows a change within this
STREAK, READERS, HOLD_S = 20, 4, 0.5  # answers in a row in the new state; threads after a write; seconds
WARM_REQUESTS, WARM_THREADS = 40, 8
SOAK_WATCH_S = 10.0  # how long the soak watches a state that has not changed yet
# gunicorn's default access log format, then the worker's pid and the request's probe number.
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s probe=%({x-probe}i)s'
ACCESS_PROBE = re.compile(r"pid=<(\d+)> probe=(\S+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
Check = Callable[[int, bytes], bool]
# Each scenario's article, what every worker must answer after it (before it: the other status, or
# the page without the new TEXT), and what the change is: by the admin's form, or by this code.
SCENARIOS = {
    name: rest
    for name, *rest in rows_of("""
admin-withdraw | 0 | 410 | Withdrawn in the admin (the worker that answered the form)
command-withdraw | 1 | 410 | Withdrawn by a command (`manage.py shell -c`, another process)
command-restore | 1 | 200 | Restored by a command (another process)
publish | 2 | 200 with the new summary | Published with a new summary by a command (another process)
search-publish | 2 | 200 finding the article | Published with a new summary by a command, read as a search for its new word
site-data | 3 | 200 with the new footer | Site settings' disclaimer saved by a command (another process)
""")
}
CODE = {
    "command-withdraw": "from editorial.actions.withdraw import withdraw\n"
    "withdraw(article, user, reason='Multiworker check.')",
    "command-restore": "from editorial.actions.restore import restore\nrestore(article, user)",
    "publish": "from editorial.actions.publish import publish\narticle.summary = TEXT\narticle.save()\n"
    "publish(article, user, comment='Multiworker check: a new summary')",
    "search-publish": "from editorial.actions.publish import publish\narticle.summary = TEXT\narticle.save()\n"
    "publish(article, user, comment='Multiworker check: a new summary to search for')",
    "site-data": "from encyclopedia.models import SiteSettings\nsettings = SiteSettings.load()\n"
    "settings.disclaimer = TEXT\nsettings.save()",
}


class Answer(NamedTuple):
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
                probe, cookie = f"{tag}.{number}", number % 2 == 1  # any session id skips the page cache
                status, body = site.get(
                    path, {"X-Probe": probe} | ({"Cookie": "sessionid=mw"} if cookie else {})
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
        return self.script(
            setup + "user = get_user_model().objects.get(username='bench-director')\n" + code + "\ndone()"
        )["done"]

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


def counts(answers: list[Answer]) -> dict[str, int]:
    return {"new": sum(a.new for a in answers), "old": sum(not a.new for a in answers)}


def watch(site: Site, tag: str, path: str, is_new: Check, since: float, watch_s: float) -> dict:
    """Read until ``STREAK`` answers in a row are new and stay so for ``HOLD_S``, or ``watch_s`` passed."""
    reading, held_since = Reading(site, tag, path, is_new, READERS), None
    try:
        while time.time() < since + watch_s and (held_since is None or time.time() - held_since < HOLD_S):
            time.sleep(0.01)
            held_since = None if settled_from(reading.known()) is None else held_since or time.time()
    finally:
        answers = reading.stop()
    settled, workers, by_worker = (
        settled_from(answers),
        site.workers_of(answers),
        collections.defaultdict(list),
    )
    for answer in answers:
        by_worker[str(workers.get(answer.probe, "?"))].append(answer)
    # The workers that answered from the settling on: both must have shown the new state.
    after = {workers.get(a.probe) for a in answers if settled is not None and a.sent >= settled} - {None}

    def since_write(moment: float | None) -> float | None:
        return None if moment is None else round(moment - since, 3)

    return {
        "seconds": since_write(settled),
        "watched_s": watch_s,
        "first_read_s": since_write(answers[0].sent if answers else None),
        "first_new_s": since_write(next((a.sent for a in answers if a.new), None)),
        "answers": len(answers),
        "old_answers": sum(not a.new for a in answers),
        "workers_after_settled": len(after),
        "by_worker": {worker: counts(group) for worker, group in sorted(by_worker.items())},
        "by_reader": {
            "anonymous": counts([a for a in answers if not a.cookie]),
            "session cookie": counts([a for a in answers if a.cookie]),
        },
        "statuses": dict(collections.Counter(str(a.status) for a in answers)),
    }


def scenario(site: Site, watch_s: float, *, name: str) -> dict:
    """Warm both workers on the scenario's article as it is, make the change, and time how long until
    every worker shows it."""
    (index, expect, change), text = SCENARIOS[name], f"A new text {secrets.token_hex(4)}."
    code, before = CODE.get(name, "").replace("TEXT", repr(text)), {"410": 200, "200": 410}.get(expect)

    def old(status: int, body: bytes) -> bool:
        return status == before if before else status == 200 and text.encode() not in body

    def new(status: int, body: bytes) -> bool:
        return status == int(expect) if before else status == 200 and text.encode() in body

    path = f"/ency/article/{site.articles[int(index)]['public_id']}.htm"
    if name == "search-publish":  # the search for the new word: no result before, the article after
        link, path = path.encode(), f"/ency/search/?q={text.split()[-1].rstrip('.')}"

        def old(status: int, body: bytes) -> bool:
            return status == 200 and link not in body

        def new(status: int, body: bytes) -> bool:
            return status == 200 and link in body

    for attempt in range(5):  # a worker still loading the app just after the start takes no request
        warm = Reading(site, f"{name}-warm{attempt}", path, old, WARM_THREADS, WARM_REQUESTS).stop(wait=True)
        found = site.workers_of(warm)
        if len(warm_workers := sorted({found[a.probe] for a in warm if a.probe in found})) >= 2:
            break
    done = site.command(int(index), code) if code else site.admin_withdraw(int(index))
    result = watch(site, name, path, new, done, watch_s)
    site.reap()
    # Here the check was ``old``: the warm-up's "new" answers showed the state before the write.
    warm_figures = {"requests": len(warm), "old": sum(a.new for a in warm), "workers": warm_workers}
    return {"scenario": name, "change": change, "expect": expect, "path": path, "warm": warm_figures} | result


admin_withdraw = functools.partial(scenario, name="admin-withdraw")
command_withdraw = functools.partial(scenario, name="command-withdraw")
command_restore = functools.partial(scenario, name="command-restore")  # after ``command_withdraw``
publish = functools.partial(scenario, name="publish")  # with and without a session cookie alike
search_publish = functools.partial(scenario, name="search-publish")  # the search page, both readers
site_data = functools.partial(scenario, name="site-data")  # SiteSettings' disclaimer: every page's footer


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
    counted = [
        f"{who} {c['old']} old/{c['new']} new"
        for who, c in {**result["by_worker"], **result["by_reader"]}.items()
    ]
    before = f"warm-up {warm['old']}/{warm['requests']} as before on workers {warm['workers']}"
    return "; ".join(
        [f"{result['scenario']}: {figure}", *counted, before if warmed(result) else f"NOT MEASURED: {before}"]
    )


def run(code: dict | None = None, watch_s: float = SOAK_WATCH_S) -> dict:
    """The soak's phase on the soak's port: a fresh SQLite file in the soak's work directory."""
    log("multiworker: a SQLite file of its own, 2 workers, no REDIS_URL")
    site, started, began = Site(WORKDIR / "multiworker"), now(), time.monotonic()
    site.prepare()
    prepared, results = time.monotonic(), []
    try:
        site.start()
        workers = site.server.workers()
        for name in SCENARIOS:
            results.append(result := scenario(site, watch_s, name=name))
            result |= {"passed": passed(result), "warmed": warmed(result)}
            log(describe(result))
        workers_after = site.server.workers()
    finally:
        site.stop()
    return {
        "phase": "multiworker",
        "started": started,
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
        "slowest_s": max((math.inf if r["seconds"] is None else r["seconds"] for r in results), default=None),
    }
