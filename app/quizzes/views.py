"""Case quizzes: intro, stage-by-stage answering with autosave, submission and results."""

from __future__ import annotations

import random
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..content import get_catalog
from ..content.model import Course, Option, Question, Quiz
from ..extensions import db, limiter
from ..models import Answer, Attempt
from ..web import MAX_ID, wants_json
from . import attempts as domain
from .attempts import QuizError
from .forms import QuizForm, stage_answers
from .grading import grade_question
from .review import part_results

bp = Blueprint("quizzes", __name__, url_prefix="/quiz")

STALE_STAGE = (
    "Dit deel van de casus is al afgesloten, bijvoorbeeld in een ander tabblad. "
    "Je ziet hieronder waar je nu bent."
)


# --- helpers ---------------------------------------------------------------------------------


def _course_and_quiz(course_slug: str, quiz_slug: str) -> tuple[Course, Quiz]:
    course = get_catalog().course(course_slug)
    quiz = course.quizzes.get(quiz_slug) if course else None
    if course is None or quiz is None:
        abort(404)
    return course, quiz


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


def _lesson_link(course: Course, lesson_slug: str) -> dict[str, str] | None:
    lesson = course.lesson(lesson_slug)
    if lesson is None:
        return None
    try:
        href = url_for("learning.lesson", course_slug=course.slug, lesson_slug=lesson.slug)
    except BuildError:
        # The lesson pages own this address (the catalog's lesson links use it too).
        href = f"/leren/{course.slug}/{lesson.slug}"
    return {"href": href, "title": lesson.title}


def _course_url(course: Course) -> str:
    try:
        return url_for("learning.course", course_slug=course.slug)
    except BuildError:
        return url_for("learning.catalogue")


def _target_attempt(quiz: Quiz) -> Attempt:
    """The attempt the posted form belongs to, locked for this transaction."""
    number = request.form.get("attempt", type=int)
    if number is not None and not 0 < number <= MAX_ID:
        abort(404)  # no such attempt; a bigger number would overflow the query
    if number is not None:
        attempt = domain.attempt_by_number(current_user.id, quiz.course_slug, quiz.slug, number)
    else:
        attempt = domain.open_attempt(current_user.id, quiz.course_slug, quiz.slug)
    if attempt is None:
        abort(404)
    locked = domain.lock_attempt(attempt.id)
    assert locked is not None
    return locked


def _save_stage(attempt: Attempt, quiz: Quiz) -> tuple[int, list[str]]:
    """Save the posted answers of the attempt's current stage: (stage index, error messages)."""
    current = _current_stage(attempt, quiz)
    posted = request.form.get("stage", type=int)
    if posted is not None and posted != current:
        return posted, [STALE_STAGE]
    questions = domain.stage_questions(attempt, quiz.stages[current])
    saved = domain.answers_by_question(attempt.id)
    shown = {
        q.id: [o.id for o in option_order(attempt.id, quiz, q, _response(saved.get(q.id)))]
        for q in questions
        if q.type == "ordering"
    }
    errors = []
    for item in stage_answers(questions, request.form, shown):
        existing = saved.get(item.question_id)
        # Leaving a question open is not an answer; clearing a saved one is.
        if item.response is None or (item.response in ([], "") and existing is None):
            continue
        try:
            domain.save_answer(attempt, quiz, item.question_id, item.response, shared=item.shared)
        except QuizError as exc:
            question = quiz.question(item.question_id)
            errors.append(f"{exc} (Vraag: {question.prompt if question else item.question_id})")
    return current, errors


def _current_stage(attempt: Attempt, quiz: Quiz) -> int:
    """Index of the stage being answered (clamped: the quiz file may have lost a stage since)."""
    return min(attempt.stages_revealed, len(quiz.stages)) - 1


def _response(answer: Answer | None) -> Any:
    return answer.response if answer is not None else None


