"""The ``multiworker`` phase: a change made in one process shows on every worker within 1 s.

`make serve` runs two gunicorn workers; on its default deployment (SQLite, no REDIS_URL) both must
share the cache's generations, article states and site data, or the worker that did not make a change
answers from its cache for up to 5 minutes. On a SQLite file of its own (``Site.prepare``: collectstatic,
migrate, a director and four live articles, in `manage.py` subprocesses) and the Makefile's `serve`
gunicorn line (``Site.start``; the access log also names the answering worker), each scenario warms
both workers on a page, makes a change (in the admin's workflow form, or by `manage.py shell -c`
calling an editorial action), then ``READERS`` threads read the page back to back (every other
request with a session cookie, which skips the shared page cache). The figure is the time from the
end of the write to the first answer after the last old one, once ``STREAK`` answers in a row, from
both workers, show the new state and go on doing so for ``HOLD_S``. tests/test_multiprocess.py asserts
each scenario; ``run`` is the soak's phase.
"""

from __future__ import annotations

import collections
import datetime
import functools
import http.cookiejar
import itertools
import json
import math
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from soak import config
from soak.server import Server, get, log_text

NAME = "multiworker"
LIMIT_S = 1.0  # the acceptance: every worker shows a change within this
STREAK = 20  # consecutive answers in the new state
READERS = 4  # threads reading after a write: more than the 2 workers, so both answer
HOLD_S = 0.5  # reading goes on this long after the streak began
WARM_REQUESTS = 40
WARM_THREADS = 8
SOAK_WATCH_S = 10.0  # how long the soak watches a state that has not changed yet
DIRECTOR = "multiworker-director"
SESSION_COOKIE = "sessionid=multiworker-reader"  # any value: its presence skips the page cache
# config/settings.py's cache directory, pointed into the work directory so that the check never shares
# generations and article states with a `make serve` or `make run` of this tree.
SHARED_CACHE_VARIABLE = "SHARED_CACHE_DIR"
# gunicorn's default access log format, then the worker's pid and the request's probe number.
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s probe=%({x-probe}i)s'
ACCESS_PROBE = re.compile(r"pid=<(\d+)> probe=(\S+)")
RESULT = "MULTIWORKER-RESULT "
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_NOTE = re.compile(r'<(?:p|ul) class="error(?:note|list)[^"]*">(.*?)</(?:p|ul)>', re.S)

Check = Callable[[int, bytes], bool]

# Run in `manage.py shell -c` before each script: the director, and ``done`` to report the moment
# the write returned (its transaction committed) on stdout.
PRELUDE = f"""
import json, time
from django.contrib.auth import get_user_model
from encyclopedia.models import Article
def director():
    return get_user_model().objects.get(username={DIRECTOR!r})
def done(**extra):
    print({RESULT!r} + json.dumps({{"done": time.time(), **extra}}), flush=True)
"""

SETUP = f"""
import datetime, os
from django.contrib.auth.models import Group
from editorial.actions.publish import publish
from encyclopedia.models import Section, SectionHeading
user = get_user_model().objects.create_user(
    {DIRECTOR!r}, password=os.environ["MULTIWORKER_PASSWORD"], is_staff=True
)
user.groups.add(Group.objects.get(name="Editorial directors"))
heading = SectionHeading.objects.get(name="Causes")
articles = {{}}
for key in "ABCD":
    article = Article.objects.create(
        title=f"Multiworker check {{key}}",
        article_type="symptom",
        summary=f"The first summary of multiworker check {{key}}.",
        review_date=datetime.date.today(),
    )
    Section.objects.create(article=article, position=1, heading=heading, body="A paragraph of the check.")
    publish(article, user, comment="Multiworker check: first publication")
    articles[key] = {{"pk": article.pk, "public_id": article.public_id}}
done(articles=articles)
"""


def server_env(workdir: Path) -> dict[str, str]:
    """`make serve` in production on a SQLite file in ``workdir``: DEBUG off, no REDIS_URL.

    Nothing is inherited but PATH, HOME and the locale, so neither the test suite's DATABASE_URL nor a
    REDIS_URL reaches the server; cookies go over plain HTTP (loopback), as a browser sends them; the
    cache keys get a prefix and a cache directory of their own.
    """
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(workdir / "static"),
            "DEBUG": "0",
            "SECRET_KEY": "multiworker-check-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": config.HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CACHE_KEY_PREFIX": "multiworker-" + secrets.token_hex(4),
            "PYTHONPATH": str(config.ROOT),
            SHARED_CACHE_VARIABLE: str(workdir / "shared-cache"),
        }
    )
    return env


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
        self.base = f"http://{config.HOST}:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a POST of ``fields``."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310 - loopback only
        try:
            with self.opener.open(request, timeout=30) as response:
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

    def sign_in(self, username: str, password: str) -> None:
        status, location, page = self.submit(
            "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
        )
        if status != 302 or not location.endswith("/admin/"):
            raise RuntimeError(f"signing in as {username}: {status} {location} {errors(page)}")


