"""Item analysis of a case quiz: difficulty, discrimination and option choices per question.

Pure: no Flask, no database. The caller passes one *sitting* per learner: the answers of that
learner's FIRST submitted attempt (the first try shows what the course taught; later tries are
coloured by the feedback of earlier ones). A question left unanswered scores 0.

Parallel variants are items of their own: a sitting answers one question per group, the one it
holds (a drawn but unanswered question is held with score None), else the group's primary.
So each variant's n is the number of sittings that drew it; totals and alpha run per group.

Every figure follows from a few sums per question (`Moments`, `QuizSums`), which the trainer
page gets from the database (`queries.item_sums`) and `analyse` builds from sittings in memory;
`analyse_sums` turns either into the statistics, so both give the same figures.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..content.model import Question

#: p above this: nearly everyone gets it right, the item tells little.
TOO_EASY = 0.9
#: p below this: most learners get it wrong; check the key and the teaching.
TOO_HARD = 0.3
#: Below this many sittings the figures are shown but marked as uncertain.
MIN_RELIABLE = 20

FLAG_LABELS = {
    "te-makkelijk": "te makkelijk",
    "te-moeilijk": "te moeilijk",
    "negatief": "onderscheidt negatief",
}


@dataclass(frozen=True)
class ItemResponse:
    """One learner's answer to one question in the analysed attempt."""

    #: 0..1, partial credit as a fraction; None when unanswered (counts as 0).
    score: float | None
    #: Option ids as answered (choice questions: the chosen ones; ordering: the order given).
    choice: tuple[str, ...] = ()


Sitting = Mapping[str, ItemResponse]


@dataclass(frozen=True)
class OptionCount:
    id: str
    text: str
    correct: bool
    #: Choice questions: how many learners chose it; ordering: how many put it in its right place.
    count: int
    share: float


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    prompt: str
    type: str
    #: Sittings that drew this question (its variants were drawn by the others).
    n: int
    #: Difficulty: mean item score 0..1 (share correct, partial scores as fractions).
    p: float | None
    #: Point-biserial (Pearson) correlation of the item score with the rest score; None if undefined.
    discrimination: float | None
    options: tuple[OptionCount, ...]
    flags: tuple[str, ...]
    #: The primary question's id when this is a parallel variant.
    variant_of: str | None = None
    #: Number of the question in its quiz, 1-based; a variant shares its primary's number.
    number: int = 0

    @property
    def flag_labels(self) -> tuple[str, ...]:
        return tuple(FLAG_LABELS[f] for f in self.flags)


@dataclass(frozen=True)
class QuizAnalysis:
    n: int
    items: tuple[ItemStats, ...]
    #: Mean total score as a share 0..1 of the scored groups (one point each).
    mean_score: float | None
    #: Cronbach's alpha (internal consistency) over the scored groups; None if undefined.
    alpha: float | None

    @property
    def reliable(self) -> bool:
        return self.n >= MIN_RELIABLE


