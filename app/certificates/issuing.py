"""Issue certificates exactly once: eligibility, number, snapshot, PDF, signature, storage.

At most one valid certificate exists per learner, course version and accreditation period: a
partial unique index enforces it, so of two parallel requests one inserts and the other loads
that certificate. A revoked certificate can be issued again (corrected). Functions flush, never
commit; the view commits and then mails the PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..audit import audit
from ..content import Course
from ..dates import AMSTERDAM
from ..extensions import db
from ..learning.progress import course_progress
from ..mail import queue_mail_in
from ..models import Certificate, LessonProgress, User
from ..quizzes.attempts import assessment_status
from ..web import public_url
from . import eligibility, numbers, pdf, signing
from .evaluation import evaluation_of
from .facts import CertificateFacts, Provider, facts_of, lines

#: New numbers to try when a freshly drawn number is already taken (practically never).
_NUMBER_TRIES = 5


class NotEligible(Exception):
    """The learner has not yet met every requirement."""


@dataclass(frozen=True)
class Settings:
    """What issuing needs from the app's configuration."""

    public_base_url: str
    certificates_dir: Path
    layout_name: str
    signing_key: str
    signing_cert: str
    signing_passphrase: str
    #: Outside production a missing signing pair is created (self-signed, for development).
    create_dev_keys: bool
    provider: Provider

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            public_base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
            certificates_dir=Path(config["CERTIFICATES_DIR"]),
            layout_name=config["CERTIFICATE_LAYOUT"],
            signing_key=config["SIGNING_KEY"],
            signing_cert=config["SIGNING_CERT"],
            signing_passphrase=config["SIGNING_KEY_PASSPHRASE"],
            create_dev_keys=not config["PRODUCTION"],
            provider=Provider.from_config(config),
        )

    def signer(self) -> Any:
        """The pyHanko signer; a development pair is made first when allowed and missing."""
        if self.create_dev_keys:
            signing.ensure_dev_keys(self.signing_key, self.signing_cert)
        return signing.load_signer(self.signing_key, self.signing_cert, self.signing_passphrase)

    def verification_url(self, number: str) -> str:
        """The public verification address, from PUBLIC_BASE_URL (never the request's host)."""
        return numbers.verification_url(self.public_base_url, number)


@dataclass(frozen=True)
class Standing:
    """A learner's standing towards a certificate for one course."""

    eligibility: eligibility.Eligibility
    #: The Amsterdam date the last requirement was met (today while something is missing).
    completed_on: dt.date

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible


def amsterdam_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(AMSTERDAM).date()


def _last_lesson_completion(user_id: int, course: Course) -> dt.datetime | None:
    # CourseProgress says which lessons are done, not when: the completion date needs the time.
    return db.session.scalar(
        select(func.max(LessonProgress.completed_at)).where(
            LessonProgress.user_id == user_id,
            LessonProgress.course_slug == course.slug,
            LessonProgress.lesson_slug.in_([lesson.slug for lesson in course.lessons]),
        )
    )


def standing(user: User, course: Course, now: dt.datetime | None = None) -> Standing:
    """Gather progress, assessment and evaluation, and check eligibility."""
    now = now or clock.now()
    progress = course_progress(user.id, course)
    statuses = assessment_status(user.id, course)
    evaluation = evaluation_of(user.id, course.slug)
    requirements = course.requirements
    moments: list[dt.datetime] = []
    if requirements.all_lessons and (last := _last_lesson_completion(user.id, course)):
        moments.append(last)
    if requirements.final_assessment:
        moments += [s.passed_at for s in statuses.values() if s.passed_at is not None]
    if requirements.evaluation and evaluation is not None:
        moments.append(evaluation.submitted_at)
    result = eligibility.check(
        course,
        completed_lessons=progress.completed,
        assessment=statuses,
        evaluation_done=evaluation is not None,
        study_seconds=progress.seconds_on_task,
        email_confirmed=user.email_confirmed_at is not None,
        profession=user.profession,
        big_number=user.big_number,
        completed_on=amsterdam_date(now),
    )
    completed_on = amsterdam_date(now)
    if result.eligible and moments:
        # The date printed is when the last requirement was met, not when the learner clicked;
        # the minimum study time has no moment of its own and counts with the lessons.
        completed_on = amsterdam_date(max(moments))
        kind, reason = eligibility.certificate_kind(
            course, user.profession, user.big_number, completed_on
        )
        result = replace(result, kind=kind, kind_reason=reason)
    return Standing(result, completed_on)


def period_of(course: Course, completed_on: dt.date) -> tuple[dt.date, dt.date | None]:
    """The accreditation period a completion falls in, or (completion date, None) outside it."""
    accreditation = course.accreditation
    if accreditation.covers(completed_on) and accreditation.valid_from is not None:
        return accreditation.valid_from, accreditation.valid_until
    return completed_on, None


