"""Bookings: which accreditation certificates go to PE-online, claimed once, and their outcome.

Functions flush, never commit: the command or view that calls them owns the transaction. A run
claims a batch with one conditional UPDATE (so parallel runs on several machines never send the
same attendance), commits, sends, and records the answer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..content import Course
from ..dates import AMSTERDAM, local_date
from ..extensions import db
from ..models import Booking, Certificate, User
from .pe_online import MAX_BATCH, Attendance, Summary

STATES = ("waiting", "pending", "sent", "accepted", "rejected", "failed")
STATE_LABELS = {
    "waiting": lazy_gettext("Wacht op accreditatie"),
    "pending": lazy_gettext("Klaar om te boeken"),
    "sent": lazy_gettext("Verstuurd, antwoord volgt"),
    "accepted": lazy_gettext("Bijgeschreven in GAIA"),
    "rejected": lazy_gettext("Geweigerd door PE-online"),
    "failed": lazy_gettext("Niet verstuurd (storing), volgt opnieuw"),
}
SENDABLE = ("pending", "failed")
_FIRST_RETRY = dt.timedelta(minutes=15)
_LAST_RETRY = dt.timedelta(hours=24)


def bookable(course: Course) -> bool:
    """Attendance can be booked once the accreditation is granted and PE-online's id is known."""
    return course.accreditation.granted and bool(course.accreditation.pe_course_id)


def sync(course: Course, now: dt.datetime) -> int:
    """Bring the bookings in line with the certificates; returns how many were created.

    Every valid accreditation certificate with a BIG number gets a booking; it waits until the
    accreditation is granted and the certificate carries the points. A rejected booking becomes
    sendable again when the learner has corrected their BIG number since.
    """
    missing = db.session.scalars(
        select(Certificate)
        .outerjoin(Booking, Booking.certificate_id == Certificate.id)
        .where(
            Certificate.course_slug == course.slug,
            Certificate.kind == "accreditation",
            Certificate.status == "valid",
            Certificate.big_number.is_not(None),
            Booking.id.is_(None),
        )
    ).all()
    for certificate in missing:
        try:
            # Another run may create the same booking at the same moment: keep the first.
            with db.session.begin_nested():
                db.session.add(
                    Booking(
                        certificate_id=certificate.id,
                        course_slug=course.slug,
                        state="waiting",
                        big_number=certificate.big_number or "",
                        updated_at=now,
                    )
                )
        except IntegrityError:
            continue
    if bookable(course):
        db.session.execute(
            update(Booking)
            .where(
                Booking.course_slug == course.slug,
                Booking.state == "waiting",
                Booking.certificate_id.in_(
                    select(Certificate.id).where(
                        Certificate.status == "valid", Certificate.points > 0
                    )
                ),
            )
            .values(state="pending", updated_at=now)
        )
    corrected = db.session.execute(
        select(Booking, User.big_number)
        .join(Certificate, Certificate.id == Booking.certificate_id)
        .join(User, User.id == Certificate.user_id)
        .where(
            Booking.course_slug == course.slug,
            Booking.state == "rejected",
            User.big_number.is_not(None),
            User.big_number != Booking.big_number,
        )
    ).all()
    for booking, big_number in corrected:
        booking.big_number = big_number
        booking.state = "pending"
        booking.error_number = None
        booking.error_message = ""
        booking.updated_at = now
    db.session.flush()
    return len(missing)


