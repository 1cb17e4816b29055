"""Django's PostgreSQL backend, whose health check asks the connection's socket, not the server.

``CONN_HEALTH_CHECKS`` (on in the settings) checks a kept connection before its first use in each
request, so that one PostgreSQL dropped (a restart, a failover, ``pg_terminate_backend``) is
replaced rather than answering a 500. Django checks by sending ``SELECT 1``: a round trip before
every request's first query, which doubled the round trips of a signed-in reader's article page
(one query) and cost its server time on the cores the workers share.

A server that ends a connection says so on its socket: it sends its last message (``FATAL:
terminating connection``) and closes it. An idle connection is sent nothing otherwise, so one
whose socket has something to read is taken as gone and replaced; a stray message (a parameter
the server reports changed after a reload) costs one reconnection, never an error. What no
socket shows (a server gone silent, unplugged) Django's ``SELECT 1`` would only have found by
waiting for it too.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq

_USABLE = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Whether the connection is open, between queries, and its server has not ended it."""
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status not in _USABLE:
            return False
        poll = select.poll()
        poll.register(pgconn.socket, select.POLLIN)
        return not poll.poll(0)
