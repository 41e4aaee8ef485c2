"""Demo and benchmark data: N learners with varied, realistic progress in one cohort.

Used by `flask seed` (trainer demos, the performance work's growth benchmarks). Rows go in with
bulk inserts in batches, straight through the driver (`_bulk_insert`), so 10,000 learners take
seconds, not minutes. Answers are graded with the real grading rules; each learner has an
ability, so the item analysis has something to find. Flushes, never commits: the command commits
per batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, select

from .. import clock
from ..accounts.service import ensure_demo_accounts, find_user, hash_password
from ..content.model import Course, Question, Quiz
from ..extensions import db
from ..models import (
    BIG_REQUIRED,
    Answer,
    Attempt,
    Cohort,
    CohortMember,
    CohortTrainer,
    Evaluation,
    LessonProgress,
    User,
)
from ..quizzes.attempts import draw_questions, readable_answer
from ..quizzes.grading import grade
from ..trainer.cohorts import create_cohort
from ..trainer.queries import item_sums

#: Every seeded learner logs in with this password (hashed once: hashing 10,000 times is slow).
SEED_PASSWORD = "demo-deelnemer-2026"
DEMO_TRAINER = "opleider@demo.signaal.nl"
BATCH = 1000

FIRST_NAMES = (
    "Anna", "Daan", "Fatima", "Sem", "Sanne", "Mohamed", "Lotte", "Jeroen", "Noor", "Thijs",
    "Aylin", "Bram", "Eva", "Kofi", "Iris", "Ruben", "Yasmina", "Pieter", "Femke", "Sven",
    "Mei", "Joost", "Esra", "Willem", "Linda", "Rajesh", "Marieke", "Hamza", "Inge", "Tim",
)  # fmt: skip
SURNAMES = (
    ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("", "Bakker"), ("", "Visser"),
    ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"),
    ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"),
    ("", "Dekker"), ("", "Yilmaz"), ("El", "Amrani"), ("", "Brouwer"), ("de", "Wit"),
    ("", "Kaya"), ("van der", "Meer"), ("", "Dijkstra"), ("", "Nguyen"), ("", "Koster"),
    ("", "Biharie"), ("", "Prins"), ("van", "Dijk"), ("", "Kramer"), ("", "Doğan"),
)  # fmt: skip
PROFESSIONS = (
    ("gp", 55),
    ("gp_trainee", 15),
    ("practice_nurse", 20),
    ("doctors_assistant", 10),
)
REFLECTIONS = (
    "Ik vind het lastig om door te vragen als er iemand meekomt die het woord doet.",
    "Het gesprek alleen met de patiënt voeren ga ik vaker standaard doen.",
    "Ik merk dat ik snel een andere verklaring zoek; ik wil eerst de signalen vastleggen.",
    "Ik twijfel wanneer ik Veilig Thuis bel. Nu weet ik dat advies vragen altijd kan.",
    "Een tolk via de telefoon regelen kost tijd, maar een familielid laten tolken is geen optie.",
    "Ik dacht aan een patiënt van vorig jaar; achteraf waren er signalen die ik miste.",
)


@dataclass(frozen=True)
class SeedResult:
    learners: int
    cohort_id: int
    cohort_name: str
    trainer_email: str
    lesson_rows: int
    attempts: int
    answers: int
    evaluations: int
    seconds: float


@cache
def _difficulty(question_id: str) -> float:
    """A stable difficulty per question (-2.6 .. 0.4): most items fairly easy, some hard."""
    digest = int(hashlib.sha256(question_id.encode()).hexdigest()[:8], 16)
    return (digest % 1000) / 1000 * 3.0 - 2.6


def _chance(ability: float, difficulty: float) -> float:
    return 1 / (1 + math.exp(-(1.3 * ability - difficulty)))


def _response(rng: random.Random, question: Question, p: float) -> Any:
    """A plausible answer for a learner who knows this with probability p."""
    options = [o.id for o in question.options]
    if question.type == "single":
        right = [o.id for o in question.options if o.correct]
        wrong = [o.id for o in question.options if not o.correct]
        return [rng.choice(right)] if rng.random() < p or not wrong else [rng.choice(wrong)]
    if question.type == "multiple":
        chosen = [
            o.id
            for o in question.options
            if (o.correct and rng.random() < p) or (not o.correct and rng.random() < (1 - p) / 2)
        ]
        return chosen or [rng.choice(options)]
    if question.type == "ordering":
        order = list(options)
        if rng.random() >= p:
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
            if rng.random() >= p:
                rng.shuffle(order)
        return order
    return rng.choice(REFLECTIONS)


def _stage_ids(quiz: Quiz) -> dict[str, str]:
    return {q.id: stage.id for stage in quiz.stages for q in stage.questions}


#: The answer columns in the order `_attempts` fills them (the attempt id goes in front).
ANSWER_COLUMNS = (
    "attempt_id", "stage_id", "question_id", "response", "readable", "score", "shared",
    "updated_at",
)  # fmt: skip


@dataclass
class _Memo:
    """Pure results the seed needs again and again, computed once per seed.

    Thousands of learners give the same few answers to the same questions, and draw with the
    same seeds (the draw's seed names the learner's place in its batch), so their draws, words
    and scores repeat: looking them up keeps the rows what the real functions give.
    """

    draws: dict[tuple[str, str, frozenset[tuple[str, int]]], list[str]] = field(
        default_factory=dict
    )
    #: By quiz, question and answer: question ids are unique within a quiz only.
    readable: dict[tuple[str, str, Any], str] = field(default_factory=dict)

    def draw(self, quiz: Quiz, had: Counter[str], seed: str) -> list[str]:
        key = (quiz.slug, seed, frozenset(had.items()))
        if (drawn := self.draws.get(key)) is None:
            drawn = self.draws[key] = draw_questions(quiz, had, seed)
        return drawn

    def words(self, quiz: Quiz, question: Question, response: Any) -> str:
        answer = tuple(response) if isinstance(response, list) else response
        key = (quiz.slug, question.id, answer)
        if (words := self.readable.get(key)) is None:
            words = self.readable[key] = readable_answer(question, response)
        return words


class _Batch:
    """Rows for one batch of learners, inserted together."""

    def __init__(self, memo: _Memo) -> None:
        self.memo = memo
        self.users: list[dict[str, Any]] = []
        self.lessons: list[dict[str, Any]] = []
        #: (learner index in batch, attempt row, answer rows in ANSWER_COLUMNS order without
        #: the attempt id)
        self.attempts: list[tuple[int, dict[str, Any], list[tuple[Any, ...]]]] = []
        self.evaluations: list[tuple[int, dict[str, Any]]] = []


def _learner(
    rng: random.Random,
    batch: _Batch,
    index: int,
    course: Course,
    now: dt.datetime,
    stages: dict[str, dict[str, str]],
) -> None:
    """Invent one learner's journey through the course."""
    ability = rng.gauss(0, 1)
    start = now - dt.timedelta(days=rng.uniform(1, 120), minutes=rng.uniform(0, 600))
    roll = rng.random()
    lessons = course.lessons
    if roll < 0.12:
        return  # joined, never started
    if roll < 0.35:
        opened = rng.randint(1, max(len(lessons) - 1, 1))
        completed = opened - (1 if rng.random() < 0.6 else 0)
    else:
        opened = completed = len(lessons)
    moment = start
    for number, lesson in enumerate(lessons[:opened]):
        seconds = int(lesson.minutes * 60 * rng.lognormvariate(0, 0.35))
        first_seen = moment
        moment = moment + dt.timedelta(seconds=seconds + rng.uniform(60, 3 * 86400))
        moment = min(moment, now)
        done = number < completed
        batch.lessons.append(
            {
                "user_id": index,
                "course_slug": course.slug,
                "lesson_slug": lesson.slug,
                "first_seen_at": first_seen,
                "last_seen_at": moment,
                "completed_at": moment if done else None,
                "seconds_on_task": seconds,
            }
        )
        check = course.quizzes.get(lesson.check) if lesson.check else None
        if done and check is not None and rng.random() < 0.7:
            _attempts(rng, batch, index, course, check, ability, moment, stages, now, max_tries=1)
    if completed < len(lessons) or roll < 0.45:
        return  # still reading, or lessons done but the assessment not begun
    cases = course.assessment_quizzes
    tried = len(cases) if roll > 0.55 else rng.randint(1, len(cases))
    all_passed = True
    for quiz in cases[:tried]:
        moment = min(moment + dt.timedelta(minutes=rng.uniform(10, 2 * 1440)), now)
        passed = _attempts(rng, batch, index, course, quiz, ability, moment, stages, now)
        all_passed = all_passed and passed
    if all_passed and tried == len(cases) and rng.random() < 0.75:
        batch.evaluations.append(
            (
                index,
                {
                    "course_slug": course.slug,
                    "course_version": course.version,
                    "relevance": rng.choice((3, 4, 4, 5, 5)),
                    "content_quality": rng.choice((3, 4, 4, 5)),
                    "didactics": rng.choice((3, 4, 4, 5)),
                    "study_time": rng.choice(
                        ("about_right", "about_right", "too_long", "too_short")
                    ),
                    "comments": "",
                    "submitted_at": min(moment + dt.timedelta(minutes=5), now),
                },
            )
        )