def claim_batch(now: dt.datetime, limit: int = MAX_BATCH) -> tuple[str, list[Booking]]:
    """Claim up to `limit` due bookings for this run: (claim token, bookings).

    One UPDATE with the selection as a subquery: of two runs at once each row goes to one.
    The caller commits right after, before sending.
    """
    token = secrets.token_hex(16)
    due = (
        Booking.state.in_(SENDABLE),
        or_(Booking.next_try_at.is_(None), Booking.next_try_at <= now),
    )
    chosen = select(Booking.id).where(*due).order_by(Booking.id).limit(limit)
    db.session.execute(
        update(Booking)
        .where(Booking.id.in_(chosen.scalar_subquery()), *due)
        .values(state="sent", claim=token, sent_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.scalars(
        select(Booking)
        .where(Booking.claim == token, Booking.state == "sent")
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    ).all()
    return token, list(claimed)


def attendance_of(booking: Booking, course: Course) -> Attendance:
    """The row PE-online gets: BIG number, course, module and the completion date."""
    completed = booking.certificate.completed_on
    return Attendance(
        big_number=booking.big_number,
        course_id=course.accreditation.pe_course_id,
        module_id=course.accreditation.pe_module_id,
        # The completion is known to the day: midnight Amsterdam time, never an invented hour.
        end=dt.datetime.combine(completed, dt.time(0), tzinfo=AMSTERDAM),
    )


def record_summary(batch: Sequence[Booking], summary: Summary, now: dt.datetime) -> Counter:
    """Record PE-online's answer for each booking of the call, in the order they were sent."""
    outcome: Counter = Counter()
    by_line = {error.line: error for error in summary.errors if error.line is not None}
    general = [error for error in summary.errors if error.line is None]
    accepted = {row.person: row for row in summary.accepted}
    for line, booking in enumerate(batch, start=1):
        booking.claim = ""
        booking.updated_at = now
        error = by_line.get(line)
        row = accepted.get(booking.big_number) if error is None else None
        if row is not None:
            booking.state = "accepted"
            booking.accepted_at = _parse_moment(row.date) or now
            booking.error_number = None
            booking.error_message = ""
        else:
            error = error or (general[0] if general else None)
            booking.state = "rejected"
            booking.error_number = error.number if error else None
            booking.error_message = (
                error.message
                if error
                # Stored with the booking beside PE-online's own messages, which are Dutch.
                else "PE-online noemde deze regel niet in het antwoord; controleer in PE-online "  # i18n: keep
                "of de presentie is geboekt voordat je hem opnieuw verstuurt."
            )
        outcome[booking.state] += 1
    db.session.flush()
    return outcome


def record_failure(batch: Sequence[Booking], message: str, now: dt.datetime) -> None:
    """The call did not get through: each booking is retried later, waiting longer each time."""
    for booking in batch:
        booking.tries += 1
        booking.state = "failed"
        booking.claim = ""
        booking.error_number = None
        booking.error_message = message
        booking.next_try_at = now + backoff(booking.tries)
        booking.updated_at = now
    db.session.flush()


def release(batch: Sequence[Booking], now: dt.datetime, state: str = "pending") -> None:
    """Give claimed bookings back unsent (a configuration error stopped the run, or their
    course can no longer be booked: then they wait)."""
    for booking in batch:
        booking.state = state
        booking.claim = ""
        booking.updated_at = now
    db.session.flush()


def backoff(tries: int) -> dt.timedelta:
    """15 minutes after the first failure, doubling, at most a day."""
    return min(_FIRST_RETRY * 2 ** max(tries - 1, 0), _LAST_RETRY)


def retry(booking: Booking, actor: User | None, now: dt.datetime) -> bool:
    """An admin asks to send a rejected or failed booking again; False if it cannot be."""
    if booking.state not in ("rejected", "failed"):
        return False
    booking.state = "pending"
    booking.next_try_at = None
    booking.updated_at = now
    audit(actor, "booking.retry", booking, certificate=booking.certificate_id)
    db.session.flush()
    return True


def counts(course_slug: str) -> dict[str, int]:
    """Bookings per state for a course (every state present, zero when none)."""
    rows = db.session.execute(
        select(Booking.state, db.func.count())
        .where(Booking.course_slug == course_slug)
        .group_by(Booking.state)
    ).all()
    found = dict(rows)
    return {state: int(found.get(state, 0)) for state in STATES}


def needing_attention(course_slug: str) -> list[Booking]:
    """Rejected and failed bookings, oldest first, with their certificates."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.course_slug == course_slug, Booking.state.in_(("rejected", "failed")))
            .order_by(Booking.updated_at)
        )
    )


def paste_list(course_slug: str) -> list[str]:
    """BIG numbers for PE-online's manual route: sendable bookings, one number each."""
    return list(
        db.session.scalars(
            select(Booking.big_number)
            .where(Booking.course_slug == course_slug, Booking.state.in_(SENDABLE))
            .order_by(Booking.id)
        )
    )


def booking_of(certificate_id: int) -> Booking | None:
    return db.session.scalars(
        select(Booking).where(Booking.certificate_id == certificate_id)
    ).first()


@dataclass(frozen=True)
class Advice:
    """What a rejection means and what to do, for the admin and for the learner."""

    admin: str
    learner: str


def advice(booking: Booking) -> Advice:
    """Plain language for a rejection, from PE-online's message (in the reader's language)."""
    message = booking.error_message.lower()
    if booking.state == "failed":
        return Advice(
            gettext("PE-online was niet bereikbaar; de volgende poging gaat vanzelf."),
            gettext("We boeken je punten zodra PE-online weer bereikbaar is."),
        )
    if "professional" in message or "beroepsbeoefenaar" in message or "persoon" in message:
        return Advice(
            gettext(
                "PE-online kent dit BIG-nummer niet. Vraag de deelnemer het nummer in het profiel te "
                "controleren; na een correctie gaat de boeking vanzelf opnieuw."
            ),
            gettext(
                "PE-online kent dit BIG-nummer niet: controleer het in je profiel. Na een correctie "
                "boeken we opnieuw."
            ),
        )
    if "periode" in message or "datum" in message:
        return Advice(
            gettext(
                "De afronddatum valt buiten de accreditatieperiode in PE-online. Controleer de "
                "periode in course.toml en in PE-online."
            ),
            gettext(
                "De datum van afronden valt buiten de accreditatieperiode; de aanbieder zoekt dit uit."
            ),
        )
    if "cursus" in message or "course" in message or "module" in message:
        return Advice(
            gettext(
                "PE-online herkent de cursus of module niet. Controleer pe_course_id en pe_module_id "
                "in course.toml tegen PE-online."
            ),
            gettext(
                "De aanbieder lost een probleem met de registratie van de cursus op; je hoeft niets "
                "te doen."
            ),
        )
    return Advice(
        gettext("Lees de melding van PE-online; verstuur opnieuw als de oorzaak is opgelost."),
        gettext(
            "De aanbieder zoekt uit waarom PE-online de boeking weigerde; je hoeft nu niets te "
            "doen."
        ),
    )


def _parse_moment(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


@dataclass(frozen=True)
class PointsStatus:
    """Where a learner's points stand, in one sentence, and what to do (if anything)."""

    text: str
    action: str = ""


def points_status(certificate: Certificate) -> PointsStatus | None:
    """What the learner is told about the GAIA booking of this certificate (None: no points)."""
    if certificate.kind != "accreditation":
        return None
    booking = booking_of(certificate.id)
    if booking is None or booking.state == "waiting":
        return PointsStatus(
            gettext(
                "Je punten worden geboekt zodra de accreditatie is toegekend; je krijgt dan "
                "bericht."
            )
        )
    if booking.state == "accepted" and booking.accepted_at is not None:
        day = local_date(booking.accepted_at)
        return PointsStatus(gettext("Je punten zijn bijgeschreven in GAIA op %(day)s.", day=day))
    if booking.state == "rejected":
        return PointsStatus(
            gettext("PE-online heeft de boeking geweigerd."), advice(booking).learner
        )
    return PointsStatus(gettext("Je punten worden binnenkort in GAIA bijgeschreven."))


def points_status_of(user_id: int, course_slug: str) -> PointsStatus | None:
    """Where the points of the learner's valid certificate for the course stand, if any."""
    certificate = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.user_id == user_id,
            Certificate.course_slug == course_slug,
            Certificate.status == "valid",
        )
        .order_by(Certificate.issued_at.desc())
    ).first()
    return points_status(certificate) if certificate is not None else None
