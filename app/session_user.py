"""The session and the account it belongs to, loaded once per signed-in request.

Every signed-in request pays for this, so it is kept small: one select of the user's columns
without the secrets (a view that needs one, a password or TOTP check, loads it on access).
Most pages get the user as an ORM object of the request's session, as if the ORM had loaded it.
A *read page* (`read_with_user`: a lesson) reads what it needs with a few of the user's columns,
in one statement compiled once, on a driver connection its thread keeps, and gets a `Reader`:
it reads and never writes, so it needs no SQLAlchemy session, transaction, execution context,
pool checkout or ORM object (in process the user load went from 0.14 to 0.02 ms on SQLite;
served, the ORM `User` and the checkout had cost the lesson a sixth of its rate).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from flask import Flask, Request, g, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient_to_detached

from .driver import compiled, sqlalchemy_errors
from .extensions import db
from .models import User
from .pool import answers, has_rested

#: The largest id an INTEGER column holds (PostgreSQL); larger ids in an address are a 404.
MAX_ID = 2**31 - 1
_SECRETS = ("password_hash", "totp_secret")

#: Per read page (endpoint): the name of the value its view reads with the user, and the select
#: of the user's columns with that value (a labelled scalar subquery correlated to the user's
#: row, its bind parameters named after the route's arguments).
_READ_PAGES: dict[str, tuple[str, Any]] = {}


#: What a read page reads of its user: the `Reader`, and whether the session still holds.
_READER_COLUMNS = ("id", "role", "language", "session_version", "logouts", "deleted_at")


def read_with_user(endpoint: str, column: Any) -> None:
    """Make `endpoint` a read page that reads `column` with its user: one query, no session.

    The view finds the value with `with_user`; `current_user` is a `Reader` there."""
    table = User.__table__
    columns = [table.c[name] for name in _READER_COLUMNS]
    statement = select(*columns, column).where(table.c.id == bindparam("user_id"))
    _READ_PAGES[endpoint] = (column.key, statement)


@dataclass(frozen=True, slots=True)
class Reader:
    """The signed-in person on a read page: who they are and what the layout and the locale
    need. Not an ORM object: a read page writes nothing, and asking it for anything else of the
    user is an error, not a database load."""

    id: int
    role: str
    language: str
    session_id: str
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        return self.session_id

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


def with_user(name: str, default: Any = None) -> Any:
    """A value `read_with_user` read with this request's user (`default` if it was not)."""
    return g.get("_with_user", {}).get(name, default)


_ORM_SELECT = select(*(c for c in User.__table__.c if c.key not in _SECRETS)).where(
    User.__table__.c.id == bindparam("user_id")
)


def _read_page_row(endpoint: str, user_id: int) -> dict[str, Any] | None:
    engine = db.engine
    query = compiled(_READ_PAGES[endpoint][1], engine.dialect)
    parameters = query.parameters({"user_id": user_id, **(request.view_args or {})})
    row = _fetch_one(engine, query.sql, parameters)
    return None if row is None else dict(zip(query.columns, query.row(row), strict=True))


class _HeldConnection(threading.local):
    """Per thread, the pooled connection read pages use, kept checked out between requests: a
    checkout and return per read cost the lesson a fifteenth of its served rate. It runs one
    statement at a time and never a transaction (autocommit on PostgreSQL; SQLite opens none for
    a select), so holding it holds no lock. Like the pool's, it is pinged after a rest."""

    pool: Any = None
    connection: Any = None
    autocommit: bool = False
    rested_from: float = 0.0

    def get(self, engine: Engine) -> Any:
        if self.connection is not None:
            if self.pool is not engine.pool:  # the engine's pool was replaced (dispose):
                self.give_back(broken=True)  # its connections are not to be used again
            elif has_rested(self.rested_from) and not answers(
                engine.dialect, self.connection.dbapi_connection
            ):
                self.give_back(broken=True)
        if self.connection is None:
            connection = engine.raw_connection()  # the pool's, checked as app.pool says
            self.autocommit = engine.dialect.name == "postgresql"
            if self.autocommit:
                connection.driver_connection.autocommit = True
            self.connection, self.pool = connection, engine.pool
        return self.connection

    def give_back(self, broken: bool = False) -> None:
        """Return the connection to the pool, as the pool's other users expect it (not in
        autocommit); a broken one is dropped instead (the pool then makes a new one)."""
        connection, self.connection, self.pool = self.connection, None, None
        if connection.dbapi_connection is not None and not broken and self.autocommit:
            try:
                connection.driver_connection.autocommit = False
            except Exception:  # the driver refuses on a lost connection
                broken = True
        if broken and connection.dbapi_connection is not None:
            connection.invalidate()
        connection.close()