def _attempts(
    rng: random.Random,
    batch: _Batch,
    index: int,
    course: Course,
    quiz: Quiz,
    ability: float,
    moment: dt.datetime,
    stages: dict[str, dict[str, str]],
    now: dt.datetime,
    max_tries: int | None = None,
) -> bool:
    """Attempts at one quiz until passed, given up or out of tries; whether it was passed."""
    tries = max_tries or quiz.attempts
    had: Counter[str] = Counter()
    for number in range(1, tries + 1):
        started = moment
        moment = min(moment + dt.timedelta(minutes=rng.uniform(8, 40)), now)
        # A few leave the last attempt open: started, not yet handed in.
        open_attempt = quiz.kind == "case" and rng.random() < 0.04
        responses = {}
        answers = []
        # The same draw as a real attempt: variants not had before where possible.
        drawn = batch.memo.draw(quiz, had, f"seed:{index}:{quiz.slug}:{number}")
        had.update(drawn)
        questions = [question for question in quiz.questions if question.id in drawn]
        for question in questions:
            if question.type == "reflection" and rng.random() < 0.2:
                continue
            # Each try a little better: the feedback of the previous one teaches.
            p = _chance(ability + 0.6 * (number - 1), _difficulty(question.id))
            response = _response(rng, question, p)
            responses[question.id] = response
            shared = question.type == "reflection" and rng.random() < 0.35
            answers.append((question, response, shared))
        result = grade(quiz, responses, questions=questions)
        scores = {} if open_attempt else result.scores
        batch.attempts.append(
            (
                index,
                {
                    "course_slug": course.slug,
                    "quiz_slug": quiz.slug,
                    "number": number,
                    "quiz_version": quiz.content_hash,
                    "pass_mark": quiz.pass_mark,
                    "stages_revealed": len(quiz.stages),
                    "question_ids": drawn,
                    "started_at": started,
                    "submitted_at": None if open_attempt else moment,
                    "score": None if open_attempt else result.score,
                    "passed": None if open_attempt else result.passed,
                },
                [
                    (
                        stages[quiz.slug][question.id],
                        question.id,
                        response,
                        batch.memo.words(quiz, question, response),
                        scores.get(question.id),
                        shared,
                        moment,
                    )
                    for question, response, shared in answers
                ],
            )
        )
        if open_attempt:
            return False
        if result.passed:
            return True
        if rng.random() < 0.15:
            return False  # gave up for now
        moment = min(moment + dt.timedelta(hours=rng.uniform(1, 96)), now)
    return False


