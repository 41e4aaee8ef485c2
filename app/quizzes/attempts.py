"""Attempts: start or resume, save answers stage by stage, reveal stages, submit exactly once.

Also the status others read (learning course page, certificates, trainer overviews):
`quiz_status`, `assessment_status` and `assessment_status_for_users`.
Functions flush, never commit: the view owns the transaction. The one exception is
`commit_save`, which the save view calls instead of committing, so that the answer writes can
go with the COMMIT.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask_babel import gettext, lazy_gettext
from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..content.model import Course, Question, Quiz, Stage
from ..driver import compiled, sqlalchemy_errors
from ..extensions import db
from ..models import Answer, Attempt, AttemptGrant, LearnerStanding
from ..trainer.queries import record_submission
from . import grading

#: Longest reflection we store, in characters.
REFLECTION_MAX = 5000


class QuizError(Exception):
    """A request the quiz rules refuse; the message is a sentence for the learner, in their language."""


class AttemptLimitReached(QuizError):
    """Every allowed attempt has been used."""


@dataclass(frozen=True)
class QuizStatus:
    #: Best score (0..1) over the submitted attempts; None before the first submission.
    best_score: float | None
    passed: bool
    #: Attempts started, the open one included.
    attempts_used: int
    #: The quiz's attempts plus the extra attempts trainers granted.
    attempts_allowed: int
    open_attempt: bool
    #: When the first passing attempt was submitted (UTC).
    passed_at: dt.datetime | None

    @property
    def attempts_left(self) -> int:
        return max(0, self.attempts_allowed - self.attempts_used)

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)

    @property
    def retakes_remain(self) -> bool:
        """Whether the learner may still try again (or is trying now) without having passed.

        While this holds, a summative result keeps its key to itself: a retake should test
        knowledge, not the memory of last time's answers.
        """
        return not self.passed and (self.attempts_left > 0 or self.open_attempt)


@dataclass(frozen=True)
class Submission:
    """The stored outcome of a submitted attempt."""

    attempt_id: int
    number: int
    score: float
    passed: bool
    submitted_at: dt.datetime
    #: False when the attempt had already been submitted (a double click, a second request).
    graded_now: bool


# --- reading ---------------------------------------------------------------------------------


def attempts_of(user_id: int, course_slug: str, quiz_slug: str) -> list[Attempt]:
    """The learner's attempts at a quiz, first to last."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user_id,
                Attempt.course_slug == course_slug,
                Attempt.quiz_slug == quiz_slug,
            )
            .order_by(Attempt.number)
        )
    )


def open_attempt(user_id: int, course_slug: str, quiz_slug: str) -> Attempt | None:
    """The learner's unsubmitted attempt at this quiz, if any."""
    return db.session.scalars(
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.course_slug == course_slug,
            Attempt.quiz_slug == quiz_slug,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    ).first()


def attempt_by_number(
    user_id: int, course_slug: str, quiz_slug: str, number: int
) -> Attempt | None:
    return db.session.scalars(
        select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.course_slug == course_slug,
            Attempt.quiz_slug == quiz_slug,
            Attempt.number == number,
        )
    ).first()


def attempts_allowed(user_id: int, course_slug: str, quiz: Quiz) -> int:
    """The quiz's attempts plus every extra attempt a trainer granted."""
    grants = db.session.scalar(
        select(func.count(AttemptGrant.id)).where(
            AttemptGrant.user_id == user_id,
            AttemptGrant.course_slug == course_slug,
            AttemptGrant.quiz_slug == quiz.slug,
        )
    )
    return quiz.attempts + (grants or 0)


def lock_attempt(attempt_id: int) -> Attempt | None:
    """Lock the attempt row for this transaction and return its current state.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, where
    SELECT ... FOR UPDATE does not exist; a parallel request waits here until we commit, then
    reads what we wrote (say, that the attempt is now submitted). RETURNING loads the row in
    the same statement.
    """
    return _lock(Attempt.id == attempt_id)