@dataclass
class Moments:
    """Running sums over a set of sittings: enough for means, variances and correlations.

    x is an item score (0 where the sitting left it open), t the sitting's total score. Sums
    rather than lists, so the database can add them up for a cohort of any size.
    """

    n: int = 0
    x: float = 0.0
    xx: float = 0.0
    xt: float = 0.0
    t: float = 0.0
    tt: float = 0.0

    def add(self, x: float, t: float, count: int = 1) -> None:
        self.n += count
        self.x += x * count
        self.xx += x * x * count
        self.xt += x * t * count
        self.t += t * count
        self.tt += t * t * count

    def merge(self, other: Moments) -> None:
        """Add sums taken over other sittings."""
        for name in ("n", "x", "xx", "xt", "t", "tt"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class QuizSums:
    """What the analysis needs of a quiz's sittings, summed (see `analyse_sums`).

    `totals` counts the sittings and sums their total scores (its x sums are unused). `items` holds, per question, the moments over the sittings that HOLD it (drew or answered
    it); a group's primary also gets the sittings that hold none of the group. `choices` counts
    per question how many sittings gave each answer (option ids as answered).
    """

    totals: Moments = field(default_factory=Moments)
    items: dict[str, Moments] = field(default_factory=lambda: defaultdict(Moments))
    choices: dict[str, Counter[tuple[str, ...]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def merge(self, other: QuizSums) -> None:
        """Add sums taken over other sittings."""
        self.totals.merge(other.totals)
        for question_id, moments in other.items.items():
            self.items.setdefault(question_id, Moments()).merge(moments)
        for question_id, counts in other.choices.items():
            self.choices.setdefault(question_id, Counter()).update(counts)

    def compact(self, questions: Sequence[Question]) -> None:
        """Count each question's answers per option only, which is all the analysis reads of
        them (`_option_counts`), so a kept copy stays small however many different answers
        (orders, combinations) were given. In place; compacting twice changes nothing."""
        by_id = {question.id: question for question in questions}
        for question_id, counts in self.choices.items():
            question = by_id.get(question_id)
            if question is None:
                continue
            compacted: Counter[tuple[str, ...]] = Counter()
            if question.type == "ordering":
                # An option in a right place, kept at that place ("" is no option id).
                places = _right_places(question)
                for choice, times in counts.items():
                    for position, option_id in enumerate(choice):
                        if option_id in places and position in places[option_id]:
                            compacted[("",) * position + (option_id,)] += times
            else:
                for choice, times in counts.items():
                    for option_id in set(choice):
                        compacted[(option_id,)] += times
            self.choices[question_id] = compacted

    def as_json(self) -> dict[str, Any]:
        """The sums as JSON (lists of numbers), to keep in the database."""
        return {
            "totals": _moments_json(self.totals),
            "items": {key: _moments_json(m) for key, m in self.items.items()},
            "choices": {
                key: [[list(choice), count] for choice, count in counts.items()]
                for key, counts in self.choices.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuizSums:
        """The sums `as_json` kept."""
        summed = cls(totals=Moments(*data["totals"]))
        for key, values in data["items"].items():
            summed.items[key] = Moments(*values)
        for key, pairs in data["choices"].items():
            summed.choices[key] = Counter({tuple(choice): count for choice, count in pairs})
        return summed


def _moments_json(m: Moments) -> list[float]:
    return [m.n, m.x, m.xx, m.xt, m.t, m.tt]


def sitting_sums(
    drawn: Sequence[str] | None, answers: Sequence[tuple[str, float, tuple[str, ...]]]
) -> QuizSums:
    """What one sitting adds to the sums, counted as `queries.computed_item_sums` counts it.

    `drawn`: the question ids the attempt drew (None for attempts from before variants, whose
    questions are the ones they answered); `answers`: its scored answers to questions the quiz
    still asks, as (question id, score, option ids as answered).
    """
    total = sum(score for _, score, _ in answers)
    summed = QuizSums()
    summed.totals.add(0.0, total)
    for question_id in set(drawn or ()):
        summed.items[question_id].merge(Moments(1, t=total, tt=total * total))
    held = 1 if drawn is None else 0
    for question_id, x, choice in answers:
        summed.items[question_id].merge(
            Moments(held, x, x * x, x * total, total * held, total * total * held)
        )
        summed.choices[question_id][choice] += 1
    return summed


def _spread(sum_squares: float, total: float, n: int) -> float:
    """Sum of squared deviations from the mean, zero when it is only rounding noise."""
    spread = sum_squares - total * total / n
    return spread if spread > 1e-9 * (1 + abs(sum_squares)) else 0.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when either side has no spread (or fewer than 2 values)."""
    # statistics.correlation raises on these; a constant side is checked exactly, since float
    # rounding in its mean could otherwise leave a tiny spread and a meaningless correlation.
    if len(xs) != len(ys) or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def _pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    if n < 2:
        return None
    spread_x, spread_y = _spread(sxx, sx, n), _spread(syy, sy, n)
    if not spread_x or not spread_y:
        return None
    return (sxy - sx * sy / n) / math.sqrt(spread_x * spread_y)


def _discrimination(m: Moments) -> float | None:
    """Correlation of the item score x with the rest score t - x, from the sums alone."""
    return _pearson(m.n, m.x, m.t - m.x, m.xx, m.tt - 2 * m.xt + m.xx, m.xt - m.xx)


def _flags(p: float | None, discrimination: float | None) -> tuple[str, ...]:
    flags = []
    if p is not None and p > TOO_EASY:
        flags.append("te-makkelijk")
    if p is not None and p < TOO_HARD:
        flags.append("te-moeilijk")
    if discrimination is not None and discrimination < 0:
        flags.append("negatief")
    return tuple(flags)


def _right_places(question: Question) -> dict[str, range]:
    """Ordering: per option the positions where it is right (anywhere within its tied block)."""
    blocks = question.blocks()
    places: dict[str, range] = {}
    for option_id, block in blocks.items():
        members = [i for i, b in enumerate(blocks.values()) if b == block]
        places[option_id] = range(members[0], members[-1] + 1)
    return places


def _option_counts(
    question: Question, choices: Counter[tuple[str, ...]], n: int
) -> tuple[OptionCount, ...]:
    counts = dict.fromkeys((o.id for o in question.options), 0)
    places = _right_places(question) if question.type == "ordering" else {}
    for choice, times in choices.items():
        if question.type == "ordering":
            # Count who put each step in a right place.
            for position, option_id in enumerate(choice):
                if option_id in places and position in places[option_id]:
                    counts[option_id] += times
        else:
            for option_id in set(choice):
                if option_id in counts:
                    counts[option_id] += times
    return tuple(
        OptionCount(o.id, o.text, o.correct, counts[o.id], counts[o.id] / n if n else 0.0)
        for o in question.options
    )


def scored_groups(questions: Sequence[Question]) -> list[list[Question]]:
    """The scored questions grouped with their parallel variants, primary first."""
    groups: dict[str, list[Question]] = {}
    for question in questions:
        if question.scored:
            groups.setdefault(question.group, []).append(question)
    for group in groups.values():
        group.sort(key=lambda q: not q.primary)
    return list(groups.values())


def sums(questions: Sequence[Question], sittings: Sequence[Sitting]) -> QuizSums:
    """The sums of `analyse_sums` over sittings in memory (one per learner)."""
    groups = scored_groups(questions)
    result = QuizSums()
    for sitting in sittings:
        # Per group the question the sitting holds (the first, should it hold more).
        held = [next((q for q in group if q.id in sitting), None) for group in groups]
        scores = [(sitting[q.id].score or 0.0) if q else 0.0 for q in held]
        total = sum(scores)
        result.totals.add(0.0, total)
        for question, score in zip(held, scores, strict=True):
            if question is not None:
                result.items[question.id].add(score, total)
                result.choices[question.id][sitting[question.id].choice] += 1
    return result


def analyse(questions: Sequence[Question], sittings: Sequence[Sitting]) -> QuizAnalysis:
    """Statistics per scored question (variants included) over the sittings (one per learner)."""
    return analyse_sums(questions, sums(questions, sittings))


def analyse_sums(questions: Sequence[Question], summed: QuizSums) -> QuizAnalysis:
    """Statistics per scored question (variants included) from the sums of the sittings."""
    groups = scored_groups(questions)
    everyone = summed.totals
    n = everyone.n
    items = []
    item_variance = 0.0
    for number, group in enumerate(groups, start=1):
        held = [summed.items.get(q.id, Moments()) for q in group]
        # The primary also stands for the sittings that hold no question of the group (score 0).
        primary = dataclasses.replace(held[0])
        primary.add(0.0, 0.0, n - sum(m.n for m in held))
        primary.t = everyone.t - sum(m.t for m in held[1:])
        primary.tt = everyone.tt - sum(m.tt for m in held[1:])
        held[0] = primary
        column_x, column_xx = sum(m.x for m in held), sum(m.xx for m in held)
        if n:
            item_variance += column_xx / n - (column_x / n) ** 2
        for question, m in zip(group, held, strict=True):
            p = m.x / m.n if m.n else None
            discrimination = _discrimination(m)
            items.append(
                ItemStats(
                    question_id=question.id,
                    prompt=question.prompt,
                    type=question.type,
                    n=m.n,
                    p=p,
                    discrimination=discrimination,
                    options=_option_counts(
                        question, summed.choices.get(question.id, Counter()), m.n
                    ),
                    flags=_flags(p, discrimination),
                    variant_of=question.variant_of,
                    number=number,
                )
            )
    k = len(groups)
    alpha = None
    if n >= 2 and k >= 2 and (total_spread := _spread(everyone.tt, everyone.t, n)):
        alpha = k / (k - 1) * (1 - item_variance / (total_spread / n))
    mean_score = everyone.t / n / k if n and k else None
    return QuizAnalysis(n=n, items=tuple(items), mean_score=mean_score, alpha=alpha)
