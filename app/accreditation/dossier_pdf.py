"""The dossier as a PDF (for the application) and its item statistics as a CSV annex."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from ..csvsafe import to_csv
from ..dates import local_date
from ..fonts import a4_document, dejavu, report_table
from .dossier import Dossier, Spread


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def _minutes(spread: Spread) -> str:
    if spread.n == 0:
        return "nog geen gegevens"
    return (
        f"mediaan {_number(spread.median, 0)} min (kwartielen {_number(spread.q1, 0)}–"
        f"{_number(spread.q3, 0)}), n = {spread.n}"
    )


def render_pdf(dossier: Dossier, font_dir: Path, generated_on: str) -> bytes:
    """Lay the dossier out on A4 pages."""
    regular, bold = dejavu(font_dir)
    course = dossier.course
    styles = {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=12, leading=15, spaceBefore=10),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10),
    }

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    def table(rows: list[list[str]], widths: list[float] | None = None) -> Table:
        cells = [[Paragraph(escape(c), styles["small"]) for c in row] for row in rows]
        return report_table(cells, widths, regular)

    accreditation = course.accreditation
    story: list = [
        p(f"Accreditatiedossier: {course.title}", "h1"),
        p(
            f"Versie {course.version} · aanbieder {course.provider} · opgesteld op "
            f"{generated_on} uit de gegevens van Signaal"
        ),
        p(
            f"Accreditatie: {accreditation.body}, status {accreditation.status}"
            + (
                f", activiteit {accreditation.activity_id}, {_number(accreditation.points, 1)} punten"
                if accreditation.granted
                else ""
            )
            + (
                f"; periode {local_date(accreditation.valid_from)} t/m "
                f"{local_date(accreditation.valid_until)}"
                if accreditation.valid_from and accreditation.valid_until
                else ""
            )
        ),
    ]
    if course.reviewed:
        story.append(p(f"Laatst herzien: {local_date(course.reviewed)}"))

    story.append(p("Leerdoelen per les", "h2"))
    for lesson in course.lessons:
        story.append(p(f"{lesson.number}. {lesson.title} ({lesson.minutes} min)", "body"))
        for objective in lesson.objectives:
            story.append(p(f"– {objective}", "small"))

    story.append(p("Studielast", "h2"))
    story.append(
        p(
            f"Opgegeven: {course.study_load_minutes} minuten. Gemeten bij deelnemers met een "
            f"certificaat (tijd in de lessen en casussen): {_minutes(dossier.study_time)}."
        )
    )
    rows = [["Les", "Opgegeven", "Gemeten"]]
    for lesson in course.lessons:
        rows.append(
            [
                lesson.title,
                f"{lesson.minutes} min",
                _minutes(dossier.study_time_per_lesson[lesson.slug]),
            ]
        )
    story.append(table(rows, [70 * mm, 25 * mm, 75 * mm]))

    story.append(p("Opzet van de eindtoets", "h2"))
    story.append(
        p(
            "Elke casus ontvouwt zich in delen; per deel beantwoordt de deelnemer vragen. Elke "
            "gescoorde vraag heeft parallelle varianten; een poging trekt per groep één variant. "
            "De eindtoets is gehaald als elke casus is gehaald (beste poging telt)."
        )
    )
    rows = [["Casus", "Delen", "Vraaggroepen", "Vragen", "Cesuur", "Pogingen"]]
    for case in dossier.design:
        rows.append(
            [
                case.title,
                str(case.stages),
                str(case.groups),
                str(case.questions),
                f"{case.pass_mark}%",
                str(case.attempts),
            ]
        )
    story.append(table(rows, [70 * mm, 15 * mm, 25 * mm, 18 * mm, 18 * mm, 20 * mm]))

    story.append(p("Toetsstatistiek (eerste poging per deelnemer)", "h2"))
    story.append(
        p(
            f"Betrouwbaarheid van de eindtoets als geheel (Cronbachs alfa, gelijk aan KR-20 bij "
            f"goed/fout-items): {_number(dossier.final_alpha)} (n = {dossier.final_n})."
        )
    )
    rates = [["Poging", "Ingeleverd", "Gehaald", "Slaagpercentage"]]
    for number, (submitted, passed) in dossier.pass_rate_per_attempt.items():
        share = f"{round(100 * passed / submitted)}%" if submitted else "–"
        rates.append([str(number), str(submitted), str(passed), share])
    story.append(table(rates))
    for slug, analysis in dossier.analyses.items():
        title = next(case.title for case in dossier.design if case.slug == slug)
        story.append(
            p(
                f"{title}: n = {analysis.n}, gemiddelde {_number(analysis.mean_score)}, "
                f"alfa {_number(analysis.alpha)}",
                "body",
            )
        )
        rows = [["Vraag", "n", "p", "Rit", "Signaal"]]
        for item in analysis.items:
            rows.append(
                [
                    item.question_id
                    + (f" (variant van {item.variant_of})" if item.variant_of else ""),
                    str(item.n),
                    _number(item.p),
                    _number(item.discrimination),
                    ", ".join(item.flag_labels),
                ]
            )
        story.append(table(rows, [85 * mm, 12 * mm, 15 * mm, 15 * mm, 40 * mm]))

    story.append(p("Evaluatie door deelnemers", "h2"))
    evaluation = dossier.evaluation
    rows = [["Vraag", "Gemiddeld (1–5)", "n"]]
    for rating in evaluation.ratings:
        rows.append([rating.label, _number(rating.mean, 1), str(sum(rating.counts))])
    story.append(table(rows))
    story.append(
        p(
            "Oordeel over de opgegeven studietijd: "
            + ", ".join(f"{label}: {count}" for label, count in evaluation.study_time)
        )
    )

    editorial = course.editorial
    story.append(p("Redactie, review en belangen", "h2"))
    if editorial is None:
        story.append(p("Niet opgegeven in course.toml."))
    else:
        story.append(p("Auteurs: " + ", ".join(editorial.authors)))
        for reviewer in editorial.reviewers:
            story.append(p(f"Review: {reviewer.name} ({reviewer.role})"))
        story.append(p(f"Belangenverklaring: {editorial.conflict_of_interest}"))

    story.append(p("Deelnemers en certificaten per jaar", "h2"))
    rows = [["Jaar", "Gestart", "Certificaten"]]
    for year, (started, issued) in dossier.per_year.items():
        rows.append([str(year), str(started), str(issued)])
    story.append(table(rows))

    story.append(p("Bronnen", "h2"))
    for number, source in enumerate(dossier.sources, start=1):
        story.append(
            p(f"{number}. {source.citation}{' ' + source.url if source.url else ''}", "small")
        )
    story.append(Spacer(1, 4 * mm))

    buffer = io.BytesIO()
    title = f"Accreditatiedossier {course.title}"
    a4_document(buffer, regular, title=title, author=course.provider).build(story)
    return buffer.getvalue()


ANNEX_HEADER = ("casus", "vraag", "variant_van", "type", "n", "p", "rit", "signaal")


def item_rows(dossier: Dossier) -> Iterable[list[str]]:
    """The CSV annex: one row per question (variants apart), first sittings."""
    for slug, analysis in dossier.analyses.items():
        for item in analysis.items:
            yield [
                slug,
                item.question_id,
                item.variant_of or "",
                item.type,
                str(item.n),
                _number(item.p, 3),
                _number(item.discrimination, 3),
                " ".join(item.flags),
            ]


def render_csv(dossier: Dossier) -> bytes:
    """Semicolons and a BOM, as Dutch spreadsheets expect."""
    return ("\ufeff" + to_csv(ANNEX_HEADER, item_rows(dossier))).encode("utf-8")