def lock_attempt_by_number(
    user_id: int, course_slug: str, quiz_slug: str, number: int
) -> Attempt | None:
    """`lock_attempt` for the learner's n-th attempt at a quiz (one statement, no lookup first)."""
    return _lock(
        Attempt.user_id == user_id,
        Attempt.course_slug == course_slug,
        Attempt.quiz_slug == quiz_slug,
        Attempt.number == number,
    )


_ATTEMPT = Attempt.__table__
_ANSWER = Answer.__table__
#: `lock_attempt_by_number` as one Core statement built once, returning what a save reads.
_LOCK_FOR_SAVE = (
    update(_ATTEMPT)
    .where(
        _ATTEMPT.c.user_id == bindparam("b_user_id"),
        _ATTEMPT.c.course_slug == bindparam("b_course_slug"),
        _ATTEMPT.c.quiz_slug == bindparam("b_quiz_slug"),
        _ATTEMPT.c.number == bindparam("b_number"),
    )
    .values(stages_revealed=_ATTEMPT.c.stages_revealed)
    .returning(
        _ATTEMPT.c.id,
        _ATTEMPT.c.number,
        _ATTEMPT.c.stages_revealed,
        _ATTEMPT.c.submitted_at,
        _ATTEMPT.c.question_ids,
    )
)


#: A save's read of the answers, by the attempt's number (so it can go with the lock).
_READ_SAVED_BY_NUMBER = (
    select(_ANSWER.c.question_id, _ANSWER.c.response, _ANSWER.c.shared, _ANSWER.c.version)
    .join(_ATTEMPT, _ATTEMPT.c.id == _ANSWER.c.attempt_id)
    .where(
        _ATTEMPT.c.user_id == bindparam("b_user_id"),
        _ATTEMPT.c.course_slug == bindparam("b_course_slug"),
        _ATTEMPT.c.quiz_slug == bindparam("b_quiz_slug"),
        _ATTEMPT.c.number == bindparam("b_number"),
    )
)


#: SQLite: the lock returning the attempt's saved answers too, as one JSON array of
#: [question id, response, shared, version]. One statement suffices there: the UPDATE takes the
#: database's write lock before it reads anything (starting afresh when it had to wait for it),
#: so what it returns is the latest committed.
_LOCK_AND_READ_SQLITE = _LOCK_FOR_SAVE.returning(
    select(
        func.json_group_array(
            func.json_array(
                _ANSWER.c.question_id,
                func.json(_ANSWER.c.response),
                _ANSWER.c.shared,
                _ANSWER.c.version,
            )
        )
    )
    # Spelled out: SQLite's RETURNING names columns bare, and a bare "id" here is the answer's.
    .where(_ANSWER.c.attempt_id == literal_column("attempt.id"))
    .scalar_subquery()
)


class LockedAttempt(NamedTuple):
    """What a save reads of the attempt it locked."""

    id: int
    number: int
    stages_revealed: int
    submitted_at: dt.datetime | None
    question_ids: list[str] | None


def lock_and_read_for_save(
    user_id: int, course_slug: str, quiz_slug: str, number: int
) -> tuple[LockedAttempt | None, dict[str, SavedAnswer]]:
    """`lock_attempt_by_number` and then `saved_answers`, for a save, which only reads the
    attempt: the same lock, the attempt as a plain row (None without one, no ORM object to
    build) and its saved answers, read once the lock is held.

    On SQLite one statement does both (`_LOCK_AND_READ_SQLITE`). On PostgreSQL (psycopg) the
    two statements go in one round trip (pipeline mode; the driver's BEGIN, when none was sent
    yet, still goes first on its own).
    The read is still a statement of its own after the lock's: under READ COMMITTED it takes a
    fresh snapshot, so it sees whatever a request that held the lock before committed (one
    statement doing both would read from before the wait).
    """
    values = {
        "b_user_id": user_id,
        "b_course_slug": course_slug,
        "b_quiz_slug": quiz_slug,
        "b_number": number,
    }
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        found = connection.execute(_LOCK_AND_READ_SQLITE, values).first()
        if found is None:
            return None, {}
        saved = {
            question_id: SavedAnswer(question_id, response, bool(shared), version)
            for question_id, response, shared, version in json.loads(found[-1])
        }
        return LockedAttempt(*found[:-1]), saved
    if _can_pipeline(connection):
        found, rows = _pipelined(connection, values)
    else:
        found = connection.execute(_LOCK_FOR_SAVE, values).first()
        rows = connection.execute(_READ_SAVED_BY_NUMBER, values) if found is not None else []
    attempt = LockedAttempt(*found) if found is not None else None
    return attempt, {row[0]: SavedAnswer(*row) for row in rows}


