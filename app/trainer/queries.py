"""Read-only aggregate selects for the trainer pages.

Each function is ONE query whatever the cohort size (members are joined, not listed in Python),
so a cohort overview costs a fixed number of round trips.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import defer, selectinload

from ..extensions import db
from ..models import (
    Answer,
    Attempt,
    Certificate,
    CohortMember,
    Evaluation,
    LessonProgress,
    User,
)
from .item_analysis import ItemResponse, Sitting


@dataclass(frozen=True)
class Member:
    user_id: int
    first_name: str
    tussenvoegsel: str
    surname: str
    email: str
    profession: str
    joined_at: dt.datetime

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.tussenvoegsel, self.surname) if p)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Dutch order: by surname without the tussenvoegsel, then first name."""
        return (self.surname.casefold(), self.first_name.casefold())


def members(cohort_id: int) -> list[Member]:
    """The cohort's learners (accounts not deleted), by surname."""
    rows = db.session.execute(
        select(
            User.id,
            User.first_name,
            User.tussenvoegsel,
            User.surname,
            User.email,
            User.profession,
            CohortMember.joined_at,
        )
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort_id, User.deleted_at.is_(None))
        .order_by(User.surname, User.first_name, User.id)
    )
    return [Member(*row) for row in rows]


def evaluated_user_ids(cohort_id: int, course_slug: str) -> set[int]:
    """Members who filled in the course evaluation."""
    return set(
        db.session.scalars(
            select(Evaluation.user_id)
            .join(CohortMember, CohortMember.user_id == Evaluation.user_id)
            .where(CohortMember.cohort_id == cohort_id, Evaluation.course_slug == course_slug)
        )
    )


def certified_user_ids(cohort_id: int, course_slug: str) -> set[int]:
    """Members holding a valid (not revoked) certificate for the course."""
    return set(
        db.session.scalars(
            select(Certificate.user_id)
            .join(CohortMember, CohortMember.user_id == Certificate.user_id)
            .where(
                CohortMember.cohort_id == cohort_id,
                Certificate.course_slug == course_slug,
                Certificate.status == "valid",
            )
        )
    )


def first_sittings(
    course_slug: str, quiz_slugs: tuple[str, ...], cohort_id: int | None = None
) -> dict[str, list[Sitting]]:
    """Per quiz, the answers of each learner's first submitted attempt (of the cohort, or all)."""
    by_user = first_sittings_by_user(course_slug, quiz_slugs, cohort_id)
    return {quiz_slug: list(sittings.values()) for quiz_slug, sittings in by_user.items()}


def first_sittings_by_user(
    course_slug: str, quiz_slugs: tuple[str, ...], cohort_id: int | None = None
) -> dict[str, dict[int, Sitting]]:
    """Per quiz and learner, the answers of the learner's first submitted attempt.

    A question the attempt drew but left unanswered is in the sitting with score None, so the
    analysis knows which variant it drew.
    """
    first = (
        select(
            Attempt.user_id,
            Attempt.quiz_slug,
            func.min(Attempt.number).label("number"),
        )
        .where(
            Attempt.course_slug == course_slug,
            Attempt.quiz_slug.in_(quiz_slugs),
            Attempt.submitted_at.is_not(None),
        )
        .group_by(Attempt.user_id, Attempt.quiz_slug)
    )
    if cohort_id is not None:
        first = first.join(
            CohortMember,
            and_(CohortMember.user_id == Attempt.user_id, CohortMember.cohort_id == cohort_id),
        )
    first_sq = first.subquery()
    # Core, not ORM, execution: this can be hundreds of thousands of rows for an admin.
    rows = db.session.connection().execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.quiz_slug,
            Attempt.question_ids,
            Answer.question_id,
            Answer.score,
            Answer.response,
        )
        .join(
            first_sq,
            and_(
                Attempt.user_id == first_sq.c.user_id,
                Attempt.quiz_slug == first_sq.c.quiz_slug,
                Attempt.number == first_sq.c.number,
            ),
        )
        # Scored answers only: reflections (score None) are not analysed, and never read here.
        .outerjoin(Answer, and_(Answer.attempt_id == Attempt.id, Answer.score.is_not(None)))
        .where(Attempt.course_slug == course_slug)
    )
    by_attempt: dict[int, dict[str, ItemResponse]] = {}
    owner: dict[int, tuple[str, int]] = {}
    for attempt_id, user_id, quiz_slug, drawn, question_id, score, response in rows:
        if attempt_id not in by_attempt:
            by_attempt[attempt_id] = {
                drawn_id: ItemResponse(None)
                for drawn_id in drawn or ()
                if isinstance(drawn_id, str)
            }
        sitting = by_attempt[attempt_id]
        owner[attempt_id] = (quiz_slug, user_id)
        if question_id is not None:
            choice = tuple(str(r) for r in response) if isinstance(response, list) else ()
            sitting[question_id] = ItemResponse(score, choice)
    result: dict[str, dict[int, Sitting]] = defaultdict(dict)
    for attempt_id, sitting in by_attempt.items():
        quiz_slug, user_id = owner[attempt_id]
        result[quiz_slug][user_id] = sitting
    return dict(result)


def lesson_rows(user_id: int, course_slug: str) -> list[LessonProgress]:
    """The learner's lesson summary rows for the course, oldest first."""
    return list(
        db.session.scalars(
            select(LessonProgress)
            .where(LessonProgress.user_id == user_id, LessonProgress.course_slug == course_slug)
            .order_by(LessonProgress.first_seen_at)
        )
    )


def attempts_with_answers(user_id: int, course_slug: str) -> list[Attempt]:
    """The learner's attempts at the course's quizzes with their answers (two queries)."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.course_slug == course_slug)
            .options(selectinload(Attempt.answers))
            .order_by(Attempt.started_at, Attempt.id)
        )
    )


def has_evaluation(user_id: int, course_slug: str) -> Evaluation | None:
    """The learner's course evaluation, if they filled it in."""
    return db.session.scalar(
        select(Evaluation).where(
            Evaluation.user_id == user_id, Evaluation.course_slug == course_slug
        )
    )


def valid_certificates(user_id: int, course_slug: str) -> list[Certificate]:
    """The learner's valid certificates for the course (without the PDF bytes)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .options(defer(Certificate.pdf))
            .where(
                Certificate.user_id == user_id,
                Certificate.course_slug == course_slug,
                Certificate.status == "valid",
            )
        )
    )
