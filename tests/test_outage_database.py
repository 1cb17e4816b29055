"""PostgreSQL ending a kept connection (a restart, a failover, ``pg_terminate_backend``): the next
request is answered on a new one, and a connection the server answered within a second is checked
without a round trip. A read replica that does not answer takes the server out of the load
balancer, as the primary would."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's kept connections: SQLite has no server to end one"
)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _end(pid: int) -> None:
    """End backend ``pid`` from another connection, as a restart would, and wait until it is gone."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still running")


@postgresql_only
def test_a_connection_the_server_ended_is_replaced_before_a_reader_sees_an_error(
    client, make_article, publish_article
):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    url = publish_article(make_article("Kept connection")).get_absolute_url()
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"  # past the page cache: the view reads
    assert client.get(url).status_code == 200
    ended = _backend_pid()
    _end(ended)
    close_old_connections()  # as every request begins (the test client leaves it out)
    response = client.get(url)
    assert response.status_code == 200 and "Kept connection" in response.content.decode()
    assert _backend_pid() != ended


@postgresql_only
def test_a_kept_connection_is_checked_without_a_round_trip(tmp_path: Path):
    """Django's check sends ``SELECT 1`` before every request's first query; this one asks the
    server at most once in ``ASK_AFTER`` seconds, and nothing in between."""
    _backend_pid()
    assert connection.is_usable()  # the server answered: not asked again for a second
    pgconn = connection.connection.pgconn
    trace = tmp_path / "protocol.txt"
    with trace.open("w") as written:
        pgconn.trace(written.fileno())
        try:
            assert connection.is_usable()
            pgconn.untrace()
            assert trace.read_text() == "", "nothing sent to the server"
            pgconn.trace(written.fileno())
            connection.connection.execute("SELECT 42")  # what a round trip leaves in the trace
        finally:
            pgconn.untrace()
    assert '"SELECT 42"' in trace.read_text()
    _end(connection.connection.info.backend_pid)
    try:
        assert not connection.is_usable()
    finally:
        connection.close()  # the test's own teardown then connects afresh


@pytest.fixture
def replica_down(monkeypatch):
    """A read replica configured (as ``DATABASE_REPLICA_URL`` adds one) where nothing answers."""
    default = connections.settings["default"]
    if connection.vendor == "sqlite":
        nowhere = {**default, "NAME": "/nonexistent-directory/replica.sqlite3"}
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # released: nothing listens there
        nowhere = {**default, "HOST": "127.0.0.1", "PORT": str(port)}
    monkeypatch.setitem(connections.settings, "replica", nowhere)
    yield
    connections["replica"].close()
    del connections["replica"]


def test_healthz_takes_the_server_out_when_the_read_replica_does_not_answer(client, replica_down):
    """The public pages read from the replica: with it down they fail, so /healthz must not say ok."""
    response = client.get("/healthz")
    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "error" and answer["database"] == "ok"
    assert answer["replica"].startswith("error: "), answer


class _VanishingServer:
    """A relay to PostgreSQL whose far end can vanish without closing: the first packet it gets then
    is refused (a reset), as by a host that took over a dead server's address; a new connection
    reaches the server again."""

    def __init__(self) -> None:
        self.gone = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            self.gone = False  # a new connection reaches the server that took over
            server = socket.create_connection(("127.0.0.1", int(connection.settings_dict["PORT"] or 5432)))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    def _relay(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if self.gone:
                    source.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    source.close()
                    break
                target.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):  # one end closed: so is the other (and the server's session)
            target.shutdown(socket.SHUT_RDWR)  # wakes the relay reading it, as close() would not


@postgresql_only
def test_a_server_that_vanished_without_closing_is_found_by_a_round_trip_before_a_reader_sees_an_error():
    """Nothing reaches the socket of a connection whose server vanished: a connection the server has
    not answered a check on in the last ``ASK_AFTER`` seconds (here, since it was made) is asked."""
    from config.postgresql.base import DatabaseWrapper

    relay = _VanishingServer()
    kept = DatabaseWrapper({**connection.settings_dict, "HOST": "127.0.0.1", "PORT": relay.port}, "relayed")
    try:
        with kept.cursor() as cursor:
            cursor.execute("SELECT 1")
        relay.gone = True
        kept.close_if_unusable_or_obsolete()  # as every request begins
        with kept.cursor() as cursor:
            cursor.execute("SELECT 2")
            assert cursor.fetchone() == (2,)
    finally:
        kept.close()
        with connection.cursor() as cursor:  # its session gone, so the test database can be dropped
            for _ in range(100):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.05)