def _can_pipeline(connection: Any) -> bool:
    """psycopg on a libpq with pipeline mode (14 and later)."""
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return False
    return bool(dialect.loaded_dbapi.Pipeline.is_supported())


def _pipelined(connection: Any, values: dict[str, Any]) -> tuple[Any, list[list[Any]]]:
    dialect = connection.dialect
    lock = compiled(_LOCK_FOR_SAVE, dialect)
    read = compiled(_READ_SAVED_BY_NUMBER, dialect)
    driver = connection.connection.driver_connection
    parameters = lock.parameters(values)
    with (
        sqlalchemy_errors(dialect, lock.sql, parameters, connection),
        driver.cursor() as locking,
        driver.cursor() as reading,
    ):
        with driver.pipeline():  # sent together, answered together
            locking.execute(lock.sql, parameters)
            reading.execute(read.sql, read.parameters(values))
        found = locking.fetchone()
        rows = reading.fetchall()
    return (lock.row(found) if found is not None else None), [read.row(row) for row in rows]


def _lock(*where: Any) -> Attempt | None:
    return db.session.scalars(
        update(Attempt)
        .where(*where)
        .values(stages_revealed=Attempt.stages_revealed)
        .returning(Attempt),
        execution_options={"synchronize_session": False, "populate_existing": True},
    ).first()


# --- the questions an attempt draws ------------------------------------------------------------


def draw_questions(quiz: Quiz, had: Counter[str], seed: str) -> list[str]:
    """One question per group of every stage: a variant the learner has had least often.

    `had` counts how often each question id appeared in the learner's earlier attempts; among
    the least-seen variants the choice is random, and the same seed gives the same draw.
    """
    rng = random.Random(seed)
    drawn = []
    for stage in quiz.stages:
        for group in stage.groups:
            fewest = min(had[question.id] for question in group)
            drawn.append(rng.choice([q for q in group if had[q.id] == fewest]).id)
    return drawn


def stage_questions(attempt: Attempt, stage: Stage) -> tuple[Question, ...]:
    """The questions of this stage that the attempt shows and grades, in file order.

    Questions that left the file since the attempt drew them are gone (and no longer count);
    an attempt from before variants shows the primary questions, as it always did.
    """
    if attempt.question_ids is None:
        return tuple(question for question in stage.questions if question.primary)
    drawn = set(attempt.question_ids)
    return tuple(question for question in stage.questions if question.id in drawn)


def attempt_questions(attempt: Attempt, quiz: Quiz) -> tuple[Question, ...]:
    """Every question the attempt shows and grades, stage by stage."""
    return tuple(q for stage in quiz.stages for q in stage_questions(attempt, stage))


def _had(attempts: Iterable[Attempt], quiz: Quiz) -> Counter[str]:
    had: Counter[str] = Counter()
    for attempt in attempts:
        if attempt.question_ids is None:
            had.update(question.id for question in quiz.primary_questions)
        else:
            had.update(attempt.question_ids)
    return had


# --- starting --------------------------------------------------------------------------------


