"""The server under test, for the benchmark and the soak: the Makefile's `serve` gunicorn line, read from
the Makefile so that what is measured is what `make serve` runs; only the port is the caller's, and
its logs go to files. Every start is bounded and every stop ends the master and the workers it had."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis

from bench.common import ROOT

HOST = "127.0.0.1"


def serve_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The gunicorn line of the Makefile's `serve` target (WORKERS=2, our port), and the variables it sets."""
    recipe = re.search(r"^serve:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    line = next(ln.strip() for ln in recipe.group(1).splitlines() if "/bin/gunicorn" in ln)
    line = line.replace("$(VENV)", ".venv").replace("$(WORKERS)", "2").replace("$(PORT)", str(port))
    words, env = shlex.split(line), {}
    while re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        default = re.fullmatch(r"\$\$\{(\w+):-(.*)\}", value)
        env[name] = os.environ.get(default.group(1), default.group(2)) if default else value
    return words, env


def rss_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError, StopIteration):
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024
    return None


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """Ask ``process`` to end, then kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def log_text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def get(path: str, headers: dict[str, str], *, port: int, timeout: float = 15) -> tuple[int, bytes]:
    """One GET on a new connection (gunicorn's sync workers close each one): status (0: failed) and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


class Server:
    """One gunicorn master with its workers, started and always stopped by the caller. ``extra_args``
    are appended to the Makefile's line; ``drop_options`` are left out of it, with their value."""

    def __init__(
        self,
        env: dict[str, str],
        name: str,
        *,
        port: int,
        workdir: Path,
        extra_args: tuple[str, ...] = (),
        drop_options: tuple[str, ...] = (),
    ):
        self.env, self.port, self.workdir = env, port, workdir
        self.extra_args, self.drop_options = extra_args, drop_options
        self.access_log, self.error_log = workdir / f"{name}-access.log", workdir / f"{name}-error.log"
        self.process: subprocess.Popen | None = None
        self.command: list[str] = []
        self.serve_env: dict[str, str] = {}
        self.pid_samples: list[tuple[float, list[int]]] = []
        self.peak_rss: dict[int, float] = {}
        self._sampling = threading.Event()

    def start(self) -> None:
        command, self.serve_env = serve_command(self.port)
        if f"{HOST}:{self.port}" not in command:
            raise RuntimeError(f"the serve command does not bind {HOST}:{self.port}: {command}")
        for option in (option for option in self.drop_options if option in command):
            del command[command.index(option) : command.index(option) + 2]
        self.command = command + list(self.extra_args)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.access_log.open("wb") as out, self.error_log.open("wb") as err:
            self.process = subprocess.Popen(  # Ctrl-C reaches the caller, which stops the server itself
                self.command,
                cwd=ROOT,
                env={**self.env, **self.serve_env},
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.error_log}")
            healthy = get("/healthz", {"X-Forwarded-Proto": "https"}, port=self.port)[0] == 200
            if healthy and len(self.workers()) >= 2:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not become healthy in 60 s")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def workers(self) -> list[int]:
        with contextlib.suppress(OSError, AttributeError):
            return sorted(
                int(p) for p in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            )
        return []

    def sample_pids(self, start: float) -> None:
        """Record the worker pids (seconds after ``start``) and their largest resident memory twice a
        second, until ``stop_sampling``: workers replaced meanwhile are seen too."""

        def sample() -> None:
            while not self._sampling.wait(0.5):
                workers = self.workers()
                self.pid_samples.append((round(time.time() - start, 2), workers))
                for pid in workers:
                    self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss_mb(pid) or 0)

        self._sampling.clear()
        threading.Thread(target=sample, daemon=True).start()

    def stop_sampling(self) -> None:
        self._sampling.set()

    def stop(self, timeout: float = 30) -> None:
        """TERM the master (graceful), then KILL it and the workers we saw, if they linger."""
        self.stop_sampling()
        if self.process is None:
            return
        workers = self.workers()
        stop_process(self.process, timeout)
        for pid in workers:  # only the workers of the master we started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process = None


class RedisServer:
    """The production setup's Redis: a private ``redis-server`` (no persistence) on its own port, so
    that its counters (``INFO stats``) hold the benchmark's commands only, not other users'."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.url = port, workdir, f"redis://{HOST}:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        options = f"--port {self.port} --bind {HOST} --save '' --appendonly no --dir {self.workdir}"
        with (self.workdir / "redis.log").open("wb") as out:
            self.process = subprocess.Popen(["redis-server", *shlex.split(options)], stdout=out, stderr=out)
        for _ in range(100):
            with contextlib.suppress(redis.RedisError):
                self.round_trips()
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"redis-server did not start on port {self.port}; see {self.workdir / 'redis.log'}"
        )

    def round_trips(self) -> tuple[int, int]:
        """Replies written and commands run so far: a round trip (one command, or one pipeline) gets
        one reply write; this question itself is one."""
        with redis.Redis(host=HOST, port=self.port, socket_timeout=5) as client:
            stats = client.info("stats")
        return stats["total_writes_processed"], stats["total_commands_processed"]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, 10)
            self.process = None
