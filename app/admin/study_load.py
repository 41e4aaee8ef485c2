"""The course's stated study load against what learners who completed it actually spent."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from ..content import Course
from ..extensions import db
from ..models import Certificate, LessonProgress


@dataclass(frozen=True)
class StudyLoadCheck:
    stated_minutes: int
    #: Learners with a valid certificate for the course.
    learners: int
    median_minutes: int = 0
    lower_quartile_minutes: int = 0
    upper_quartile_minutes: int = 0


def study_load_check(course: Course) -> StudyLoadCheck:
    """Median and quartiles of the study time (as progress counts it) of certified learners."""
    certified = select(Certificate.user_id).where(
        Certificate.course_slug == course.slug, Certificate.status == "valid"
    )
    seconds = list(
        db.session.scalars(
            select(func.sum(LessonProgress.seconds_on_task))
            .where(
                LessonProgress.course_slug == course.slug,
                LessonProgress.lesson_slug.in_([lesson.slug for lesson in course.lessons]),
                LessonProgress.user_id.in_(certified),
            )
            .group_by(LessonProgress.user_id)
        )
    )
    if not seconds:
        return StudyLoadCheck(course.study_load_minutes, 0)
    minutes = sorted(int(value or 0) // 60 for value in seconds)
    if len(minutes) == 1:
        lower = upper = minutes[0]
    else:
        lower, _, upper = statistics.quantiles(minutes, n=4, method="inclusive")
    return StudyLoadCheck(
        stated_minutes=course.study_load_minutes,
        learners=len(minutes),
        median_minutes=round(statistics.median(minutes)),
        lower_quartile_minutes=round(lower),
        upper_quartile_minutes=round(upper),
    )