def errors(page: str) -> str:
    shown = [" ".join(re.sub(r"<[^>]+>", " ", note).split()) for note in ERROR_NOTE.findall(page)]
    return " ".join(shown) or "(no error shown)"


class Site:
    """A fresh SQLite file, `make serve`'s gunicorn on it, and the writes and reads of the scenarios."""

    def __init__(self, workdir: Path, port: int = config.PORT):
        self.workdir = workdir
        self.port = port
        self.env = server_env(workdir)
        self.password = secrets.token_urlsafe(18)
        self.articles: dict[str, dict] = {}
        self.server = Server(
            self.env, NAME, port=port, workdir=workdir, extra_args=("--access-logformat", ACCESS_FORMAT)
        )
        self._exiting: list[tuple[subprocess.Popen, threading.Timer, list[str]]] = []

    # ------------------------------------------------------------------ processes

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(  # noqa: S603 - this project's manage.py, fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=config.ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {args[0]} exited {result.returncode}:\n{result.stdout[-2000:]}{result.stderr[-4000:]}"
            )
        return result.stdout

    def script(self, code: str, env: dict[str, str] | None = None) -> dict:
        """Run ``code`` in `manage.py shell -c`, another process as an operator's command is; its ``done``.

        Returns as soon as the script has reported, so the readers start while its process exits;
        ``reap`` collects the process (and fails if it then exited with an error).
        """
        process = subprocess.Popen(  # noqa: S603 - this project's manage.py, fixed arguments
            [sys.executable, "manage.py", "shell", "-c", PRELUDE + code],
            cwd=config.ROOT,
            env=env or self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        killer = threading.Timer(120, process.kill)  # bounded, however the script hangs
        killer.start()
        output: list[str] = []
        try:
            for line in process.stdout:
                if line.startswith(RESULT):
                    self._exiting.append((process, killer, output))
                    return json.loads(line[len(RESULT) :])
                output.append(line)
            process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            if process.poll() is not None:
                killer.cancel()
        raise RuntimeError(
            f"the script exited {process.returncode} without reporting:\n{''.join(output)[-4000:]}"
        )

    def reap(self) -> None:
        """Wait for the scripts that have reported to exit; an error on the way out still fails."""
        while self._exiting:
            process, killer, output = self._exiting.pop()
            rest, _ = process.communicate(timeout=130)
            killer.cancel()
            if process.returncode != 0:
                raise RuntimeError(
                    f"the script exited {process.returncode}:\n{(''.join(output) + rest)[-4000:]}"
                )

    def prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")
        self.articles = self.script(SETUP, env={**self.env, "MULTIWORKER_PASSWORD": self.password})[
            "articles"
        ]
        self.reap()

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            for process, killer, _ in self._exiting:
                process.kill()
                process.wait()
                killer.cancel()
            self._exiting.clear()

    # ------------------------------------------------------------------ the writes

    def director_action(self, key: str, code: str) -> float:
        """``code`` with ``article`` (article ``key``) and ``user`` (the director); when it returned."""
        public_id = self.articles[key]["public_id"]
        setup = f"article = Article.objects.get(public_id={public_id!r})\nuser = director()\n"
        return self.script(setup + code + "\ndone()\n")["done"]

    def admin_withdraw(self, client: AdminClient, key: str) -> float:
        """Withdraw article ``key`` with the admin's workflow form, signed in as the director."""
        pk = self.articles[key]["pk"]
        status, location, page = client.submit(
            f"/admin/encyclopedia/article/{pk}/workflow/withdraw/",
            {"reason": "Multiworker check: withdrawn in the admin."},
        )
        done = time.time()
        if status != 302 or not location.endswith(f"/admin/encyclopedia/article/{pk}/change/"):
            raise RuntimeError(f"the admin's withdrawal answered {status} {location}: {errors(page)}")
        return done

    # ------------------------------------------------------------------ the reads

    def path(self, key: str) -> str:
        return f"/ency/article/{self.articles[key]['public_id']}.htm"

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
        reading = Reading(threads)
        numbers = itertools.count()

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
        reading = self.read(tag, path, is_new, READERS)
        held_since: float | None = None
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
        settled = settled_from(answers)
        workers = self.workers_of(answers)
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
    tail = 0
    for answer in reversed(answers):
        if not answer.new:
            break
        tail += 1
    return answers[-tail].sent if tail >= STREAK else None


# ---------------------------------------------------------------------- the scenarios


def status_is(code: int) -> Check:
    return lambda status, _body: status == code


def shows(text: str) -> Check:
    needle = text.encode()
    return lambda status, body: status == 200 and needle in body


def lacks(text: str) -> Check:
    needle = text.encode()
    return lambda status, body: status == 200 and needle not in body


def scenario(
    site: Site, name: str, key: str, write: Callable[[], float], is_old: Check, is_new: Check, watch_s: float
) -> dict:
    """Warm both workers on article ``key``'s page, write, and time how long until every worker shows it."""
    path = site.path(key)
    warm = site.warm(name, path, is_old)
    since = write()
    result = site.watch(name, path, is_new, since, watch_s)
    site.reap()
    return {"scenario": name, "path": path, "warm": warm, **result}


def admin_withdraw(site: Site, watch_s: float) -> dict:
    """A director signs in at /admin/login/ and withdraws article A with the admin's form: 410."""
    client = AdminClient(site.port)
    client.sign_in(DIRECTOR, site.password)
    write = functools.partial(site.admin_withdraw, client, "A")
    return scenario(site, "admin-withdraw", "A", write, status_is(200), status_is(410), watch_s)


def command_withdraw(site: Site, watch_s: float) -> dict:
    code = "from editorial.actions.withdraw import withdraw\nwithdraw(article, user, reason='Multiworker check.')"
    write = functools.partial(site.director_action, "B", code)
    return scenario(site, "command-withdraw", "B", write, status_is(200), status_is(410), watch_s)


def command_restore(site: Site, watch_s: float) -> dict:
    """After ``command_withdraw``: restore article B by command, 200 again."""
    code = "from editorial.actions.restore import restore\nrestore(article, user)"
    write = functools.partial(site.director_action, "B", code)
    return scenario(site, "command-restore", "B", write, status_is(410), status_is(200), watch_s)


def publish(site: Site, watch_s: float) -> dict:
    """A new publication of article C with a new summary: its text, with and without a session cookie."""
    summary = f"The second summary of multiworker check C, {secrets.token_hex(4)}."
    code = (
        "from editorial.actions.publish import publish\n"
        f"article.summary = {summary!r}\n"
        "article.save()\n"
        "publish(article, user, comment='Multiworker check: a new summary')"
    )
    write = functools.partial(site.director_action, "C", code)
    return scenario(site, "publish", "C", write, lacks(summary), shows(summary), watch_s)


def site_data(site: Site, watch_s: float) -> dict:
    """SiteSettings' disclaimer saved in another process: the new footer on article D's page."""
    disclaimer = f"Multiworker check disclaimer {secrets.token_hex(4)}."
    code = (
        "from encyclopedia.models import SiteSettings\n"
        "settings = SiteSettings.load()\n"
        f"settings.disclaimer = {disclaimer!r}\n"
        "settings.save()"
    )
    write = functools.partial(site.director_action, "D", code)
    return scenario(site, "site-data", "D", write, lacks(disclaimer), shows(disclaimer), watch_s)


STEPS: dict[str, Callable[[Site, float], dict]] = {
    "admin-withdraw": admin_withdraw,
    "command-withdraw": command_withdraw,
    "command-restore": command_restore,
    "publish": publish,
    "site-data": site_data,
}


def passed(result: dict) -> bool:
    return (
        warmed(result)
        and result["seconds"] is not None
        and result["seconds"] <= LIMIT_S
        and result["workers_after_settled"] >= 2
    )


def warmed(result: dict) -> bool:
    """Whether every warm-up answer showed the state before the write (else the figure means little)."""
    warm = result["warm"]
    return warm["old"] == warm["requests"] and len(warm["workers"]) >= 2


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


# ---------------------------------------------------------------------- the soak phase


def run(code: dict | None = None, watch_s: float = SOAK_WATCH_S) -> dict:
    """The soak's phase on 127.0.0.1:8051: a fresh SQLite file in the soak's work directory."""
    workdir = config.WORKDIR / NAME
    shutil.rmtree(workdir, ignore_errors=True)
    site = Site(workdir)
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    began = time.monotonic()
    site.prepare()
    prepared = time.monotonic()
    results = []
    try:
        site.start()
        workers = site.server.workers()
        for step in STEPS.values():
            result = step(site, watch_s)
            result["passed"], result["warmed"] = passed(result), warmed(result)
            results.append(result)
            print(f"[soak] {describe(result)}", file=sys.stderr, flush=True)
        workers_after = site.server.workers()
    finally:
        site.stop()
    return {
        "phase": NAME,
        "started": started.isoformat(timespec="seconds"),
        **{"limit_s": LIMIT_S, "streak": STREAK, "readers": READERS, "hold_s": HOLD_S},
        **{"warm_requests": WARM_REQUESTS, "warm_threads": WARM_THREADS},
        "watch_s": watch_s,
        "prepare_s": round(prepared - began, 1),
        "total_s": round(time.monotonic() - began, 1),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "command": shlex.join(site.server.command),
        "database": site.env["DATABASE_URL"],
        "shared_cache_variables": [SHARED_CACHE_VARIABLE],
        "workers": {"before": workers, "after": workers_after},
        "code": code or {},
        "scenarios": results,
        "passed": all(r["passed"] for r in results),
    }
