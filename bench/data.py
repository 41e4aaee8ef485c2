"""Databases and data for the benchmarks: a fresh database per run, `flask seed`, attempt pools.

The learners come from `flask seed` (app/demo/seed.py, shared with the trainer work). What the load runs
need on top, open attempts in a known state for saving and submitting, is inserted here in bulk.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
#: PostgreSQL databases the bench creates and drops (this name, and this name + "_growth"):
#: set BENCH_DATABASE to your own name on a shared server.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "signaal_bench")
#: Maintenance database to create and drop the benchmark database from (never the test one).
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
#: Hashing is paid when logging in during set-up only; scrypt would make set-up slow, not runs.
BENCH_HASH_METHOD = "pbkdf2:sha256:1000"


def postgres_url(database: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


@contextmanager
def fresh_database(kind: str, workdir: Path, name: str = BENCH_DATABASE) -> Iterator[str]:
    """An empty database (SQLite file in workdir, or a PostgreSQL database `name`)."""
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    import psycopg

    if name in ("test", "postgres"):
        raise ValueError(f"refusing to use the {name!r} database for benchmarks")
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyse(database_url: str) -> None:
    """PostgreSQL: gather planner statistics after a bulk seed, as autovacuum soon would.

    Without them the planner takes the freshly filled tables for empty and picks nested loops
    that make aggregate pages (the trainer overview) seconds slow: a bench artefact.
    """
    if not database_url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("ANALYZE")


def postgres_available() -> str | None:
    """None when the benchmark PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def app_env(database_url: str, workdir: Path) -> dict[str, str]:
    """The environment Signaal runs with in the benchmarks (gunicorn and `flask`)."""
    return {
        "FLASK_APP": "wsgi",
        "SIGNAAL_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "PASSWORD_HASH_METHOD": BENCH_HASH_METHOD,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_OUTBOX": str(workdir / "outbox"),
        "SIGNING_KEY": str(workdir / "signing" / "key.pem"),
        "SIGNING_CERT": str(workdir / "signing" / "cert.pem"),
        "TEST_CLOCK_FILE": "",
        # wrk replays each learner's heartbeat far more often than a browser would.
        "HEARTBEAT_RATE_LIMIT": "100000 per minute",
    }


def in_process_app(env: dict[str, str], **overrides: Any) -> Flask:
    """Signaal in this process, configured like the server (for set-up and in-process timing)."""
    from app import create_app
    from app.config import normalise_database_url

    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env["DATABASE_URL"]),
        "SECRET_KEY": env["SECRET_KEY"],
        "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"],
        "PASSWORD_HASH_METHOD": env["PASSWORD_HASH_METHOD"],
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_OUTBOX": Path(env["MAIL_OUTBOX"]),
        "SIGNING_KEY": env["SIGNING_KEY"],
        "SIGNING_CERT": env["SIGNING_CERT"],
        "TEST_CLOCK_FILE": "",
    }
    config.update(overrides)
    return create_app(config)


def create_schema(env: dict[str, str]) -> None:
    """Create every table from the models (migrations are the lead's; the models are the truth)."""
    from app.extensions import db

    app = in_process_app(env)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def flask(env: dict[str, str], *args: str) -> tuple[str, float]:
    """Run a `flask` command against the benchmark database; return its output and seconds."""
    from .load import BIN

    began = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout, time.perf_counter() - began


@dataclass(frozen=True)
class Seeded:
    course_slug: str
    cohort_id: int
    trainer_email: str
    trainer_password: str
    learner_password: str
    #: (id, e-mail) of seeded learners, in id order.
    learners: list[tuple[int, str]]


def seeded(app: Flask, cohort_name: str = "Demogroep") -> Seeded:
    """What `flask seed` created in the named cohort: course, cohort, trainer and learners."""
    from app.accounts.service import DEMO_ACCOUNTS
    from app.content import get_catalog
    from app.demo.seed import DEMO_TRAINER, SEED_PASSWORD
    from app.extensions import db
    from app.models import Cohort, CohortMember, User

    with app.app_context():
        course = next(iter(get_catalog().courses.values()))
        cohort = db.session.scalar(
            select(Cohort)
            .where(Cohort.course_slug == course.slug, Cohort.name == cohort_name)
            .order_by(Cohort.id)
        )
        assert cohort is not None, "flask seed made no cohort"
        learners = db.session.execute(
            select(User.id, User.email)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id, User.role == "learner")
            .order_by(User.id)
        ).all()
        password = next(p for email, p, *_ in DEMO_ACCOUNTS if email == DEMO_TRAINER)
        return Seeded(
            course_slug=course.slug,
            cohort_id=cohort.id,
            trainer_email=DEMO_TRAINER,
            trainer_password=password,
            learner_password=SEED_PASSWORD,
            learners=[(row.id, row.email) for row in learners],
        )


