"""The ``idle-drop`` check: what idle workers do when the database has dropped their connections.

Under load (the ``restart`` phase) every worker touches the database during the restart, so each
broken persistent connection fails inside the restart window and is replaced at once. A quiet
server is different: a worker whose kept connection died while it was idle (a PostgreSQL restart at
night, a failover, a pooler's idle timeout) only finds out on its next request. This check takes
that case without restarting PostgreSQL: it warms both workers' connections, terminates the soak
database's server processes (``pg_terminate_backend``, this database only), waits, then sends
requests that need the database (with a session cookie, past the page cache) and counts the 500s.
"""

from __future__ import annotations

import collections
import datetime
import threading
import time

from soak import config, data, verify
from soak.config import Plan
from soak.server import Server, get, log_text

WARM_ROUNDS = 3
CONCURRENCY = 4
REQUESTS_AFTER = 24


def _fetch(paths: list[str]) -> list[int]:
    """GET each path with a session cookie (the page cache is skipped, so the database is read)."""
    headers = {"X-Forwarded-Proto": "https", "Cookie": "sessionid=soak-idle"}
    return [get(path, headers)[0] for path in paths]


def _concurrently(paths: list[str]) -> list[int]:
    """The paths over ``CONCURRENCY`` threads, so both workers get some."""
    results: list[list[int]] = [[] for _ in range(CONCURRENCY)]

    def work(index: int) -> None:
        results[index] = _fetch(paths[index::CONCURRENCY])

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [status for part in results for status in part]


def _app_connections() -> int:
    """The soak database's client connections (the soak's own are closed first): the workers' kept ones."""
    import psycopg

    with psycopg.connect(config.PG_ADMIN_DSN, connect_timeout=5) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [config.PG_DB],
        ).fetchone()[0]


def _terminate() -> int:
    import psycopg

    with psycopg.connect(config.PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [config.PG_DB],
        ).fetchone()[0]


def run(name: str, plan: Plan, ids: list[str], env: dict[str, str]) -> dict:
    """Warm, drop the connections, wait, and count what the next requests get."""
    data.flush_redis()
    data.close_connections()
    server = Server(env, name)
    started = datetime.datetime.now().astimezone()
    paths = [f"/ency/article/{public_id}.htm" for public_id in ids]
    try:
        server.start()
        workers_before = server.workers()
        warm = []
        for round_number in range(WARM_ROUNDS):
            warm += _concurrently(paths[round_number * 16 : (round_number + 1) * 16])
        kept = _app_connections()
        dropped = _terminate()
        time.sleep(2.0)  # idle: nothing touches the dead connections
        after = _concurrently(paths[100 : 100 + REQUESTS_AFTER])
        workers_after = server.workers()
    finally:
        server.stop()
    failed = [i for i, status in enumerate(after) if status != 200]
    return {
        "phase": name,
        "started": started.isoformat(timespec="seconds"),
        "plan": {"conn_max_age": plan.conn_max_age, "conn_health_checks": plan.conn_health_checks},
        "conn_max_age": env.get("CONN_MAX_AGE", "60 (settings default)"),
        "conn_health_checks": plan.conn_health_checks,
        "warm_statuses": dict(collections.Counter(map(str, warm))),
        "kept_connections": kept,
        "terminated": dropped,
        "requests_after": len(after),
        "statuses_after": dict(collections.Counter(map(str, after))),
        "failed_after": len(failed),
        "workers_unchanged": workers_before == workers_after,
        "logs": verify.gunicorn_logs(log_text(server.access_log), log_text(server.error_log)),
    }
