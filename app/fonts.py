"""The shipped Unicode font (DejaVu Sans), registered once with reportlab for every PDF we make,
and the A4 document the reports (dossier, live session) are laid out on."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
#: The thin rule under each row of a report table.
RULE = colors.HexColor("#d3dae0")
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


class FontMissing(FileNotFoundError):
    """The shipped Unicode font is not where the app expects it."""


def dejavu(font_dir: Path | str) -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) from the folder and return their names.

    Every glyph then comes from an embedded font: a PDF that falls back to Helvetica leaves the
    font to the reader's machine.
    """
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FILES.items():
        path = Path(font_dir) / file
        if not path.is_file():
            raise FontMissing(f"{path}: het lettertype ontbreekt")  # i18n: keep (operators)
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return REGULAR, BOLD


def a4_document(buffer: io.BytesIO, font: str, *, title: str, author: str) -> SimpleDocTemplate:
    """An A4 report in Dutch that starts in the embedded `font`, so no unembedded standard font
    is named in the file."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=author,
        creator="Signaal",
        lang="nl",
        initialFontName=font,
    )


def report_table(cells: list[list[Flowable]], widths: list[float] | None, font: str) -> Table:
    """A report table of paragraphs, a thin rule under each row, the header repeated on a new
    page. The table's own font is set too: reportlab otherwise names Helvetica for every cell."""
    table = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table
