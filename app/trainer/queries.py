"""Read-only aggregate selects for the trainer pages.

Each function is ONE query whatever the cohort size (members are joined, not listed in Python),
so a cohort overview costs a fixed number of round trips.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Text,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    join,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, selectinload

from ..content.model import Course, Quiz
from ..extensions import db
from ..models import (
    Answer,
    Attempt,
    AttemptGrant,
    Certificate,
    CohortMember,
    Evaluation,
    KeptItemSums,
    LearnerStanding,
    LessonProgress,
    User,
)
from .item_analysis import ItemResponse, Moments, QuizSums, Sitting, sitting_sums


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


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where the condition holds, else 0: a boolean that sums and sorts alike everywhere."""
    return case((condition, 1), else_=0)


def _evaluated_and_certified(course: Course) -> tuple[ColumnElement, ColumnElement]:
    """Per member row: whether they evaluated the course, and hold a valid certificate for it.

    Probed per member: cheapest for a page of members (SQLite reads no certificate it does
    not need; a certificate row holds its PDF). Over a whole cohort, see the joins below.
    """
    evaluated = exists().where(Evaluation.user_id == User.id, Evaluation.course_slug == course.slug)
    certified = exists().where(
        Certificate.user_id == User.id,
        Certificate.course_slug == course.slug,
        Certificate.status == "valid",
    )
    return flag(evaluated).label("evaluated"), flag(certified).label("certified")


def _with_evaluated_and_certified(statement: Select, course: Course) -> Select:
    """The per-member select with `_evaluated_and_certified`'s two columns added, from outer
    joins to the (few) learners concerned: for a whole cohort.

    Not an EXISTS per member: PostgreSQL costs such a subquery per row whatever plan it then
    picks, and over a cohort of 10,000 that estimate alone crossed `jit_above_cost`, so every
    summary paid some 50 ms of JIT compilation.
    """
    # One evaluation per learner and course (a unique constraint); certificates may be several.
    evaluated = select(Evaluation.user_id).where(Evaluation.course_slug == course.slug).subquery()
    certified = (
        select(Certificate.user_id)
        .where(Certificate.course_slug == course.slug, Certificate.status == "valid")
        .distinct()
        .subquery()
    )
    return (
        statement.add_columns(
            flag(evaluated.c.user_id.is_not(None)).label("evaluated"),
            flag(certified.c.user_id.is_not(None)).label("certified"),
        )
        .outerjoin(evaluated, evaluated.c.user_id == User.id)
        .outerjoin(certified, certified.c.user_id == User.id)
    )


def _found(statement: Select) -> ColumnElement[bool]:
    """Whether the (correlated) select finds a row: at most one probed per outer row.

    A scalar subquery, not EXISTS: in an OR PostgreSQL turns EXISTS into a hashed subplan,
    which reads every matching row of the table (all attempts at the course, every cohort's)
    to answer for one cohort; this form is an index probe per member that stops at one row.
    """
    return statement.limit(1).scalar_subquery().is_not(None)


