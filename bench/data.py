"""Databases and data for the benchmarks: a fresh database per run, `flask seed`, attempt pools.

The learners come from `flask seed` (app/demo/seed.py, shared with the trainer work). What the load runs
need on top, open attempts in a known state for saving and submitting, is inserted here in bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
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


#: What decides the rows `flask seed` writes: a seeded database kept under a fingerprint of
#: these (and of the day, since the seed dates its rows from now) is the one a fresh seed makes.
SEED_SOURCES = (
    "app/models.py",
    "app/cli.py",
    "app/demo",
    "app/content",
    "app/quizzes/attempts.py",
    "app/quizzes/grading.py",
    "app/accounts/service.py",
    "app/trainer/cohorts.py",
    "app/trainer/queries.py",
    "app/trainer/item_analysis.py",
    "courses",
    "bench/data.py",
    "requirements.lock",
)


def seed_fingerprint(kind: str, commands: Sequence[Sequence[str]]) -> str:
    """A key for a database seeded by these `flask` commands with today's code and content."""
    digest = hashlib.sha256(f"{kind}|{dt.date.today()}|{list(map(list, commands))}".encode())
    for source in SEED_SOURCES:
        path = ROOT / source
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class SeededDatabase:
    url: str
    #: Seconds each seed command took (when the kept copy was made, if `cached`).
    seconds: list[float]
    cached: bool


@contextmanager
def seeded_database(
    kind: str,
    workdir: Path,
    commands: Sequence[Sequence[str]],
    name: str = BENCH_DATABASE,
    cache: Path | None = None,
) -> Iterator[SeededDatabase]:
    """A fresh database with the schema, filled by these `flask` commands (`seed ...`), run in
    this process (`seed_in_process`).

    With a `cache` folder the filled database is kept (SQLite: a file there; PostgreSQL: a
    template database `<name>_tpl_...`), one copy per database name and command list, and a
    later run with the same fingerprint (`seed_fingerprint`) starts from a copy instead of
    seeding again: 10,000 learners take 15-20 s to seed, a copy about a second. The seed's
    time reported is then the one recorded when the copy was made.
    """
    slot = hashlib.sha256(f"{kind}|{list(map(list, commands))}".encode()).hexdigest()[:6]
    kept = _Kept(kind, cache, name, slot, seed_fingerprint(kind, commands)) if cache else None
    with fresh_database(kind, workdir, name) as url:
        if kept is not None and kept.restore(url):
            yield SeededDatabase(url, json.loads(kept.record.read_text())["seconds"], cached=True)
            return
        seconds = seed_in_process(app_env(url, workdir), commands)
        if kept is not None:
            kept.keep(url, seconds)
        yield SeededDatabase(url, seconds, cached=False)


@dataclass(frozen=True)
class _Kept:
    """The kept copy of one seeded database (see `seeded_database`)."""

    kind: str
    cache: Path
    name: str
    slot: str
    key: str

    @property
    def record(self) -> Path:
        return self.cache / f"{self.name}-{self.kind}-{self.slot}-{self.key}.json"

    @property
    def file(self) -> Path:
        return self.cache / f"{self.name}-{self.slot}-{self.key}.sqlite3"

    @property
    def template(self) -> str:
        return f"{self.name}_tpl_{self.slot}_{self.key}"

    def restore(self, url: str) -> bool:
        """Put the copy in place of the fresh (empty) database; False if there is none."""
        if not self.record.exists():
            return False
        if self.kind == "sqlite":
            if not self.file.exists():
                return False
            shutil.copyfile(self.file, _sqlite_path(url))
            return True
        import psycopg

        target = url.rsplit("/", 1)[1]
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            found = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.template,)
            ).fetchone()
            if not found:
                return False
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{self.template}"')
        return True

    def keep(self, url: str, seconds: list[float]) -> None:
        """Keep a copy of the seeded database; older copies for this slot go."""
        self.cache.mkdir(parents=True, exist_ok=True)
        for old in self.cache.glob(f"{self.name}-{self.kind}-{self.slot}-*.json"):
            old.unlink()
        if self.kind == "sqlite":
            for old in self.cache.glob(f"{self.name}-{self.slot}-*.sqlite3"):
                old.unlink()
            path = _sqlite_path(url)
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copyfile(path, self.file)
        else:
            import psycopg

            source = url.rsplit("/", 1)[1]
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                pattern = f"{self.name}_tpl_{self.slot}_".replace("_", "\\_") + "%"
                for (old,) in admin.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,)
                ).fetchall():
                    admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.template}" TEMPLATE "{source}"')
        self.record.write_text(json.dumps({"seconds": seconds}))


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


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


def seed_in_process(env: dict[str, str], commands: Sequence[Sequence[str]]) -> list[float]:
    """Create the schema and run these `flask` commands on it in this process; their seconds.

    One app for all (a `flask` process takes 1.5 s to start, six seeds per database). The
    database is a throwaway, so on SQLite its connections write without a rollback journal or
    syncing (the seed's inserts take a second less at 10,000 learners, more on a busy disk); the
    app's own connections (server, timing) keep their write-ahead log.
    """
    from sqlalchemy import event

    from app.extensions import db

    app = in_process_app(env)
    with app.app_context():
        db.create_all()
        if db.engine.dialect.name == "sqlite":
            db.engine.dispose()
            event.listen(db.engine, "connect", _scratch_pragmas)
    runner = app.test_cli_runner()
    seconds = []
    for command in commands:
        began = time.perf_counter()
        result = runner.invoke(args=list(command))
        if result.exit_code != 0:
            raise RuntimeError(
                f"flask {' '.join(command)} failed:\n{result.output}"
            ) from result.exception
        seconds.append(time.perf_counter() - began)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return seconds


def _scratch_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


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
