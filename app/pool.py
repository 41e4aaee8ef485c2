"""When a pooled database connection is checked before use.

SQLAlchemy's `pool_pre_ping` pings on every checkout: on PostgreSQL a round trip per request,
a fifth of a lesson read. A connection that was in use a moment ago is as alive as a ping
could show, so only one that has rested longer than `PING_AFTER_IDLE_SECONDS` is pinged (a
server restart or a dropped idle connection is then found before use, as with pre-ping). If
the server goes away within that moment, the statement fails as it would have without any
ping: SQLAlchemy replaces every connection of the pool, and the page asks to try again.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

PING_AFTER_IDLE_SECONDS = 1.0


def has_rested(since: float) -> bool:
    """Whether a connection last used at `since` (time.monotonic) is to be pinged before use."""
    return time.monotonic() - since > PING_AFTER_IDLE_SECONDS


def answers(dialect: Any, dbapi_connection: Any) -> bool:
    """Whether the connection answers a ping."""
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error:
        return False
    return True


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout when it rested longer than the idle limit."""
    dialect = engine.dialect

    def rested_from_now(dbapi_connection: Any, record: Any, *proxy: Any) -> None:
        record.info["rested_from"] = time.monotonic()

    def alive(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if has_rested(record.info.get("rested_from", 0.0)) and not answers(
            dialect, dbapi_connection
        ):
            # The pool drops this connection and checks out another (a new one if need be).
            raise DisconnectionError("a rested connection did not answer a ping")

    event.listen(engine, "connect", rested_from_now)  # a new connection needs no ping
    event.listen(engine, "checkin", rested_from_now)
    event.listen(engine, "checkout", alive)
