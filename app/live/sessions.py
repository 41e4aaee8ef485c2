"""Live-session rules: start, join, the EKC's steps through the case, answers, distributions, notes.

Functions add and flush; the view commits. Live answers are never attempts and never shown per
person: everything read back from them here is a count.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import and_, func, select, update

from .. import clock
from ..content.model import Question, Quiz, Stage
from ..extensions import db
from ..models import (
    Cohort,
    CohortMember,
    LiveAnswer,
    LiveNote,
    LiveParticipant,
    LiveSession,
    User,
)
from ..trainer.cohorts import CODE_ALPHABET, normalise_code
from .report import Attendee, Distribution, Report, StageReport

CODE_LENGTH = 6
#: Question types a participant answers on the phone; the others are shown for discussion only.
ANSWERABLE = ("single", "multiple")
NOTE_MAX = 2000

#: The EKC's step -> (phases it may be taken from, phase it leads to).
STEPS = {
    "open": (("shown",), "open"),
    "close": (("open",), "closed"),
    "reveal": (("closed",), "revealed"),
    "feedback": (("revealed",), "feedback"),
}
STAGE_PHASES = ("shown", "open", "closed", "revealed", "feedback")


class LiveError(ValueError):
    """A step or answer is not possible now; the message says why and what to do next."""


# --- the case as played live -----------------------------------------------------------------


def live_questions(stage: Stage) -> tuple[Question, ...]:
    """One variant per question group: the primary (first in the file)."""
    return tuple(group[0] for group in stage.groups)


def answerable(stage: Stage) -> tuple[Question, ...]:
    """The stage's live questions that participants answer on their phone."""
    return tuple(q for q in live_questions(stage) if q.type in ANSWERABLE)


def current_stage(session: LiveSession, quiz: Quiz) -> Stage | None:
    """The stage on screen, or None in the lobby and after the end."""
    if session.phase not in STAGE_PHASES:
        return None
    return quiz.stages[min(session.stage_index, len(quiz.stages) - 1)]


# --- start and join --------------------------------------------------------------------------


def new_code() -> str:
    """A random code no live session uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(LiveSession.id).where(LiveSession.code == code)) is None:
            return code


def format_code(code: str) -> str:
    """Show a code as two groups of three, easier to read aloud from a projector."""
    return f"{code[:3]}-{code[3:]}" if len(code) == CODE_LENGTH else code


def start(owner: User, quiz: Quiz, cohort: Cohort | None = None) -> LiveSession:
    """A new session in the lobby, led by this EKC."""
    session = LiveSession(
        code=new_code(),
        owner_id=owner.id,
        cohort_id=cohort.id if cohort is not None else None,
        course_slug=quiz.course_slug,
        quiz_slug=quiz.slug,
        quiz_version=quiz.content_hash,
        stage_index=0,
        phase="lobby",
        version=1,
        activity=0,
    )
    db.session.add(session)
    db.session.flush()
    return session


def find_by_code(raw: str) -> LiveSession | None:
    code = normalise_code(raw)
    if not code:
        return None
    return db.session.scalar(select(LiveSession).where(LiveSession.code == code))


def join_problem(session: LiveSession | None, user: User) -> str | None:
    """Why this person cannot join (a sentence for them), or None."""
    if session is None:
        return gettext(
            "Deze code kennen we niet. De code staat op het scherm van de EKC en heeft "
            "%(length)s tekens, bijvoorbeeld ABC-234.",
            length=CODE_LENGTH,
        )
    if session.phase == "ended":
        return gettext("Deze sessie is afgelopen. Meedoen kan niet meer.")
    if session.owner_id == user.id:
        return gettext("Je leidt deze sessie zelf; deelnemers doen mee op hun eigen telefoon.")
    if session.cohort_id is not None and (
        db.session.get(CohortMember, (session.cohort_id, user.id)) is None
    ):
        return gettext(
            "Deze sessie is alleen voor de leden van een groep. Vraag de EKC hoe je aansluit."
        )
    return None


def participant(session: LiveSession, user: User) -> LiveParticipant | None:
    return db.session.scalar(
        select(LiveParticipant).where(
            LiveParticipant.session_id == session.id, LiveParticipant.user_id == user.id
        )
    )


def join(session: LiveSession, user: User) -> tuple[LiveParticipant, bool]:
    """Join the session: (participant, newly joined); LiveError says why not."""
    existing = participant(session, user)
    if existing is not None:
        return existing, False
    problem = join_problem(session, user)
    if problem:
        raise LiveError(problem)
    joined = LiveParticipant(session_id=session.id, user_id=user.id)
    db.session.add(joined)
    _touch(session)
    db.session.flush()
    return joined, True


def _touch(session: LiveSession) -> None:
    """Tell the EKC's screens something changed (joins, answers), without waking the phones."""
    db.session.execute(
        update(LiveSession)
        .where(LiveSession.id == session.id)
        .values(activity=LiveSession.activity + 1)
    )


