"""Migrations stay in step with the models: `flask db upgrade` from empty gives their schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

from .conftest import _base_config

MIGRATIONS_DB = "signaal_migrations_test"


@pytest.fixture
def empty_database_url(tmp_path: Path, postgres_url: str | None) -> Iterator[str]:
    """An empty database on the engine under test."""
    if postgres_url is None:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB}"))
        connection.execute(text(f"CREATE DATABASE {MIGRATIONS_DB}"))
    yield make_url(postgres_url).set(database=MIGRATIONS_DB).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB} WITH (FORCE)"))
    server.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url, tmp_path):
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
