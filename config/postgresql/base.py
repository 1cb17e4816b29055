"""Django's PostgreSQL backend, whose health check asks the connection's socket, the server once a second.

``CONN_HEALTH_CHECKS`` (on in the settings) checks a kept connection before its first use in each
request, so that one PostgreSQL dropped (a restart, a failover, ``pg_terminate_backend``) is
replaced rather than answering a 500. Django checks by sending ``SELECT 1``: a round trip before
every request's first query, which doubled the round trips of a signed-in reader's article page
(one query) and cost its server time on the cores the workers share.

A server that ends a connection says so on its socket: it sends its last message (``FATAL:
terminating connection``) and closes it. An idle connection is sent nothing otherwise, so one
whose socket has something to read is taken as gone and replaced; a stray message (a parameter
the server reports changed after a reload) costs one reconnection, never an error.

A server that vanished without closing (its host died, and whatever took its address refuses the
old connection) leaves nothing on the socket: only a round trip finds it. So a connection the
server has not answered ``SELECT 1`` on within ``ASK_AFTER`` seconds is asked, as Django does: a
worker under load asks about once a second, not before every request, and a quiet worker asks
before its first request after a pause, when a failover most likely happened.
"""

from __future__ import annotations

import math
import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

ASK_AFTER = 1.0  # seconds since the server last answered a check: then it is asked again
_USABLE = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    _answered_at = -math.inf  # when the server last answered a check (``SELECT 1``) on this connection

    def get_new_connection(self, conn_params: dict):
        connection = super().get_new_connection(conn_params)
        self._answered_at = -math.inf  # a new connection is asked once, like any other
        return connection

    def is_usable(self) -> bool:
        """Whether the connection is open, between queries, and its server has not ended it: by its
        socket, and by a round trip when the server has not answered one for ``ASK_AFTER`` seconds."""
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in _USABLE:
            return False
        poll = select.poll()
        poll.register(pgconn.socket, select.POLLIN)
        if poll.poll(0):
            return False
        if time.monotonic() - self._answered_at < ASK_AFTER:
            return True
        usable = super().is_usable()
        if usable:
            self._answered_at = time.monotonic()
        return usable
