"""A case quiz's stages as an attempt shows them, and saving the stage being answered.

Which questions a stage shows is the attempt's draw (`attempts.stage_questions`); here is the
order of their options, what each question shows (answer, feedback, score) and the save of a
posted stage. Functions flush through `attempts`, never commit: the view owns the transaction.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from ..content.model import Option, Question, Quiz, Stage
from ..models import Answer, Attempt
from . import attempts
from .forms import stage_answers
from .grading import grade_question

STALE_STAGE = lazy_gettext(
    "Dit deel van de casus is al afgesloten, bijvoorbeeld in een ander tabblad. "
    "Je ziet hieronder waar je nu bent."
)
STALE_PAGE = lazy_gettext(
    "Een of meer antwoorden zijn in een ander tabblad of op een ander apparaat gewijzigd nadat "
    "je deze pagina opende. Hieronder staan je nieuwste antwoorden; kijk ze na en ga verder."
)


def option_order(
    attempt_id: int, quiz: Quiz, question: Question, saved: Any = None
) -> list[Option]:
    """The options in the order this attempt shows them (the same on every reload).

    Ordering questions show the learner's saved order, or else a shuffle that is never a
    right order; choice questions are shuffled only when the quiz asks for it.
    """
    options = list(question.options)
    if question.type == "ordering":
        ids = [option.id for option in options]
        if isinstance(saved, list) and sorted(saved) == sorted(ids):
            return [option for option_id in saved if (option := question.option(option_id))]
        random.Random(f"{attempt_id}:{question.id}").shuffle(options)
        if grade_question(question, [option.id for option in options]) == 1.0:
            # Moving the first step to the end puts it after a later block: never right.
            options = options[1:] + options[:1]
        return options
    if quiz.shuffle:
        random.Random(f"{attempt_id}:{question.id}").shuffle(options)
    return options


def current_stage(attempt: Attempt, quiz: Quiz) -> int:
    """Index of the stage being answered (clamped: the quiz file may have lost a stage since)."""
    return min(attempt.stages_revealed, len(quiz.stages)) - 1


def response(answer: Answer | attempts.SavedAnswer | None) -> Any:
    """The stored response, or None without an answer."""
    return answer.response if answer is not None else None


def unanswered(answer: Answer | attempts.SavedAnswer | None) -> bool:
    """Whether the question is still open (it would lock as "Niet beantwoord")."""
    return response(answer) in (None, [], "")


@dataclass
class StageSave:
    """What saving the posted stage did."""

    stage_index: int
    #: Per question saved (or already up to date): the answer's version now.
    versions: dict[str, int] = field(default_factory=dict)
    #: Per question id the message (in the learner's language) why its answer was not saved; "" for the whole form.
    errors: dict[str, str] = field(default_factory=dict)
    stale: bool = False
    #: The form was of another stage than the one being answered (closed in another tab).
    wrong_stage: bool = False
    #: Questions of the stage still without an answer (they would lock as "Niet beantwoord").
    open_ids: list[str] = field(default_factory=list)
    #: The scored ones among them.
    open_scored: list[str] = field(default_factory=list)
    #: With `save_stage(..., send=False)`: the answer writes, for `attempts.commit_save`.
    unsent: attempts.AnswerWrites | None = None


def save_stage(
    attempt: Attempt,
    quiz: Quiz,
    posted_stage: int | None,
    formdata: MultiDict,
    saved: dict[str, attempts.SavedAnswer] | None = None,
    *,
    send: bool = True,
) -> StageSave:
    """Save the answers the form holds for the attempt's current stage.

    A form of another stage saves nothing; answers changed elsewhere since the page was opened
    are not overwritten (`stale`). `saved` are the attempt's answers if the caller read them
    with the lock (`attempts.lock_and_read_for_save`); else they are read here. With
    `send=False` the writes are left for `attempts.commit_save` (in the result's `unsent`).
    """
    current = current_stage(attempt, quiz)
    if posted_stage is not None and posted_stage != current:
        return StageSave(posted_stage, errors={"": str(STALE_STAGE)}, wrong_stage=True)
    questions = attempts.stage_questions(attempt, quiz.stages[current])
    if saved is None:
        saved = attempts.saved_answers(attempt.id)
    shown = {
        q.id: [o.id for o in option_order(attempt.id, quiz, q, response(saved.get(q.id)))]
        for q in questions
        if q.type == "ordering"
    }
    result = attempts.save_answers(
        attempt, quiz, stage_answers(questions, formdata, shown), saved, send=send
    )
    errors = {question_id: str(error) for question_id, error in result.errors.items()}
    if result.stale:
        errors[""] = str(STALE_PAGE)
    still_open = [q for q in questions if unanswered(saved.get(q.id))]
    return StageSave(
        current,
        result.versions,
        errors,
        result.stale,
        open_ids=[q.id for q in still_open],
        open_scored=[q.id for q in still_open if q.scored],
        unsent=result.unsent,
    )


def shown_stages(attempt: Attempt, quiz: Quiz, answers: dict[str, Answer]) -> list[dict[str, Any]]:
    """The revealed stages as the quiz page shows them: per question its options in this
    attempt's order, the answer, and (formative quizzes only) its score and feedback."""
    stages = []
    for index, stage in enumerate(quiz.stages[: attempt.stages_revealed]):
        questions = []
        for question in attempts.stage_questions(attempt, stage):
            answer = answers.get(question.id)
            feedback = quiz.mode == "formative" and answer is not None and question.scored
            questions.append(
                {
                    "question": question,
                    "options": option_order(attempt.id, quiz, question, response(answer)),
                    "answer": answer,
                    "chosen": set(answer.response)
                    if answer is not None and isinstance(answer.response, list)
                    else set(),
                    # Formative only: the summative page never carries the key or feedback.
                    "score": grade_question(question, answer.response) if feedback else None,
                    "show_feedback": feedback,
                }
            )
        stages.append(
            {
                "index": index,
                "stage": stage,
                "locked": attempts.stage_locked(attempt, index),
                "questions": questions,
            }
        )
    return stages


def reviewed_stages(
    parts: Sequence[tuple[Stage, Sequence[Question]]], answers: dict[str, Answer]
) -> list[dict[str, Any]]:
    """A submitted attempt's stages with, per question, the answer and the score it was given."""
    return [
        {
            "stage": stage,
            "questions": [
                {
                    "question": question,
                    "answer": answers.get(question.id),
                    "chosen": set(response(answers.get(question.id)) or [])
                    if question.scored
                    else set(),
                    "score": _stored_score(question, answers.get(question.id)),
                }
                for question in questions
            ],
        }
        for stage, questions in parts
    ]


def _stored_score(question: Question, answer: Answer | None) -> float | None:
    """The score given at submission (an unanswered scored question counts 0)."""
    if not question.scored:
        return None
    if answer is None or answer.score is None:
        return 0.0
    return answer.score
