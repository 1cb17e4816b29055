"""The server under test: bench/server.py's `make serve` gunicorn, on the soak's port and work directory."""

from __future__ import annotations

import functools
import http.client

from bench import server
from bench.server import log_text
from soak import config

__all__ = ["Server", "get", "log_text"]


Server = functools.partial(server.Server, port=config.PORT, workdir=config.WORKDIR)


def get(
    path: str, headers: dict[str, str], *, port: int = config.PORT, timeout: float = 15
) -> tuple[int, bytes]:
    """One GET on a new connection (gunicorn's sync workers close each one): status (0: failed) and body."""
    connection = http.client.HTTPConnection(config.HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()