def start_attempt(user_id: int, quiz: Quiz) -> Attempt:
    """Resume the open attempt, or start the next one if the learner has attempts left."""
    # One read gives both answers (is there an open attempt, which number comes next), so a
    # parallel start cannot slip in between them; only the latest attempt can be open.
    latest = db.session.scalars(
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.course_slug == quiz.course_slug,
            Attempt.quiz_slug == quiz.slug,
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.submitted_at is None:
        return latest
    used = latest.number if latest is not None else 0
    allowed = attempts_allowed(user_id, quiz.course_slug, quiz)
    if used >= allowed:
        raise AttemptLimitReached(
            gettext(
                "Je hebt al je pogingen voor deze toets gebruikt (%(used)s van %(allowed)s). "
                "Wil je het nog een keer proberen? Vraag je opleider om een extra poging: "
                "die kan dat geven op de overzichtspagina van je groep.",
                used=used,
                allowed=allowed,
            )
        )
    earlier = attempts_of(user_id, quiz.course_slug, quiz.slug)
    attempt = Attempt(
        user_id=user_id,
        course_slug=quiz.course_slug,
        quiz_slug=quiz.slug,
        number=used + 1,
        quiz_version=quiz.content_hash,
        pass_mark=quiz.pass_mark,
        stages_revealed=1,
        started_at=clock.now(),
        # Seeded by the attempt's identity: a parallel start draws the same questions.
        question_ids=draw_questions(
            quiz, _had(earlier, quiz), f"{user_id}:{quiz.course_slug}:{quiz.slug}:{used + 1}"
        ),
    )
    try:
        # Two parallel starts (a double click) compute the same number; the unique key lets
        # one insert win and the other load that attempt instead of starting a second one.
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        winner = attempt_by_number(user_id, quiz.course_slug, quiz.slug, used + 1)
        if winner is None:  # pragma: no cover - the row that collided must exist
            raise
        return winner
    return attempt


def grant_attempt(
    user_id: int, course_slug: str, quiz_slug: str, granted_by: int | None
) -> AttemptGrant:
    """Give the learner one extra attempt at a quiz (a trainer's decision)."""
    grant = AttemptGrant(
        user_id=user_id,
        course_slug=course_slug,
        quiz_slug=quiz_slug,
        granted_by_id=granted_by,
        created_at=clock.now(),
    )
    db.session.add(grant)
    LearnerStanding.forget(user_id, course_slug)
    db.session.flush()
    return grant


# --- answering -------------------------------------------------------------------------------


def stage_locked(attempt: Attempt, stage_index: int) -> bool:
    """Whether answers in this stage can no longer change (a later stage has been opened)."""
    return stage_index < attempt.stages_revealed - 1


def normalise_response(question: Question, response: Any) -> Any:
    """Check a response against the question and return it in its stored form.

    Choice and ordering questions store a list of option ids, reflections their text.
    """
    if question.type == "reflection":
        if not isinstance(response, str):
            raise QuizError(gettext("Vul je antwoord in als tekst."))
        text = response.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > REFLECTION_MAX:
            raise QuizError(
                gettext(
                    "Je antwoord is %(length)s tekens lang; het mag hoogstens %(max)s "
                    "tekens zijn. Maak het wat korter.",
                    length=len(text),
                    max=REFLECTION_MAX,
                )
            )
        return text
    if isinstance(response, str):
        response = [response]
    if not isinstance(response, list | tuple) or not all(isinstance(i, str) for i in response):
        raise QuizError(gettext("Dit antwoord kunnen we niet lezen. Kies opnieuw en sla op."))
    known = [option.id for option in question.options]
    unknown = [item for item in response if item not in known]
    if unknown:
        raise QuizError(
            gettext(
                "Je antwoord noemt een keuze die bij deze vraag niet bestaat. "
                "Laad de pagina opnieuw en kies opnieuw."
            )
        )
    if question.type == "single":
        if len(set(response)) != 1:
            raise QuizError(gettext("Kies precies één antwoord."))
        return [response[0]]
    if question.type == "multiple":
        chosen = set(response)
        return [option_id for option_id in known if option_id in chosen]
    if question.type == "ordering":
        if sorted(response) != sorted(known):
            raise QuizError(gettext("Geef elke stap precies één plaats in de volgorde."))
        return list(response)
    raise QuizError(
        gettext("Onbekend vraagtype.")
    )  # pragma: no cover - the loader allows no others


def readable_answer(question: Question, response: Any) -> str:
    """The answer in words, so a trainer can read it even after the content changes."""
    if question.type == "reflection":
        return str(response)
    texts = [option.text for option_id in response if (option := question.option(option_id))]
    if question.type == "ordering":
        return " | ".join(f"{n}. {text}" for n, text in enumerate(texts, start=1))
    return " | ".join(texts)


STALE_ANSWER = lazy_gettext(
    "Dit antwoord is in een ander tabblad of op een ander apparaat gewijzigd nadat je deze "
    "pagina opende. We hebben de oudere versie van deze pagina niet opgeslagen, zodat je "
    "nieuwere antwoord blijft staan."
)


class StaleAnswer(QuizError):
    """The answer changed after the page that sent this save was loaded."""


@dataclass(frozen=True)
class PostedAnswer:
    """One answer as a page sent it."""

    question_id: str
    #: A list of option ids (choice, ordering) or the text (reflection); None = not answered.
    response: Any
    shared: bool = False
    #: The answer's version the page showed (0: not answered then); None: the page sent none.
    version: int | None = None


@dataclass(frozen=True)
class SaveResult:
    #: Per question saved or already up to date: the version now stored.
    versions: dict[str, int]
    #: Per question refused: why (a StaleAnswer when a newer answer was kept).
    errors: dict[str, QuizError]
    #: With `save_answers(..., send=False)`: the writes, for `commit_save` to send.
    unsent: AnswerWrites | None = None

    @property
    def stale(self) -> bool:
        return any(isinstance(error, StaleAnswer) for error in self.errors.values())


@dataclass(frozen=True)
class AnswerWrites:
    """A save's writes: parameters of the UPDATE of the changed answers and of the INSERT of the
    new ones."""

    changed: list[dict[str, Any]]
    added: list[dict[str, Any]]

    def __bool__(self) -> bool:
        return bool(self.changed or self.added)


@dataclass(frozen=True)
class SavedAnswer:
    """A stored answer as the save reads it: plain values, not an ORM object."""

    question_id: str
    response: Any
    shared: bool
    version: int


#: The save's statements, built once (SQLAlchemy caches their compiled form).
_READ_SAVED = select(
    _ANSWER.c.question_id, _ANSWER.c.response, _ANSWER.c.shared, _ANSWER.c.version
).where(_ANSWER.c.attempt_id == bindparam("attempt_id"))
_UPDATE_ANSWER = (
    update(_ANSWER)
    .where(
        _ANSWER.c.attempt_id == bindparam("b_attempt_id"),
        _ANSWER.c.question_id == bindparam("b_question_id"),
    )
    .values(
        response=bindparam("response", type_=_ANSWER.c.response.type),
        readable=bindparam("readable"),
        shared=bindparam("shared"),
        updated_at=bindparam("updated_at", type_=_ANSWER.c.updated_at.type),
        version=bindparam("version"),
    )
)


_INSERT_ANSWER = insert(_ANSWER).values(
    {
        name: bindparam(f"{name}_", type_=_ANSWER.c[name].type)
        for name in (
            "attempt_id",
            "stage_id",
            "question_id",
            "response",
            "readable",
            "shared",
            "updated_at",
            "version",
        )
    }
)


def saved_answers(attempt_id: int) -> dict[str, SavedAnswer]:
    """The attempt's saved answers by question id, as plain values (what a save compares)."""
    rows = db.session.execute(_READ_SAVED, {"attempt_id": attempt_id})
    return {row[0]: SavedAnswer(*row) for row in rows}


def save_answers(
    attempt: Attempt,
    quiz: Quiz,
    posted: Iterable[PostedAnswer],
    saved: dict[str, SavedAnswer] | dict[str, Answer],
    *,
    send: bool = True,
) -> SaveResult:
    """Store the posted answers of the attempt's open stage: at most one UPDATE (of every
    changed answer) and one INSERT (of every new one), however many questions changed.
    With `send=False` they are left in the result's `unsent` for `commit_save` (which may send
    them together with the COMMIT).

    `saved` are the attempt's answers by question id (`saved_answers`, or ORM answers), read
    after `lock_attempt` (so no other request changes them meanwhile); it is updated in place
    (with `SavedAnswer`s). Leaving a question open is not an answer, clearing a saved one is.
    An unchanged answer writes nothing (a resent form), and an answer saved after the sending
    page was loaded is kept (a stale tab).
    """
    db.session.flush()  # what the ORM holds goes first (nothing, mostly)
    shown = {question.id for question in attempt_questions(attempt, quiz)}
    versions: dict[str, int] = {}
    errors: dict[str, QuizError] = {}
    changed: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    now = clock.now()
    for item in posted:
        existing = saved.get(item.question_id)
        if item.response is None or (item.response in ([], "") and existing is None):
            continue
        try:
            question = _open_question(attempt, quiz, item.question_id, shown)
            value = normalise_response(question, item.response)
            shared = bool(item.shared) and question.type == "reflection"
            if existing is not None and (existing.response, existing.shared) == (value, shared):
                versions[question.id] = existing.version
                continue
            if item.version is not None and item.version != (existing.version if existing else 0):
                raise StaleAnswer(STALE_ANSWER)
        except QuizError as exc:
            errors[item.question_id] = exc
            continue
        version = existing.version + 1 if existing is not None else 1
        row = {
            "response": value,
            "readable": readable_answer(question, value),
            "shared": shared,
            "updated_at": now,
            "version": version,
        }
        if existing is None:
            stage_id = quiz.stages[quiz.stage_of(question.id)].id
            added.append(
                {
                    **{f"{name}_": value for name, value in row.items()},
                    "attempt_id_": attempt.id,
                    "question_id_": question.id,
                    "stage_id_": stage_id,
                }
            )
        else:
            changed.append({**row, "b_attempt_id": attempt.id, "b_question_id": question.id})
        saved[question.id] = SavedAnswer(question.id, value, shared, version)  # type: ignore[assignment]
        versions[question.id] = version
    writes = AnswerWrites(changed, added)
    if not writes:
        return SaveResult(versions, errors)
    _forget_loaded_answers(attempt, set(versions))
    if not send:
        return SaveResult(versions, errors, writes)
    _send(db.session.connection(), writes)
    return SaveResult(versions, errors)


def _send(connection: Any, writes: AnswerWrites) -> None:
    # Core statements on the session's connection: no ORM execution around them.
    if writes.changed:
        connection.execute(_UPDATE_ANSWER, writes.changed)
    if writes.added:
        connection.execute(_INSERT_ANSWER, writes.added)


def commit_save(unsent: AnswerWrites | None) -> None:
    """Send a save's writes left unsent (`save_answers(..., send=False)`) and commit.

    On PostgreSQL (psycopg) the writes and the COMMIT go in one round trip (pipeline mode);
    elsewhere the writes are sent, then the session commits as always.
    """
    if unsent:
        connection = db.session.connection()
        if _can_pipeline(connection):
            _send_with_commit(connection, unsent)
        else:
            _send(connection, unsent)
    db.session.commit()


def _send_with_commit(connection: Any, writes: AnswerWrites) -> None:
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    update_answer = compiled(_UPDATE_ANSWER, dialect)
    insert_answer = compiled(_INSERT_ANSWER, dialect)
    with (
        sqlalchemy_errors(
            dialect, "; ".join((update_answer.sql, insert_answer.sql, "COMMIT")), None, connection
        ),
        driver.cursor() as cursor,
        driver.pipeline(),
    ):
        if writes.changed:
            rows = [update_answer.parameters(p) for p in writes.changed]
            cursor.executemany(update_answer.sql, rows)
        if writes.added:
            rows = [insert_answer.parameters(p) for p in writes.added]
            cursor.executemany(insert_answer.sql, rows)
        # Queued behind the writes, and all are sent and answered at once when the pipeline
        # ends (`driver.commit()` would sync once more); the driver then sees no transaction
        # open, so the session's commit after this sends nothing.
        cursor.execute("COMMIT")


def _forget_loaded_answers(attempt: Attempt, question_ids: set[str]) -> None:
    """Expire ORM answers of this attempt the session holds (the save wrote past the ORM)."""
    session = db.session()
    for obj in list(session.identity_map.values()):
        if (
            isinstance(obj, Answer)
            and obj.__dict__.get("attempt_id") == attempt.id
            and obj.__dict__.get("question_id") in question_ids
        ):
            session.expire(obj)
    if isinstance(attempt, Attempt) and "answers" in attempt.__dict__:
        session.expire(attempt, ["answers"])


def save_answer(
    attempt: Attempt, quiz: Quiz, question_id: str, response: Any, *, shared: bool = False
) -> SavedAnswer:
    """Store (or replace) the learner's answer to one question of an open stage."""
    saved = saved_answers(attempt.id)
    result = save_answers(attempt, quiz, [PostedAnswer(question_id, response, shared)], saved)
    if question_id in result.errors:
        raise result.errors[question_id]
    return saved[question_id]


def _open_question(attempt: Attempt, quiz: Quiz, question_id: str, shown: set[str]) -> Question:
    """The question, if the attempt shows it in its open stage; else a QuizError saying why."""
    question = quiz.question(question_id)
    if question is None or question_id not in shown:
        raise QuizError(
            gettext("Deze vraag bestaat niet (meer) in de toets. Laad de pagina opnieuw.")
        )
    if attempt.submitted_at is not None:
        raise QuizError(gettext("Deze poging is al ingeleverd; je antwoorden liggen vast."))
    stage_index = quiz.stage_of(question_id)
    if stage_index >= attempt.stages_revealed:
        raise QuizError(gettext("Dit deel van de casus is nog niet geopend."))
    if stage_locked(attempt, stage_index):
        raise QuizError(
            gettext(
                "Je hebt dit deel al afgesloten: net als in een echt consult kun je eerdere "
                "beslissingen niet meer terugdraaien."
            )
        )
    return question


def answers_by_question(attempt_id: int) -> dict[str, Answer]:
    """The attempt's saved answers by question id."""
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))
    return {answer.question_id: answer for answer in answers}


