"""Retention: `flask users purge-inactive` deletes accounts without activity for RETENTION_YEARS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from app.accounts.privacy import RETENTION_YEARS, inactive_accounts, purge_inactive
from app.extensions import db
from app.models import (
    Answer,
    Attempt,
    AuditEvent,
    Certificate,
    LessonProgress,
    User,
    utcnow,
)

NOW = utcnow() + dt.timedelta(minutes=5)
LONG_AGO = NOW - dt.timedelta(days=365 * RETENTION_YEARS + 10)
RECENTLY = NOW - dt.timedelta(days=300)


def backdate(app: Flask, user: User, when: dt.datetime = LONG_AGO) -> None:
    """Pretend the account was created (and confirmed) at `when`."""
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == user.id).values(created_at=when, email_confirmed_at=when)
        )
        db.session.commit()


def add(app: Flask, *rows: Any) -> None:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def attempt(user: User, started: dt.datetime, **fields: Any) -> Attempt:
    return Attempt(
        user_id=user.id,
        course_slug="test-cursus",
        quiz_slug="testcasus",
        number=1,
        quiz_version="test",
        pass_mark=70,
        started_at=started,
        **fields,
    )


def lesson(user: User, seen: dt.datetime, slug: str = "eerste-les") -> LessonProgress:
    return LessonProgress(
        user_id=user.id,
        course_slug="test-cursus",
        lesson_slug=slug,
        first_seen_at=LONG_AGO,
        last_seen_at=seen,
    )


def inactive_emails(app: Flask) -> list[str]:
    with app.app_context():
        return [user.email for user, _ in inactive_accounts(NOW)]


@pytest.fixture
def people(app: Flask, make_user) -> dict[str, User]:
    """Accounts that are all old; only their activity differs."""
    people = {
        "idle": make_user(),
        "reader": make_user(),
        "quiz": make_user(),
        "answered": make_user(),
        "trainer": make_user(role="trainer", profession="other", big_number=None),
        "admin": make_user(role="admin", profession="other", big_number=None),
    }
    for user in people.values():
        backdate(app, user)
    idle, reader, quiz, answered, trainer = (
        people[k] for k in ("idle", "reader", "quiz", "answered", "trainer")
    )
    add(app, lesson(idle, LONG_AGO), attempt(idle, LONG_AGO, submitted_at=LONG_AGO))
    add(app, lesson(reader, LONG_AGO), lesson(reader, RECENTLY, "tweede-les"))
    add(app, attempt(quiz, RECENTLY))
    old_attempt = attempt(answered, LONG_AGO)
    old_attempt.answers.append(
        Answer(
            stage_id="eerste-consult",
            question_id="alleen-spreken",
            response=["x"],
            updated_at=RECENTLY,
        )
    )
    add(app, old_attempt)
    add(app, AuditEvent(actor_id=trainer.id, action="trainer.view_cohort", created_at=RECENTLY))
    return people


def test_only_accounts_without_any_recent_activity_are_inactive(
    app: Flask, people: dict[str, User], make_user
) -> None:
    new = make_user()  # signed up just now, nothing done yet
    assert inactive_emails(app) == [people["idle"].email]
    assert new.email not in inactive_emails(app)


def test_admins_are_never_purged(app: Flask, people: dict[str, User]) -> None:
    assert people["admin"].email not in inactive_emails(app)


def test_the_last_activity_is_reported_in_utc(app: Flask, people: dict[str, User]) -> None:
    with app.app_context():
        [(user, last)] = inactive_accounts(NOW)
    assert user.id == people["idle"].id
    assert last == LONG_AGO and last.tzinfo is not None


def test_purging_deletes_personal_data_keeps_certificates_and_records_it(
    app: Flask, people: dict[str, User]
) -> None:
    idle = people["idle"]
    add(
        app,
        Certificate(
            number="SIG-0000-0000-0",
            user_id=idle.id,
            kind="accreditation",
            course_slug="test-cursus",
            course_version="2026.1",
            course_hash="0" * 64,
            course_title="Testcursus",
            initials="A.B.",
            surname=idle.surname,
            profession="gp",
            big_number=idle.big_number,
            completed_on=LONG_AGO.date(),
            study_load_minutes=30,
            accreditation_body="ABC1",
            accreditation_status="applied",
            period_start=LONG_AGO.date(),
            layout_version="test-v1",
            pdf=b"%PDF-1.7",
            sha256="a" * 64,
            issued_at=LONG_AGO,
        ),
    )
    with app.app_context():
        purged = purge_inactive(NOW)
        db.session.commit()
    assert [email for email, _ in purged] == [idle.email]
    with app.app_context():
        gone = db.session.get(User, idle.id)
        assert gone.deleted_at is not None and gone.email.endswith("@signaal.invalid")
        assert (
            db.session.scalars(
                select(LessonProgress).where(LessonProgress.user_id == idle.id)
            ).all()
            == []
        )
        certificate = db.session.scalars(select(Certificate)).one()
        assert certificate.surname == idle.surname and certificate.pdf is None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "account.deleted" in actions and "account.purge_inactive" in actions
        assert inactive_accounts(NOW) == []
        for key in ("reader", "quiz", "answered", "trainer", "admin"):
            assert db.session.get(User, people[key].id).deleted_at is None


def test_cli_dry_run_lists_and_deletes_nothing_then_the_real_run_deletes(
    app: Flask, runner, make_user
) -> None:
    idle = make_user()
    backdate(app, idle, utcnow() - dt.timedelta(days=365 * RETENTION_YEARS + 30))
    active = make_user()
    result = runner.invoke(args=["users", "purge-inactive", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert idle.email in result.output and active.email not in result.output
    assert "1 account(s) zonder activiteit in de laatste 5 jaar. Proefdraai" in result.output
    with app.app_context():
        assert db.session.get(User, idle.id).deleted_at is None
    result = runner.invoke(args=["users", "purge-inactive"])
    assert result.exit_code == 0, result.output
    assert "1 account(s) zonder activiteit in de laatste 5 jaar verwijderd" in result.output
    with app.app_context():
        assert db.session.get(User, idle.id).deleted_at is not None
        assert db.session.get(User, active.id).deleted_at is None
    result = runner.invoke(args=["users", "purge-inactive"])
    assert "0 account(s)" in result.output
