"""What a learner may see of a submitted attempt when the key stays closed: per part the score
and the lessons to reread. Pure (no Flask, no database).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..content.model import Question, Stage

#: Partial scores this close to 1 are full marks (sums of fractions are not exact).
_FULL = 0.999


@dataclass(frozen=True)
class PartResult:
    stage: Stage
    #: Points earned in this part (one per scored question, partial credit as a fraction).
    earned: float
    #: Scored questions the attempt showed in this part.
    possible: int
    #: Lesson slugs to reread for what went wrong here, in order of first need.
    lessons: tuple[str, ...]

    @property
    def percent(self) -> int | None:
        return round(self.earned / self.possible * 100) if self.possible else None


def lessons_to_reread(question: Question, response: Any) -> list[str]:
    """The question's lesson, and those of the options the learner got wrong.

    For a choice question that is every option chosen wrongly or missed; an ordering question
    points at the lessons of all its steps. Nothing here names which option was right.
    """
    lessons = [question.lesson]
    if question.type == "ordering":
        lessons += [option.lesson for option in question.options]
    else:
        chosen = set(response) if isinstance(response, list) else set()
        lessons += [o.lesson for o in question.options if (o.id in chosen) != o.correct]
    return [lesson for lesson in dict.fromkeys(lessons) if lesson]


def part_results(
    parts: Sequence[tuple[Stage, Sequence[Question]]],
    scores: Mapping[str, float | None],
    responses: Mapping[str, Any],
) -> list[PartResult]:
    """Per part (stage) of an attempt: the points earned and the lessons to reread.

    `parts` are the stages with the questions this attempt showed; `scores` the stored scores
    per question id (a missing score counts 0); `responses` the stored answers.
    """
    results = []
    for stage, questions in parts:
        scored = [question for question in questions if question.scored]
        earned = 0.0
        lessons: list[str] = []
        for question in scored:
            score = scores.get(question.id) or 0.0
            earned += score
            if score < _FULL:
                lessons += lessons_to_reread(question, responses.get(question.id))
        results.append(PartResult(stage, earned, len(scored), tuple(dict.fromkeys(lessons))))
    return results
