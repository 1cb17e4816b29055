"""The ``multiworker`` phase: a change made in one process shows on every worker within 1 s.

`make serve` runs two gunicorn workers; on its default deployment (SQLite, no REDIS_URL) both must
share the cache's generations, article states and site data, or the worker that did not make a change
answers from its cache for up to 5 minutes. On a site of its own (soak/site.py: a director and four
live articles; the access log also names the answering worker), each scenario warms both workers on a
page, makes a change (in the admin's workflow form, or by `manage.py shell -c` calling an editorial
action), then ``READERS`` threads read the page back to back (every other request with a session
cookie, which skips the shared page cache). The figure is the time from the end of the write to the
first answer after the last old one, once ``STREAK`` answers in a row, from both workers, show the new
state and go on doing so for ``HOLD_S``. tests/test_multiprocess.py asserts each scenario.
"""

from __future__ import annotations

import collections
import datetime
import functools
import http.cookiejar
import itertools
import math
import os
import re
import secrets
import shlex
import shutil
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import HOST, get, log_text
from soak import config, site

LIMIT_S = 1.0  # the acceptance: every worker shows a change within this
STREAK = 20  # consecutive answers in the new state
READERS = 4  # threads reading after a write: more than the 2 workers, so both answer
HOLD_S = 0.5  # reading goes on this long after the streak began
WARM_REQUESTS, WARM_THREADS = 40, 8
SOAK_WATCH_S = 10.0  # how long the soak watches a state that has not changed yet
DIRECTOR = "multiworker-director"
SESSION_COOKIE = "sessionid=multiworker-reader"  # any value: its presence skips the page cache
# gunicorn's default access log format, then the worker's pid and the request's probe number.
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s probe=%({x-probe}i)s'
ACCESS_PROBE = re.compile(r"pid=<(\d+)> probe=(\S+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_NOTE = re.compile(r'<(?:p|ul) class="error(?:note|list)[^"]*">(.*?)</(?:p|ul)>', re.S)
Check = Callable[[int, bytes], bool]

SETUP = f"""
import datetime, os
from editorial.actions.publish import publish
from encyclopedia.models import Section, SectionHeading
user = get_user_model().objects.create_user({DIRECTOR!r}, password=os.environ["MULTIWORKER_PASSWORD"], is_staff=True)
user.groups.add(Group.objects.get(name="Editorial directors"))
heading = SectionHeading.objects.get(name="Causes")
articles = {{}}
for key in "ABCD":
    article = Article.objects.create(
        title=f"Multiworker check {{key}}", article_type="symptom",
        summary=f"The first summary of multiworker check {{key}}.", review_date=datetime.date.today(),
    )
    Section.objects.create(article=article, position=1, heading=heading, body="A paragraph of the check.")
    publish(article, user, comment="Multiworker check: first publication")
    articles[key] = {{"pk": article.pk, "public_id": article.public_id}}
done(articles=articles)
"""


@dataclass(frozen=True)
class Answer:
    sent: float  # time.time() when the request was sent
    status: int  # 0: the connection failed
    new: bool
    probe: str
    cookie: bool


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as the answer, as the admin sent it


class AdminClient:
    """A browser's part in the admin with the standard library: a cookie jar, CSRF tokens, no redirects."""

    def __init__(self, port: int):
        self.base = f"http://{HOST}:{port}"
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirect())

    def request(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a POST of ``fields``."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, data=data), timeout=30
            ) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def submit(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """GET the form at ``path``, then POST ``fields`` with its CSRF token."""
        status, _, page = self.request(path)
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"GET {path}: {status}, {'a' if token else 'no'} CSRF token")
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


def errors(page: str) -> str:
    shown = [" ".join(re.sub(r"<[^>]+>", " ", note).split()) for note in ERROR_NOTE.findall(page)]
    return " ".join(shown) or "(no error shown)"


@dataclass
class Reading:
    """The answers of a set of reader threads, as they come in."""

    readers: int
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopped: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.in_flight = [math.inf] * self.readers  # when each reader's pending request was sent

    def stop(self, *, wait: bool = False) -> list[Answer]:
        """The answers, once the readers have finished (``wait``: their requests) or been told to stop."""
        if not wait:
            self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=60)
        return list(self.answers)


def settled_from(answers: list[Answer]) -> float | None:
    """When the answers became new for good: the first after the last old one, if ``STREAK`` or more."""
    tail = len(list(itertools.takewhile(lambda a: a.new, reversed(answers))))
    return answers[-tail].sent if tail >= STREAK else None


