"""A site of its own for the soak's SQLite phases (``multiworker``, ``redis-outage``, ``smtp-outage``).

A SQLite file in a work directory, `make serve`'s gunicorn line on it (bench/server.py), DEBUG off and
nothing inherited from the caller's environment but PATH, HOME and the locale (neither the test
suite's DATABASE_URL nor a REDIS_URL reaches the server). Changes are made as an operator makes them:
``manage.py`` in a process of its own. Cookies go over plain HTTP (loopback), as a browser sends them.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from bench.common import ROOT
from bench.server import HOST, Server

RESULT = "SOAK-RESULT "
# Run in `manage.py shell -c` before each script: ``done`` reports the moment the write returned (its
# transaction committed) on stdout, with whatever the script adds.
PRELUDE = f"""
import json, time
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from encyclopedia.models import Article
def done(**extra):
    print({RESULT!r} + json.dumps({{"done": time.time(), **extra}}), flush=True)
"""


class Site:
    """A fresh SQLite file, its server, and ``manage.py`` scripts against it."""

    def __init__(self, name: str, workdir: Path, port: int, env: dict[str, str], extra_args: tuple = ()):
        self.workdir, self.port = workdir, port
        self.env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        self.env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            BENCH_STATIC_ROOT=str(workdir / "static"),
            DEBUG="0",
            SECRET_KEY=f"soak-{name}-" + secrets.token_urlsafe(32),
            ALLOWED_HOSTS=HOST,
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SITE_URL=f"http://{HOST}:{port}",
            DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CACHE_KEY_PREFIX=f"{name}-" + secrets.token_hex(4),  # and a cache directory of its own:
            SHARED_CACHE_DIR=str(workdir / "shared-cache"),
            PYTHONPATH=str(ROOT),
        )
        self.env.update(env)
        self.server = Server(self.env, name, port=port, workdir=workdir, extra_args=extra_args)
        self._exiting: list[tuple[subprocess.Popen, threading.Timer, list[str]]] = []

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        command = [sys.executable, "manage.py", *args]
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def prepare(self, setup: str, env: dict[str, str] | None = None) -> dict:
        """collectstatic and migrate, as `make serve` does, then the ``setup`` script; what it reported."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for args in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0")):
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode:
                raise RuntimeError(f"manage.py {args[0]} exited {done.returncode}:\n{done.stderr[-4000:]}")
        result = self.script(setup, env)
        self.reap()
        return result

    def script(self, code: str, env: dict[str, str] | None = None) -> dict:
        """Run ``code`` in `manage.py shell -c`; return what its ``done`` reported as soon as it has.

        The process goes on exiting meanwhile; ``reap`` collects it (and fails if it then failed).
        """
        process = self.popen("shell", "-c", PRELUDE + code, env=env)
        killer = threading.Timer(300, process.kill)  # bounded, however the script hangs
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