def _user_rows(
    rng: random.Random, count: int, run: str, start: int, password_hash: str, taken: set[str]
) -> list[dict[str, Any]]:
    professions = [p for p, weight in PROFESSIONS for _ in range(weight)]
    created = clock.now()
    rows = []
    for i in range(start, start + count):
        first = rng.choice(FIRST_NAMES)
        tussen, surname = rng.choice(SURNAMES)
        profession = rng.choice(professions)
        big = None
        if profession in BIG_REQUIRED:
            while big is None or big in taken:
                big = f"{rng.randrange(10**10, 10**11):011d}"
            taken.add(big)
        rows.append(
            {
                "email": f"deelnemer{i:05d}.{run}@voorbeeld.signaal.nl",
                "password_hash": password_hash,
                "initials": first[0] + ".",
                "first_name": first,
                "tussenvoegsel": tussen,
                "surname": surname,
                "profession": profession,
                "big_number": big,
                "role": "learner",
                "email_confirmed_at": created,
                "created_at": created,
                "session_version": 1,
                "logouts": 0,
            }
        )
    return rows


def demo_cohort(course: Course, name: str) -> tuple[Cohort, User]:
    """The demo trainer's cohort with this name for the course (created when missing)."""
    ensure_demo_accounts()
    trainer = find_user(DEMO_TRAINER)
    assert trainer is not None
    cohort = db.session.scalar(
        select(Cohort)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(
            Cohort.name == name,
            Cohort.course_slug == course.slug,
            CohortTrainer.user_id == trainer.id,
        )
    )
    return cohort or create_cohort(trainer, name, course.slug), trainer


