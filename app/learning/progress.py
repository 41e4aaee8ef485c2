"""Lesson progress: completion and time on task per learner, summarised per course.

Rows are keyed by content slugs, so editing a lesson keeps its progress; a lesson that is
removed from the files stops counting, but its rows stay. Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.exc import IntegrityError

from ..content import Course, Lesson
from ..extensions import db
from ..models import LearnerStanding, LessonProgress, User

#: Seconds an idle gap between two signs of life may count at most (config STUDY_IDLE_CAP).
DEFAULT_IDLE_CAP = 300

# A compare-and-set update loses only to a concurrent write on the same row, and each
# concurrent request makes progress, so a handful of retries is plenty.
_RETRIES = 5


@dataclass(frozen=True)
class CourseProgress:
    """What one learner has done in one course, measured against its current lessons."""

    #: Slugs of completed lessons that still exist in the course.
    completed: frozenset[str]
    #: 0..100, completed lessons over the course's current lessons, rounded down.
    percent: int
    #: Study time in seconds, summed over the course's current lessons.
    seconds_on_task: int
    #: The lesson to continue with; None when every lesson is completed.
    resume: Lesson | None
    #: Latest view or completion of any lesson of the course (also removed ones).
    last_activity: dt.datetime | None
    #: Whether the learner opened any lesson of the course.
    started: bool

    @property
    def finished(self) -> bool:
        """Every current lesson is completed."""
        return self.percent == 100

    @property
    def minutes_on_task(self) -> int:
        return self.seconds_on_task // 60


def credited_seconds(last_seen_at: dt.datetime, now: dt.datetime, idle_cap: int) -> int:
    """Seconds of study between two signs of life: the real gap, capped, never negative."""
    gap = (now - last_seen_at).total_seconds()
    return int(max(0, min(gap, idle_cap)))


#: Progress rows for study time on a quiz page are keyed "casus:<quiz slug>".
CASE_PREFIX = "casus:"


def record_heartbeat(
    user_id: int,
    course_slug: str,
    lesson_slug: str,
    now: dt.datetime,
    idle_cap: int = DEFAULT_IDLE_CAP,
    *,
    restart: bool = False,
) -> int:
    """Credit the learner's study time since their previous heartbeat to this lesson.

    The clock is the learner's, not the lesson's: a heartbeat from any tab closes the interval
    since the last one, so lessons open side by side share the wall-clock time instead of each
    counting it. `restart` (a page just opened or came back into view) starts the clock
    without crediting the gap before it: that gap was spent elsewhere. Returns the seconds added.
    """
    credit = _advance_clock(user_id, now, idle_cap, restart)
    _add_to_lesson(user_id, course_slug, lesson_slug, now, credit)
    return credit


def _advance_clock(user_id: int, now: dt.datetime, idle_cap: int, restart: bool) -> int:
    """Move the learner's heartbeat clock to now; the capped gap it moved over."""
    for _ in range(_RETRIES):
        last = db.session.execute(
            select(User.last_heartbeat_at).where(User.id == user_id)
        ).scalar_one()
        # Compare-and-set: if a concurrent heartbeat moved the clock, our gap is stale and
        # crediting it would count the same seconds twice, so read again and retry.
        unchanged = (
            User.last_heartbeat_at.is_(None) if last is None else User.last_heartbeat_at == last
        )
        result = db.session.execute(
            update(User)
            .where(User.id == user_id, unchanged)
            .values(last_heartbeat_at=now if last is None else max(last, now))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return 0 if last is None or restart else credited_seconds(last, now, idle_cap)
    raise RuntimeError(f"could not record a heartbeat of user {user_id}: too much contention")


def _add_to_lesson(
    user_id: int, course_slug: str, lesson_slug: str, now: dt.datetime, seconds: int
) -> None:
    """Add seconds to the learner's row for the lesson (creating it), and mark it seen now."""
    for _ in range(2):
        result = db.session.execute(
            update(LessonProgress)
            .where(
                LessonProgress.user_id == user_id,
                LessonProgress.course_slug == course_slug,
                LessonProgress.lesson_slug == lesson_slug,
            )
            .values(
                seconds_on_task=LessonProgress.seconds_on_task + seconds,
                last_seen_at=case(
                    (LessonProgress.last_seen_at < now, now), else_=LessonProgress.last_seen_at
                ),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return
        row = LessonProgress(
            user_id=user_id,
            course_slug=course_slug,
            lesson_slug=lesson_slug,
            first_seen_at=now,
            last_seen_at=now,
            seconds_on_task=seconds,
        )
        try:
            # In a SAVEPOINT, so losing the race to a concurrent insert keeps our transaction;
            # the loop then adds our seconds to the row that won.
            with db.session.begin_nested():
                db.session.add(row)
            return
        except IntegrityError:
            pass
    raise RuntimeError(f"could not record study time on {course_slug}/{lesson_slug}")


def complete_lesson(user_id: int, course_slug: str, lesson_slug: str, now: dt.datetime) -> None:
    """Mark the lesson completed; the first completion time stays (idempotent)."""
    _add_to_lesson(user_id, course_slug, lesson_slug, now, 0)
    # Conditional update: a second (or concurrent) completion never moves the first one's time.
    db.session.execute(
        update(LessonProgress)
        .where(
            LessonProgress.user_id == user_id,
            LessonProgress.course_slug == course_slug,
            LessonProgress.lesson_slug == lesson_slug,
            LessonProgress.completed_at.is_(None),
        )
        .values(completed_at=now)
        .execution_options(synchronize_session=False)
    )
    LearnerStanding.forget(user_id, course_slug)


# Built once: the lesson page runs it on every view, and Core execution skips the ORM layer.
_COMPLETED_AT = select(LessonProgress.completed_at).where(
    LessonProgress.user_id == bindparam("user_id"),
    LessonProgress.course_slug == bindparam("course_slug"),
    LessonProgress.lesson_slug == bindparam("lesson_slug"),
)


def completed_at(user_id: int, course_slug: str, lesson_slug: str) -> dt.datetime | None:
    """When the learner completed the lesson (None: not yet); one indexed read."""
    parameters = {"user_id": user_id, "course_slug": course_slug, "lesson_slug": lesson_slug}
    return db.session.connection().execute(_COMPLETED_AT, parameters).scalar_one_or_none()


def course_progress(user_id: int, course: Course) -> CourseProgress:
    """Summarise one learner's progress in a course (one query)."""
    return progress_for_users([user_id], course)[user_id]


def progress_for_users(user_ids: Iterable[int], course: Course) -> dict[int, CourseProgress]:
    """Summarise many learners' progress in a course (one query); every id gets an entry."""
    ids = sorted(set(user_ids))
    rows_by_user: dict[int, list[_Row]] = {user_id: [] for user_id in ids}
    if ids:
        statement = select(
            LessonProgress.user_id,
            LessonProgress.lesson_slug,
            LessonProgress.last_seen_at,
            LessonProgress.completed_at,
            LessonProgress.seconds_on_task,
        ).where(LessonProgress.course_slug == course.slug, LessonProgress.user_id.in_(ids))
        for user_id, *values in db.session.execute(statement):
            rows_by_user[user_id].append(_Row(*values))
    return {user_id: summarise(rows, course) for user_id, rows in rows_by_user.items()}


@dataclass(frozen=True)
class _Row:
    lesson_slug: str
    last_seen_at: dt.datetime
    completed_at: dt.datetime | None
    seconds_on_task: int


def case_key(quiz_slug: str) -> str:
    """The progress row that holds study time on a case (its slug cannot be a lesson's)."""
    return f"{CASE_PREFIX}{quiz_slug}"


def summarise(rows: Sequence[_Row], course: Course) -> CourseProgress:
    """Fold one learner's rows for a course into a CourseProgress (pure).

    Lessons count for completion; study time counts on the lessons and cases the course has now.
    """
    current = {lesson.slug for lesson in course.lessons}
    counted = [row for row in rows if row.lesson_slug in current]
    cases = {case_key(slug) for slug in course.quizzes}
    studied = [row for row in rows if row.lesson_slug in current | cases]
    completed = frozenset(row.lesson_slug for row in counted if row.completed_at is not None)
    total = len(course.lessons)
    percent = 100 * len(completed) // total if total else 0
    resume: Lesson | None = None
    if counted:
        last = max(counted, key=lambda row: row.last_seen_at)
        if last.lesson_slug not in completed:
            resume = course.lesson(last.lesson_slug)
    if resume is None:
        resume = next((lesson for lesson in course.lessons if lesson.slug not in completed), None)
    moments = [row.last_seen_at for row in rows] + [
        row.completed_at for row in rows if row.completed_at is not None
    ]
    return CourseProgress(
        completed=completed,
        percent=percent,
        seconds_on_task=sum(row.seconds_on_task for row in studied),
        resume=resume,
        last_activity=max(moments) if moments else None,
        started=bool(rows),
    )