def valid_certificate(
    user_id: int, course: Course, period_start: dt.date | None = None
) -> Certificate | None:
    """The learner's valid certificate for the current course version (and period, if given)."""
    statement = select(Certificate).where(
        Certificate.user_id == user_id,
        Certificate.course_slug == course.slug,
        Certificate.course_version == course.version,
        Certificate.status == "valid",
    )
    if period_start is not None:
        statement = statement.where(Certificate.period_start == period_start)
    return db.session.scalars(
        statement.order_by(Certificate.issued_at.desc()).execution_options(populate_existing=True)
    ).first()


def certificates_of(user_id: int, course_slug: str | None = None) -> list[Certificate]:
    """All certificates of a learner (valid and revoked), newest first."""
    statement = select(Certificate).where(Certificate.user_id == user_id)
    if course_slug is not None:
        statement = statement.where(Certificate.course_slug == course_slug)
    return list(db.session.scalars(statement.order_by(Certificate.issued_at.desc())))


def find_by_number(number: str) -> Certificate | None:
    """The certificate with this canonical number."""
    return db.session.scalars(select(Certificate).where(Certificate.number == number)).first()


def confirmed_facts_match(user: User, shown_name: str, shown_big: str) -> bool:
    """Whether the name and BIG number the learner confirmed are still the account's.

    The confirm page shows them; a change in the profile since (another tab) must be confirmed
    again before a certificate prints them.
    """
    return (shown_name, shown_big) == (user.formal_name, user.big_number or "")


def preview_facts(
    user: User, course: Course, found: Standing, provider: Provider, number: str = ""
) -> CertificateFacts:
    """What the certificate will print for this learner, before it exists."""
    kind = found.eligibility.kind
    accreditation = course.accreditation
    granted = kind == "accreditation" and accreditation.granted
    period_start, period_end = period_of(course, found.completed_on)
    return CertificateFacts(
        number=number,
        kind=kind,
        initials=user.initials,
        tussenvoegsel=user.tussenvoegsel or "",
        surname=user.surname,
        big_number=user.big_number or None,
        profession=user.profession,
        course_title=course.title,
        course_version=course.version,
        completed_on=found.completed_on,
        study_load_minutes=course.study_load_minutes,
        accreditation_body=accreditation.body,
        accreditation_status=accreditation.status,
        # Only a granted accreditation has an id and points; none is ever invented.
        accreditation_id=accreditation.activity_id if granted else "",
        points=accreditation.points if granted else 0,
        period_start=period_start if period_end else None,
        period_end=period_end,
        provider=provider,
    )


def render_signed(facts: CertificateFacts, settings: Settings) -> tuple[bytes, str]:
    """Render and sign the PDF; return it with the layout version used."""
    layout = pdf.latest_layout(settings.certificates_dir, settings.layout_name)
    unsigned = pdf.render(facts, layout, settings.verification_url(facts.number))
    signed = signing.sign_pdf(
        unsigned,
        settings.signer(),
        reason=f"Certificaat {facts.number}",
        location=facts.provider.name,
    )
    return signed, layout.version


def issue(
    user: User, course: Course, settings: Settings, now: dt.datetime | None = None
) -> tuple[Certificate, bool]:
    """Return the learner's valid certificate, issuing it if needed; created tells which."""
    now = now or clock.now()
    found = standing(user, course, now)
    period_start, period_end = period_of(course, found.completed_on)
    existing = valid_certificate(user.id, course, period_start)
    if existing is not None:
        return existing, False
    if not found.eligible:
        raise NotEligible(course.slug)
    for _ in range(_NUMBER_TRIES):
        facts = preview_facts(user, course, found, settings.provider, numbers.new_number())
        certificate = _signed_certificate(facts, user.id, course, settings, now)
        try:
            # A parallel request may insert first: the SAVEPOINT keeps this transaction usable.
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            winner = valid_certificate(user.id, course, period_start)
            if winner is not None:
                return winner, False
            continue  # the number was taken: draw another
        audit(user, "certificate.issue", certificate, number=certificate.number)
        return certificate, True
    raise RuntimeError("no free certificate number after several tries")


def _signed_certificate(
    facts: CertificateFacts,
    user_id: int | None,
    course: Course,
    settings: Settings,
    now: dt.datetime,
) -> Certificate:
    """A new certificate row for these facts, with its signed PDF (not yet added)."""
    period_start, period_end = period_of(course, facts.completed_on)
    document, layout_version = render_signed(facts, settings)
    return Certificate(
        number=facts.number,
        user_id=user_id,
        kind=facts.kind,
        course_slug=course.slug,
        course_version=course.version,
        course_hash=course.content_hash,
        course_title=facts.course_title,
        initials=facts.initials,
        tussenvoegsel=facts.tussenvoegsel,
        surname=facts.surname,
        profession=facts.profession,
        big_number=facts.big_number,
        completed_on=facts.completed_on,
        study_load_minutes=facts.study_load_minutes,
        accreditation_body=facts.accreditation_body,
        accreditation_status=facts.accreditation_status,
        accreditation_id=facts.accreditation_id,
        points=facts.points,
        period_start=period_start,
        period_end=period_end,
        provider_name=facts.provider.name,
        provider_address=facts.provider.address,
        signatory_name=facts.provider.signatory_name,
        signatory_role=facts.provider.signatory_role,
        layout_version=layout_version,
        pdf=document,
        sha256=hashlib.sha256(document).hexdigest(),
        status="valid",
        issued_at=now,
    )


