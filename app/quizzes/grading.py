"""Grading: a quiz's score from the learner's responses. Pure (no Flask, no database).

Responses come from stored JSON, so nothing here trusts their shape: unknown option ids are
ignored, duplicates count once and anything unreadable counts as no answer (score 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..content.model import Question, Quiz

#: Floating point sums such as 0.1 + 0.6 must not fail a pass mark of 70 by a hair.
_EPSILON = 1e-9


@dataclass(frozen=True)
class QuizResult:
    #: 0..1: points earned over the number of scored questions.
    score: float
    passed: bool
    #: Per question id: 0..1, or None for an unscored reflection.
    scores: Mapping[str, float | None] = field(hash=False)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _chosen_ids(question: Question, response: Any) -> list[str]:
    """The known option ids in the response, in the learner's order, each once."""
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list | tuple):
        return []
    known = {option.id for option in question.options}
    chosen: list[str] = []
    for item in response:
        if isinstance(item, str) and item in known and item not in chosen:
            chosen.append(item)
    return chosen


def _kendall_share(question: Question, placed: list[str]) -> float:
    """Share of all option pairs the learner put in a right relative order.

    Options are stored in a right order; a pair of tied steps (same block) may come either way,
    so every defensible order scores 1.
    """
    right_order = [option.id for option in question.options]
    pairs = len(right_order) * (len(right_order) - 1) // 2
    if pairs == 0:
        return 0.0
    block = question.blocks()
    position = {option_id: index for index, option_id in enumerate(placed)}
    in_order = sum(
        1
        for first, second in combinations(right_order, 2)
        # A pair with an option the learner did not place is not in the right order.
        if first in position
        and second in position
        and (block[first] == block[second] or position[first] < position[second])
    )
    return in_order / pairs


def grade_question(question: Question, response: Any) -> float | None:
    """Score one answer 0..1 by the question's rule; None for a reflection."""
    if question.type == "reflection":
        return None
    chosen = _chosen_ids(question, response)
    correct = {option.id for option in question.options if option.correct}
    if question.type == "single":
        return 1.0 if set(chosen) == correct else 0.0
    if question.type == "multiple":
        if question.scoring == "all-or-nothing":
            return 1.0 if set(chosen) == correct else 0.0
        right = len(correct.intersection(chosen))
        wrong = len(chosen) - right
        return max(0.0, (right - wrong) / len(correct)) if correct else 0.0
    if question.type == "ordering":
        return _kendall_share(question, chosen)
    raise ValueError(f"unknown question type {question.type!r}")


def passes(score: float, pass_mark: int) -> bool:
    """Whether a 0..1 score reaches a pass mark in percent."""
    return score * 100 + _EPSILON >= pass_mark


def grade(
    quiz: Quiz,
    responses: Mapping[str, Any],
    *,
    questions: Sequence[Question] | None = None,
    pass_mark: int | None = None,
) -> QuizResult:
    """Grade the questions an attempt showed; an unanswered question scores 0.

    `questions` are the ones drawn for the attempt (one per group, each worth 1 point); the
    default is the primary questions, what every attempt showed before variants existed.
    `pass_mark` overrides the quiz's (an attempt keeps the pass mark in force when it started).
    """
    shown = quiz.primary_questions if questions is None else questions
    scores = {
        question.id: grade_question(question, responses.get(question.id)) for question in shown
    }
    scored = [score for score in scores.values() if score is not None]
    total = sum(1 for question in shown if question.scored)
    score = sum(scored) / total if total else 0.0
    score = min(1.0, max(0.0, score))
    mark = quiz.pass_mark if pass_mark is None else pass_mark
    return QuizResult(score=score, passed=passes(score, mark), scores=scores)
