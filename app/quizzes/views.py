"""Case quizzes: intro, stage-by-stage answering with autosave, submission and results."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
    session,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..content import get_catalog
from ..content.model import Course, Quiz
from ..extensions import csrf, db, limiter, user_or_address
from ..forms import EmptyForm
from ..models import Attempt
from ..session_user import MAX_ID
from ..web import posted_csrf_token_is_valid, wants_json
from . import attempts as domain
from .attempts import QuizError
from .review import part_results
from .stages import (
    StageSave,
    current_stage,
    reviewed_stages,
    save_stage,
    shown_stages,
    unanswered,
)

bp = Blueprint("quizzes", __name__, url_prefix="/quiz")

NOTHING_CHOSEN = lazy_gettext("Kies eerst een antwoord; daarna zie je of het klopt.")
SUBMITTED = lazy_gettext("Deze poging is al ingeleverd; je antwoorden liggen vast.")
SESSION_ENDED = lazy_gettext(
    "Je sessie is verlopen, daarom is er niet opgeslagen. Log opnieuw in: daarna kom je terug "
    "bij dit deel van de casus."
)


# --- helpers ---------------------------------------------------------------------------------


def _course_and_quiz(course_slug: str, quiz_slug: str) -> tuple[Course, Quiz]:
    course = get_catalog().course(course_slug)
    quiz = course.quizzes.get(quiz_slug) if course else None
    if course is None or quiz is None:
        abort(404)
    return course, quiz


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


def _posted_number(quiz: Quiz) -> int:
    """The number of the attempt the posted form belongs to (else the open one's); or 404."""
    number = request.form.get("attempt", type=int)
    if number is not None and not 0 < number <= MAX_ID:
        abort(404)  # no such attempt; a bigger number would overflow the query
    if number is None:
        open_one = domain.open_attempt(current_user.id, quiz.course_slug, quiz.slug)
        if open_one is None:
            abort(404)
        number = open_one.number
    return number


def _target_attempt(quiz: Quiz) -> Attempt:
    """The attempt the posted form belongs to, locked for this transaction."""
    number = _posted_number(quiz)
    attempt = domain.lock_attempt_by_number(current_user.id, quiz.course_slug, quiz.slug, number)
    if attempt is None:
        abort(404)
    return attempt


def _attempt_to_save(quiz: Quiz) -> tuple[domain.LockedAttempt, dict[str, domain.SavedAnswer]]:
    """`_target_attempt` for a save, which only reads the attempt: locked, as a plain row,
    with its saved answers (read in the same round trip where the database allows)."""
    number = _posted_number(quiz)
    attempt, saved = domain.lock_and_read_for_save(
        current_user.id, quiz.course_slug, quiz.slug, number
    )
    if attempt is None:
        abort(404)
    return attempt, saved


def _save_stage(
    attempt: Attempt,
    quiz: Quiz,
    saved: dict[str, domain.SavedAnswer] | None = None,
    *,
    send: bool = True,
) -> StageSave:
    """Save the posted answers of the attempt's current stage (`saved`: its answers, if read;
    `send=False`: the writes left for `domain.commit_save`)."""
    stage = request.form.get("stage", type=int)
    return save_stage(attempt, quiz, stage, request.form, saved, send=send)


def _keep_errors(quiz: Quiz, errors: dict[str, str]) -> None:
    """Hand the errors to the quiz page the redirect leads to (shown beside their questions)."""
    session["quiz_errors"] = {"quiz": f"{quiz.course_slug}/{quiz.slug}", "errors": errors}


def _take_errors(quiz: Quiz) -> dict[str, str]:
    kept = session.pop("quiz_errors", None)
    if not isinstance(kept, dict) or kept.get("quiz") != f"{quiz.course_slug}/{quiz.slug}":
        return {}
    return dict(kept.get("errors") or {})


def _json_errors(quiz: Quiz, errors: dict[str, str]) -> list[str]:
    """The messages as one list, each naming its question (the autosave shows them in a row)."""
    listed = []
    for question_id, message in errors.items():
        question = quiz.question(question_id) if question_id else None
        listed.append(
            gettext("%(message)s (Vraag: %(question)s)", message=message, question=question.prompt)
            if question
            else message
        )
    return listed


def _quiz_url(
    quiz: Quiz, stage_index: int | None = None, anchor: str | None = None, **args: Any
) -> str:
    """The quiz page, at the given part (or anchor)."""
    if stage_index is not None:
        anchor = f"deel-{stage_index + 1}"
    return url_for(
        "quizzes.show", course_slug=quiz.course_slug, quiz_slug=quiz.slug, _anchor=anchor, **args
    )


def _back(quiz: Quiz, stage_index: int | None = None, **args: Any) -> Any:
    return redirect(_quiz_url(quiz, stage_index, **args))


def login_to_answer(view: Callable[..., Any]) -> Callable[..., Any]:
    """`login_required` for the answer posts, which a browser cannot open again after login.

    When the session has ended, the autosave hears 401 with the login address (the page keeps
    the typed answers in the browser), and a form post goes to the login page with the quiz
    page of the same part as the way back, not this POST-only address. The session held the
    CSRF token too, so the app-wide CSRF check would answer first with a bare 400: these views
    are exempt from it and check the token themselves (`_require_form`) once logged in.
    """

    @functools.wraps(view)
    def guarded(course_slug: str, quiz_slug: str) -> Any:
        if current_user.is_authenticated:
            return view(course_slug, quiz_slug)
        stage = request.form.get("stage", type=int)
        anchor = f"deel-{stage + 1}" if stage is not None and 0 <= stage < 100 else None
        back = url_for("quizzes.show", course_slug=course_slug, quiz_slug=quiz_slug, _anchor=anchor)
        login = url_for("accounts.login", next=back)
        if wants_json():
            body = {"saved": False, "session_ended": True, "errors": [str(SESSION_ENDED)]}
            return jsonify(**body, login_url=login), 401
        flash(SESSION_ENDED, "info")
        return redirect(login)

    return csrf.exempt(guarded)


def _require_form() -> None:
    """The posted form must carry the session's CSRF token (a 400 otherwise): what
    `EmptyForm().validate_on_submit()` checks, without building a form (these views read their
    fields by hand)."""
    if not posted_csrf_token_is_valid():
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
        "form": EmptyForm(),
        "course_url": _course_url(course),
        "errors": _take_errors(quiz),
    }
    if attempt is not None:
        answers = domain.answers_by_question(attempt.id)
        stages = shown_stages(attempt, quiz, answers)
        scored = [q for q in domain.attempt_questions(attempt, quiz) if q.scored]
        current_index = current_stage(attempt, quiz)
        here = stages[current_index]["questions"] if current_index < len(stages) else []
        open_here = [q["question"].id for q in here if unanswered(q["answer"])]
        context.update(
            stages=stages,
            current_index=current_index,
            open_here=open_here,
            total_here=len(here),
            # The step that asks before open questions lock (the page without the script).
            confirm_next=request.args.get("bevestigen") == "volgende" and bool(open_here),
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


@bp.post("/<course_slug>/<quiz_slug>/opslaan")
@login_to_answer
@limiter.limit(_save_limit, key_func=user_or_address)
def save(course_slug: str, quiz_slug: str) -> Any:
    """Save the current stage's answers (a form post, or the autosave's fetch: JSON)."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt, saved = _attempt_to_save(quiz)
    if attempt.submitted_at is not None:
        outcome = StageSave(current_stage(attempt, quiz), errors={"": str(SUBMITTED)})
    else:
        outcome = _save_stage(attempt, quiz, saved, send=False)
        if quiz.mode == "formative" and not outcome.errors and not wants_json():
            # "Controleer mijn antwoorden" with a question left open: say so beside it.
            outcome.errors = {
                question_id: str(NOTHING_CHOSEN) for question_id in outcome.open_scored
            }
    domain.commit_save(outcome.unsent)  # the writes with the COMMIT where the database allows
    if wants_json():
        body: dict[str, Any] = {
            "saved": not outcome.errors,
            "errors": _json_errors(quiz, outcome.errors),
            "versions": outcome.versions,
            "question_errors": {key: text for key, text in outcome.errors.items() if key},
        }
        if outcome.stale:
            body.update(stale=True, reload_url=_quiz_url(quiz, outcome.stage_index))
        return jsonify(body), 200 if not outcome.errors else 409
    if attempt.submitted_at is not None:
        flash(SUBMITTED, "error")
        return _result_redirect(quiz, attempt)
    if outcome.errors:
        _keep_errors(quiz, outcome.errors)
    elif quiz.mode == "summative":
        flash(gettext("Je antwoorden zijn opgeslagen."), "success")
    return _back(quiz, outcome.stage_index)


@bp.post("/<course_slug>/<quiz_slug>/volgende")
@login_to_answer
def next_stage(course_slug: str, quiz_slug: str) -> Any:
    """Save the current stage, then open the next one (which locks the earlier answers).

    With questions still open the learner confirms first: the page shows how many and asks
    again (the script asks before posting, and then sends `bevestigd`).
    """
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt = _target_attempt(quiz)
    if attempt.submitted_at is not None:
        return _result_redirect(quiz, attempt)
    outcome = _save_stage(attempt, quiz)
    db.session.commit()
    if outcome.errors:
        double_click = outcome.wrong_stage and outcome.stage_index == attempt.stages_revealed - 2
        if not double_click:
            _keep_errors(quiz, outcome.errors)
        # Nothing opens until the answers are saved; a double click lands on the new stage.
        return _back(quiz, attempt.stages_revealed - 1)
    if outcome.open_ids and request.form.get("bevestigd") != "1":
        return redirect(_quiz_url(quiz, anchor="bevestigen", bevestigen="volgende"))
    opened = domain.reveal_next_stage(attempt, quiz, from_stage=outcome.stage_index)
    db.session.commit()
    if opened:
        flash(
            gettext(
                "Het volgende deel is geopend. Je antwoorden in de vorige delen liggen nu vast, "
                "net als in een echt consult: wat je eerder besloot, kun je niet terugdraaien."
            ),
            "info",
        )
    return _back(quiz, attempt.stages_revealed - 1)


@bp.post("/<course_slug>/<quiz_slug>/inleveren")
@login_to_answer
def submit(course_slug: str, quiz_slug: str) -> Any:
    """Save the last stage and submit the attempt (once, however often this is posted)."""
    _, quiz = _course_and_quiz(course_slug, quiz_slug)
    _require_form()
    attempt = _target_attempt(quiz)
    if attempt.submitted_at is None:
        outcome = _save_stage(attempt, quiz)
        if outcome.errors:
            db.session.commit()
            _keep_errors(quiz, outcome.errors)
            return _back(quiz, outcome.stage_index)
    try:
        domain.submit(attempt.id, quiz)
    except QuizError as exc:
        db.session.commit()
        _keep_errors(quiz, {"": str(exc)})
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
    stages = [] if key_closed else reviewed_stages(parts, answers)
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
        form=EmptyForm(),
        course_url=_course_url(course),
        changed=attempt.quiz_version != quiz.content_hash,
        lesson_link=lambda slug: _lesson_link(course, slug),
    )