def awaiting_points(course: Course) -> list[Certificate]:
    """Valid accreditation certificates issued before the accreditation was granted that fall
    inside its valid period: they are to be re-issued with the points."""
    if not course.accreditation.granted:
        return []
    rows = db.session.scalars(
        select(Certificate).where(
            Certificate.course_slug == course.slug,
            Certificate.kind == "accreditation",
            Certificate.status == "valid",
            Certificate.points == 0,
            Certificate.user_id.is_not(None),
        )
    )
    return [c for c in rows if course.accreditation.covers(c.completed_on)]


def reissue_with_points(
    certificate: Certificate, course: Course, settings: Settings, now: dt.datetime | None = None
) -> Certificate:
    """Supersede a pending-time certificate by one with the granted accreditation's points.

    Same person, course and completion date as printed before; a new number and signed PDF.
    The old certificate stays verifiable and says it was superseded.
    """
    now = now or clock.now()
    accreditation = course.accreditation
    period_start, period_end = period_of(course, certificate.completed_on)
    certificate.status = "superseded"
    db.session.flush()  # the valid-per-period index must see the old one go first
    facts = replace(
        facts_of(certificate),
        number=numbers.new_number(),
        course_title=course.title,
        course_version=course.version,
        accreditation_body=accreditation.body,
        accreditation_status=accreditation.status,
        accreditation_id=accreditation.activity_id,
        points=accreditation.points,
        period_start=period_start if period_end else None,
        period_end=period_end,
        provider=settings.provider,
    )
    successor = _signed_certificate(facts, certificate.user_id, course, settings, now)
    db.session.add(successor)
    audit(
        None,
        "certificate.reissue",
        successor,
        number=successor.number,
        supersedes=certificate.number,
    )
    db.session.flush()
    return successor


def mail_certificate(
    certificate: Certificate, holder: User, verification_url: str, supersedes: str = ""
) -> None:
    """Queue the signed PDF for the learner (BIG number masked as on the verification page),
    saying which certificate it replaces, if any; the caller commits."""
    if certificate.pdf is None:
        return
    facts = facts_of(certificate)
    queue_mail_in(
        holder.language,
        holder.email,
        lazy_gettext("Je certificaat: %(course)s", course=certificate.course_title),
        "certificates/mail_certificate.txt",
        attachments=[(pdf_filename(certificate), "application/pdf", certificate.pdf)],
        certificate=certificate,
        holder=holder,
        facts=facts,
        facts_lines=lines(facts, mask=True),
        verification_url=verification_url,
        supersedes=supersedes,
        aid_url=public_url("watnu.show"),
    )


def mail_revocation(certificate: Certificate, holder: User, public_base_url: str) -> None:
    """Tell the holder their certificate was revoked: why, and what to do now (caller commits)."""
    queue_mail_in(
        holder.language,
        holder.email,
        lazy_gettext("Je certificaat %(number)s is ingetrokken", number=certificate.number),
        "certificates/mail_revoked.txt",
        certificate=certificate,
        holder=holder,
        base_url=public_base_url.rstrip("/"),
        provider_name=certificate.provider_name or lazy_gettext("de aanbieder"),
    )


def holder_of(certificate: Certificate) -> User | None:
    """The learner a certificate was issued to, unless the account was deleted."""
    if certificate.user_id is None:
        return None
    holder = db.session.get(User, certificate.user_id)
    return holder if holder is not None and holder.deleted_at is None else None


def has_replacement(certificate: Certificate) -> bool:
    """Whether a valid certificate for the same learner and course was issued after this one."""
    if certificate.user_id is None:
        return False
    return (
        db.session.scalar(
            select(func.count(Certificate.id)).where(
                Certificate.user_id == certificate.user_id,
                Certificate.course_slug == certificate.course_slug,
                Certificate.status == "valid",
                Certificate.issued_at > certificate.issued_at,
            )
        )
        > 0
    )


def pdf_filename(certificate: Certificate) -> str:
    return f"certificaat-{certificate.number}.pdf"


def revoke(certificate: Certificate, reason: str, actor: User | None) -> Certificate:
    """Revoke a valid certificate with a reason (audit-logged); verification then says so."""
    if certificate.status == "revoked":
        return certificate
    certificate.status = "revoked"
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason.strip()
    audit(
        actor,
        "certificate.revoke",
        certificate,
        number=certificate.number,
        reason=certificate.revoked_reason,
    )
    db.session.flush()
    return certificate


def forget_certificates_of(user: User) -> int:
    """For a deleted account: drop the PDFs and BIG numbers, keep snapshot and SHA-256.

    The certificates stay verifiable (number, name, course, date, hash of the issued file).
    Returns how many certificates were touched.
    """
    rows = list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)))
    for certificate in rows:
        certificate.pdf = None
        certificate.big_number = None
    db.session.flush()
    return len(rows)
