"""Statements sent straight to the database driver, for the two requests where SQLAlchemy's
execution layer cost more than the statement itself: the lesson read (app.session_user) and
the answer save (app.quizzes.attempts).

A statement is still written with SQLAlchemy and compiled by it, once per database, with the
conversions SQLAlchemy would apply to its parameters and columns; errors reach the app as
SQLAlchemy's own (the error pages know its OperationalError), and a connection the server
dropped is taken out of the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class Compiled:
    """A statement compiled for one database: its SQL, how its parameters are passed, and the
    conversions of its parameters and of its columns."""

    sql: str
    #: Positional parameters in this order (SQLite's qmark style); None: by name (psycopg).
    names: tuple[str, ...] | None
    bind_processors: dict[str, Callable[[Any], Any]]
    columns: tuple[str, ...]
    #: (position, conversion) of the columns SQLAlchemy converts (dates on SQLite, say).
    result_processors: tuple[tuple[int, Callable[[Any], Any]], ...]

    def parameters(self, values: dict[str, Any]) -> dict[str, Any] | list[Any]:
        """The values as the driver takes them."""
        converted = dict(values)
        for name, processor in self.bind_processors.items():
            if name in converted:
                converted[name] = processor(converted[name])
        return converted if self.names is None else [converted[name] for name in self.names]

    def row(self, raw: Any) -> list[Any]:
        """A row of the driver's as SQLAlchemy would return it (in column order)."""
        values = list(raw)
        for position, processor in self.result_processors:
            values[position] = processor(values[position])
        return values


_compiled: dict[tuple[int, str], tuple[Any, Compiled]] = {}


def compiled(statement: Any, dialect: Dialect) -> Compiled:
    """`statement` compiled for `dialect`, once (statements are module constants)."""
    key = (id(statement), dialect.name)
    kept = _compiled.get(key)
    if kept is None or kept[0] is not statement:
        kept = _compiled[key] = (statement, _compile(statement, dialect))
    return kept[1]


def _compile(statement: Any, dialect: Dialect) -> Compiled:
    result = statement.compile(dialect=dialect)
    columns = list(statement.exported_columns)
    processors = (
        (position, c.type.dialect_impl(dialect).result_processor(dialect, None))
        for position, c in enumerate(columns)
    )
    return Compiled(
        sql=str(result),
        names=tuple(result.positiontup) if result.positional else None,
        bind_processors={
            name: processor
            for name, bind in result.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        },
        columns=tuple(c.key for c in columns),
        result_processors=tuple((p, f) for p, f in processors if f is not None),
    )


@contextmanager
def sqlalchemy_errors(
    dialect: Dialect, sql: str, parameters: Any, connection: Connection | Any = None
) -> Iterator[None]:
    """Driver errors inside as SQLAlchemy raises them; when they say the server dropped
    `connection` (a Core connection or one of the pool's), it is invalidated, and the pool
    makes a new one."""
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        if connection is not None:
            pooled = connection.connection if isinstance(connection, Connection) else connection
            if dialect.is_disconnect(error, pooled.dbapi_connection, None):
                connection.invalidate(error)
        raise DBAPIError.instance(
            sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
