"""Cueing: can the key be guessed from the options' length alone? Pure (no Flask, no database).

A *test-wise learner* knows nothing of the content and answers by surface: in a single-choice
question the longest option (among equally long ones each is as likely), in a multiple-response
question every option longer than the question's median option length, in an ordering question
a random order (length says nothing about order; the expected score over all orders).
Reflections are not scored. Their answers go through the real grader, so the score is exactly
what such a learner would get.

Variants: an attempt draws one question per group. Per group the expected score is the mean
over its variants, the best draw the highest; a case fails the check when the best draw reaches
its pass mark (the stricter reading: some learner will get that draw).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations
from statistics import fmean, mean, median

from ..quizzes.grading import grade_question, passes
from .model import Course, Question, Quiz

#: Up to this many steps every order is graded; above it a fixed sample of orders.
_ALL_ORDERS_UP_TO = 7
_ORDER_SAMPLE = 5040


def _length(text: str) -> int:
    """Visible length: whitespace runs count as one character."""
    return len(" ".join(text.split()))


def testwise_score(question: Question) -> float | None:
    """What the test-wise learner scores on one question (0..1); None for a reflection."""
    if not question.scored:
        return None
    lengths = {option.id: _length(option.text) for option in question.options}
    if question.type == "single":
        longest = max(lengths.values())
        picks = [option_id for option_id, length in lengths.items() if length == longest]
        return mean(grade_question(question, [pick]) or 0.0 for pick in picks)
    if question.type == "multiple":
        middle = median(lengths.values())
        chosen = [option_id for option_id, length in lengths.items() if length > middle]
        return grade_question(question, chosen) or 0.0
    ids = list(lengths)
    if len(ids) <= _ALL_ORDERS_UP_TO:
        orders: Iterable[Sequence[str]] = permutations(ids)
    else:
        rng = random.Random(question.id)
        orders = (rng.sample(ids, len(ids)) for _ in range(_ORDER_SAMPLE))
    return mean(grade_question(question, list(order)) or 0.0 for order in orders)


def key_is_longest(question: Question) -> bool:
    """Single choice: no distractor is longer than the key."""
    key = next(o for o in question.options if o.correct)
    return all(_length(key.text) >= _length(o.text) for o in question.options)


def single_ratio(question: Question) -> float:
    """Single choice: key length over the mean distractor length."""
    key = next(o for o in question.options if o.correct)
    distractors = [_length(o.text) for o in question.options if not o.correct]
    return _length(key.text) / mean(distractors)


def multiple_ratio(question: Question) -> float | None:
    """Multiple response: mean length of the correct options over that of the wrong ones."""
    right = [_length(o.text) for o in question.options if o.correct]
    wrong = [_length(o.text) for o in question.options if not o.correct]
    return mean(right) / mean(wrong) if wrong and mean(wrong) else None


@dataclass(frozen=True)
class QuizCueing:
    quiz: Quiz
    #: Single-choice questions (variants included) and those whose key is the longest option.
    singles: int
    key_longest: int
    single_ratios: tuple[float, ...]
    multiple_ratios: tuple[float, ...]
    #: Test-wise learner's score 0..1: expected over the draw, and with the luckiest draw.
    testwise_expected: float
    testwise_best: float
    #: Questions the test-wise learner gets fully right.
    giveaways: tuple[Question, ...]

    @property
    def share_longest(self) -> float | None:
        return self.key_longest / self.singles if self.singles else None

    @property
    def mean_single_ratio(self) -> float | None:
        return _mean_or_none(self.single_ratios)

    @property
    def mean_multiple_ratio(self) -> float | None:
        return _mean_or_none(self.multiple_ratios)

    @property
    def testwise_passes(self) -> bool:
        """Whether the luckiest draw lets the test-wise learner reach the pass mark."""
        return passes(self.testwise_best, self.quiz.pass_mark)


def measure_quiz(quiz: Quiz) -> QuizCueing:
    """Length cues and the test-wise learner's score on one quiz."""
    questions = quiz.scored_questions
    singles = [q for q in questions if q.type == "single"]
    multiple = [r for q in questions if q.type == "multiple" if (r := multiple_ratio(q))]
    scores = {q.id: testwise_score(q) or 0.0 for q in questions}
    groups = [
        [q for q in group if q.scored]
        for stage in quiz.stages
        for group in stage.groups
        if any(q.scored for q in group)
    ]
    expected = [mean(scores[q.id] for q in group) for group in groups]
    best = [max(scores[q.id] for q in group) for group in groups]
    return QuizCueing(
        quiz=quiz,
        singles=len(singles),
        key_longest=sum(key_is_longest(q) for q in singles),
        single_ratios=tuple(single_ratio(q) for q in singles),
        multiple_ratios=tuple(multiple),
        testwise_expected=fmean(expected) if groups else 0.0,
        testwise_best=fmean(best) if groups else 0.0,
        giveaways=tuple(q for q in questions if scores[q.id] >= 1.0),
    )


@dataclass(frozen=True)
class CourseCueing:
    course: Course
    quizzes: tuple[QuizCueing, ...]

    @property
    def assessment(self) -> tuple[QuizCueing, ...]:
        return tuple(m for m in self.quizzes if m.quiz.slug in self.course.assessment)

    @property
    def singles(self) -> int:
        return sum(m.singles for m in self.quizzes)

    @property
    def key_longest(self) -> int:
        return sum(m.key_longest for m in self.quizzes)

    @property
    def share_longest(self) -> float | None:
        return self.key_longest / self.singles if self.singles else None

    @property
    def mean_single_ratio(self) -> float | None:
        return _mean_or_none(r for m in self.quizzes for r in m.single_ratios)

    @property
    def mean_multiple_ratio(self) -> float | None:
        return _mean_or_none(r for m in self.quizzes for r in m.multiple_ratios)

    @property
    def assessment_expected(self) -> float | None:
        """The test-wise learner's expected score over the cases of the final assessment."""
        return _mean_or_none(m.testwise_expected for m in self.assessment)

    @property
    def failing(self) -> tuple[QuizCueing, ...]:
        """Assessment cases the test-wise learner could pass (any one is too many)."""
        return tuple(m for m in self.assessment if m.testwise_passes)


def _mean_or_none(values: Iterable[float]) -> float | None:
    values = list(values)
    return mean(values) if values else None


def measure_course(course: Course) -> CourseCueing:
    """Cueing figures for every quiz of the course, the final assessment's cases first."""
    order = [*course.assessment, *sorted(set(course.quizzes) - set(course.assessment))]
    return CourseCueing(course, tuple(measure_quiz(course.quizzes[slug]) for slug in order))