def _back(quiz: Quiz, stage_index: int | None = None) -> Any:
    anchor = f"deel-{stage_index + 1}" if stage_index is not None else None
    return redirect(
        url_for("quizzes.show", course_slug=quiz.course_slug, quiz_slug=quiz.slug, _anchor=anchor)
    )


def _require_form() -> None:
    if not QuizForm().validate_on_submit():
        abort(400)


# --- views -----------------------------------------------------------------------------------


@bp.get("/<course_slug>/<quiz_slug>")
@login_required
def show(course_slug: str, quiz_slug: str) -> Any:
    """Show the quiz: its intro and start button, or the open attempt's stages."""
    course, quiz = _course_and_quiz(course_slug, quiz_slug)
    history = domain.attempts_of(current_user.id, course.slug, quiz.slug)
    status = domain.quiz_status(current_user.id, course.slug, quiz)
    attempt = next((a for a in reversed(history) if a.submitted_at is None), None)
    context: dict[str, Any] = {
        "course": course,
        "quiz": quiz,
        "status": status,
        "history": [a for a in history if a.submitted_at is not None],
        "attempt": attempt,
        "form": QuizForm(),
        "course_url": _course_url(course),
    }
    if attempt is not None:
        answers = domain.answers_by_question(attempt.id)
        stages = []
        for index, stage in enumerate(quiz.stages[: attempt.stages_revealed]):
            questions = []
            for question in domain.stage_questions(attempt, stage):
                answer = answers.get(question.id)
                feedback = quiz.mode == "formative" and answer is not None and question.scored
                questions.append(
                    {
                        "question": question,
                        "options": option_order(attempt.id, quiz, question, _response(answer)),
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
                    "locked": domain.stage_locked(attempt, index),
                    "questions": questions,
                }
            )
        scored = [q for q in domain.attempt_questions(attempt, quiz) if q.scored]
        context.update(
            stages=stages,
            current_index=_current_stage(attempt, quiz),
            last_stage=attempt.stages_revealed >= len(quiz.stages),
            answered=sum(1 for q in scored if q.id in answers),
            scored_total=len(scored),
            lesson_link=lambda slug: _lesson_link(course, slug),
        )
    return render_template("quizzes/show.html", **context)


@bp.post("/<course_slug>/<quiz_slug>/starten")
@login_required
def start(course_slug: str, quiz_slug: str) -> Any:
    """Start a new attempt, or resume the open one."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    try:
        domain.start_attempt(current_user.id, quiz)
    except QuizError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(quiz)
    db.session.commit()
    return _back(quiz, 0)


def _save_limit() -> str:
    return current_app.config["QUIZ_SAVE_RATE_LIMIT"]


def _learner_key() -> str:
    # Per learner, not per address: a whole practice may share one IP address.
    return f"user:{current_user.get_id()}"


@bp.post("/<course_slug>/<quiz_slug>/opslaan")
@login_required
@limiter.limit(_save_limit, key_func=_learner_key)
def save(course_slug: str, quiz_slug: str) -> Any:
    """Save the current stage's answers (a form post, or the autosave's fetch: JSON)."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt = _target_attempt(quiz)
    if attempt.submitted_at is not None:
        errors, stage_index = ["Deze poging is al ingeleverd; je antwoorden liggen vast."], None
    else:
        stage_index, errors = _save_stage(attempt, quiz)
    db.session.commit()
    if wants_json():
        return jsonify(saved=not errors, errors=errors), 200 if not errors else 409
    for message in errors:
        flash(message, "error")
    if not errors and quiz.mode == "summative":
        flash("Je antwoorden zijn opgeslagen.", "success")
    if attempt.submitted_at is not None:
        return _result_redirect(quiz, attempt)
    return _back(quiz, stage_index)


