"""A learner's timeline for their trainer: lessons and attempts, with the answers given.

Pure: builds display rows from database rows and the catalog. Free-text reflections may describe
patients, so their text is only carried over when the learner chose to share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext

from ..content.model import Course
from ..models import Answer, Attempt, LessonProgress


@dataclass(frozen=True)
class AnswerLine:
    prompt: str
    #: The answer in words; empty for a reflection the learner did not share.
    text: str
    percent: int | None
    reflection: bool
    hidden: bool


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    kind: str  # "lesson" or "attempt"
    title: str
    #: Lessons: when first opened and completed, minutes on task.
    opened_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    minutes: int = 0
    #: Attempts: "assessment" (the final test) or "practice" (practice questions).
    quiz_kind: str = ""
    number: int = 0
    submitted_at: dt.datetime | None = None
    percent: int | None = None
    passed: bool | None = None
    answers: tuple[AnswerLine, ...] = ()


def is_reflection(course: Course, attempt: Attempt, answer: Answer) -> bool:
    """Reflection per the catalog; for a question no longer in the files, an unscored answer."""
    question = None
    quiz = course.quizzes.get(attempt.quiz_slug)
    if quiz is not None:
        question = quiz.question(answer.question_id)
    if question is not None:
        return question.type == "reflection"
    return answer.score is None


def answer_lines(course: Course, attempt: Attempt) -> tuple[AnswerLine, ...]:
    """The attempt's answers in question order, unshared reflections without their text."""
    quiz = course.quizzes.get(attempt.quiz_slug)
    order = {q.id: i for i, q in enumerate(quiz.questions)} if quiz else {}
    lines = []
    for answer in sorted(attempt.answers, key=lambda a: (order.get(a.question_id, 999), a.id)):
        question = quiz.question(answer.question_id) if quiz else None
        reflection = is_reflection(course, attempt, answer)
        hidden = reflection and not answer.shared
        lines.append(
            AnswerLine(
                prompt=question.prompt if question else answer.question_id,
                text="" if hidden else answer.readable,
                percent=None if answer.score is None else round(answer.score * 100),
                reflection=reflection,
                hidden=hidden,
            )
        )
    return tuple(lines)


def timeline(
    course: Course, lessons: Sequence[LessonProgress], attempts: Sequence[Attempt]
) -> list[Event]:
    """Lessons and attempts in the order they happened."""
    events = []
    for row in lessons:
        lesson = course.lesson(row.lesson_slug)
        if lesson is None:  # removed from the files: no longer counts
            continue
        events.append(
            Event(
                at=row.completed_at or row.first_seen_at,
                kind="lesson",
                title=gettext(
                    "Les %(number)s: %(title)s", number=lesson.number, title=lesson.title
                ),
                opened_at=row.first_seen_at,
                completed_at=row.completed_at,
                minutes=round(row.seconds_on_task / 60),
            )
        )
    for attempt in attempts:
        quiz = course.quizzes.get(attempt.quiz_slug)
        in_assessment = attempt.quiz_slug in course.assessment
        submitted = attempt.submitted_at is not None
        events.append(
            Event(
                at=attempt.submitted_at or attempt.started_at,
                kind="attempt",
                title=quiz.title if quiz else attempt.quiz_slug,
                quiz_kind="assessment" if in_assessment else "practice",
                number=attempt.number,
                submitted_at=attempt.submitted_at,
                percent=attempt.percent,
                passed=attempt.passed,
                # Answers of an attempt still in progress are not final: not shown.
                answers=answer_lines(course, attempt) if submitted else (),
            )
        )
    return sorted(events, key=lambda e: e.at)
