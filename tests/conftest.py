"""Shared fixtures: an app on a clean database (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, event, make_url, text

from app import content as content_package
from app import create_app
from app.config import normalise_database_url
from app.extensions import db, limiter
from app.models import Attempt, User
from tests.factories import build_attempt

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = Path(__file__).resolve().parent / "content"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "een-lang-test-wachtwoord"


def pytest_configure(config: pytest.Config) -> None:
    """Build the English catalogue the app reads (make does it too; a bare pytest run may not)."""
    from app.i18n.catalogue import compile_all

    compile_all()


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (per test)'}"


@event.listens_for(Engine, "connect")
def _sqlite_commits_without_waiting_for_the_disk(dbapi_connection: Any, record: Any) -> None:
    """Test databases are thrown away, so SQLite need not flush to disk on every commit.

    With the app's write-ahead log a commit otherwise waits for an fsync (5 ms on a busy disk,
    and a test commits dozens of times). A commit still reaches the operating system, so a
    killed process loses nothing. Runs after the app's own pragmas (app/web.py).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """With TEST_DATABASE_URL, build the schema once; tests then truncate."""
    if not POSTGRES_URL:
        yield None
        return
    url = normalise_database_url(POSTGRES_URL)
    app = create_app(_base_config(url, Path("/tmp")))
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _base_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_BASE_URL": "https://signaal.example.nl",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Explicit: the limiter is one object for all apps and keeps a disabled state otherwise.
        "RATELIMIT_ENABLED": True,
        "MAIL_OUTBOX": tmp_path / "outbox",
        "COURSES_DIR": FIXTURE_CONTENT / "courses",
        "QUIZZES_DIR": FIXTURE_CONTENT / "quizzes",
        "SIGNING_KEY": str(tmp_path / "signing" / "key.pem"),
        "SIGNING_CERT": str(tmp_path / "signing" / "cert.pem"),
        "PROVIDER_NAME": "Signaal e-learning",
        "PROVIDER_ADDRESS": "Teststraat 1, 3511 AA Utrecht",
    }


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override per test module or test by redefining this fixture."""
    return {}


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SQLite: the schema built once per session; every test gets a copy of this file."""
    folder = tmp_path_factory.mktemp("schema")
    path = folder / "schema.sqlite3"
    app = create_app(_base_config(f"sqlite:///{path}", folder))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection folds the write-ahead log into the file
    return path