def reveal_next_stage(attempt: Attempt, quiz: Quiz, *, from_stage: int | None = None) -> bool:
    """Open the next stage, which locks the answers of the earlier ones.

    `from_stage` is the stage index the learner's page showed: a second click on the same
    button (or a stale tab) then opens nothing more. Returns whether a stage was opened.
    """
    if attempt.submitted_at is not None:
        raise QuizError(gettext("Deze poging is al ingeleverd."))
    current = attempt.stages_revealed if from_stage is None else from_stage + 1
    if current >= len(quiz.stages):
        return False
    result = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.stages_revealed == current,
            Attempt.submitted_at.is_(None),
        )
        .values(stages_revealed=current + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    return result.rowcount == 1


# --- submitting ------------------------------------------------------------------------------


def submit(attempt_id: int, quiz: Quiz) -> Submission:
    """Grade the saved answers and close the attempt, exactly once.

    One conditional UPDATE claims the attempt: a second request (double click, resent form)
    changes no row and gets the stored result. The answers' scores are written in the same
    transaction, so until the view commits nothing of the grading is visible.
    """
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    if attempt is None:
        raise QuizError(gettext("Deze poging bestaat niet."))
    if attempt.submitted_at is not None:
        return _stored(attempt)
    if attempt.stages_revealed < len(quiz.stages):
        raise QuizError(gettext("Open eerst alle delen van de casus; daarna kun je inleveren."))
    answers = answers_by_question(attempt_id)
    result = grading.grade(
        quiz,
        {question_id: answer.response for question_id, answer in answers.items()},
        questions=attempt_questions(attempt, quiz),
        pass_mark=attempt.pass_mark,
    )
    now = clock.now()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(score=result.score, passed=result.passed, submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 0:
        db.session.refresh(attempt)
        return _stored(attempt)
    for question_id, answer in answers.items():
        answer.score = result.scores.get(question_id)
    LearnerStanding.forget(attempt.user_id, attempt.course_slug)
    db.session.flush()
    record_submission(
        attempt,
        quiz,
        {question_id: (answer.score, answer.response) for question_id, answer in answers.items()},
    )
    db.session.refresh(attempt)
    return Submission(
        attempt_id=attempt.id,
        number=attempt.number,
        score=result.score,
        passed=result.passed,
        submitted_at=now,
        graded_now=True,
    )


def _stored(attempt: Attempt) -> Submission:
    assert attempt.submitted_at is not None
    return Submission(
        attempt_id=attempt.id,
        number=attempt.number,
        score=attempt.score or 0.0,
        passed=bool(attempt.passed),
        submitted_at=attempt.submitted_at,
        graded_now=False,
    )


# --- status for other modules ----------------------------------------------------------------


def _status(attempts: Iterable[Attempt], allowed: int) -> QuizStatus:
    attempts = list(attempts)
    submitted = [a for a in attempts if a.submitted_at is not None]
    scores = [a.score for a in submitted if a.score is not None]
    passing = sorted((a.submitted_at for a in submitted if a.passed), key=lambda t: t)
    return QuizStatus(
        best_score=max(scores) if scores else None,
        passed=bool(passing),
        attempts_used=len(attempts),
        attempts_allowed=allowed,
        open_attempt=any(a.submitted_at is None for a in attempts),
        passed_at=passing[0] if passing else None,
    )


def quiz_status(user_id: int, course_slug: str, quiz: Quiz) -> QuizStatus:
    """The learner's standing on one quiz: best score, passed, attempts used and left."""
    return _status(
        attempts_of(user_id, course_slug, quiz.slug),
        attempts_allowed(user_id, course_slug, quiz),
    )


def assessment_status(user_id: int, course: Course) -> dict[str, QuizStatus]:
    """The learner's standing on every case of the course's final assessment, by quiz slug."""
    return assessment_status_for_users([user_id], course)[user_id]


def assessment_status_for_users(
    user_ids: Iterable[int], course: Course
) -> dict[int, dict[str, QuizStatus]]:
    """`assessment_status` for many learners at once, in two queries."""
    ids = list(dict.fromkeys(user_ids))
    slugs = list(course.assessment)
    attempts: dict[tuple[int, str], list[Attempt]] = defaultdict(list)
    grants: Counter[tuple[int, str]] = Counter()
    if ids and slugs:
        for attempt in db.session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id.in_(ids),
                Attempt.course_slug == course.slug,
                Attempt.quiz_slug.in_(slugs),
            )
            .order_by(Attempt.number)
        ):
            attempts[(attempt.user_id, attempt.quiz_slug)].append(attempt)
        for user_id, quiz_slug, count in db.session.execute(
            select(AttemptGrant.user_id, AttemptGrant.quiz_slug, func.count(AttemptGrant.id))
            .where(
                AttemptGrant.user_id.in_(ids),
                AttemptGrant.course_slug == course.slug,
                AttemptGrant.quiz_slug.in_(slugs),
            )
            .group_by(AttemptGrant.user_id, AttemptGrant.quiz_slug)
        ):
            grants[(user_id, quiz_slug)] = count
    return {
        user_id: {
            quiz.slug: _status(
                attempts.get((user_id, quiz.slug), ()),
                quiz.attempts + grants[(user_id, quiz.slug)],
            )
            for quiz in course.assessment_quizzes
        }
        for user_id in ids
    }
