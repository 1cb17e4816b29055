"""The server under test: the Makefile's `serve` gunicorn line, as bench/load.py reads it.

Only the port differs (8051, or the caller's) and the two logs go to files: the access log (stdout)
and the error log with Django's tracebacks (stderr). The master's and its workers' process ids are
sampled twice a second, so a worker that died or was replaced shows up in the report.
"""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from bench.load import children, serve_command, stop_master, wait_until_healthy
from soak import config


class Server:
    """One gunicorn master with its workers, started and always stopped by the soak."""

    def __init__(
        self,
        env: dict[str, str],
        name: str,
        *,
        port: int = config.PORT,
        workdir: Path = config.WORKDIR,
        extra_args: tuple[str, ...] = (),
    ):
        self.env = env
        self.port = port
        self.workdir = workdir
        self.extra_args = extra_args  # appended to the Makefile's line (e.g. an access log format)
        self.access_log = workdir / f"{name}-access.log"
        self.error_log = workdir / f"{name}-error.log"
        self.process: subprocess.Popen | None = None
        self.command: list[str] = []
        self.serve_env: dict[str, str] = {}
        self.pid_samples: list[tuple[float, list[int]]] = []
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    def start(self) -> None:
        self.command, self.serve_env = serve_command(self.port)
        if f"{config.HOST}:{self.port}" not in self.command:
            raise RuntimeError(f"the serve command does not bind {config.HOST}:{self.port}: {self.command}")
        self.command += list(self.extra_args)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.access_log.open("wb") as out, self.error_log.open("wb") as err:
            self.process = subprocess.Popen(  # noqa: S603 - the Makefile's own gunicorn line
                self.command,
                cwd=config.ROOT,
                env={**self.env, **self.serve_env},
                stdout=out,
                stderr=err,
                start_new_session=True,  # Ctrl-C reaches the soak, which stops the server itself
            )
        wait_until_healthy(self.process, self.healthz, self.error_log)

    def healthz(self) -> int:
        request = urllib.request.Request(f"http://{config.HOST}:{self.port}/healthz")
        request.add_header("X-Forwarded-Proto", "https")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def workers(self) -> list[int]:
        return sorted(children(self.process.pid)) if self.process else []

    def sample_pids(self, start: float) -> None:
        """Record the worker pids twice a second (relative to ``start``) until ``stop_sampling``."""

        def sample() -> None:
            while not self._sampling.wait(0.5):
                self.pid_samples.append((round(time.time() - start, 2), self.workers()))

        self._sampling.clear()
        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()

    def stop_sampling(self) -> None:
        self._sampling.set()
        if self._sampler is not None:
            self._sampler.join(timeout=5)

    def stop(self) -> None:
        """TERM the master (graceful), then KILL it and the workers we saw, if they linger."""
        self.stop_sampling()
        if self.process is None:
            return
        stop_master(self.process, self.workers(), timeout=30)
        self.process = None


def log_text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