# --- the EKC's steps -------------------------------------------------------------------------


def allowed_steps(session: LiveSession, quiz: Quiz) -> tuple[str, ...]:
    """The steps the EKC can take now, in the order the buttons show them."""
    if session.phase == "ended":
        return ()
    if session.phase == "lobby":
        return ("next", "end")
    stage = current_stage(session, quiz)
    assert stage is not None
    steps = [step for step, (sources, _) in STEPS.items() if session.phase in sources]
    if not answerable(stage) and session.phase == "shown":
        # Nothing to answer: straight to the feedback (ordering, reflection, vignette only).
        steps = ["feedback"]
    if session.stage_index + 1 < len(quiz.stages):
        steps.append("next")
    steps.append("end")
    return tuple(steps)


def take_step(session: LiveSession, quiz: Quiz, step: str) -> None:
    """Move the session one step on; every screen follows because the version changes."""
    if step not in allowed_steps(session, quiz):
        raise LiveError(gettext("Deze stap kan nu niet; de pagina is bijgewerkt met wat wel kan."))
    if step == "next":
        if session.phase != "lobby":
            session.stage_index += 1
        session.phase = "shown"
    elif step == "end":
        session.phase = "ended"
        session.ended_at = clock.now()
    else:
        session.phase = STEPS[step][1]
    session.version += 1
    db.session.flush()


# --- answers and what is shown of them -------------------------------------------------------


def save_answers(
    session: LiveSession,
    quiz: Quiz,
    person: LiveParticipant,
    stage_index: int,
    responses: dict[str, list[str]],
) -> int:
    """Store (or change) this participant's answers while answering is open; return how many."""
    if session.phase != "open" or stage_index != session.stage_index:
        raise LiveError(
            gettext("Antwoorden kan nu niet: de EKC heeft de vragen gesloten of is verder.")
        )
    stage = current_stage(session, quiz)
    assert stage is not None
    saved = 0
    for question in answerable(stage):
        chosen = [o for o in responses.get(question.id, []) if question.option(o) is not None]
        if not chosen:
            continue
        if question.type == "single":
            chosen = chosen[:1]
        chosen = sorted(set(chosen), key=[o.id for o in question.options].index)
        answer = db.session.scalar(
            select(LiveAnswer).where(
                LiveAnswer.participant_id == person.id, LiveAnswer.question_id == question.id
            )
        )
        if answer is None:
            db.session.add(
                LiveAnswer(
                    session_id=session.id,
                    participant_id=person.id,
                    question_id=question.id,
                    response=chosen,
                )
            )
        else:
            answer.response = chosen
            answer.answered_at = clock.now()
        saved += 1
    if not saved:
        raise LiveError(gettext("Kies eerst een antwoord en verstuur het dan."))
    _touch(session)
    db.session.flush()
    return saved