class Site(site.Site):
    """The check's site: a director and four live articles; the writes and reads of the scenarios."""

    def __init__(self, workdir: Path, port: int = config.PORT):
        super().__init__("multiworker", workdir, port, {}, ("--access-logformat", ACCESS_FORMAT))
        self.password = secrets.token_urlsafe(18)
        self.articles: dict[str, dict] = {}

    def prepare(self) -> None:
        self.articles = super().prepare(SETUP, {"MULTIWORKER_PASSWORD": self.password})["articles"]

    def director_action(self, key: str, code: str) -> float:
        """``code`` with ``article`` (article ``key``) and ``user`` (the director); when it returned."""
        setup = f"article = Article.objects.get(public_id={self.articles[key]['public_id']!r})\n"
        setup += f"user = get_user_model().objects.get(username={DIRECTOR!r})\n"
        return self.script(setup + code + "\ndone()\n")["done"]

    def admin_withdraw(self, key: str) -> float:
        """A director signs in at /admin/login/ and withdraws article ``key`` with the workflow form."""
        client, pk = AdminClient(self.port), self.articles[key]["pk"]
        fields = {"username": DIRECTOR, "password": self.password, "next": "/admin/"}
        status, location, page = client.submit("/admin/login/?next=/admin/", fields)
        if status != 302 or not location.endswith("/admin/"):
            raise RuntimeError(f"signing in as {DIRECTOR}: {status} {location} {errors(page)}")
        reason = {"reason": "Multiworker check: withdrawn in the admin."}
        status, location, page = client.submit(f"/admin/encyclopedia/article/{pk}/workflow/withdraw/", reason)
        done = time.time()
        if status != 302 or not location.endswith(f"/admin/encyclopedia/article/{pk}/change/"):
            raise RuntimeError(f"the admin's withdrawal answered {status} {location}: {errors(page)}")
        return done

    def workers_of(self, answers: list[Answer], wait: float = 3.0) -> dict[str, int]:
        """probe -> the pid of the worker that answered it, from the access log (written just after)."""
        probes = {a.probe for a in answers if a.status}
        deadline = time.monotonic() + wait
        while True:
            found = {probe: int(pid) for pid, probe in ACCESS_PROBE.findall(log_text(self.server.access_log))}
            if probes <= found.keys() or time.monotonic() > deadline:
                return {probe: found[probe] for probe in probes if probe in found}
            time.sleep(0.05)

    def read(self, tag: str, path: str, check: Check, threads: int, limit: float = math.inf) -> Reading:
        """``threads`` readers of ``path`` until ``limit`` requests were sent or ``Reading.stop``."""
        reading, numbers = Reading(threads), itertools.count()

        def reader(index: int) -> None:
            while not reading.stopped.is_set():
                with reading.lock:
                    number = next(numbers)
                    if number >= limit:
                        return
                    sent = reading.in_flight[index] = time.time()
                probe, cookie = f"{tag}.{number}", number % 2 == 1
                headers = {"X-Probe": probe, **({"Cookie": SESSION_COOKIE} if cookie else {})}
                status, body = get(path, headers, port=self.port, timeout=10)
                with reading.lock:
                    reading.answers.append(Answer(sent, status, check(status, body), probe, cookie))
                    reading.in_flight[index] = math.inf

        reading.threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(threads)]
        for thread in reading.threads:
            thread.start()
        return reading

    def warm(self, tag: str, path: str, is_old: Check) -> dict:
        """``WARM_REQUESTS`` reads from ``WARM_THREADS`` threads, so both workers cache the page as it is."""
        answers = self.read(f"{tag}-warm", path, is_old, WARM_THREADS, WARM_REQUESTS).stop(wait=True)
        return {
            "requests": len(answers),
            "old": sum(a.new for a in answers),  # here ``new`` is ``is_old``: the state before the write
            "statuses": dict(collections.Counter(str(a.status) for a in answers)),
            "workers": sorted(set(self.workers_of(answers).values())),
        }

    def watch(self, tag: str, path: str, is_new: Check, since: float, watch_s: float) -> dict:
        """Read until the last ``STREAK`` answers (by time sent) are new and stay so for ``HOLD_S``.

        Gives up ``watch_s`` after ``since``. An answer takes its place in the order of sending only once
        every request sent before it has been answered, so a slow old answer cannot hide in a streak.
        """
        reading, held_since = self.read(tag, path, is_new, READERS), None
        try:
            while time.time() < since + watch_s:
                time.sleep(0.01)
                with reading.lock:
                    horizon = min(reading.in_flight)
                    known = sorted((a for a in reading.answers if a.sent < horizon), key=lambda a: a.sent)
                if settled_from(known) is None:
                    held_since = None
                elif held_since is None:
                    held_since = time.time()
                elif time.time() - held_since >= HOLD_S:
                    break
        finally:
            answers = sorted(reading.stop(), key=lambda a: a.sent)
        settled, workers = settled_from(answers), self.workers_of(answers)
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
            "by_worker": {worker: counts(group) for worker, group in by_worker.items()},
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


def scenario(
    site: Site, name: str, key: str, write: Callable[[], float], old: Check, new: Check, watch_s: float
) -> dict:
    """Warm both workers on article ``key``'s page, write, and time how long until every worker shows it."""
    path = f"/ency/article/{site.articles[key]['public_id']}.htm"
    warm = site.warm(name, path, old)
    result = site.watch(name, path, new, write(), watch_s)
    site.reap()
    return {"scenario": name, "path": path, "warm": warm, **result}