def learner_facts(
    cohort_id: int, course: Course, only: Select[tuple[int]] | None = None
) -> Subquery:
    """One row per member of the cohort (accounts not deleted) with what the overview shows.

    Columns: the member's name, e-mail, profession and joined_at; lessons_done, percent,
    started, last_activity; attempts, cases_passed, best_score, passed, stuck (the final
    assessment, by the rules of quizzes.attempts: stuck = a case not passed after two failed
    attempts or all allowed ones); evaluated and certified. Flags are 0/1. Everything is
    aggregated in the database, so the cost of a page does not grow with the attempts.
    `only` (a select of user ids) limits the work to those members, say one page of them.
    """
    in_cohort = CohortMember.cohort_id == cohort_id
    if only is not None:
        in_cohort = and_(in_cohort, CohortMember.user_id.in_(only.scalar_subquery()))
    lesson_slugs = [lesson.slug for lesson in course.lessons]
    lessons = (
        select(
            LessonProgress.user_id,
            func.sum(
                flag(
                    and_(
                        LessonProgress.completed_at.is_not(None),
                        LessonProgress.lesson_slug.in_(lesson_slugs),
                    )
                )
            ).label("done"),
            func.max(LessonProgress.last_seen_at).label("seen"),
            func.max(LessonProgress.completed_at).label("completed"),
        )
        .join(CohortMember, and_(CohortMember.user_id == LessonProgress.user_id, in_cohort))
        .where(LessonProgress.course_slug == course.slug)
        .group_by(LessonProgress.user_id)
        .subquery()
    )
    cases = course.assessment_quizzes
    case_slugs = [quiz.slug for quiz in cases]
    submitted = Attempt.submitted_at.is_not(None)
    per_case = (
        select(
            Attempt.user_id,
            Attempt.quiz_slug,
            func.count().label("used"),
            func.max(flag(Attempt.submitted_at.is_(None))).label("open"),
            func.max(case((submitted, Attempt.score))).label("best"),
            func.max(flag(and_(submitted, Attempt.passed.is_(True)))).label("passed"),
        )
        .join(CohortMember, and_(CohortMember.user_id == Attempt.user_id, in_cohort))
        .where(Attempt.course_slug == course.slug, Attempt.quiz_slug.in_(case_slugs))
        .group_by(Attempt.user_id, Attempt.quiz_slug)
        .subquery()
    )
    grants = (
        select(AttemptGrant.user_id, AttemptGrant.quiz_slug, func.count().label("extra"))
        .join(CohortMember, and_(CohortMember.user_id == AttemptGrant.user_id, in_cohort))
        .where(AttemptGrant.course_slug == course.slug)
        .group_by(AttemptGrant.user_id, AttemptGrant.quiz_slug)
        .subquery()
    )
    allowed = (
        case(*((per_case.c.quiz_slug == quiz.slug, quiz.attempts) for quiz in cases), else_=0)
        + func.coalesce(grants.c.extra, 0)
        if cases
        else literal(0)
    )
    failed = per_case.c.used - per_case.c.open
    stuck = flag(and_(per_case.c.passed == 0, (failed >= 2) | (failed >= allowed)))
    assessment = (
        select(
            per_case.c.user_id,
            func.sum(per_case.c.used).label("attempts"),
            func.sum(per_case.c.passed).label("cases_passed"),
            # AVG skips NULLs: the mean over the cases with a graded attempt.
            func.avg(per_case.c.best).label("best_score"),
            func.max(stuck).label("stuck"),
        )
        .outerjoin(
            grants,
            and_(
                grants.c.user_id == per_case.c.user_id, grants.c.quiz_slug == per_case.c.quiz_slug
            ),
        )
        .group_by(per_case.c.user_id)
        .subquery()
    )
    done = func.coalesce(lessons.c.done, 0)
    attempts = func.coalesce(assessment.c.attempts, 0)
    cases_passed = func.coalesce(assessment.c.cases_passed, 0)
    total = len(lesson_slugs)
    return (
        select(
            User.id.label("user_id"),
            User.first_name,
            User.tussenvoegsel,
            User.surname,
            User.email,
            User.profession,
            CohortMember.joined_at,
            done.label("lessons_done"),
            ((100 * done) // total if total else literal(0)).label("percent"),
            flag(lessons.c.user_id.is_not(None) | (attempts > 0)).label("started"),
            case(
                (lessons.c.completed > lessons.c.seen, lessons.c.completed),
                else_=lessons.c.seen,
            ).label("last_activity"),
            attempts.label("attempts"),
            cases_passed.label("cases_passed"),
            assessment.c.best_score,
            (flag(cases_passed == len(cases)) if cases else literal(0)).label("passed"),
            func.coalesce(assessment.c.stuck, 0).label("stuck"),
            *_evaluated_and_certified(course),
        )
        .join(CohortMember, and_(CohortMember.user_id == User.id, in_cohort))
        .outerjoin(lessons, lessons.c.user_id == User.id)
        .outerjoin(assessment, assessment.c.user_id == User.id)
        .where(User.deleted_at.is_(None))
        .subquery("facts")
    )


def _current_standing(course: Course) -> ColumnElement[bool]:
    return and_(
        LearnerStanding.user_id == User.id,
        LearnerStanding.course_slug == course.slug,
        LearnerStanding.content_hash == course.content_hash,
    )


def standing_facts(cohort_id: int, course: Course) -> Subquery:
    """One row per member of the cohort (accounts not deleted) from their standing.

    The columns of `learner_facts` the summary and most filters need, under the same names:
    user_id, the name fields and e-mail, lessons_done, percent, started, best_score, passed,
    stuck, evaluated, certified; and missing (1: no standing for the current content, the
    figures from it are then meaningless). Reads one standing row per learner, never the
    attempts; not last_activity (that changes with every heartbeat).
    """
    s = LearnerStanding
    cases = course.assessment_quizzes
    total = len(course.lessons)
    started = _found(
        select(literal(1)).where(
            LessonProgress.user_id == User.id, LessonProgress.course_slug == course.slug
        )
    ) | _found(
        select(literal(1)).where(
            Attempt.user_id == User.id,
            Attempt.course_slug == course.slug,
            Attempt.quiz_slug.in_([quiz.slug for quiz in cases]),
        )
    )
    standing = (
        select(
            User.id.label("user_id"),
            User.first_name,
            User.tussenvoegsel,
            User.surname,
            User.email,
            s.lessons_done,
            ((100 * s.lessons_done) // total if total else literal(0)).label("percent"),
            flag(started).label("started"),
            s.best_score,
            (flag(s.cases_passed == len(cases)) if cases else literal(0)).label("passed"),
            flag(s.stuck.is_(True)).label("stuck"),
            flag(s.user_id.is_(None)).label("missing"),
        )
        .select_from(
            join(
                User,
                CohortMember,
                and_(CohortMember.user_id == User.id, CohortMember.cohort_id == cohort_id),
            ).outerjoin(s, _current_standing(course))
        )
        .where(User.deleted_at.is_(None))
    )
    return _with_evaluated_and_certified(standing, course).subquery("standing")


#: Learners whose standing one statement computes (bound parameters stay under SQLite's limit).
FILL_CHUNK = 10_000


def fill_standings(cohort_id: int, course: Course) -> None:
    """Compute the standing of every member who has none for the current content (flush only).

    Usually a few learners (those who did something since the last view); all of them on the
    first view of a cohort or after the course content changed.
    """
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    db.session.execute(
        delete(LearnerStanding)
        .where(
            LearnerStanding.course_slug == course.slug,
            LearnerStanding.content_hash != course.content_hash,
            LearnerStanding.user_id.in_(members.scalar_subquery()),
        )
        .execution_options(synchronize_session=False)
    )
    have = select(LearnerStanding.user_id).where(LearnerStanding.course_slug == course.slug)
    missing = list(
        db.session.scalars(members.where(CohortMember.user_id.not_in(have.scalar_subquery())))
    )
    for start in range(0, len(missing), FILL_CHUNK):
        only = select(User.id).where(User.id.in_(missing[start : start + FILL_CHUNK]))
        facts = learner_facts(cohort_id, course, only).c
        db.session.execute(
            insert(LearnerStanding).from_select(
                ["user_id", "course_slug", "content_hash", "lessons_done", "cases_passed"]
                + ["best_score", "stuck"],
                select(
                    facts.user_id,
                    literal(course.slug),
                    literal(course.content_hash),
                    facts.lessons_done,
                    facts.cases_passed,
                    facts.best_score,
                    facts.stuck == 1,
                ),
            )
        )


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


def _first_attempts(
    course_slug: str, quiz_slugs: tuple[str, ...], cohort_id: int | None
) -> Select[tuple[int, str, int]]:
    """Per learner and quiz, the number of the first submitted attempt (of the cohort, or all)."""
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
    return first


def item_sums(
    course_slug: str, quizzes: Sequence[Quiz], cohort_id: int | None = None
) -> dict[str, QuizSums]:
    """Per quiz, the item-analysis sums of the cohort (or of every learner): the kept ones.

    Summing a cohort of 10,000 from its answers takes seconds. The sums depend only on the set
    of submitted attempts in scope (scores are fixed on submission) and the quiz's content, so
    they are kept per scope and quiz (`KeptItemSums`), submissions add to them
    (`record_submission`), and one cheap count per quiz of that set tells whether they still
    hold. A stale or missing row (a member joined or left, an attempt was erased, the content
    changed) is computed again here and kept; the view commits. Four queries at most, whatever
    the cohort's size.
    """
    scope = cohort_id or 0
    stamps = _submitted_stamps(course_slug, tuple(q.slug for q in quizzes), cohort_id)
    kept = {
        row.quiz_slug: row
        for row in db.session.scalars(
            select(KeptItemSums).where(
                KeptItemSums.scope_id == scope,
                KeptItemSums.course_slug == course_slug,
                KeptItemSums.quiz_slug.in_([q.slug for q in quizzes]),
            )
        )
    }
    result: dict[str, QuizSums] = {}
    stale = []
    for quiz in quizzes:
        row = kept.get(quiz.slug)
        stamp = stamps.get(quiz.slug, (0, 0))
        if row is not None and (row.content_hash, row.submitted, row.id_sum) == (
            quiz.content_hash,
            *stamp,
        ):
            result[quiz.slug] = QuizSums.from_json(row.sums)
        else:
            stale.append(quiz)
    if not stale:
        return result
    # Counted before summing: should a submission land in between, the sums hold it and the
    # count does not, so the next view computes again (never the other way round).
    computed = computed_item_sums(course_slug, stale, cohort_id)
    try:
        with db.session.begin_nested():
            for quiz in stale:
                sums = result[quiz.slug] = computed.get(quiz.slug, QuizSums())
                sums.compact(quiz.questions)
                submitted, id_sum = stamps.get(quiz.slug, (0, 0))
                values = {
                    "content_hash": quiz.content_hash,
                    "submitted": submitted,
                    "id_sum": id_sum,
                    "sums": sums.as_json(),
                }
                if (row := kept.get(quiz.slug)) is None:
                    row = KeptItemSums(scope_id=scope, course_slug=course_slug, quiz_slug=quiz.slug)
                    db.session.add(row)
                for name, value in values.items():
                    setattr(row, name, value)
    except IntegrityError:
        pass  # a parallel view kept the same rows first
    return result


def _choice(response: Any) -> tuple[str, ...]:
    """Option ids as answered, as the item analysis counts them (`computed_item_sums`)."""
    return tuple(str(r) for r in response) if isinstance(response, list) else ()


def _submitted_stamps(
    course_slug: str, quiz_slugs: tuple[str, ...], cohort_id: int | None
) -> dict[str, tuple[int, int]]:
    """Per quiz, how many attempts in scope are submitted and the sum of their ids."""
    stamps = select(Attempt.quiz_slug, func.count(), func.sum(Attempt.id)).where(
        Attempt.course_slug == course_slug,
        Attempt.quiz_slug.in_(quiz_slugs),
        Attempt.submitted_at.is_not(None),
    )
    if cohort_id is not None:
        stamps = stamps.join(
            CohortMember,
            and_(CohortMember.user_id == Attempt.user_id, CohortMember.cohort_id == cohort_id),
        )
    rows = db.session.execute(stamps.group_by(Attempt.quiz_slug))
    return {quiz_slug: (int(count), int(id_sum or 0)) for quiz_slug, count, id_sum in rows}


def record_submission(
    attempt: Attempt, quiz: Quiz, graded: Mapping[str, tuple[float | None, Any]]
) -> None:
    """Add a just-submitted attempt to the kept item sums of every scope that holds its learner.

    `graded`: per question answered, the score given and the response. Every submission moves
    the count the kept sums are checked against (one UPDATE); the learner's first submitted
    attempt at the quiz also adds its sitting to the sums. Scopes without kept sums, or kept
    for other content, are left to the item analysis to compute when it is next viewed.
    """
    in_scope = (
        KeptItemSums.course_slug == attempt.course_slug,
        KeptItemSums.quiz_slug == quiz.slug,
        KeptItemSums.content_hash == quiz.content_hash,
        or_(
            KeptItemSums.scope_id == 0,
            KeptItemSums.scope_id.in_(
                select(CohortMember.cohort_id).where(CohortMember.user_id == attempt.user_id)
            ),
        ),
    )
    # The first attempt has no earlier one; a later one is first if the earlier were erased.
    first = attempt.number == 1 or attempt.number == db.session.scalar(
        select(func.min(Attempt.number)).where(
            Attempt.user_id == attempt.user_id,
            Attempt.course_slug == attempt.course_slug,
            Attempt.quiz_slug == quiz.slug,
            Attempt.submitted_at.is_not(None),
        )
    )
    if not first:
        # A retake: its answers do not count, only the count moves (no need to read the sums).
        db.session.execute(
            update(KeptItemSums)
            .where(*in_scope)
            .values(submitted=KeptItemSums.submitted + 1, id_sum=KeptItemSums.id_sum + attempt.id)
            .execution_options(synchronize_session=False)
        )
        return
    rows = db.session.scalars(select(KeptItemSums).where(*in_scope).with_for_update()).all()
    if not rows:
        return
    analysed = {question.id for question in quiz.scored_questions}
    sitting = sitting_sums(
        attempt.question_ids if isinstance(attempt.question_ids, list) else None,
        [
            (question_id, score, _choice(response))
            for question_id, (score, response) in graded.items()
            if score is not None and question_id in analysed
        ],
    )
    for row in rows:
        sums = QuizSums.from_json(row.sums)
        sums.merge(sitting)
        sums.compact(quiz.questions)
        row.sums = sums.as_json()
        row.submitted += 1
        row.id_sum += attempt.id
    db.session.flush()


def computed_item_sums(
    course_slug: str, quizzes: Sequence[Quiz], cohort_id: int | None = None
) -> dict[str, QuizSums]:
    """Per quiz, the item-analysis sums over each learner's first submitted attempt.

    Two aggregate queries whatever the number of learners: totals per set of drawn questions,
    and moments per question and distinct answer given. An attempt holds one question per group
    (the draw rule), so a question's sittings are those that drew it (`question_ids`) or, for
    attempts from before variants (no `question_ids`), answered it.
    """
    first = _first_attempts(course_slug, tuple(q.slug for q in quizzes), cohort_id).subquery()
    sitting = (
        select(Attempt.id, Attempt.quiz_slug, Attempt.question_ids)
        .join(
            first,
            and_(
                Attempt.user_id == first.c.user_id,
                Attempt.quiz_slug == first.c.quiz_slug,
                Attempt.number == first.c.number,
            ),
        )
        .where(Attempt.course_slug == course_slug)
        .cte("sitting")
    )
    # A JSON column holds None as SQL NULL or as JSON null, depending on how it was written.
    drawn_ids = cast(sitting.c.question_ids, Text)
    # Scored answers to questions the quiz still asks (reflections score None).
    analysed = (sitting.c.quiz_slug + ":" + Answer.question_id).in_(
        [f"{quiz.slug}:{q.id}" for quiz in quizzes for q in quiz.scored_questions]
    )
    answer = (
        select(
            sitting.c.id.label("attempt_id"),
            sitting.c.quiz_slug,
            flag(drawn_ids.is_(None) | (drawn_ids == "null")).label("undrawn"),
            Answer.question_id,
            Answer.score.label("x"),
            cast(Answer.response, Text).label("response"),
            func.sum(Answer.score).over(partition_by=sitting.c.id).label("t"),
        )
        .join(Answer, Answer.attempt_id == sitting.c.id)
        .where(Answer.score.is_not(None), analysed)
        .subquery("scored")
    )
    # Per sitting its total: the scores of its analysed answers (none: 0).
    by_sitting = (
        select(
            sitting.c.quiz_slug,
            drawn_ids.label("drawn"),
            func.coalesce(func.sum(Answer.score), 0.0).label("t"),
        )
        .outerjoin(
            Answer,
            and_(Answer.attempt_id == sitting.c.id, Answer.score.is_not(None), analysed),
        )
        .group_by(sitting.c.id, sitting.c.quiz_slug, drawn_ids)
        .subquery()
    )
    connection = db.session.connection()
    result: dict[str, QuizSums] = defaultdict(QuizSums)
    drawn_sets = connection.execute(
        select(
            by_sitting.c.quiz_slug,
            by_sitting.c.drawn,
            func.count(),
            func.sum(by_sitting.c.t),
            func.sum(by_sitting.c.t * by_sitting.c.t),
        ).group_by(by_sitting.c.quiz_slug, by_sitting.c.drawn)
    )
    for quiz_slug, drawn, count, t_sum, tt_sum in drawn_sets:
        summed = result[quiz_slug]
        summed.totals.merge(Moments(count, t=t_sum, tt=tt_sum))
        question_ids = json.loads(drawn) if drawn is not None else None
        for question_id in set(question_ids) if isinstance(question_ids, list) else ():
            summed.items[str(question_id)].merge(Moments(count, t=t_sum, tt=tt_sum))
    # Moments and answer counts in one pass: per question and distinct answer given.
    answers = connection.execute(
        select(
            answer.c.quiz_slug,
            answer.c.question_id,
            answer.c.undrawn,
            answer.c.response,
            func.count(),
            func.sum(answer.c.x),
            func.sum(answer.c.x * answer.c.x),
            func.sum(answer.c.x * answer.c.t),
            func.sum(answer.c.t),
            func.sum(answer.c.t * answer.c.t),
        ).group_by(answer.c.quiz_slug, answer.c.question_id, answer.c.undrawn, answer.c.response)
    )
    for quiz_slug, question_id, undrawn, response, count, x, xx, xt, t_sum, tt_sum in answers:
        # Drawn attempts were counted above; older ones hold what they answered.
        n, t_sum, tt_sum = (count, t_sum, tt_sum) if undrawn else (0, 0.0, 0.0)
        result[quiz_slug].items[question_id].merge(Moments(n, x, xx, xt, t_sum, tt_sum))
        given = json.loads(response) if response is not None else None
        choice = tuple(str(r) for r in given) if isinstance(given, list) else ()
        result[quiz_slug].choices[question_id][choice] += count
    return dict(result)


def first_sittings_by_user(
    course_slug: str, quiz_slugs: tuple[str, ...], cohort_id: int | None = None
) -> dict[str, dict[int, Sitting]]:
    """Per quiz and learner, the answers of the learner's first submitted attempt.

    A question the attempt drew but left unanswered is in the sitting with score None, so the
    analysis knows which variant it drew.
    """
    first_sq = _first_attempts(course_slug, quiz_slugs, cohort_id).subquery()
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
