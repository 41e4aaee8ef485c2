"""Migrations stay in step with the models: `flask db upgrade` from empty gives their schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def _rows(connection, sql: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(sql))]


def test_english_values_migration_rewrites_dutch_rows_and_back(empty_database_url, tmp_path):
    """Rows stored with the Dutch values of before read as English after the upgrade."""
    app = create_app(_base_config(empty_database_url, tmp_path))
    with app.app_context():
        scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        before = scripts.get_revision("v17_english_values").down_revision
        upgrade(revision=before)
        now, day = "2026-03-10 12:00:00+00:00", "2026-03-10"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, password_hash, initials, first_name, '
                    "tussenvoegsel, surname, profession, role, created_at, session_version) "
                    "VALUES (1, 'a@example.nl', 'x', 'A.', 'Anna', '', 'Berg', 'aios', "
                    "'learner', :now, 1), (2, 'b@example.nl', 'x', 'B.', 'Bo', '', 'Bos', "
                    "'praktijkondersteuner', 'learner', :now, 1)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO certificate (number, user_id, kind, course_slug, course_version, "
                    "course_hash, course_title, initials, tussenvoegsel, surname, profession, "
                    "completed_on, study_load_minutes, accreditation_body, accreditation_status, "
                    "accreditation_id, points, period_start, layout_version, sha256, status, "
                    "issued_at, revoked_reason) VALUES ('N1', 1, 'accreditation', 'c', '1', 'h', "
                    "'T', 'A.', '', 'Berg', 'aios', :day, 120, 'ABC1', 'geaccrediteerd', '1', 2, "
                    ":day, '1', 'sha', 'valid', :now, '')"
                ),
                {"now": now, "day": day},
            )
            connection.execute(
                text(
                    "INSERT INTO evaluation (user_id, course_slug, course_version, relevance, "
                    "content_quality, didactics, study_time, comments, submitted_at) "
                    "VALUES (1, 'c', '1', 5, 5, 5, 'te-kort', '', :now)"
                ),
                {"now": now},
            )
        certificate = "SELECT profession, accreditation_status FROM certificate"
        users = 'SELECT profession FROM "user" ORDER BY id'

        upgrade()
        with db.engine.connect() as connection:
            assert _rows(connection, users) == [("gp_trainee",), ("practice_nurse",)]
            assert _rows(connection, certificate) == [("gp_trainee", "accredited")]
            assert _rows(connection, "SELECT study_time FROM evaluation") == [("too_short",)]

        downgrade(revision=before)
        with db.engine.connect() as connection:
            assert _rows(connection, users) == [("aios",), ("praktijkondersteuner",)]
            assert _rows(connection, certificate) == [("aios", "geaccrediteerd")]
            assert _rows(connection, "SELECT study_time FROM evaluation") == [("te-kort",)]
        db.engine.dispose()
