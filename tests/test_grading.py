"""Grading: every question type, partial credit edge cases, and the quiz score (pure, no app)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.content.model import Option, Question, Quiz, Stage
from app.quizzes.grading import grade, grade_question, passes


def option(option_id: str, correct: bool = False) -> Option:
    return Option(id=option_id, text=option_id.upper(), correct=correct, feedback="", lesson="les")


def question(kind: str, options: dict[str, bool] | list[str], scoring: str = "partial") -> Question:
    if isinstance(options, dict):
        opts = tuple(option(i, c) for i, c in options.items())
    else:
        opts = tuple(option(i) for i in options)
    return Question(
        id=f"{kind}-{scoring}", type=kind, prompt="?", options=opts, lesson="les", scoring=scoring
    )


SINGLE = question("single", {"a": True, "b": False, "c": False})
# Three right options, two wrong ones.
PARTIAL = question("multiple", {"r1": True, "r2": True, "r3": True, "w1": False, "w2": False})
STRICT = question("multiple", {"r1": True, "r2": True, "w1": False}, scoring="all-or-nothing")
ORDERING = question("ordering", ["een", "twee", "drie", "vier"])
REFLECTION = Question(id="reflectie", type="reflection", prompt="?", options=(), lesson="")


def quiz(*questions: Question, pass_mark: int = 70) -> Quiz:
    return Quiz(
        slug="q",
        course_slug="c",
        title="Q",
        summary="",
        kind="case",
        mode="summative",
        pass_mark=pass_mark,
        attempts=3,
        shuffle=False,
        stages=(Stage(id="s", title="S", html="", questions=questions),),
        content_hash="x",
        source="q.toml",
    )


@pytest.mark.parametrize(
    ("response", "score"),
    [
        (["a"], 1.0),
        ("a", 1.0),
        (["b"], 0.0),
        ([], 0.0),
        (None, 0.0),
        (["a", "b"], 0.0),
        (["a", "a"], 1.0),
        (["onbekend", "a"], 1.0),
        (["onbekend"], 0.0),
        ({"a": True}, 0.0),
        (42, 0.0),
    ],
)
def test_single_scores_one_only_for_the_right_option(response, score):
    assert grade_question(SINGLE, response) == score


@pytest.mark.parametrize(
    ("response", "score"),
    [
        (["r1", "r2", "r3"], 1.0),  # exactly right
        (["r1", "r2", "r3", "w1", "w2"], 1 / 3),  # everything chosen: (3 - 2) / 3
        ([], 0.0),  # nothing chosen
        (["w1"], 0.0),  # only wrong, never below zero
        (["w1", "w2"], 0.0),
        (["r1", "w1", "w2"], 0.0),  # more wrong than right
        (["r1", "r2", "w1"], 1 / 3),
        (["r1"], 1 / 3),
        (["r1", "r2"], 2 / 3),
        (["r1", "r1", "r1"], 1 / 3),  # duplicates count once
        (["r1", "r2", "nep", "ook-nep"], 2 / 3),  # unknown ids are ignored
        ("r1", 1 / 3),
        (None, 0.0),
        ([1, 2, None], 0.0),
    ],
)
def test_multiple_partial_credit(response, score):
    assert grade_question(PARTIAL, response) == pytest.approx(score)


@pytest.mark.parametrize(
    ("response", "score"),
    [
        (["r1", "r2"], 1.0),
        (["r2", "r1", "r1"], 1.0),
        (["r1", "r2", "onbekend"], 1.0),
        (["r1"], 0.0),
        (["r1", "r2", "w1"], 0.0),
        ([], 0.0),
    ],
)
def test_multiple_all_or_nothing_needs_exactly_the_right_set(response, score):
    assert grade_question(STRICT, response) == score


@pytest.mark.parametrize(
    ("response", "score"),
    [
        (["een", "twee", "drie", "vier"], 1.0),
        (["vier", "drie", "twee", "een"], 0.0),  # reversed
        (["twee", "een", "drie", "vier"], 5 / 6),  # one swap of neighbours
        (["een", "vier", "drie", "twee"], 3 / 6),
        (["een", "een", "twee", "drie", "vier"], 1.0),  # a duplicate counts once
        (["een", "onbekend", "twee", "drie", "vier"], 1.0),
        (["een", "twee"], 1 / 6),  # pairs with unplaced options are not in order
        ([], 0.0),
        (None, 0.0),
        ("een", 0.0),
    ],
)
def test_ordering_scores_the_share_of_pairs_in_the_right_order(response, score):
    assert grade_question(ORDERING, response) == pytest.approx(score)


def test_reflection_is_not_scored():
    assert grade_question(REFLECTION, "Wat ik voelde.") is None
    assert grade_question(REFLECTION, None) is None


def test_quiz_score_is_the_mean_over_scored_questions_and_unanswered_scores_zero():
    result = grade(
        quiz(SINGLE, PARTIAL, STRICT, ORDERING, REFLECTION),
        {"single-partial": ["a"], "multiple-partial": ["r1", "r2"], "reflectie": "tekst"},
    )
    assert result.scores == {
        "single-partial": 1.0,
        "multiple-partial": pytest.approx(2 / 3),
        "multiple-all-or-nothing": 0.0,
        "ordering-partial": 0.0,
        "reflectie": None,
    }
    assert result.score == pytest.approx((1 + 2 / 3) / 4)
    assert result.passed is False


def test_quiz_passes_at_exactly_the_pass_mark_despite_rounding():
    questions = [
        Question(id=f"v{n}", type="single", prompt="?", options=SINGLE.options, lesson="les")
        for n in range(10)
    ]
    responses = {f"v{n}": ["a"] for n in range(7)}
    result = grade(quiz(*questions, pass_mark=70), responses)
    assert result.score == pytest.approx(0.7)
    assert result.passed is True
    assert result.percent == 70
    assert grade(quiz(*questions, pass_mark=71), responses).passed is False
    assert grade(quiz(*questions), responses, pass_mark=80).passed is False


def test_pass_mark_comparison_tolerates_float_noise():
    assert passes(0.1 + 0.6, 70)
    assert not passes(0.69, 70)


def test_unknown_question_ids_in_responses_are_ignored():
    result = grade(quiz(SINGLE), {"single-partial": "a", "bestaat-niet": ["x"]})
    assert result.score == 1.0
    assert "bestaat-niet" not in result.scores


response_items = st.lists(
    st.one_of(
        st.sampled_from(["een", "twee", "drie", "vier", "r1", "w1", "a"]), st.text(max_size=3)
    ),
    max_size=8,
)


@given(response=st.one_of(response_items, st.none(), st.integers(), st.text(max_size=5)))
def test_any_response_scores_between_zero_and_one_without_crashing(response):
    for q in (SINGLE, PARTIAL, STRICT, ORDERING):
        assert 0.0 <= grade_question(q, response) <= 1.0


# --- ordering with tied steps ----------------------------------------------------------------

#: een, then twee and drie in either order (drie is tied to twee), then vier.
TIED = Question(
    id="tied",
    type="ordering",
    prompt="?",
    options=(
        option("een"),
        option("twee"),
        Option(id="drie", text="DRIE", correct=False, feedback="", lesson="les", tie=True),
        option("vier"),
    ),
    lesson="les",
)


@pytest.mark.parametrize(
    "order", [["een", "twee", "drie", "vier"], ["een", "drie", "twee", "vier"]]
)
def test_every_defensible_order_gets_full_credit(order):
    assert grade_question(TIED, order) == 1.0


def test_a_tie_excuses_only_its_own_pair():
    # vier before drie is still wrong: 5 of 6 pairs right.
    assert grade_question(TIED, ["een", "twee", "vier", "drie"]) == pytest.approx(5 / 6)
    # Unplaced options earn nothing, tied or not.
    assert grade_question(TIED, ["een"]) == 0.0
    assert grade_question(TIED, None) == 0.0


def test_a_run_of_ties_may_come_in_any_order():
    run = Question(
        id="run",
        type="ordering",
        prompt="?",
        options=(
            option("a"),
            *(
                Option(id=x, text=x, correct=False, feedback="", lesson="les", tie=True)
                for x in ("b", "c")
            ),
            option("d"),
        ),
        lesson="les",
    )
    from itertools import permutations

    for middle in permutations(["a", "b", "c"]):
        assert grade_question(run, [*middle, "d"]) == 1.0
    assert grade_question(run, ["d", "a", "b", "c"]) == pytest.approx(3 / 6)
