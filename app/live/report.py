"""The EKC's report of a live session (PDF) and the attendance list (CSV): pure, from `Report`.

The PDF uses the DejaVu fonts the certificates use, so every font is embedded; the CSV follows
the trainer exports (';', UTF-8 with a byte-order mark, formula-safe cells).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from ..content.model import Option, Question
from ..csvsafe import to_csv
from ..dates import local_date, local_datetime
from ..fonts import a4_document, dejavu, report_table

BRAND = colors.HexColor("#0b5563")
INK = colors.HexColor("#1c2430")
MUTED = colors.HexColor("#4d5866")


@dataclass(frozen=True)
class Distribution:
    """How many participants chose each option of one question: counts, never names."""

    question: Question
    counts: tuple[tuple[Option, int], ...]
    #: Participants who answered this question.
    answered: int

    def count(self, option: Option) -> int:
        return next((n for o, n in self.counts if o.id == option.id), 0)


@dataclass(frozen=True)
class Attendee:
    name: str
    big_number: str
    profession: str


@dataclass(frozen=True)
class StageReport:
    title: str
    distributions: tuple[Distribution, ...]
    note: str


@dataclass(frozen=True)
class Report:
    case_title: str
    course_title: str
    ekc: str
    cohort: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    attendees: tuple[Attendee, ...]
    stages: tuple[StageReport, ...]


def _styles(regular: str, bold_font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, textColor=INK)
    bold = ParagraphStyle("bold", parent=base, fontName=bold_font)
    return {
        "body": base,
        "bold": bold,
        "title": ParagraphStyle("title", parent=bold, fontSize=17, leading=21, textColor=BRAND),
        "heading": ParagraphStyle(
            "heading", parent=bold, fontSize=13, leading=16, textColor=BRAND, spaceBefore=10
        ),
        "muted": ParagraphStyle("muted", parent=base, fontSize=9, leading=12, textColor=MUTED),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def render_pdf(report: Report, font_dir: Path) -> bytes:
    """The report as an A4 PDF for the toetsgroep's records."""
    regular, bold = dejavu(font_dir)
    s = _styles(regular, bold)
    buffer = io.BytesIO()
    document = a4_document(
        buffer, regular, title=f"Verslag toetsgroep: {report.case_title}", author=report.ekc
    )
    width = document.width
    ended = local_datetime(report.ended_at) if report.ended_at else "niet afgesloten"
    story = [
        _p("Verslag intercollegiale toetsing", s["title"]),
        Spacer(1, 3 * mm),
        _p(f"Datum: {local_date(report.started_at)}", s["body"]),
        _p(f"Begonnen: {local_datetime(report.started_at)}; afgesloten: {ended}", s["body"]),
        _p(f"EKC: {report.ekc}", s["body"]),
        _p(f"Casus: {report.case_title} (cursus {report.course_title})", s["body"]),
    ]
    if report.cohort:
        story.append(_p(f"Groep: {report.cohort}", s["body"]))
    story += [
        _p(f"Deelnemers ({len(report.attendees)})", s["heading"]),
        report_table(
            [[_p(h, s["bold"]) for h in ("Naam", "BIG-nummer", "Beroep")]]
            + [
                [
                    _p(a.name, s["body"]),
                    _p(a.big_number or "–", s["body"]),
                    _p(a.profession, s["body"]),
                ]
                for a in report.attendees
            ],
            [width * 0.45, width * 0.25, width * 0.30],
            regular,
        ),
        Spacer(1, 2 * mm),
        _p(
            "Antwoorden zijn per keuze geteld, zonder namen. Ze tellen niet als toetspoging en niet "
            "voor een certificaat.",
            s["muted"],
        ),
    ]
    for number, stage in enumerate(report.stages, 1):
        story.append(_p(f"Deel {number}: {stage.title}", s["heading"]))
        for distribution in stage.distributions:
            story.append(_p(distribution.question.prompt, s["bold"]))
            story.append(_p(f"Beantwoord door {distribution.answered}", s["muted"]))
            rows = [[_p(h, s["bold"]) for h in ("Keuze", "Aantal", "Juist")]]
            for option, count in distribution.counts:
                rows.append(
                    [
                        _p(option.text, s["body"]),
                        _p(str(count), s["body"]),
                        _p("juist" if option.correct else "", s["body"]),
                    ]
                )
            story += [
                report_table(rows, [width * 0.70, width * 0.12, width * 0.18], regular),
                Spacer(1, 2 * mm),
            ]
        if stage.note:
            story.append(_p("Notities van de EKC", s["bold"]))
            story += [_p(line, s["body"]) for line in stage.note.splitlines() if line.strip()]
    document.build(story)
    return buffer.getvalue()


CSV_HEADERS = ("BIG-nummer", "Naam", "Beroep")


def attendance_csv(report: Report) -> bytes:
    """The attendance list for Dutch Excel: ';' separated, UTF-8 with a byte-order mark."""
    rows = ((a.big_number, a.name, a.profession) for a in report.attendees)
    return ("\ufeff" + to_csv(CSV_HEADERS, rows)).encode("utf-8")