_held = _HeldConnection()


def _fetch_one(engine: Engine, sql: str, parameters: Any) -> Any:
    dialect = engine.dialect
    with sqlalchemy_errors(dialect, sql, parameters):  # the database may be unreachable
        connection = _held.get(engine)
    try:
        with sqlalchemy_errors(dialect, sql, parameters, connection):
            cursor = connection.cursor()
            try:
                cursor.execute(sql, parameters)
                return cursor.fetchone()
            finally:
                cursor.close()
    except DBAPIError:
        _held.give_back()  # whatever went wrong, the next read starts on a fresh checkout
        raise
    finally:
        _held.rested_from = time.monotonic()


def user_of_session(session_id: str) -> User | Reader | None:
    """The account a session id (User.get_id) belongs to, if it still matches and is active:
    a `Reader` on a read page, else the `User` of the request's session."""
    user_id = session_id.partition(":")[0]
    if not user_id.isdigit() or int(user_id) > MAX_ID:
        return None
    endpoint = request.endpoint if has_request_context() else None
    if endpoint in _READ_PAGES:
        return _reader(endpoint, int(user_id), session_id)
    # On the session's connection, which the page's own statements then reuse.
    found = db.session.connection().execute(_ORM_SELECT, {"user_id": int(user_id)}).one_or_none()
    if found is None:
        return None
    user = db.session.identity_map.get(db.session.identity_key(User, found.id))
    if user is None:
        user = _as_loaded(dict(found._mapping))
        db.session.add(user)
    if user.get_id() != session_id or user.deleted_at is not None:
        return None
    return user


def _reader(endpoint: str, user_id: int, session_id: str) -> Reader | None:
    values = _read_page_row(endpoint, user_id)
    if values is None or values["deleted_at"] is not None:
        return None
    read_id = User.session_id_of(values["id"], values["session_version"], values["logouts"])
    if read_id != session_id:
        return None
    name = _READ_PAGES[endpoint][0]
    g._with_user = {name: values[name]}
    return Reader(values["id"], values["role"], values["language"], read_id)


def _as_loaded(values: dict[str, Any]) -> User:
    """A detached `User` holding these column values as the ORM would have loaded them (no
    constructor, no attribute events); the columns left out load on access in a session."""
    user = inspect(User).class_manager.new_instance()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    return user


#: Decoded session cookies remembered per process at most; beyond this the memory starts again.
OPENED_SESSIONS_SIZE = 10_000
_SCALARS = (str, int, float, bool, type(None))


class RememberingCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, decoded once per distinct cookie and process.

    A browser sends the same cookie with every page until the session changes (the session
    clock moves once a minute), and each decode built a serializer, checked the signature,
    inflated and parsed JSON: a tenth of a lesson request as served. A remembered cookie is
    the same text that passed the check, so it decodes to the same values; its age is still
    checked against the session lifetime. Only sessions of plain values are remembered, as a
    view may change a list in place (flashed messages).
    """

    def __init__(self) -> None:
        self._opened: dict[str, tuple[dict[str, Any], float]] = {}
        self._for_keys: tuple[Any, ...] = ()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        if keys != self._for_keys:  # a new secret key: nothing decoded before holds
            self._opened.clear()
            self._for_keys = keys
        max_age = app.permanent_session_lifetime.total_seconds()
        opened = self._opened.get(value)
        if opened is not None and time.time() - opened[1] <= max_age:
            return self.session_class(opened[0])
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # there is a secret key
        try:
            data, signed_at = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(type(v) in _SCALARS for v in data.values()):
            if len(self._opened) >= OPENED_SESSIONS_SIZE:
                self._opened.clear()
            self._opened[value] = (data, signed_at.timestamp())
        return self.session_class(data)
