"""The accreditation dossier: what a provider sends ABC1 with an application or re-accreditation.

Every figure comes from live data through the functions the trainer and admin pages use
(first sittings and `analyse` for the items, `evaluation_summary` for the evaluation), so the
dossier never says something the app does not.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from ..certificates.evaluation import EvaluationSummary, evaluation_summary
from ..content import Course
from ..content.model import Question, Quiz, Source
from ..extensions import db
from ..models import Attempt, Certificate, LessonProgress
from ..trainer.item_analysis import ItemResponse, QuizAnalysis, Sitting, analyse
from ..trainer.queries import first_sittings_by_user


@dataclass(frozen=True)
class Spread:
    """Median and quartiles of a set of minutes; n is how many learners it covers."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class CaseDesign:
    slug: str
    title: str
    stages: int
    #: Scored question groups (one point each) and the questions in them (variants included).
    groups: int
    questions: int
    pass_mark: int
    attempts: int


@dataclass(frozen=True)
class Dossier:
    course: Course
    #: Minutes of study per learner with a certificate: the whole course, and per lesson slug.
    study_time: Spread
    study_time_per_lesson: dict[str, Spread]
    design: tuple[CaseDesign, ...]
    #: Per case slug, the first-sitting item analysis.
    analyses: dict[str, QuizAnalysis]
    #: Cronbach's alpha (KR-20 for 0/1 items) of the final test as a whole, and its n.
    final_alpha: float | None
    final_n: int
    #: Attempt number -> (submitted, passed), over every assessment case.
    pass_rate_per_attempt: dict[int, tuple[int, int]]
    evaluation: EvaluationSummary
    sources: tuple[Source, ...]
    #: Year -> (learners who started, certificates issued), by calendar year.
    per_year: dict[int, tuple[int, int]]


def spread(minutes: list[float]) -> Spread:
    """Median and quartiles (inclusive method, as a spreadsheet's QUARTILE computes them)."""
    if not minutes:
        return Spread(0, None, None, None)
    if len(minutes) == 1:
        return Spread(1, minutes[0], minutes[0], minutes[0])
    q1, median, q3 = statistics.quantiles(minutes, n=4, method="inclusive")
    return Spread(len(minutes), median, q1, q3)


def _completers(course: Course) -> list[int]:
    """Learners with a certificate for this course (valid or superseded by a re-issue)."""
    return list(
        db.session.scalars(
            select(Certificate.user_id)
            .where(
                Certificate.course_slug == course.slug,
                Certificate.status.in_(("valid", "superseded")),
                Certificate.user_id.is_not(None),
            )
            .distinct()
        )
    )


def _study_time(course: Course, learners: list[int]) -> tuple[Spread, dict[str, Spread]]:
    rows = db.session.execute(
        select(
            LessonProgress.user_id, LessonProgress.lesson_slug, LessonProgress.seconds_on_task
        ).where(LessonProgress.course_slug == course.slug, LessonProgress.user_id.in_(learners))
    ).all()
    total: dict[int, float] = dict.fromkeys(learners, 0.0)
    per_lesson: dict[str, list[float]] = defaultdict(list)
    for user_id, lesson_slug, seconds in rows:
        total[user_id] += seconds / 60
        per_lesson[lesson_slug].append(seconds / 60)
    return spread(list(total.values())), {
        lesson.slug: spread(per_lesson.get(lesson.slug, [])) for lesson in course.lessons
    }


def _design(quiz: Quiz) -> CaseDesign:
    scored = [q for q in quiz.questions if q.scored]
    return CaseDesign(
        slug=quiz.slug,
        title=quiz.title,
        stages=len(quiz.stages),
        groups=len({q.group for q in scored}),
        questions=len(scored),
        pass_mark=quiz.pass_mark,
        attempts=quiz.attempts,
    )


def _whole_test(course: Course, sittings: dict[str, dict[int, Sitting]]) -> QuizAnalysis:
    """The final test as one instrument: every case's groups as items, per learner who sat all.

    Question ids are unique within a quiz only, so they are prefixed with the quiz slug.
    """
    questions: list[Question] = []
    for quiz in course.assessment_quizzes:
        for question in quiz.questions:
            questions.append(
                dataclasses.replace(
                    question,
                    id=f"{quiz.slug}/{question.id}",
                    variant_of=f"{quiz.slug}/{question.variant_of}"
                    if question.variant_of
                    else None,
                )
            )
    per_learner: dict[int, dict[str, ItemResponse]] = defaultdict(dict)
    counts: Counter[int] = Counter()
    for quiz_slug, by_user in sittings.items():
        for user_id, sitting in by_user.items():
            counts[user_id] += 1
            for question_id, response in sitting.items():
                per_learner[user_id][f"{quiz_slug}/{question_id}"] = response
    complete = [per_learner[u] for u, n in counts.items() if n == len(course.assessment)]
    return analyse(questions, complete)


def _pass_rates(course: Course) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(Attempt.number, func.count(), func.count().filter(Attempt.passed.is_(True)))
        .where(
            Attempt.course_slug == course.slug,
            Attempt.quiz_slug.in_(course.assessment),
            Attempt.submitted_at.is_not(None),
        )
        .group_by(Attempt.number)
        .order_by(Attempt.number)
    ).all()
    return {number: (int(submitted), int(passed)) for number, submitted, passed in rows}


def _per_year(course: Course) -> dict[int, tuple[int, int]]:
    started = db.session.execute(
        select(LessonProgress.user_id, func.min(LessonProgress.first_seen_at))
        .where(LessonProgress.course_slug == course.slug)
        .group_by(LessonProgress.user_id)
    ).all()
    issued = db.session.scalars(
        select(Certificate.issued_at).where(
            Certificate.course_slug == course.slug, Certificate.status != "superseded"
        )
    ).all()
    learners = Counter(moment.year for _, moment in started if moment is not None)
    certificates = Counter(moment.year for moment in issued)
    years = sorted(set(learners) | set(certificates))
    return {year: (learners[year], certificates[year]) for year in years}


def _sources(course: Course) -> tuple[Source, ...]:
    """Every source of the lessons and the reference card, once, in order of appearance."""
    seen: dict[tuple[str, str, int], Source] = {}
    for lesson in course.lessons:
        for source in lesson.sources:
            seen.setdefault((source.title, source.publisher, source.year), source)
    if course.reference is not None:
        for source in course.reference.sources:
            seen.setdefault((source.title, source.publisher, source.year), source)
    return tuple(seen.values())


def build(course: Course) -> Dossier:
    """Collect the dossier's figures for a course from the live data."""
    learners = _completers(course)
    total, per_lesson = _study_time(course, learners)
    sittings = first_sittings_by_user(course.slug, course.assessment)
    analyses = {
        quiz.slug: analyse(quiz.questions, list(sittings.get(quiz.slug, {}).values()))
        for quiz in course.assessment_quizzes
    }
    whole = _whole_test(course, sittings)
    return Dossier(
        course=course,
        study_time=total,
        study_time_per_lesson=per_lesson,
        design=tuple(_design(quiz) for quiz in course.assessment_quizzes),
        analyses=analyses,
        final_alpha=whole.alpha,
        final_n=whole.n,
        pass_rate_per_attempt=_pass_rates(course),
        evaluation=evaluation_summary(course.slug),
        sources=_sources(course),
        per_year=_per_year(course),
    )
