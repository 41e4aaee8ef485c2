"""What the app sends to the database, seen from the driver: a read page that goes under
SQLAlchemy's execution layer (app.session_user) is counted too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from app.extensions import db

#: What the pool sends by itself: its ping (";" on psycopg) and a new SQLite connection's
#: pragmas.
_NOT_THE_APPS = ("SELECT 1", "PRAGMA", ";")


@contextmanager
def sent_statements(app: Flask) -> Iterator[list[str]]:
    """Statements sent inside the block, in order (pool pings and pragmas left out)."""
    sent: list[str] = []

    def record(statement: str) -> None:
        if not statement.strip().upper().startswith(_NOT_THE_APPS):
            sent.append(statement)

    def watch(dbapi_connection: Any, connection_record: Any) -> None:
        if hasattr(dbapi_connection, "set_trace_callback"):  # sqlite3
            dbapi_connection.set_trace_callback(record)
        else:  # psycopg: every statement goes through a cursor's execute
            base = dbapi_connection.cursor_factory

            class RecordingCursor(base):  # type: ignore[misc, valid-type]
                def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
                    record(str(query))
                    return super().execute(query, *args, **kwargs)

            dbapi_connection.cursor_factory = RecordingCursor

    with app.app_context():
        engine = db.engine
        db.session.remove()
    engine.dispose()  # so every connection of the block is a new one, watched
    event.listen(engine, "connect", watch)
    try:
        yield sent
    finally:
        event.remove(engine, "connect", watch)
        engine.dispose()
