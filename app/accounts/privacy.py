"""Privacy (AVG): a learner's data as JSON, deleting an account, and the retention period.

Deletion removes personal data; issued certificates stay verifiable from their snapshot.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext
from sqlalchemy import delete, func, or_, select, union_all

from .. import clock
from ..audit import audit, forget_person
from ..extensions import db
from ..models import (
    Answer,
    Attempt,
    AttemptGrant,
    AuditEvent,
    Booking,
    Certificate,
    Cohort,
    CohortInvite,
    CohortMember,
    CohortTrainer,
    Evaluation,
    LearnerStanding,
    LessonProgress,
    LiveParticipant,
    MailMessage,
    User,
)
from ..trainer.cohorts import INVITE_DAYS

#: How long personal data of inactive accounts is kept; documented in docs/security.md.
RETENTION_YEARS = 5

#: The app.extensions key of the callbacks `delete_account` runs (see `on_account_deletion`).
DELETION_HOOKS = "signaal.account_deletion"


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def export_user_data(user: User) -> dict[str, Any]:
    """Everything Signaal stores about this user, as plain JSON-ready data."""
    progress = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id))
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.id)
    )
    evaluations = db.session.scalars(select(Evaluation).where(Evaluation.user_id == user.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))
    cohorts = db.session.scalars(select(CohortMember).where(CohortMember.user_id == user.id))
    grants = db.session.scalars(
        select(AttemptGrant).where(AttemptGrant.user_id == user.id).order_by(AttemptGrant.id)
    )
    bookings = db.session.scalars(
        select(Booking).join(Certificate).where(Certificate.user_id == user.id)
    )
    invitations = db.session.execute(
        select(CohortInvite, Cohort.name)
        .join(Cohort, Cohort.id == CohortInvite.cohort_id)
        .where(CohortInvite.email == user.email.lower())
        .order_by(CohortInvite.created_at)
    )
    invite_cutoff = clock.now() - dt.timedelta(days=INVITE_DAYS)
    return {
        "account": {
            "email": user.email,
            "initials": user.initials,
            "first_name": user.first_name,
            "tussenvoegsel": user.tussenvoegsel,
            "surname": user.surname,
            "profession": user.profession,
            "big_number": user.big_number,
            "role": user.role,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "two_factor": user.totp_secret is not None,
        },
        "lesson_progress": [
            {
                "course": p.course_slug,
                "lesson": p.lesson_slug,
                "first_seen_at": _iso(p.first_seen_at),
                "last_seen_at": _iso(p.last_seen_at),
                "completed_at": _iso(p.completed_at),
                "seconds_on_task": p.seconds_on_task,
            }
            for p in progress
        ],
        "attempts": [
            {
                "course": a.course_slug,
                "quiz": a.quiz_slug,
                "number": a.number,
                "started_at": _iso(a.started_at),
                "submitted_at": _iso(a.submitted_at),
                "score": a.score,
                "passed": a.passed,
                "answers": [
                    {
                        "question": ans.question_id,
                        "response": ans.response,
                        "answer": ans.readable,
                        "score": ans.score,
                        "shared_with_trainer": ans.shared,
                    }
                    for ans in a.answers
                ],
            }
            for a in attempts
        ],
        "evaluations": [
            {
                "course": e.course_slug,
                "relevance": e.relevance,
                "content_quality": e.content_quality,
                "didactics": e.didactics,
                "study_time": e.study_time,
                "comments": e.comments,
                "submitted_at": _iso(e.submitted_at),
            }
            for e in evaluations
        ],
        "extra_attempts": [
            {
                "course": g.course_slug,
                "quiz": g.quiz_slug,
                "granted_at": _iso(g.created_at),
                "granted_by": _name_of(g.granted_by_id),
            }
            for g in grants
        ],
        "certificates": [
            {
                "number": c.number,
                "name": c.formal_name,
                "big_number": c.big_number,
                "course": c.course_title,
                "completed_on": _iso(c.completed_on),
                "points": c.points,
                "status": c.status,
                "revoked_at": _iso(c.revoked_at),
                "sha256": c.sha256,
            }
            for c in certificates
        ],
        "accreditation_bookings": [
            {
                "certificate": b.certificate.number,
                "state": b.state,
                "big_number": b.big_number,
                "sent_at": _iso(b.sent_at),
                "accepted_at": _iso(b.accepted_at),
            }
            for b in bookings
        ],
        "cohorts": [{"cohort": m.cohort.name, "joined_at": _iso(m.joined_at)} for m in cohorts],
        "invitations": [
            {
                "cohort": cohort_name,
                "invited_at": _iso(invite.created_at),
                "accepted_at": _iso(invite.accepted_at),
                "open": invite.accepted_at is None and invite.created_at >= invite_cutoff,
            }
            for invite, cohort_name in invitations
        ],
        "seen_by": seen_by(user),
    }


#: Audit actions in which someone else saw or changed a learner's data, in plain words (the
#: export's keys stay fixed; these descriptions are in the person's interface language).
LOOKED_AT = {
    "trainer.view_learner": lazy_gettext("bekeek je voortgang in de groep"),
    "trainer.grant_attempt": lazy_gettext("gaf je een extra poging"),
    "trainer.view_cohort": lazy_gettext("bekeek het overzicht van je groep"),
    "trainer.export_csv": lazy_gettext("downloadde het overzicht van je groep"),
    "live.report": lazy_gettext("downloadde het verslag van een toetsgroep waaraan je meedeed"),
    "live.attendance": lazy_gettext(
        "downloadde de presentielijst van een toetsgroep waaraan je meedeed"
    ),
    "user.role_change": lazy_gettext("wijzigde je rol"),
    "admin.view_certificate": lazy_gettext("bekeek je certificaat"),
    "certificate.revoke": lazy_gettext("trok je certificaat in"),
    "booking.retry": lazy_gettext("bood je accreditatieboeking opnieuw aan"),
}


def seen_by(user: User) -> list[dict[str, Any]]:
    """Who else looked at or changed this person's data, from the audit log, oldest first.

    Events aimed at the person, their certificates or bookings, views of their cohorts (since
    they joined) and reports of live sessions they took part in. Admins' searches in the account
    list are not attributed: the log does not keep whom a search showed.
    """
    certificates = dict(
        db.session.execute(
            select(Certificate.id, Certificate.number).where(Certificate.user_id == user.id)
        ).all()
    )
    mine = {
        "user": {user.id},
        "certificate": set(certificates),
        "booking": set(
            db.session.scalars(select(Booking.id).where(Booking.certificate_id.in_(certificates)))
        ),
        "livesession": set(
            db.session.scalars(
                select(LiveParticipant.session_id).where(LiveParticipant.user_id == user.id)
            )
        ),
    }
    joined = dict(
        db.session.execute(
            select(CohortMember.cohort_id, CohortMember.joined_at).where(
                CohortMember.user_id == user.id
            )
        ).all()
    )

    def about_me(event: AuditEvent) -> bool:
        target = int(event.target_id) if event.target_id.isdigit() else None
        if target in mine.get(event.target_type, ()):
            return True
        if event.target_type == "cohort" and target in joined:
            return event.created_at >= joined[target]
        number = (event.detail or {}).get("number")
        return event.action == "admin.view_certificate" and number in certificates.values()

    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action.in_(LOOKED_AT),
            or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id),
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return [
        {
            "at": _iso(event.created_at),
            "by": _name_of(event.actor_id),
            "role": actor.role if actor is not None else None,
            "action": event.action,
            "what": str(LOOKED_AT[event.action]),
        }
        for event, actor in rows
        if about_me(event)
    ]


def _name_of(user_id: int | None) -> str | None:
    person = db.session.get(User, user_id) if user_id is not None else None
    return person.full_name if person is not None and person.deleted_at is None else None


def on_account_deletion(app: Flask, forget: Callable[[User], object]) -> None:
    """Have `forget(user)` run for every account deleted in this app, before its personal data
    goes: a part that keeps data of its own about the person (certificates) registers here at
    app setup, so accounts need not import it."""
    app.extensions.setdefault(DELETION_HOOKS, []).append(forget)


def delete_account(user: User) -> None:
    """Remove the user's personal data; keep certificates verifiable and record the deletion."""
    for forget in current_app.extensions.get(DELETION_HOOKS, ()):
        forget(user)
    attempt_ids = select(Attempt.id).where(Attempt.user_id == user.id)
    db.session.execute(delete(Answer).where(Answer.attempt_id.in_(attempt_ids)))
    for model in (
        Attempt,
        AttemptGrant,
        LessonProgress,
        LearnerStanding,
        Evaluation,
        CohortMember,
        CohortTrainer,
    ):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(CohortInvite).where(CohortInvite.email == user.email))
    db.session.execute(delete(MailMessage).where(MailMessage.recipient == user.email))
    # Audit events stay (they record what happened), but no longer point at the person.
    forget_person(user)
    db.session.execute(
        AuditEvent.__table__.update().where(AuditEvent.actor_id == user.id).values(actor_id=None)
    )
    user.email = f"verwijderd-{user.id}@signaal.invalid"
    user.password_hash = "!" + secrets.token_hex(16)
    user.initials = user.first_name = user.tussenvoegsel = user.surname = ""
    user.big_number = None
    user.totp_secret = None
    user.last_heartbeat_at = None
    user.role = "learner"
    user.deleted_at = clock.now()
    user.session_version += 1
    audit(None, "account.deleted", user)


