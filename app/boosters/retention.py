"""Retention per cohort: how many learners did their boosters, and how their booster scores
compare with their final-test scores (read-only aggregates for the trainer)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import select

from ..content import Course, Quiz
from ..extensions import db
from ..models import Attempt, BoosterMail, CohortMember


@dataclass(frozen=True)
class Uptake:
    quiz: Quiz
    #: Members the booster mail went to.
    sent: int
    #: Members with a submitted attempt at the booster.
    done: int


@dataclass(frozen=True)
class LearnerRetention:
    user_id: int
    #: 0..1: mean over the assessment cases of the learner's best submitted score.
    final: float
    #: 0..1: mean over the boosters done of the learner's first submitted score.
    booster: float


@dataclass(frozen=True)
class Retention:
    uptake: tuple[Uptake, ...]
    learners: tuple[LearnerRetention, ...]

    @property
    def mean_final(self) -> float | None:
        return _mean([r.final for r in self.learners])

    @property
    def mean_booster(self) -> float | None:
        return _mean([r.booster for r in self.learners])


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def cohort_retention(cohort_id: int, course: Course) -> Retention:
    """Booster uptake and booster-against-final scores for the members of one cohort."""
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    boosters = {quiz.slug: quiz for quiz in course.boosters}
    sent: dict[str, int] = defaultdict(int)
    for (quiz_slug,) in db.session.execute(
        select(BoosterMail.quiz_slug).where(
            BoosterMail.course_slug == course.slug,
            BoosterMail.sent_at.is_not(None),
            BoosterMail.user_id.in_(members),
        )
    ):
        sent[quiz_slug] += 1

    best_final: dict[int, dict[str, float]] = defaultdict(dict)
    first_booster: dict[int, dict[str, float]] = defaultdict(dict)
    attempts = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_slug, Attempt.score)
        .where(
            Attempt.course_slug == course.slug,
            Attempt.quiz_slug.in_([*course.assessment, *boosters]),
            Attempt.submitted_at.is_not(None),
            Attempt.score.is_not(None),
            Attempt.user_id.in_(members),
        )
        .order_by(Attempt.user_id, Attempt.quiz_slug, Attempt.number)
    )
    for user_id, quiz_slug, score in attempts:
        if quiz_slug in boosters:
            first_booster[user_id].setdefault(quiz_slug, score)
        else:
            best_final[user_id][quiz_slug] = max(score, best_final[user_id].get(quiz_slug, 0.0))

    uptake = tuple(
        Uptake(
            quiz,
            sent[slug],
            sum(1 for scores in first_booster.values() if slug in scores),
        )
        for slug, quiz in boosters.items()
    )
    learners = tuple(
        LearnerRetention(
            user_id,
            fmean(best_final[user_id].values()),
            fmean(scores.values()),
        )
        for user_id, scores in sorted(first_booster.items())
        if best_final.get(user_id)
    )
    return Retention(uptake, learners)