def seed(
    course: Course,
    learners: int,
    cohort_name: str = "Demogroep",
    random_seed: int | None = None,
    commit: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
) -> SeedResult:
    """Create `learners` learners with varied progress in the demo trainer's cohort."""
    began = time.perf_counter()
    rng = random.Random(random_seed)
    now = now or clock.now()
    commit = commit or db.session.flush
    cohort, trainer = demo_cohort(course, cohort_name)
    password_hash = hash_password(SEED_PASSWORD)
    taken = set(db.session.scalars(select(User.big_number).where(User.big_number.is_not(None))))
    run = secrets.token_hex(3)
    stages = {quiz.slug: _stage_ids(quiz) for quiz in course.quizzes.values()}
    totals = {"lessons": 0, "attempts": 0, "answers": 0, "evaluations": 0}
    memo = _Memo()
    for start in range(0, learners, BATCH):
        size = min(BATCH, learners - start)
        batch = _Batch(memo)
        batch.users = _user_rows(rng, size, run, start + 1, password_hash, taken)
        for index in range(size):
            _learner(rng, batch, index, course, now, stages)
        _insert(batch, cohort.id, now, totals)
        commit()
    # The attempts went in without a submission, which would have added each to the cohort's
    # kept item sums: sum them once, as the item analysis would on its first view.
    item_sums(course.slug, (*course.assessment_quizzes, *course.boosters), cohort.id)
    commit()
    return SeedResult(
        learners=learners,
        cohort_id=cohort.id,
        cohort_name=cohort.name,
        trainer_email=trainer.email,
        lesson_rows=totals["lessons"],
        attempts=totals["attempts"],
        answers=totals["answers"],
        evaluations=totals["evaluations"],
        seconds=time.perf_counter() - began,
    )


def _insert(batch: _Batch, cohort_id: int, now: dt.datetime, totals: dict[str, int]) -> None:
    """Bulk-insert one batch: users, then the rows that point at them.

    The ids are read back with one select per table: RETURNING in parameter order makes
    SQLAlchemy fall back to one statement per row on SQLite.
    """
    session = db.session
    _bulk_insert(User.__table__, batch.users)
    emails = [row["email"] for row in batch.users]
    by_email = dict(
        session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
    )
    user_ids = [by_email[email] for email in emails]
    _bulk_insert(
        CohortMember.__table__,
        [{"cohort_id": cohort_id, "user_id": uid, "joined_at": now} for uid in user_ids],
    )
    for row in batch.lessons:
        row["user_id"] = user_ids[row["user_id"]]
    _bulk_insert(LessonProgress.__table__, batch.lessons)
    attempt_rows = [{**row, "user_id": user_ids[i]} for i, row, _ in batch.attempts]
    _bulk_insert(Attempt.__table__, attempt_rows)
    attempt_ids = dict(
        ((user_id, quiz_slug, number), id_)
        for id_, user_id, quiz_slug, number in session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.quiz_slug, Attempt.number).where(
                Attempt.user_id.in_(user_ids)
            )
        )
    )
    answer_rows = []
    for row, (_, _, answers) in zip(attempt_rows, batch.attempts, strict=True):
        attempt_id = attempt_ids[(row["user_id"], row["quiz_slug"], row["number"])]
        answer_rows += [(attempt_id, *answer) for answer in answers]
    _bulk_insert(Answer.__table__, answer_rows, ANSWER_COLUMNS)
    _bulk_insert(
        Evaluation.__table__, [{**row, "user_id": user_ids[i]} for i, row in batch.evaluations]
    )
    totals["attempts"] += len(attempt_rows)
    totals["answers"] += len(answer_rows)
    totals["lessons"] += len(batch.lessons)
    totals["evaluations"] += len(batch.evaluations)


def _bulk_insert(
    table: Table,
    rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
    columns: Sequence[str] | None = None,
) -> None:
    """Insert rows (dicts, or tuples in `columns` order) in the session's transaction.

    Straight through the driver, each value converted by its column type's own bind processor
    (what SQLAlchemy stores, without its per-row parameter handling, which took most of the
    time of an executemany this size): PostgreSQL COPY, an executemany elsewhere.
    """
    if not rows:
        return
    if columns is None:
        columns = tuple(rows[0])
        rows = [itemgetter(*columns)(row) for row in rows]  # type: ignore[arg-type]
    connection = db.session.connection()
    dialect = connection.dialect
    by_column = list(zip(*rows, strict=True))
    for n, name in enumerate(columns):
        if process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect):
            by_column[n] = _converted(by_column[n], process)
    rows = list(zip(*by_column, strict=True))
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def _converted(values: Sequence[Any], process: Callable[[Any], Any]) -> tuple[Any, ...]:
    """One column's values through its bind processor, once per distinct value: a seed repeats
    its times (every answer of an attempt) and its answers (JSON) thousands of times."""
    done: dict[Any, Any] = {}
    converted = []
    for value in values:
        key = tuple(value) if type(value) is list else value
        if (result := done.get(key, done)) is done:
            result = done[key] = process(value)
        converted.append(result)
    return tuple(converted)