def _first_answer(question: Any) -> Any:
    """A valid answer: the right options (choice), the given order, or a sentence."""
    if question.type == "reflection":
        return "Ik zou eerst alleen met de patiënt willen spreken."
    if question.type == "ordering":
        return [option.id for option in question.options]
    right = [option.id for option in question.options if option.correct]
    if question.type == "single":
        return right[:1] or [question.options[0].id]
    return right or [question.options[0].id]


def open_attempts(
    app: Flask, user_ids: list[int], quiz_slugs: list[str], *, ready_to_submit: bool
) -> list[tuple[int, str, int]]:
    """Insert one open attempt per user and quiz; return (user id, quiz slug, number).

    ready_to_submit: every stage open and every question answered (what the submit run needs);
    otherwise only the first stage open and nothing answered (what the save run needs).
    A user who already has an open attempt at a quiz keeps it and gets none (only the latest
    attempt may be open).
    """
    from app.content import get_catalog
    from app.extensions import db
    from app.models import Answer, Attempt, utcnow
    from app.quizzes.attempts import readable_answer

    made: list[tuple[int, str, int]] = []
    with app.app_context():
        course = next(iter(get_catalog().courses.values()))
        now = utcnow()
        for quiz_slug in quiz_slugs:
            quiz = course.quizzes[quiz_slug]
            highest = dict(
                db.session.execute(
                    select(Attempt.user_id, func.max(Attempt.number))
                    .where(Attempt.course_slug == course.slug, Attempt.quiz_slug == quiz_slug)
                    .group_by(Attempt.user_id)
                ).all()
            )
            busy = set(
                db.session.scalars(
                    select(Attempt.user_id).where(
                        Attempt.course_slug == course.slug,
                        Attempt.quiz_slug == quiz_slug,
                        Attempt.submitted_at.is_(None),
                    )
                )
            )
            rows = [
                {
                    "user_id": user_id,
                    "course_slug": course.slug,
                    "quiz_slug": quiz_slug,
                    "number": (highest.get(user_id) or 0) + 1,
                    "quiz_version": quiz.content_hash,
                    "pass_mark": quiz.pass_mark,
                    "stages_revealed": len(quiz.stages) if ready_to_submit else 1,
                    "started_at": now,
                }
                for user_id in user_ids
                if user_id not in busy
            ]
            if not rows:
                continue
            db.session.execute(insert(Attempt.__table__), rows)
            made += [(row["user_id"], quiz_slug, row["number"]) for row in rows]
            if not ready_to_submit:
                continue
            fresh = {(row["user_id"], row["number"]) for row in rows}
            ids = [
                attempt_id
                for attempt_id, user_id, number in db.session.execute(
                    select(Attempt.id, Attempt.user_id, Attempt.number).where(
                        Attempt.course_slug == course.slug,
                        Attempt.quiz_slug == quiz_slug,
                        Attempt.submitted_at.is_(None),
                    )
                )
                if (user_id, number) in fresh
            ]
            answers = []
            for attempt_id in ids:
                for stage in quiz.stages:
                    for question in stage.questions:
                        response = _first_answer(question)
                        answers.append(
                            {
                                "attempt_id": attempt_id,
                                "stage_id": stage.id,
                                "question_id": question.id,
                                "response": response,
                                "readable": readable_answer(question, response),
                                "shared": False,
                                "updated_at": now,
                            }
                        )
            if answers:
                db.session.execute(insert(Answer.__table__), answers)
        db.session.commit()
        db.session.remove()
    return made


def submitted_count(app: Flask, attempts: list[tuple[int, str, int]]) -> int:
    """How many of these attempts are submitted now."""
    from app.extensions import db
    from app.models import Attempt

    wanted = set(attempts)
    with app.app_context():
        rows = db.session.execute(
            select(Attempt.user_id, Attempt.quiz_slug, Attempt.number).where(
                Attempt.submitted_at.is_not(None)
            )
        ).all()
        db.session.remove()
    return sum(1 for row in rows if tuple(row) in wanted)


def discard_open(app: Flask, attempts: list[tuple[int, str, int]]) -> int:
    """Delete the attempts of this list that are still open (a submit run's leftovers)."""
    from app.extensions import db
    from app.models import Attempt

    wanted = set(attempts)
    with app.app_context():
        rows = db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.quiz_slug, Attempt.number).where(
                Attempt.submitted_at.is_(None)
            )
        ).all()
        ids = [row.id for row in rows if (row.user_id, row.quiz_slug, row.number) in wanted]
        for start in range(0, len(ids), 500):
            db.session.execute(delete(Attempt).where(Attempt.id.in_(ids[start : start + 500])))
        db.session.commit()
        db.session.remove()
    return len(ids)
