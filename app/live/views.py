"""Live-session views: the EKC's control page and projector screen, the participant's phone page,
the polled status, the report. Thin: they read the request, call `sessions`, commit once.

Real time is conditional polling, not server-sent events: all state is one database row whose
`version` changes on every EKC step, so any worker on any machine answers a poll with one indexed
read, mostly a 304; no worker is held open per participant, and no Redis is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required

from ..accounts.access import role_required
from ..audit import audit
from ..content import get_catalog
from ..content.model import Quiz
from ..dates import AMSTERDAM
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..models import Cohort, LiveSession
from ..trainer import cohorts
from ..trainer.cohorts import normalise_code
from ..web import public_url
from . import report, sessions
from .forms import CodeForm, NoteForm, StartForm, StepForm
from .qr import qr_svg

bp = Blueprint("live", __name__, url_prefix="/live")

TRAINER_ROLES = ("trainer", "admin")
STEP_LABELS = {
    "next": lazy_gettext("Volgend deel"),
    "open": lazy_gettext("Vragen openen"),
    "close": lazy_gettext("Vragen sluiten"),
    "reveal": lazy_gettext("Verdeling tonen"),
    "feedback": lazy_gettext("Feedback tonen"),
    "end": lazy_gettext("Sessie beëindigen"),
}
PHASE_LABELS = {
    "lobby": lazy_gettext("Wachten op deelnemers"),
    "shown": lazy_gettext("Casus op het scherm"),
    "open": lazy_gettext("Vragen open"),
    "closed": lazy_gettext("Vragen gesloten"),
    "revealed": lazy_gettext("Verdeling zichtbaar"),
    "feedback": lazy_gettext("Feedback zichtbaar"),
    "ended": lazy_gettext("Afgelopen"),
}


def _quiz_or_404(session: LiveSession) -> Quiz:
    quiz = get_catalog().quiz(session.course_slug, session.quiz_slug)
    if quiz is None:
        abort(404)
    return quiz


def _content_language(session: LiveSession) -> str:
    """The language of the case's text (its course's), for `lang` on the content it shows."""
    course = get_catalog().course(session.course_slug)
    return course.language if course else "nl"


def _by_code_or_404(code: str) -> LiveSession:
    session = sessions.find_by_code(code)
    if session is None:
        abort(404)
    return session


def _owned_or_404(session_id: int) -> LiveSession:
    """The session if the current user leads it; anyone else gets 404 (not even its existence)."""
    session = db.get_or_404(LiveSession, session_id)
    if session.owner_id != current_user.id:
        abort(404)
    return session


def _etag(session: LiveSession | sessions.PollState, for_owner: bool) -> str:
    """Phones follow the EKC's steps only; the EKC's screens also follow joins and answers."""
    tag = f"v{session.version}a{session.activity}" if for_owner else f"v{session.version}"
    return f'"{tag}"'


def _join_link(session: LiveSession) -> str:
    return public_url("live.show", code=sessions.format_code(session.code))


def _failed(response: Any) -> bool:
    """Only tries that did not reach a session count towards the rate limit."""
    return response.status_code != 302


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- participants ----------------------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"], deduct_when=_failed)
def enter() -> Any:
    """Type the code from the EKC's screen."""
    form = CodeForm()
    if form.validate_on_submit():
        session = sessions.find_by_code(form.code.data)
        if session is not None:
            return redirect(url_for("live.show", code=sessions.format_code(session.code)))
        form.code.errors = [sessions.join_problem(None, current_user)]
    return render_template("live/enter.html", form=form)


@bp.get("/<code>")
@login_required
def show(code: str) -> Any:
    """The participant's phone page; for someone not yet in, the page with the join button."""
    session = sessions.find_by_code(code)
    if session is not None and session.owner_id == current_user.id:
        return redirect(url_for("live.lead", session_id=session.id))
    person = sessions.participant(session, current_user) if session else None
    if person is None:
        return render_template(
            "live/join.html",
            session=session,
            quiz=_quiz_or_404(session) if session else None,
            content_lang=_content_language(session) if session else "nl",
            problem=sessions.join_problem(session, current_user),
            code=sessions.format_code(session.code) if session else code,
            form=EmptyForm(),
        )
    quiz = _quiz_or_404(session)
    stage = sessions.current_stage(session, quiz)
    response = Response(
        render_template(
            "live/participant.html",
            session=session,
            quiz=quiz,
            stage=stage,
            questions=sessions.live_questions(stage) if stage else (),
            answerable=sessions.ANSWERABLE,
            distributions=_shown_distributions(session, stage),
            mine=sessions.own_answers(person),
            code=sessions.format_code(session.code),
            etag=_etag(session, for_owner=False),
            phase_label=PHASE_LABELS[session.phase],
            content_lang=_content_language(session),
            form=EmptyForm(),
        )
    )
    return _no_store(response)


