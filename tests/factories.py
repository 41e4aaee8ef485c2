"""Test data built the way the app stores it, for tests that need it without clicking through."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app import clock
from app.content import get_catalog
from app.models import Attempt
from app.quizzes.grading import passes

COURSE = "test-cursus"


def build_attempt(
    user_id: int,
    quiz_slug: str = "testcasus",
    *,
    score: float | None = 0.8,
    at: dt.datetime | None = None,
    course_slug: str = COURSE,
    **fields: Any,
) -> Attempt:
    """An unsaved attempt at a fixture quiz, submitted at `at` (now) with `score`.

    Score None leaves it open. The version, pass mark and stages come from the catalog;
    keyword arguments override any column. Needs an app context.
    """
    quiz = get_catalog().quiz(course_slug, quiz_slug)
    at = at or clock.now()
    values: dict[str, Any] = {
        "user_id": user_id,
        "course_slug": course_slug,
        "quiz_slug": quiz_slug,
        "number": 1,
        "quiz_version": quiz.content_hash,
        "pass_mark": quiz.pass_mark,
        "stages_revealed": len(quiz.stages),
        "started_at": at - dt.timedelta(minutes=30),
        "submitted_at": None if score is None else at,
        "score": score,
        "passed": None if score is None else passes(score, quiz.pass_mark),
    }
    values.update(fields)
    return Attempt(**values)
