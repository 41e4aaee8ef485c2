"""Attendance list for the accreditation register (GAIA / PE-online) as CSV.

Columns in the order the register's attendance lists use, with the tussenvoegsel as its own
column right after the surname. Each exported certificate records when it was first exported,
so an export limited to "not yet exported" books no point twice and misses none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import defer

from .. import clock
from ..content import Course
from ..extensions import db
from ..models import PROFESSIONS, Certificate
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
#: Semicolons and a byte-order mark: what Dutch spreadsheet software opens without questions.
DELIMITER = ";"
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


def _cell(value: str) -> str:
    """Defuse text a spreadsheet would run as a formula (a name such as "=HYPERLINK(...)")."""
    return "'" + value if value[:1] in ("=", "+", "@", "\t", "\r") else value


def row(certificate: Certificate, organisation: str) -> list[str]:
    """One attendance line, in COLUMNS order."""
    cells = [
        organisation,
        certificate.course_title,
        certificate.completed_on.strftime("%d-%m-%Y"),
        certificate.accreditation_id,
        certificate.surname,
        certificate.tussenvoegsel,
        certificate.initials,
        PROFESSIONS.get(certificate.profession, certificate.profession),
        certificate.big_number or "",
        decimal(certificate.points),
        certificate.number,
    ]
    return [_cell(cell) for cell in cells]


def export(
    course: Course,
    date_from: dt.date,
    date_until: dt.date,
    *,
    only_new: bool = False,
    now: dt.datetime | None = None,
) -> Export:
    """Build the CSV and mark the rows exported (the first export time is kept); flushes."""
    now = now or clock.now()
    certificates = exportable(course.slug, date_from, date_until, only_new=only_new)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for certificate in certificates:
        writer.writerow(row(certificate, course.provider))
        if certificate.exported_at is None:
            certificate.exported_at = now
    db.session.flush()
    return Export(
        csv_text=buffer.getvalue(),
        count=len(certificates),
        without_id=sum(1 for c in certificates if not c.accreditation_id),
    )


def filename(course: Course, date_from: dt.date, date_until: dt.date) -> str:
    return f"presentielijst-{course.slug}-{date_from.isoformat()}-{date_until.isoformat()}.csv"