def _shown_distributions(session: LiveSession, stage: Any) -> list[Any]:
    """The counts, once the EKC has revealed them (never before: no herd answers)."""
    if stage is None or session.phase not in ("revealed", "feedback"):
        return []
    return sessions.distributions(session, stage)


@bp.post("/<code>/meedoen")
@login_required
@limiter.limit("30 per hour", deduct_when=lambda r: r.status_code == 404)
def join(code: str) -> Any:
    """Join on one button: the QR or link leads to the page that holds it."""
    session = _by_code_or_404(code)
    if EmptyForm().validate_on_submit():
        try:
            _, joined = sessions.join(session, current_user)
        except sessions.LiveError as exc:
            flash(str(exc), "error")
        else:
            if joined:
                db.session.commit()
    return redirect(url_for("live.show", code=sessions.format_code(session.code)))


@bp.post("/<code>/antwoord")
@login_required
def answer(code: str) -> Any:
    """Store the participant's answers to the open questions (changeable while open)."""
    session = _by_code_or_404(code)
    person = sessions.participant(session, current_user)
    if person is None:
        abort(404)
    quiz = _quiz_or_404(session)
    if EmptyForm().validate_on_submit():
        responses = {
            key.removeprefix("answer-"): request.form.getlist(key)
            for key in request.form
            if key.startswith("answer-")
        }
        try:
            stage_index = int(request.form.get("stage", "-1"))
            sessions.save_answers(session, quiz, person, stage_index, responses)
        except ValueError as exc:  # LiveError, or a stage number that is not a number
            message = str(exc) if isinstance(exc, sessions.LiveError) else None
            flash(message or gettext("Ongeldig formulier."), "error")
        else:
            db.session.commit()
            flash(
                gettext(
                    "Je antwoord is ontvangen. Je kunt het wijzigen zolang de vragen open staan."
                ),
                "success",
            )
    return redirect(url_for("live.show", code=sessions.format_code(session.code)))


@bp.get("/<code>/status")
@login_required
def status(code: str) -> Any:
    """The session's counters for polling: a 304 while nothing changed for this caller."""
    state = sessions.poll_state(normalise_code(code), current_user.id)
    if state is None or not (state.is_owner or state.is_participant):
        abort(404)
    etag = _etag(state, for_owner=state.is_owner)
    if request.if_none_match.contains(etag.strip('"')):
        response = Response(status=304)
    else:
        response = jsonify(version=state.version, etag=etag)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- the EKC ---------------------------------------------------------------------------------


def _case_choices() -> list[tuple[str, str] | tuple[str, str, dict[str, str]]]:
    """The cases to play; their titles are content, in the course's language."""
    return [("", gettext("Kies een casus"))] + [
        (f"{course.slug}/{quiz.slug}", f"{quiz.title} ({course.title})", {"lang": course.language})
        for course in get_catalog().courses.values()
        for quiz in course.quizzes.values()
        if quiz.kind == "case"
    ]


@bp.route("/leiden", methods=["GET", "POST"])
@role_required(*TRAINER_ROLES)
def sessions_index() -> Any:
    """Start a live session and list the ones this EKC led."""
    form = StartForm()
    form.case.choices = _case_choices()
    own_cohorts = {str(c.id): c for c, _ in cohorts.visible_cohorts(current_user)}
    form.cohort.choices = [("", gettext("Geen groep: iedereen met de code"))] + [
        (key, c.name) for key, c in own_cohorts.items()
    ]
    if form.validate_on_submit():
        course_slug, _, quiz_slug = form.case.data.partition("/")
        quiz = get_catalog().quiz(course_slug, quiz_slug)
        cohort: Cohort | None = own_cohorts.get(form.cohort.data or "")
        session = sessions.start(current_user, quiz, cohort)
        audit(current_user, "live.start", session, quiz=quiz.slug, cohort_id=session.cohort_id)
        db.session.commit()
        return redirect(url_for("live.lead", session_id=session.id))
    led = db.session.scalars(
        db.select(LiveSession)
        .where(LiveSession.owner_id == current_user.id)
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "live/sessions.html",
        form=form,
        led=led,
        catalog=get_catalog(),
        format_code=sessions.format_code,
        phase_labels=PHASE_LABELS,
    )


def _screen_context(session: LiveSession) -> dict[str, Any]:
    """What both the control page and the projector screen show."""
    quiz = _quiz_or_404(session)
    stage = sessions.current_stage(session, quiz)
    link = _join_link(session)
    return {
        "session": session,
        "quiz": quiz,
        "stage": stage,
        "questions": sessions.live_questions(stage) if stage else (),
        "answerable": sessions.ANSWERABLE,
        "distributions": _shown_distributions(session, stage),
        "answered": _answered(session, stage),
        "participants": sessions.participant_count(session),
        "code": sessions.format_code(session.code),
        "join_link": link,
        # Short enough to type from the projector: the page that asks for the code.
        "join_address": public_url("live.enter").split("://", 1)[-1],
        "qr": qr_svg(link, gettext("QR-code om mee te doen: %(link)s", link=link)),
        "etag": _etag(session, for_owner=True),
        "phase_label": PHASE_LABELS[session.phase],
        "content_lang": _content_language(session),
    }