@bp.post("/<course_slug>/<quiz_slug>/volgende")
@login_required
def next_stage(course_slug: str, quiz_slug: str) -> Any:
    """Save the current stage, then open the next one (which locks the earlier answers)."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt = _target_attempt(quiz)
    if attempt.submitted_at is not None:
        return _result_redirect(quiz, attempt)
    stage_index, errors = _save_stage(attempt, quiz)
    if errors:
        db.session.commit()
        double_click = errors == [STALE_STAGE] and stage_index == attempt.stages_revealed - 2
        if not double_click:
            for message in errors:
                flash(message, "error")
        # Nothing opens until the answers are saved; a double click lands on the new stage.
        return _back(quiz, attempt.stages_revealed - 1)
    opened = domain.reveal_next_stage(attempt, quiz, from_stage=stage_index)
    db.session.commit()
    if opened:
        flash(
            "Het volgende deel is geopend. Je antwoorden in de vorige delen liggen nu vast, "
            "net als in een echt consult: wat je eerder besloot, kun je niet terugdraaien.",
            "info",
        )
    return _back(quiz, attempt.stages_revealed - 1)


@bp.post("/<course_slug>/<quiz_slug>/inleveren")
@login_required
def submit(course_slug: str, quiz_slug: str) -> Any:
    """Save the last stage and submit the attempt (once, however often this is posted)."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt = _target_attempt(quiz)
    if attempt.submitted_at is None:
        stage_index, errors = _save_stage(attempt, quiz)
        if errors:
            db.session.commit()
            for message in errors:
                flash(message, "error")
            return _back(quiz, stage_index)
    try:
        domain.submit(attempt.id, quiz)
    except QuizError as exc:
        db.session.commit()
        flash(str(exc), "error")
        return _back(quiz, attempt.stages_revealed - 1)
    db.session.commit()
    return _result_redirect(quiz, attempt)


def _result_redirect(quiz: Quiz, attempt: Attempt) -> Any:
    return redirect(
        url_for(
            "quizzes.result",
            course_slug=quiz.course_slug,
            quiz_slug=quiz.slug,
            number=attempt.number,
        )
    )


@bp.get("/<course_slug>/<quiz_slug>/poging/<int:number>")
@login_required
def result(course_slug: str, quiz_slug: str, number: int) -> Any:
    """Show a submitted attempt: the score per part and lessons to reread while a summative
    retake remains; per question the answer, the key and feedback once it is passed or over."""
    course, quiz = _course_and_quiz(course_slug, quiz_slug)
    attempt = domain.attempt_by_number(current_user.id, course.slug, quiz.slug, number)
    if attempt is None:
        abort(404)
    if attempt.submitted_at is None:
        return _back(quiz, attempt.stages_revealed - 1)
    status = domain.quiz_status(current_user.id, course.slug, quiz)
    answers = domain.answers_by_question(attempt.id)
    parts = [(stage, domain.stage_questions(attempt, stage)) for stage in quiz.stages]
    key_closed = quiz.mode == "summative" and status.retakes_remain
    stages = []
    if not key_closed:
        stages = [
            {
                "stage": stage,
                "questions": [
                    {
                        "question": question,
                        "answer": answers.get(question.id),
                        "chosen": set(_response(answers.get(question.id)) or [])
                        if question.scored
                        else set(),
                        "score": _stored_score(question, answers.get(question.id)),
                    }
                    for question in questions
                ],
            }
            for stage, questions in parts
        ]
    return render_template(
        "quizzes/result.html",
        course=course,
        quiz=quiz,
        attempt=attempt,
        key_closed=key_closed,
        parts=part_results(
            [(stage, questions) for stage, questions in parts if questions],
            {question_id: answer.score for question_id, answer in answers.items()},
            {question_id: answer.response for question_id, answer in answers.items()},
        ),
        stages=stages,
        status=status,
        form=QuizForm(),
        course_url=_course_url(course),
        changed=attempt.quiz_version != quiz.content_hash,
        lesson_link=lambda slug: _lesson_link(course, slug),
    )


def _stored_score(question: Question, answer: Answer | None) -> float | None:
    """The score given at submission (an unanswered scored question counts 0)."""
    if not question.scored:
        return None
    if answer is None or answer.score is None:
        return 0.0
    return answer.score
