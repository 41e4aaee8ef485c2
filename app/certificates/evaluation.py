"""The course evaluation accreditation bodies require: stored once per learner, read as aggregate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import fmean

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..content import Course
from ..extensions import db
from ..models import STUDY_TIMES, Evaluation, User
from ..trainer import cohorts

RATINGS = (
    ("relevance", lazy_gettext("Relevantie voor je praktijk")),
    ("content_quality", lazy_gettext("Kwaliteit van de inhoud")),
    ("didactics", lazy_gettext("Didactiek: opbouw, casussen en feedback")),
)


def evaluation_of(user_id: int, course_slug: str) -> Evaluation | None:
    """The learner's evaluation of the course, if submitted."""
    return db.session.scalars(
        select(Evaluation).where(
            Evaluation.user_id == user_id, Evaluation.course_slug == course_slug
        )
    ).one_or_none()


def submit_evaluation(
    user_id: int,
    course: Course,
    *,
    relevance: int,
    content_quality: int,
    didactics: int,
    study_time: str,
    comments: str,
) -> tuple[Evaluation, bool]:
    """Store the learner's evaluation once; a second submission returns the first (created False)."""
    existing = evaluation_of(user_id, course.slug)
    if existing is not None:
        return existing, False
    evaluation = Evaluation(
        user_id=user_id,
        course_slug=course.slug,
        course_version=course.version,
        relevance=relevance,
        content_quality=content_quality,
        didactics=didactics,
        study_time=study_time,
        comments=comments.strip(),
        submitted_at=clock.now(),
    )
    try:
        # A double submit races on the unique key: the SAVEPOINT keeps the caller's transaction.
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        existing = evaluation_of(user_id, course.slug)
        if existing is None:
            raise
        return existing, False
    return evaluation, True


@dataclass(frozen=True)
class RatingSummary:
    key: str
    label: str
    #: Mean rating 1..5, None without answers.
    mean: float | None
    #: How many learners gave 1, 2, 3, 4 and 5.
    counts: tuple[int, int, int, int, int]


#: Fewer evaluations than this could point at who answered what: below it trainers see no
#: aggregate and admins no comments (the form promises a summary, not who answered what).
MIN_RESPONSES = 5


@dataclass(frozen=True)
class EvaluationSummary:
    course_slug: str
    responses: int
    #: Empty when there are too few evaluations to show this reader.
    ratings: tuple[RatingSummary, ...]
    #: (label, count) per answer on the stated study time; empty like `ratings`.
    study_time: tuple[tuple[str, int], ...]
    #: Free comments in alphabetical order, never by date; for admins from MIN_RESPONSES on.
    comments: tuple[str, ...]
    #: Whether this reader may see comments at all (admins).
    with_comments: bool = False
    minimum: int = MIN_RESPONSES


def evaluation_summary(course_slug: str, course_version: str | None = None) -> EvaluationSummary:
    """All evaluations of a course (optionally of one version), for admins."""
    statement = select(Evaluation).where(Evaluation.course_slug == course_slug)
    if course_version is not None:
        statement = statement.where(Evaluation.course_version == course_version)
    return _summarise(course_slug, list(db.session.scalars(statement)), for_admin=True)


def cohort_evaluation_summary(course_slug: str, trainer: User) -> EvaluationSummary:
    """The evaluations by members of the trainer's own cohorts of this course; no comments."""
    rows = db.session.scalars(
        select(Evaluation).where(
            Evaluation.course_slug == course_slug,
            Evaluation.user_id.in_(cohorts.learner_ids_of(trainer, course_slug)),
        )
    )
    return _summarise(course_slug, list(rows), for_admin=False)


def _summarise(course_slug: str, rows: list[Evaluation], *, for_admin: bool) -> EvaluationSummary:
    enough = len(rows) >= MIN_RESPONSES
    if not (enough or for_admin):
        return EvaluationSummary(course_slug, len(rows), (), (), ())
    ratings = []
    for key, label in RATINGS:
        values = [getattr(row, key) for row in rows]
        counter = Counter(values)
        ratings.append(
            RatingSummary(
                key=key,
                label=label,
                mean=round(fmean(values), 1) if values else None,
                counts=tuple(counter.get(n, 0) for n in range(1, 6)),  # type: ignore[arg-type]
            )
        )
    study = Counter(row.study_time for row in rows)
    comments = sorted(row.comments.strip() for row in rows if row.comments.strip())
    return EvaluationSummary(
        course_slug=course_slug,
        responses=len(rows),
        ratings=tuple(ratings) if rows else (),
        study_time=tuple((label, study.get(value, 0)) for value, label in STUDY_TIMES.items()),
        comments=tuple(comments) if for_admin and enough else (),
        with_comments=for_admin,
    )