def own_answers(person: LiveParticipant) -> dict[str, list[str]]:
    """This participant's own answers, for their own phone only."""
    rows = db.session.execute(
        select(LiveAnswer.question_id, LiveAnswer.response).where(
            LiveAnswer.participant_id == person.id
        )
    )
    return {question_id: list(response) for question_id, response in rows}


def distributions(session: LiveSession, stage: Stage) -> list[Distribution]:
    """The group's answers to the stage's answerable questions, as counts per option."""
    questions = answerable(stage)
    rows = db.session.execute(
        select(LiveAnswer.question_id, LiveAnswer.response).where(
            LiveAnswer.session_id == session.id,
            LiveAnswer.question_id.in_([q.id for q in questions]),
        )
    ).all()
    result = []
    for question in questions:
        responses = [response for question_id, response in rows if question_id == question.id]
        tally = Counter(option_id for response in responses for option_id in response)
        result.append(
            Distribution(
                question=question,
                counts=tuple((option, tally[option.id]) for option in question.options),
                answered=len(responses),
            )
        )
    return result


def participant_count(session: LiveSession) -> int:
    return db.session.scalar(select(func.count()).where(LiveParticipant.session_id == session.id))


def attendance(session: LiveSession) -> list[User]:
    """The people who joined, by surname: for the EKC's report and attendance list only."""
    users = db.session.scalars(
        select(User)
        .join(LiveParticipant, LiveParticipant.user_id == User.id)
        .where(LiveParticipant.session_id == session.id)
    ).all()
    return sorted(users, key=lambda u: (u.surname.lower(), u.first_name.lower(), u.id))


# --- notes ------------------------------------------------------------------------------------


def notes(session: LiveSession) -> dict[str, str]:
    """The EKC's notes by stage id."""
    rows = db.session.execute(
        select(LiveNote.stage_id, LiveNote.text).where(LiveNote.session_id == session.id)
    )
    return {stage_id: text for stage_id, text in rows}


def save_note(session: LiveSession, stage_id: str, text: str) -> None:
    """Store the EKC's note on one stage (empty text keeps an empty note)."""
    note = db.session.scalar(
        select(LiveNote).where(LiveNote.session_id == session.id, LiveNote.stage_id == stage_id)
    )
    if note is None:
        note = LiveNote(session_id=session.id, stage_id=stage_id)
        db.session.add(note)
    note.text = text.strip()[:NOTE_MAX]
    note.updated_at = clock.now()
    db.session.flush()


# --- polling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollState:
    version: int
    activity: int
    is_owner: bool
    is_participant: bool


def poll_state(code: str, user_id: int) -> PollState | None:
    """One indexed read of the counters and the caller's place: what every poll needs."""
    row = db.session.execute(
        select(LiveSession.version, LiveSession.activity, LiveSession.owner_id, LiveParticipant.id)
        .outerjoin(
            LiveParticipant,
            and_(LiveParticipant.session_id == LiveSession.id, LiveParticipant.user_id == user_id),
        )
        .where(LiveSession.code == code)
    ).first()
    if row is None:
        return None
    version, activity, owner_id, participant_id = row
    return PollState(version, activity, owner_id == user_id, participant_id is not None)


# --- the report ------------------------------------------------------------------------------


def build_report(session: LiveSession, quiz: Quiz, course_title: str) -> Report:
    """Everything the report and the attendance list print, read once."""
    written = notes(session)
    played = quiz.stages[: session.stage_index + 1] if session.phase != "lobby" else ()
    return Report(
        case_title=quiz.title,
        course_title=course_title,
        ekc=session.owner.formal_name if session.owner else "",
        cohort=session.cohort.name if session.cohort else "",
        started_at=session.started_at,
        ended_at=session.ended_at,
        attendees=tuple(
            Attendee(u.formal_name, u.big_number or "", u.profession_label)
            for u in attendance(session)
        ),
        stages=tuple(
            StageReport(
                title=stage.title,
                distributions=tuple(distributions(session, stage)),
                note=written.get(stage.id, ""),
            )
            for stage in played
        ),
    )