@pytest.fixture
def database_url(tmp_path: Path, postgres_url: str | None, request: pytest.FixtureRequest) -> str:
    if postgres_url:
        return postgres_url
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(request.getfixturevalue("sqlite_schema"), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session", autouse=True)
def fixture_catalog_loaded_once() -> Iterator[None]:
    """Parse the fixture content once: the catalog is immutable, so every test app shares it."""
    load = content_package.load_catalog
    fixture_dirs = (FIXTURE_CONTENT / "courses", FIXTURE_CONTENT / "quizzes")
    loaded: dict[tuple[Path, Path], Any] = {}

    def load_once(courses_dir: Path, quizzes_dir: Path) -> Any:
        key = (Path(courses_dir), Path(quizzes_dir))
        if key != fixture_dirs:
            return load(courses_dir, quizzes_dir)
        if key not in loaded:
            loaded[key] = load(courses_dir, quizzes_dir)
        return loaded[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(content_package, "load_catalog", load_once)
        yield


@pytest.fixture(scope="session")
def shared_app(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None
) -> Iterator[Flask]:
    """One app for every test on the default configuration (see `app`).

    Building an app takes about 30 ms, and a new one starts with cold template and SQL caches;
    an app per test was some 40% of the suite's time. On SQLite each new connection opens the
    current test's database file, named by SQLALCHEMY_DATABASE_URI in the app's config.
    """
    folder = tmp_path_factory.mktemp("shared-app")
    app = create_app(_base_config(postgres_url or f"sqlite:///{folder / 'unused.sqlite3'}", folder))
    with app.app_context():
        engine = db.engine
    if not postgres_url:

        @event.listens_for(engine, "do_connect")
        def _open_the_current_tests_database(
            dialect: Any, record: Any, cargs: list, cparams: dict
        ) -> None:
            cargs[0] = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database

    yield app
    engine.dispose()


@contextlib.contextmanager
def _lent(app: Flask, config: dict[str, Any]) -> Iterator[Flask]:
    """The shared app set up for one test as create_app(config) would, and restored after it.

    Tests change settings and the catalog (app.config, app.extensions); the rate limiter is one
    object for all apps, so it is bound to this app again, which also empties its counters.
    """
    saved_config, saved_extensions = dict(app.config), dict(app.extensions)
    app.config.update(config)
    limiter.init_app(app)
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(saved_config)
        app.extensions.clear()
        app.extensions.update(saved_extensions)


@pytest.fixture
def app(
    database_url: str,
    tmp_path: Path,
    config_overrides: dict[str, Any],
    request: pytest.FixtureRequest,
) -> Iterator[Flask]:
    """The app on a clean database: the shared one, or a new one where a test overrides settings."""
    config = {**_base_config(database_url, tmp_path), **config_overrides}
    with contextlib.ExitStack() as stack:
        if config_overrides:
            app = create_app(config)
        else:
            app = stack.enter_context(_lent(request.getfixturevalue("shared_app"), config))
        if not database_url.startswith("sqlite"):
            with app.app_context():
                _truncate_all()
        yield app
        with app.app_context():
            db.session.remove()
            # SQLite: closes the file before the next test; the engine keeps its SQL cache.
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _rate_limits_never_trip_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """In tests marked `no_rate_limits` every request starts with empty rate-limit counters.

    Those tests send hundreds of requests to check something else; the limits have their own
    tests. The limiter still runs on each request, so its key functions meet the same input.
    (Not RATELIMIT_ENABLED=False: Flask-Limiter would keep that for later apps.) The hook is
    added to the list directly, and taken out again: the shared app has served requests already.
    """
    if not (request.node.get_closest_marker("no_rate_limits") and "app" in request.fixturenames):
        yield
        return
    hooks = request.getfixturevalue("app").before_request_funcs.setdefault(None, [])
    hooks.append(limiter.reset)
    yield
    hooks.remove(limiter.reset)


def _truncate_all() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a confirmed user; keyword arguments override the defaults."""
    from app.accounts.service import create_user

    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> User:
        n = next(counter)
        values: dict[str, Any] = {
            "email": f"gebruiker{n}@example.nl",
            "password": PASSWORD,
            "initials": "A.B.",
            "first_name": "Anna",
            "tussenvoegsel": "van der",
            "surname": f"Berg{n}",
            "profession": "gp",
            "big_number": f"{n:011d}",
            "confirmed": True,
        }
        values.update(fields)
        language = values.pop("language", "nl")
        with app.app_context():
            user = create_user(**values)
            user.language = language
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def client_for(app: Flask, user: User) -> FlaskClient:
    """A browser of its own, signed in as `user`."""
    client = app.test_client()
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD) -> Any:
        email_address = getattr(user_or_email, "email", user_or_email)
        return self.client.post(
            "/account/inloggen", data={"email": email_address, "password": password}
        )

    def logout(self) -> Any:
        return self.client.post("/account/uitloggen")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[email.message.EmailMessage]]:
    """Read the messages the development mailer wrote, oldest first."""

    def read() -> list[email.message.EmailMessage]:
        folder: Path = app.config["MAIL_OUTBOX"]
        if not folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]

    return read


@pytest.fixture
def make_attempt(app: Flask) -> Callable[..., Attempt]:
    """Store an attempt at a fixture case (see tests.factories.build_attempt) and return it."""

    def make(user: User, quiz_slug: str = "testcasus", **fields: Any) -> Attempt:
        with app.app_context():
            attempt = build_attempt(user.id, quiz_slug, **fields)
            db.session.add(attempt)
            db.session.commit()
            db.session.expunge(attempt)
        return attempt

    return make
