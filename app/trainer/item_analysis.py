"""Item analysis of a case quiz: difficulty, discrimination and option choices per question.

Pure: no Flask, no database. The caller passes one *sitting* per learner: the answers of that
learner's FIRST submitted attempt (the first try shows what the course taught; later tries are
coloured by the feedback of earlier ones). A question left unanswered scores 0.

Parallel variants are items of their own: a sitting answers one question per group, the one it
holds (a drawn but unanswered question is held with score None), else the group's primary.
So each variant's n is the number of sittings that drew it; totals and alpha run per group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    """Population variance (the ratios below do not depend on n or n-1)."""
    mean = _mean(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when either side has no spread (or fewer than 2 values)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


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


def _option_counts(question: Question, sittings: Sequence[Sitting]) -> tuple[OptionCount, ...]:
    counts = dict.fromkeys((o.id for o in question.options), 0)
    places = _right_places(question) if question.type == "ordering" else {}
    for sitting in sittings:
        response = sitting.get(question.id)
        if response is None:
            continue
        if question.type == "ordering":
            # Count who put each step in a right place.
            for position, option_id in enumerate(response.choice):
                if option_id in places and position in places[option_id]:
                    counts[option_id] += 1
        else:
            for option_id in set(response.choice):
                if option_id in counts:
                    counts[option_id] += 1
    n = len(sittings)
    return tuple(
        OptionCount(o.id, o.text, o.correct, counts[o.id], counts[o.id] / n if n else 0.0)
        for o in question.options
    )


def _drawn(group: Sequence[Question], sitting: Sitting) -> Question:
    """The group's question this sitting answered: the one it holds, else the primary."""
    return next((q for q in group if q.id in sitting), group[0])


def analyse(questions: Sequence[Question], sittings: Sequence[Sitting]) -> QuizAnalysis:
    """Statistics per scored question (variants included) over the sittings (one per learner)."""
    groups: dict[str, list[Question]] = {}
    for question in questions:
        if question.scored:
            groups.setdefault(question.group, []).append(question)
    for group in groups.values():
        group.sort(key=lambda q: not q.primary)
    n = len(sittings)
    # Per sitting and group: the question drawn and its score.
    drawn = [[_drawn(group, sitting) for group in groups.values()] for sitting in sittings]
    matrix = [
        [(r.score or 0.0) if (r := sitting.get(q.id)) is not None else 0.0 for q in row]
        for sitting, row in zip(sittings, drawn, strict=True)
    ]
    totals = [sum(row) for row in matrix]
    items = []
    for column, group in enumerate(groups.values()):
        for question in group:
            who = [i for i in range(n) if drawn[i][column] is question]
            item_scores = [matrix[i][column] for i in who]
            rest = [totals[i] - matrix[i][column] for i in who]
            p = _mean(item_scores) if who else None
            discrimination = pearson(item_scores, rest)
            items.append(
                ItemStats(
                    question_id=question.id,
                    prompt=question.prompt,
                    type=question.type,
                    n=len(who),
                    p=p,
                    discrimination=discrimination,
                    options=_option_counts(question, [sittings[i] for i in who]),
                    flags=_flags(p, discrimination),
                    variant_of=question.variant_of,
                )
            )
    k = len(groups)
    alpha = None
    if n >= 2 and k >= 2 and (total_variance := _variance(totals)) > 1e-12:
        item_variance = sum(_variance([row[c] for row in matrix]) for c in range(k))
        alpha = k / (k - 1) * (1 - item_variance / total_variance)
    mean_score = _mean(totals) / k if n and k else None
    return QuizAnalysis(n=n, items=tuple(items), mean_score=mean_score, alpha=alpha)