def admin_withdraw(site: Site, watch_s: float) -> dict:
    """Article A withdrawn with the admin's form, by the worker that answered it: 410 everywhere."""
    write = functools.partial(site.admin_withdraw, "A")
    return scenario(site, "admin-withdraw", "A", write, status_is(200), status_is(410), watch_s)


def by_command(site: Site, name: str, key: str, code: str, old: Check, new: Check, watch_s: float) -> dict:
    return scenario(site, name, key, functools.partial(site.director_action, key, code), old, new, watch_s)


def command_withdraw(site: Site, watch_s: float) -> dict:
    code = "from editorial.actions.withdraw import withdraw\nwithdraw(article, user, reason='Multiworker check.')"
    return by_command(site, "command-withdraw", "B", code, status_is(200), status_is(410), watch_s)


def command_restore(site: Site, watch_s: float) -> dict:
    """After ``command_withdraw``: restore article B by command, 200 again."""
    code = "from editorial.actions.restore import restore\nrestore(article, user)"
    return by_command(site, "command-restore", "B", code, status_is(410), status_is(200), watch_s)


def publish(site: Site, watch_s: float) -> dict:
    """A new publication of article C with a new summary: its text, with and without a session cookie."""
    summary = f"The second summary of multiworker check C, {secrets.token_hex(4)}."
    code = f"from editorial.actions.publish import publish\narticle.summary = {summary!r}\narticle.save()\n"
    code += "publish(article, user, comment='Multiworker check: a new summary')"
    return by_command(site, "publish", "C", code, shows(summary, False), shows(summary), watch_s)


def site_data(site: Site, watch_s: float) -> dict:
    """SiteSettings' disclaimer saved in another process: the new footer on article D's page."""
    disclaimer = f"Multiworker check disclaimer {secrets.token_hex(4)}."
    code = "from encyclopedia.models import SiteSettings\nsettings = SiteSettings.load()\n"
    code += f"settings.disclaimer = {disclaimer!r}\nsettings.save()"
    return by_command(site, "site-data", "D", code, shows(disclaimer, False), shows(disclaimer), watch_s)


STEPS = (admin_withdraw, command_withdraw, command_restore, publish, site_data)


def warmed(result: dict) -> bool:
    """Whether every warm-up answer showed the state before the write (else the figure means little)."""
    return result["warm"]["old"] == result["warm"]["requests"] and len(result["warm"]["workers"]) >= 2


def passed(result: dict) -> bool:
    seconds = result["seconds"]
    return (
        warmed(result) and seconds is not None and seconds <= LIMIT_S and result["workers_after_settled"] >= 2
    )


def describe(result: dict) -> str:
    """One line: the figure, or how stale the workers still were when the watch gave up."""
    warm, seconds = result["warm"], result["seconds"]
    counts = [
        f"worker {pid}: {c['old']} old, {c['new']} new" for pid, c in sorted(result["by_worker"].items())
    ]
    counts += [f"{kind} {c['old']} old/{c['new']} new" for kind, c in result["by_reader"].items()]
    before = f"warm-up {warm['old']}/{warm['requests']} as before on workers {warm['workers']}"
    if not warmed(result):
        before = f"NOT MEASURED: the warm-up did not show the state before the write everywhere ({before})"
    if seconds is None:
        where = "every worker" if result["first_new_s"] is None else "some worker"
        figure = f"STILL OLD on {where} {result['watched_s']:.1f} s after the write (statuses {result['statuses']})"
    else:
        figure = (
            f"{seconds:.3f} s to {STREAK} consecutive new answers (limit {LIMIT_S:.1f} s; first read at "
            f"{result['first_read_s']:.3f} s, first new at {result['first_new_s']:.3f} s), "
            f"{result['answers_after_settled']} new answers from then on from {result['workers_after_settled']} workers"
        )
    old = f"{result['old_answers']} of {result['answers']} answers old"
    return "; ".join([f"{result['scenario']}: {figure}", old, *counts, before])


def run(code: dict | None = None, watch_s: float = SOAK_WATCH_S) -> dict:
    """The soak's phase on 127.0.0.1:8051: a fresh SQLite file in the soak's work directory."""
    workdir = config.WORKDIR / "multiworker"
    shutil.rmtree(workdir, ignore_errors=True)
    site, started, load_before = Site(workdir), datetime.datetime.now().astimezone(), os.getloadavg()
    began = time.monotonic()
    site.prepare()
    prepared, results = time.monotonic(), []
    try:
        site.start()
        workers = site.server.workers()
        for step in STEPS:
            result = step(site, watch_s)
            result["passed"], result["warmed"] = passed(result), warmed(result)
            results.append(result)
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
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "command": shlex.join(site.server.command),
        "database": site.env["DATABASE_URL"],
        "shared_cache_variables": ["SHARED_CACHE_DIR"],
        "workers": {"before": workers, "after": workers_after},
        "code": code or {},
        "scenarios": results,
        "passed": all(r["passed"] for r in results),
    }
