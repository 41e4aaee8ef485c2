"""Boosters: short formative cases mailed months after the certificate (`kind = "booster"`).

A booster is never part of the final assessment (the loader only admits `kind = "case"` there);
these rules keep it short and give each one its own moment after the certificate.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Quiz
from .schema import Fields

#: Months after the certificate a booster may be sent at.
BOOSTER_MONTHS = (3, 6, 12)


def booster_months(root: Fields, kind: str) -> int | None:
    """Read `booster_months`: required for a booster, refused for any other kind."""
    if kind != "booster":
        if root.has("booster_months"):
            root.problem("booster_months", "'booster_months' hoort alleen bij kind = \"booster\".")
        return None
    months = root["booster_months"]
    if root.has("booster_months") and months not in BOOSTER_MONTHS:
        allowed = ", ".join(str(m) for m in BOOSTER_MONTHS)
        root.problem("booster_months", f"'booster_months' is een van {allowed}; niet {months}.")
    return months or None


def check_booster(root: Fields, quiz: Quiz) -> None:
    """A booster is formative, one short vignette with two or three scored questions."""
    if quiz.mode != "formative":
        root.problem("mode", 'een booster (kind = "booster") is altijd mode = "formative".')
    if len(quiz.stages) != 1:
        root.problem(
            "kind", f"een booster heeft precies één [[stages]]; deze heeft er {len(quiz.stages)}."
        )
    groups = {q.group for q in quiz.scored_questions}
    if quiz.stages and not 2 <= len(groups) <= 3:
        root.problem(
            "kind", f"een booster heeft twee of drie gescoorde vragen; deze heeft er {len(groups)}."
        )


def check_course_boosters(fields: Fields, quizzes: Iterable[Quiz]) -> None:
    """At most one booster per moment, so a learner never gets two mails at once."""
    seen: dict[int, str] = {}
    for quiz in quizzes:
        months = quiz.booster_months
        if months is None:
            continue
        if months in seen:
            fields.problem(
                None,
                f"'{quiz.slug}' en '{seen[months]}' zijn allebei de booster na {months} maanden.",
            )
        seen.setdefault(months, quiz.slug)
