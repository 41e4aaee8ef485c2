"""Which boosters are due for whom, claiming one before its mail goes, and the opt-out token.

A booster falls due its number of months after the learner's first valid certificate for the
course, and stays due until the next booster does (the last one for three months), so a learner
certified long before boosters existed gets the current one, not a pile of old ones.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..content import Catalog, Course, Quiz
from ..extensions import db
from ..models import BoosterMail, Certificate, User

#: How long the last booster stays due when no later booster follows.
LAST_WINDOW_MONTHS = 3


@dataclass(frozen=True)
class DueBooster:
    user: User
    course: Course
    quiz: Quiz
    due_at: dt.datetime


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later; the 31st becomes the month's last day where needed."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _windows(
    course: Course, certified_at: dt.datetime
) -> list[tuple[Quiz, dt.datetime, dt.datetime]]:
    """Each booster with the moment it falls due and the moment it is no longer worth sending."""
    boosters = course.boosters
    windows = []
    for index, quiz in enumerate(boosters):
        due = add_months(certified_at, quiz.booster_months or 0)
        if index + 1 < len(boosters):
            end = add_months(certified_at, boosters[index + 1].booster_months or 0)
        else:
            end = add_months(due, LAST_WINDOW_MONTHS)
        windows.append((quiz, due, end))
    return windows


def _certified(course_slug: str) -> list[tuple[User, dt.datetime]]:
    """Learners who may get boosters, with the moment of their first valid certificate."""
    first = (
        select(Certificate.user_id, func.min(Certificate.issued_at).label("issued_at"))
        .where(Certificate.course_slug == course_slug, Certificate.status == "valid")
        .group_by(Certificate.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, first.c.issued_at)
        .join(first, first.c.user_id == User.id)
        .where(User.deleted_at.is_(None), User.booster_opt_out.is_(False))
        .order_by(User.id)
    ).all()
    # SQLite hands an aggregate back as a naive datetime; certificates are stored in UTC.
    return [(user, _utc(issued_at)) for user, issued_at in rows]


def _utc(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def due_boosters(catalog: Catalog, now: dt.datetime) -> list[DueBooster]:
    """Every booster due at `now` that has not been claimed yet."""
    due = []
    for course in catalog.courses.values():
        if not course.boosters:
            continue
        claimed = {
            (user_id, quiz_slug)
            for user_id, quiz_slug in db.session.execute(
                select(BoosterMail.user_id, BoosterMail.quiz_slug).where(
                    BoosterMail.course_slug == course.slug
                )
            )
        }
        for user, certified_at in _certified(course.slug):
            for quiz, start, end in _windows(course, certified_at):
                if start <= now < end and (user.id, quiz.slug) not in claimed:
                    due.append(DueBooster(user, course, quiz, start))
    return due


def claim(booster: DueBooster, now: dt.datetime) -> BoosterMail | None:
    """Take the booster for sending; None if another run took it first (the caller rolls back)."""
    row = BoosterMail(
        user_id=booster.user.id,
        course_slug=booster.course.slug,
        quiz_slug=booster.quiz.slug,
        due_at=booster.due_at,
        claimed_at=now,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        return None
    return row


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="signaal-booster-opt-out")


def opt_out_token(user: User) -> str:
    """A signed token for the unsubscribe link; it does not expire, as old mails keep it."""
    return _serializer().dumps({"id": user.id, "e": user.email})


def user_for_token(token: str) -> User | None:
    """The learner an unsubscribe token belongs to, or None when it is forged or stale."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("e") or user.deleted_at is not None:
        return None
    return user
