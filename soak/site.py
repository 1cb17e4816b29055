"""A site of its own for the SQLite phases (``multiworker``, ``redis-outage``, ``smtp-outage``).

A SQLite file in a work directory, `make serve`'s gunicorn line on it (bench/server.py), DEBUG off,
and nothing inherited from the caller's environment but PATH, HOME and the locale (neither the test
suite's DATABASE_URL nor a REDIS_URL reaches the server). Changes are made as an operator makes
them: ``manage.py`` in a process of its own. Cookies go over plain HTTP (loopback).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

from bench.common import ROOT
from bench.server import HOST, Server, get

RESULT = "SOAK-RESULT "
# Before each `manage.py shell -c` script: ``done()`` reports, on stdout, the moment the write returned.
PRELUDE = f"""
import json, time
from django.contrib.auth import get_user_model
from encyclopedia.models import Article
def done(**extra):
    print({RESULT!r} + json.dumps({{"done": time.time(), **extra}}), flush=True)
"""
# bench/generate.py's sign-ins (bench-editor, bench-reviewer, bench-director...), then COUNT live articles.
SETUP = """
import datetime
from bench.generate import create_users
from editorial.actions.publish import publish
from encyclopedia.models import Section, SectionHeading
users, heading, articles = create_users(), SectionHeading.objects.get(name="Causes"), []
for n in range(COUNT):
    article = Article.objects.create(
        title=f"Soak check {n}", article_type="symptom", review_date=datetime.date.today(),
        summary=f"Soak revision 0. The first summary of soak check {n}.",
    )
    Section.objects.create(article=article, position=1, heading=heading, body="A paragraph of the check.")
    publish(article, users["director"], comment="Soak check: first publication")
    articles.append({"pk": article.pk, "public_id": article.public_id})
done(articles=articles)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Site:
    """A fresh SQLite file in ``workdir``, its server, and ``manage.py`` scripts against it."""

    def __init__(self, name: str, workdir: Path, port: int, env: dict | None = None, extra_args: tuple = ()):
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        self.workdir, self.port, self.articles, self.running = workdir, port, [], []
        self.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        self.env |= dict.fromkeys(
            ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"), "0"
        )
        self.env |= {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(workdir / "static"),
            "SECRET_KEY": f"soak-{name}-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CACHE_KEY_PREFIX": f"{name}-" + secrets.token_hex(4),  # and a cache directory of its own:
            "SHARED_CACHE_DIR": str(workdir / "shared-cache"),
            "PYTHONPATH": str(ROOT),
        } | (env or {})
        self.server = Server(self.env, name, port=port, workdir=workdir, extra_args=extra_args)

    def manage(self, *args: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", *args]
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def prepare(self, articles: int = 4) -> list[dict]:
        """collectstatic and migrate, as `make serve` does; then the sign-ins and ``articles`` live articles."""
        for args in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0")):
            output = (process := self.manage(*args)).communicate(timeout=300)[0]
            if process.returncode:
                raise RuntimeError(f"manage.py {args[0]} exited {process.returncode}:\n{output[-4000:]}")
        self.articles = self.script(SETUP.replace("COUNT", str(articles)))["articles"]
        self.reap()
        return self.articles

    def script(self, code: str) -> dict:
        """Run ``code`` in `manage.py shell -c`; what its ``done()`` reported, as soon as it has (``reap``
        waits for the process's exit, Django's shutdown)."""
        process, output = self.manage("shell", "-c", PRELUDE + code), []
        killer = threading.Timer(300, process.kill)  # bounded, however the script hangs
        killer.start()
        self.running.append((process, killer))
        for line in process.stdout:
            if line.startswith(RESULT):
                return json.loads(line[len(RESULT) :])
            output.append(line)
        raise RuntimeError(
            f"the script exited {process.wait()} without reporting:\n{''.join(output)[-4000:]}"
        )

    def reap(self) -> None:
        """Wait for the scripts that have reported to exit: an error on their way out still fails."""
        while self.running:
            process, killer = self.running.pop()
            rest = process.communicate(timeout=130)[0]
            killer.cancel()
            if process.returncode:
                raise RuntimeError(f"the script exited {process.returncode}:\n{rest[-4000:]}")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        return get(path, headers or {}, port=self.port, timeout=10)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            for process, killer in self.running:
                process.kill()
                process.wait()
                killer.cancel()
            self.running.clear()