def _answered(session: LiveSession, stage: Any) -> int:
    """How many participants answered at least one question of the stage (a count only)."""
    if stage is None:
        return 0
    return max((d.answered for d in sessions.distributions(session, stage)), default=0)


@bp.get("/sessie/<int:session_id>")
@role_required(*TRAINER_ROLES)
def lead(session_id: int) -> Any:
    """The EKC's control page: the steps, the discussion prompts, the notes."""
    session = _owned_or_404(session_id)
    context = _screen_context(session)
    stage = context["stage"]
    note = sessions.notes(session).get(stage.id, "") if stage else ""
    return _no_store(
        Response(
            render_template(
                "live/lead.html",
                **context,
                steps=[
                    (s, STEP_LABELS[s]) for s in sessions.allowed_steps(session, context["quiz"])
                ],
                step_form=StepForm(),
                note_form=NoteForm(data={"stage": stage.id if stage else "", "text": note}),
            )
        )
    )


@bp.get("/sessie/<int:session_id>/scherm")
@role_required(*TRAINER_ROLES)
def screen(session_id: int) -> Any:
    """The projector screen: large type, high contrast, no controls, no prompts, no names."""
    session = _owned_or_404(session_id)
    return _no_store(Response(render_template("live/screen.html", **_screen_context(session))))


@bp.post("/sessie/<int:session_id>/stap")
@role_required(*TRAINER_ROLES)
def step(session_id: int) -> Any:
    """Take the EKC's next step; every screen follows within a second or two."""
    session = _owned_or_404(session_id)
    quiz = _quiz_or_404(session)
    form = StepForm()
    if form.validate_on_submit():
        try:
            sessions.take_step(session, quiz, form.step.data)
        except sessions.LiveError as exc:
            flash(str(exc), "error")
        else:
            if session.phase == "ended":
                audit(
                    current_user,
                    "live.end",
                    session,
                    participants=sessions.participant_count(session),
                )
            db.session.commit()
    return redirect(url_for("live.lead", session_id=session.id))


@bp.post("/sessie/<int:session_id>/notitie")
@role_required(*TRAINER_ROLES)
def note(session_id: int) -> Any:
    """Save the EKC's note on a stage, for the report."""
    session = _owned_or_404(session_id)
    quiz = _quiz_or_404(session)
    form = NoteForm()
    if form.validate_on_submit() and any(s.id == form.stage.data for s in quiz.stages):
        sessions.save_note(session, form.stage.data, form.text.data or "")
        db.session.commit()
        flash(gettext("De notitie is opgeslagen."), "success")
    else:
        reason = " ".join(str(error) for error in form.text.errors)
        flash(
            gettext("De notitie is niet opgeslagen: %(reason)s", reason=reason)
            if reason
            else gettext("De notitie is niet opgeslagen: ongeldig formulier."),
            "error",
        )
    return redirect(url_for("live.lead", session_id=session.id))


def _report(session: LiveSession) -> report.Report:
    quiz = _quiz_or_404(session)
    course = get_catalog().course(session.course_slug)
    return sessions.build_report(session, quiz, course.title if course else session.course_slug)


def _day(session: LiveSession) -> str:
    return session.started_at.astimezone(AMSTERDAM).date().isoformat()


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    if mimetype == "text/csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _no_store(response)


@bp.get("/sessie/<int:session_id>/verslag.pdf")
@role_required(*TRAINER_ROLES)
def report_pdf(session_id: int) -> Any:
    """The report for the toetsgroep's records (EKC only, audit-logged)."""
    session = _owned_or_404(session_id)
    facts = _report(session)
    pdf = report.render_pdf(facts, Path(current_app.config["CERTIFICATES_DIR"]) / "fonts")
    audit(current_user, "live.report", session, participants=len(facts.attendees))
    db.session.commit()
    name = f"signaal-toetsgroep-{_day(session)}-{session.quiz_slug}.pdf"
    return _download(pdf, "application/pdf", name)


@bp.get("/sessie/<int:session_id>/presentielijst.csv")
@role_required(*TRAINER_ROLES)
def attendance_csv(session_id: int) -> Any:
    """The attendance list with BIG numbers (EKC only, audit-logged)."""
    session = _owned_or_404(session_id)
    facts = _report(session)
    audit(current_user, "live.attendance", session, participants=len(facts.attendees))
    db.session.commit()
    name = f"signaal-presentielijst-{_day(session)}-{session.quiz_slug}.csv"
    return _download(report.attendance_csv(facts), "text/csv", name)