def flush_deleted_to_disk() -> None:
    """After a committed deletion on SQLite: move the write-ahead log into the database file.

    Until a checkpoint the WAL keeps the pages as they were before the deletion; with
    secure_delete (app/web.py) the database file keeps no deleted content either.
    """
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year - years, day=28)


def last_activity() -> Any:
    """A subquery (user_id, last_active): the latest trace of each account's own activity.

    Signing up, confirming the address, reading a lesson, starting, answering or submitting a
    quiz, the evaluation, a certificate, joining a cohort, and anything the audit log records the
    person doing (trainers' and admins' work). Logins are not recorded anywhere, so they do not count.
    """
    traces = union_all(
        select(User.id.label("user_id"), User.created_at.label("at")),
        select(User.id, User.email_confirmed_at),
        select(LessonProgress.user_id, LessonProgress.last_seen_at),
        select(Attempt.user_id, Attempt.started_at),
        select(Attempt.user_id, Attempt.submitted_at),
        select(Attempt.user_id, Answer.updated_at).join(Answer, Answer.attempt_id == Attempt.id),
        select(Evaluation.user_id, Evaluation.submitted_at),
        select(Certificate.user_id, Certificate.issued_at),
        select(CohortMember.user_id, CohortMember.joined_at),
        select(AuditEvent.actor_id, AuditEvent.created_at),
    ).subquery()
    return (
        select(traces.c.user_id, func.max(traces.c.at).label("last_active"))
        .where(traces.c.user_id.is_not(None))
        .group_by(traces.c.user_id)
        .subquery()
    )


def inactive_accounts(
    now: dt.datetime, years: int = RETENTION_YEARS
) -> list[tuple[User, dt.datetime]]:
    """Accounts with no activity for `years` years, with their last activity, oldest first.

    Admins are left out: the last admin must not disappear unnoticed; another admin (or
    `flask users set-role`) takes the role away first.
    """
    activity = last_activity()
    cutoff = _years_before(now, years)
    rows = db.session.execute(
        select(User, activity.c.last_active)
        .join(activity, activity.c.user_id == User.id)
        .where(
            User.deleted_at.is_(None),
            User.role != "admin",
            activity.c.last_active < cutoff,
        )
        .order_by(activity.c.last_active, User.id)
    ).all()
    # max() keeps the column's type, so these come back timezone-aware on every database.
    return [(user, last) for user, last in rows]


def purge_inactive(now: dt.datetime, years: int = RETENTION_YEARS) -> list[tuple[str, dt.datetime]]:
    """Delete every inactive account (see `inactive_accounts`); return (e-mail, last activity)."""
    purged = []
    for user, last in inactive_accounts(now, years):
        purged.append((user.email, last))
        delete_account(user)
    if purged:
        audit(None, "account.purge_inactive", count=len(purged), years=years)
    db.session.flush()
    return purged
