"""Attendance list for the accreditation register (GAIA / PE-online) as CSV.

Columns in the order the register's attendance lists use, with the tussenvoegsel as its own
column right after the surname. Each exported certificate records when it was first exported,
so an export limited to "not yet exported" books no point twice and misses none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import defer

from .. import clock
from ..content import Course
from ..csvsafe import to_csv
from ..extensions import db
from ..models import Certificate, profession_label_in
from .facts import decimal

COLUMNS = (
    "Organisatie",
    "Cursustitel",
    "Datum",
    "Accreditatie-ID",
    "Achternaam",
    "Tussenvoegsel",
    "Voorletters",
    "Beroep",
    "BIG-nummer",
    "Punten",
    "Certificaatnummer",
)
#: With the semicolons of to_csv, a byte-order mark: what Dutch spreadsheets open without questions.
ENCODING = "utf-8-sig"


@dataclass(frozen=True)
class Export:
    csv_text: str
    count: int
    #: Exported rows without an accreditation id (accreditation still applied for at issue).
    without_id: int


def exportable(
    course_slug: str, date_from: dt.date, date_until: dt.date, *, only_new: bool = False
) -> list[Certificate]:
    """Valid accreditation certificates of a course completed in [from, until]."""
    # The list never needs the PDF bytes (~64 kB each).
    statement = (
        select(Certificate)
        .options(defer(Certificate.pdf))
        .where(
            Certificate.course_slug == course_slug,
            Certificate.kind == "accreditation",
            Certificate.status == "valid",
            Certificate.completed_on >= date_from,
            Certificate.completed_on <= date_until,
        )
    )
    if only_new:
        statement = statement.where(Certificate.exported_at.is_(None))
    return list(
        db.session.scalars(
            statement.order_by(Certificate.completed_on, Certificate.surname, Certificate.id)
        )
    )


def row(certificate: Certificate, organisation: str) -> list[str]:
    """One attendance line, in COLUMNS order."""
    return [
        organisation,
        certificate.course_title,
        certificate.completed_on.strftime("%d-%m-%Y"),
        certificate.accreditation_id,
        certificate.surname,
        certificate.tussenvoegsel,
        certificate.initials,
        profession_label_in(certificate.profession, "nl"),  # the register's list is Dutch
        certificate.big_number or "",
        decimal(certificate.points),
        certificate.number,
    ]


def export(
    course: Course,
    date_from: dt.date,
    date_until: dt.date,
    organisation: str,
    *,
    only_new: bool = False,
    now: dt.datetime | None = None,
) -> Export:
    """Build the CSV and mark the rows exported (the first export time is kept); flushes."""
    now = now or clock.now()
    certificates = exportable(course.slug, date_from, date_until, only_new=only_new)
    csv_text = to_csv(COLUMNS, (row(c, organisation) for c in certificates))
    for certificate in certificates:
        if certificate.exported_at is None:
            certificate.exported_at = now
    db.session.flush()
    return Export(
        csv_text=csv_text,
        count=len(certificates),
        without_id=sum(1 for c in certificates if not c.accreditation_id),
    )


def pending_warning(course: Course) -> str:
    """Why this course's list is not ready for the register yet, or "" when it is."""
    accreditation = course.accreditation
    if accreditation.granted:
        return ""
    if accreditation.status == "applied":
        return gettext(
            "%(course)s: de accreditatie is nog aangevraagd bij %(body)s. De presentielijst heeft "
            "daarom geen activiteit-ID en geen punten, en is nog niet klaar voor het register.",
            course=course.title,
            body=accreditation.body,
        )
    return gettext(
        "%(course)s: de cursus is niet geaccrediteerd. De presentielijst heeft daarom geen "
        "activiteit-ID en geen punten, en is nog niet klaar voor het register.",
        course=course.title,
    )


def filename(course: Course, date_from: dt.date, date_until: dt.date) -> str:
    """The CSV's name; "concept-" in front while the list is not ready for the register."""
    prefix = "concept-" if pending_warning(course) else ""
    return (
        f"{prefix}presentielijst-{course.slug}-{date_from.isoformat()}-{date_until.isoformat()}.csv"
    )
