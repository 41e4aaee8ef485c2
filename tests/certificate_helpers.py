"""Helpers for the certificate, verification and admin tests: an eligible learner, an issued PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.content import get_catalog
from app.extensions import db
from app.models import Certificate, Evaluation, LessonProgress, User
from tests.factories import build_attempt

COURSE = "test-cursus"
#: A moment inside the fixture course's accreditation period (2026-01-01 .. 2027-12-31).
DONE_AT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def complete_lessons(user_id: int, *, minutes_each: int = 6, at: dt.datetime = DONE_AT) -> None:
    """Every lesson of the fixture course completed, with some study time (caller commits)."""
    for lesson in get_catalog().course(COURSE).lessons:
        db.session.add(
            LessonProgress(
                user_id=user_id,
                course_slug=COURSE,
                lesson_slug=lesson.slug,
                first_seen_at=at - dt.timedelta(hours=1),
                last_seen_at=at,
                completed_at=at,
                seconds_on_task=minutes_each * 60,
            )
        )


def pass_assessment(user_id: int, *, at: dt.datetime = DONE_AT, passed: bool = True) -> None:
    """A submitted attempt at every case of the final assessment (caller commits)."""
    course = get_catalog().course(COURSE)
    for quiz in course.assessment_quizzes:
        db.session.add(
            build_attempt(
                user_id,
                quiz.slug,
                course_slug=COURSE,
                at=at,
                score=0.9 if passed else 0.4,
                started_at=at - dt.timedelta(minutes=20),
            )
        )


def evaluate(
    user_id: int, *, at: dt.datetime = DONE_AT, relevance: int = 5, comments: str = "Nuttig."
) -> None:
    db.session.add(
        Evaluation(
            user_id=user_id,
            course_slug=COURSE,
            course_version=get_catalog().course(COURSE).version,
            relevance=relevance,
            content_quality=4,
            didactics=4,
            study_time="about_right",
            comments=comments,
            submitted_at=at,
        )
    )


def make_eligible(app: Flask, user: User, *, at: dt.datetime = DONE_AT) -> None:
    """Meet every requirement of the fixture course."""
    with app.app_context():
        complete_lessons(user.id, at=at)
        pass_assessment(user.id, at=at)
        evaluate(user.id, at=at)
        db.session.commit()


def issue_for(app: Flask, user: User, **config: Any) -> Certificate:
    """Issue the learner's certificate without going through the web page; returns it detached."""
    from app.certificates import issuing

    with app.app_context():
        person = db.session.get(User, user.id)
        settings = issuing.Settings.from_config({**app.config, **config})
        certificate, _ = issuing.issue(person, get_catalog().course(COURSE), settings)
        db.session.commit()
        db.session.refresh(certificate)
        db.session.expunge(certificate)
        return certificate


def certificates(app: Flask) -> list[Certificate]:
    with app.app_context():
        rows = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
        for row in rows:
            db.session.expunge(row)
        return rows
