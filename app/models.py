"""Every table: what people do (accounts, progress, attempts, certificates, cohorts, audit).

Content itself lives in files; rows refer to it by the content's stable slugs and ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import force_locale, lazy_gettext
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def join_name(*parts: str | None) -> str:
    """Name parts with one space between them; an empty part (often the tussenvoegsel) is left out."""
    return " ".join(p for p in parts if p)


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(db.TypeDecorator):
    """Store UTC datetimes; always hand back timezone-aware values (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use utcnow()")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


#: Every role a user can have, with its label (in the interface's language).
ROLE_LABELS = {
    "learner": lazy_gettext("Deelnemer"),
    "trainer": lazy_gettext("Opleider"),
    "admin": lazy_gettext("Beheerder"),
}
ROLES = tuple(ROLE_LABELS)
#: The roles that may open the trainer pages (an admin can do what a trainer can).
TRAINER_ROLES = ("trainer", "admin")
#: Every profession a user can state (stored value -> label); certificates snapshot the value.
PROFESSIONS = {
    "gp": lazy_gettext("Huisarts"),
    "gp_trainee": lazy_gettext("Huisarts in opleiding (aios)"),
    "practice_nurse": lazy_gettext("Praktijkondersteuner"),
    "doctors_assistant": lazy_gettext("Doktersassistent"),
    "other": lazy_gettext("Anders"),
}


def profession_label_in(profession: str, language: str) -> str:
    """The profession's label in a document's language (certificate, register export), whatever
    the page's; an unknown value is shown as stored."""
    with force_locale(language):
        return str(PROFESSIONS.get(profession, profession))


#: Professions whose accreditation is booked on a BIG number.
BIG_REQUIRED = ("gp", "gp_trainee")
#: Where a course's accreditation stands (course.toml `status`; certificates snapshot it); the
#: label reads inside a sentence ("de accreditatie is aangevraagd").
ACCREDITATION_STATUSES = {"applied": "aangevraagd", "accredited": "geaccrediteerd"}
#: The evaluation's answer on the stated study time.
STUDY_TIMES = {
    "too_short": lazy_gettext("Te kort: ik had meer tijd nodig"),
    "about_right": lazy_gettext("Klopt ongeveer"),
    "too_long": lazy_gettext("Te lang: ik was sneller klaar"),
}


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case, so uniqueness ignores letter case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    initials: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100))
    tussenvoegsel: Mapped[str] = mapped_column(String(30), default="")
    surname: Mapped[str] = mapped_column(String(100))
    #: A key of PROFESSIONS.
    profession: Mapped[str] = mapped_column(String(30))
    big_number: Mapped[str | None] = mapped_column(String(11), unique=True)
    role: Mapped[str] = mapped_column(String(10), default="learner")
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Bumped on password change: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Bumped on logout: a session cookie kept from before no longer signs anyone in.
    logouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The TOTP time step last accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Set when the learner deleted the account; personal data is then gone.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: The learner asked for no booster mails after the certificate.
    booster_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The learner's latest study-time heartbeat, from any tab: study time is credited per
    #: learner from the gap since this moment, so parallel tabs cannot multiply it.
    last_heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: The interface language the person chose ("nl" or "en"); course content keeps its own.
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")

    def get_id(self) -> str:
        """What a session stores: it stops matching on a password change or a logout."""
        return self.session_id_of(self.id, self.session_version, self.logouts)

    @staticmethod
    def session_id_of(user_id: int, session_version: int, logouts: int) -> str:
        return f"{user_id}:{session_version}:{logouts}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.deleted_at is None

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.tussenvoegsel, self.surname)

    @property
    def formal_name(self) -> str:
        """Initials, tussenvoegsel and surname, as the accreditation register books them."""
        return join_name(self.initials, self.tussenvoegsel, self.surname)

    @property
    def profession_label(self) -> str:
        return PROFESSIONS.get(self.profession, self.profession)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class LessonProgress(db.Model):
    """One summary row per learner and lesson."""

    __table_args__ = (UniqueConstraint("user_id", "course_slug", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: Study time in seconds: the learner's heartbeat intervals this lesson's page claimed,
    #: idle gaps capped (see app.learning.progress.record_heartbeat).
    seconds_on_task: Mapped[int] = mapped_column(Integer, default=0)


class Attempt(db.Model):
    """One try at a quiz. Immutable once submitted: it snapshots the rules it was graded by."""

    __table_args__ = (UniqueConstraint("user_id", "course_slug", "quiz_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    quiz_slug: Mapped[str] = mapped_column(String(100), index=True)
    #: 1 for the learner's first attempt at this quiz, 2 for the second, ...
    number: Mapped[int] = mapped_column(Integer)
    #: Content hash of the quiz file this attempt was taken on.
    quiz_version: Mapped[str] = mapped_column(String(64))
    #: Pass mark in force (percent) when the attempt started.
    pass_mark: Mapped[int] = mapped_column(Integer)
    #: How many stages the learner has opened; answers in earlier stages are locked.
    stages_revealed: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: 0..1 share of the scored points; set on submission.
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    #: Ids of the questions drawn for this attempt (one per group, in file order); the attempt
    #: shows and grades these. None on attempts from before variants: the primary questions.
    question_ids: Mapped[list[str] | None] = mapped_column(JSON)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="Answer.id"
    )

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


class Answer(db.Model):
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    stage_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    #: Option ids (list) for choice and ordering questions, text for reflections.
    response: Mapped[Any] = mapped_column(JSON)
    #: The answer in words, for trainers reading it later even if the content changed.
    readable: Mapped[str] = mapped_column(Text, default="")
    #: 0..1, set on submission; None for unscored reflections.
    score: Mapped[float | None] = mapped_column(Float)
    #: Reflections only: the learner chose to show this to their trainers.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: 1 for the first save, +1 for every change: a page sends the version it showed, so a
    #: stale tab's save (based on an older version) never overwrites a newer answer.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AttemptGrant(db.Model):
    """An extra attempt a trainer granted to a learner for one quiz."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    quiz_slug: Mapped[str] = mapped_column(String(100))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearnerStanding(db.Model):
    """A learner's lessons and final-assessment figures in a course, as the cohort summary counts
    them: a cache, so the summary of a large cohort reads one row per learner, not every attempt.

    Derived, never the truth: whatever changes the figures deletes the row (`forget`), and the
    trainer overview computes the missing rows again from the lessons and attempts.
    """

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    course_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: The course content the figures were computed with; another hash means recompute.
    content_hash: Mapped[str] = mapped_column(String(64))
    lessons_done: Mapped[int] = mapped_column(Integer)
    cases_passed: Mapped[int] = mapped_column(Integer)
    #: Mean over the cases of the best graded score (0..1); None before any graded attempt.
    best_score: Mapped[float | None] = mapped_column(Float)
    stuck: Mapped[bool] = mapped_column(Boolean)

    @classmethod
    def forget(cls, user_id: int, course_slug: str) -> None:
        """Drop the learner's figures for the course: something they are computed from changed."""
        db.session.execute(
            delete(cls)
            .where(cls.user_id == user_id, cls.course_slug == course_slug)
            .execution_options(synchronize_session=False)
        )


class KeptItemSums(db.Model):
    """The item-analysis sums of one quiz over the first submitted attempts of a cohort's
    members (scope_id: the cohort; 0: every learner of the course): a cache, so the item
    analysis of a large cohort reads one row per quiz instead of every answer.

    Derived, never the truth: a submission adds its sitting (`trainer.item_store`), and the
    item analysis computes the sums again whenever `submitted`/`id_sum` no longer describe the
    submitted attempts in scope (a member joined or left, an attempt was erased) or the quiz's
    content changed.
    """

    __tablename__ = "kept_item_sums"

    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    course_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    quiz_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: The quiz content the sums were computed with; another hash means recompute.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: How many submitted attempts (first or not) in scope the sums describe, and their ids' sum.
    submitted: Mapped[int] = mapped_column(Integer)
    id_sum: Mapped[int] = mapped_column(BigInteger)
    #: `QuizSums.as_json()`.
    sums: Mapped[Any] = mapped_column(JSON)


class Evaluation(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "course_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    course_slug: Mapped[str] = mapped_column(String(100))
    course_version: Mapped[str] = mapped_column(String(40))
    #: 1..5 ratings.
    relevance: Mapped[int] = mapped_column(Integer)
    content_quality: Mapped[int] = mapped_column(Integer)
    didactics: Mapped[int] = mapped_column(Integer)
    #: A key of STUDY_TIMES.
    study_time: Mapped[str] = mapped_column(String(20))
    comments: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certificate(db.Model):
    """An issued certificate: a snapshot of what it certifies, the signed PDF and its hash."""

    __table_args__ = (
        Index(
            "uq_certificate_valid_per_period",
            "user_id",
            "course_slug",
            "course_version",
            "period_start",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public number (Crockford base32 groups and a check character).
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: "accreditation" (points booked) or "participation" (study load, no points).
    kind: Mapped[str] = mapped_column(String(20))
    course_slug: Mapped[str] = mapped_column(String(100))
    course_version: Mapped[str] = mapped_column(String(40))
    course_hash: Mapped[str] = mapped_column(String(64))
    course_title: Mapped[str] = mapped_column(String(300))
    #: Snapshot of the participant as printed.
    initials: Mapped[str] = mapped_column(String(20))
    tussenvoegsel: Mapped[str] = mapped_column(String(30), default="")
    surname: Mapped[str] = mapped_column(String(100))
    #: A key of PROFESSIONS (the PDF prints its label, so the signed file holds no value).
    profession: Mapped[str] = mapped_column(String(30))
    big_number: Mapped[str | None] = mapped_column(String(11))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    study_load_minutes: Mapped[int] = mapped_column(Integer)
    accreditation_body: Mapped[str] = mapped_column(String(50))
    #: A key of ACCREDITATION_STATUSES, as course.toml said when the certificate was issued.
    accreditation_status: Mapped[str] = mapped_column(String(30))
    accreditation_id: Mapped[str] = mapped_column(String(50), default="")
    points: Mapped[float] = mapped_column(Float, default=0)
    #: Start of the accreditation period the completion falls in (or the completion date).
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    #: Snapshot of the provider settings as printed (empty on certificates issued before).
    provider_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    provider_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    signatory_role: Mapped[str] = mapped_column(String(200), default="", server_default="")
    layout_version: Mapped[str] = mapped_column(String(40))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="valid")
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    exported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def formal_name(self) -> str:
        """As printed on the certificate (see User.formal_name)."""
        return join_name(self.initials, self.tussenvoegsel, self.surname)


class Booking(db.Model):
    """The attendance of one accreditation certificate in PE-online (GAIA), and where it stands.

    States: waiting (accreditation not granted yet), pending (to be sent), sent (claimed by a
    run, answer not yet recorded), accepted (booked; never sent again), rejected (PE-online
    refused the row: resent only after a change or an admin's retry), failed (network or
    server error: retried with backoff).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), unique=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="waiting", index=True)
    #: The BIG number sent (or to be sent): a learner's correction makes a rejection resendable.
    big_number: Mapped[str] = mapped_column(String(11))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: The run that claimed the booking (a random token), so parallel runs never share one.
    claim: Mapped[str] = mapped_column(String(32), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    error_number: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    certificate: Mapped[Certificate] = relationship()


class BoosterMail(db.Model):
    """One booster for one learner: claimed (this row) before the mail goes, so it goes once."""

    __table_args__ = (UniqueConstraint("user_id", "course_slug", "quiz_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    quiz_slug: Mapped[str] = mapped_column(String(100))
    #: When the booster fell due (certificate date plus its months).
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: None while the mail is on its way, or if sending failed after the claim.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Cohort(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    course_slug: Mapped[str] = mapped_column(String(100))
    join_code: Mapped[str] = mapped_column(String(20), unique=True)
    join_open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Last day the join code works (inclusive); None for no end date.
    join_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trainers: Mapped[list[User]] = relationship(secondary="cohort_trainer")
    memberships: Mapped[list[CohortMember]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )


class CohortTrainer(db.Model):
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )


class CohortMember(db.Model):
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class CohortInvite(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class MailMessage(db.Model):
    """A message in the outbox: queued with the change that caused it, delivered by
    `flask mail send` (see app/mail.py)."""

    __table_args__ = (Index("ix_mail_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    #: The whole MIME message; emptied once delivered (links and PDFs need not stay here).
    message: Mapped[bytes] = mapped_column(LargeBinary)
    #: "queued" (waiting for its next try), "sent" or "failed" (given up; an admin looks).
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When a sender may take it next; a claimed message is pushed ahead by a lease.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveSession(db.Model):
    """A case played live in a toetsgroep, led by an EKC (a trainer); the state every screen follows.

    Participants' screens poll `version` (bumped on every EKC action); the EKC's screens also
    poll `activity` (bumped when someone joins or answers), so answers never make phones reload.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Join code of unambiguous characters; unique, the polled row is found by it.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: The EKC: the only person who leads the session and downloads its report.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: Optional: only members of this cohort may join.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    course_slug: Mapped[str] = mapped_column(String(100))
    quiz_slug: Mapped[str] = mapped_column(String(100))
    #: Content hash of the case file when the session started.
    quiz_version: Mapped[str] = mapped_column(String(64))
    #: Index of the current stage (0-based).
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    #: "lobby", "shown", "open", "closed", "revealed", "feedback" or "ended".
    phase: Mapped[str] = mapped_column(String(10), default="lobby")
    version: Mapped[int] = mapped_column(Integer, default=1)
    activity: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()


class LiveParticipant(db.Model):
    """Attendance: a person who joined a live session."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class LiveAnswer(db.Model):
    """A live answer: counted in the group's distribution, never an attempt, never shown per person."""

    __table_args__ = (UniqueConstraint("participant_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_session.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("live_participant.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(100))
    #: Option ids chosen.
    response: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveNote(db.Model):
    """The EKC's short notes on one stage of a live session, for the report."""

    __table_args__ = (UniqueConstraint("session_id", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    stage_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
