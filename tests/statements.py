"""What the app sends to the database, seen from the driver: statements sent past SQLAlchemy's
execution layer (app.driver: the lesson read, the answer save) are counted too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from app.extensions import db

#: Not the app's statements: transaction control, the pool's ping (";" on psycopg) and a new
#: SQLite connection's pragmas.
_LEFT_OUT = ("BEGIN", "COMMIT", "ROLLBACK", "SELECT 1", "PRAGMA", ";")


@contextmanager
def sent_statements(app: Flask) -> Iterator[list[str]]:
    """The statements sent inside the block, from any thread, in order; an executemany counts
    once."""
    sent: list[str] = []

    def record(statement: str) -> None:
        if not str(statement).strip().upper().startswith(_LEFT_OUT):
            sent.append(str(statement))

    with app.app_context():
        engine = db.engine
        db.session.remove()
    if engine.dialect.name == "postgresql":
        with _psycopg_cursors_recording(record):
            yield sent
        return
    with _sqlite_connections_tracing(engine, record):
        yield sent


@contextmanager
def _psycopg_cursors_recording(record: Any) -> Iterator[None]:
    import psycopg

    with pytest.MonkeyPatch.context() as patch:
        for name in ("execute", "executemany"):
            original = getattr(psycopg.Cursor, name)

            def spy(self: Any, query: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
                record(query)
                return _original(self, query, *args, **kw)

            patch.setattr(psycopg.Cursor, name, spy)
        yield


@contextmanager
def _sqlite_connections_tracing(engine: Any, record: Any) -> Iterator[None]:
    """sqlite3 traces each row of an executemany; SQLAlchemy's events say when one runs."""
    many = threading.local()

    def trace(statement: str) -> None:
        if getattr(many, "rows", None) is None:
            record(statement)
        elif many.rows == 0:  # the first row of an executemany stands for all
            many.rows = 1
            record(statement)

    def watch(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.set_trace_callback(trace)

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool
    ) -> None:
        many.rows = 0 if executemany else None

    def after(*args: Any) -> None:
        many.rows = None

    engine.dispose()  # so every connection of the block is a new one, traced
    listeners = (
        ("connect", watch),
        ("before_cursor_execute", before),
        ("after_cursor_execute", after),
    )
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
        engine.dispose()
