"""The server under test: bench/server.py's `make serve` gunicorn, on the soak's port and work directory."""

from __future__ import annotations

from pathlib import Path

from bench import server
from bench.server import log_text
from soak import config

__all__ = ["Server", "log_text"]


class Server(server.Server):
    """`make serve`'s gunicorn on 127.0.0.1:8051 (or the caller's port), logs in the soak's work directory."""

    def __init__(
        self,
        env: dict[str, str],
        name: str,
        *,
        port: int = config.PORT,
        workdir: Path = config.WORKDIR,
        extra_args: tuple[str, ...] = (),
    ):
        super().__init__(env, name, port=port, workdir=workdir, extra_args=extra_args)
