"""The printable reference card: a ReferenceCard laid out on exactly one A4 page (pure).

Signals per form on the left, the five meldcode steps and the phone numbers on the right,
sources at the foot. Everything sits in one shrink-to-fit frame, so a longer card gets a
smaller type size instead of a second page.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..content import ReferenceCard

BRAND = colors.HexColor("#0b5563")
SIGNAL = colors.HexColor("#b35c00")
INK = colors.HexColor("#1c2430")
MUTED = colors.HexColor("#4d5866")
PANEL = colors.HexColor("#e6f1f4")
MARGIN = 12 * mm
GUTTER = 6 * mm

#: Unicode TTF fonts looked for in the font folder: (regular, bold).
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def render_pocket_card(card: ReferenceCard, font_dir: Path | None = None) -> bytes:
    """Lay the reference card out on one A4 page and return the PDF bytes."""
    regular, bold = _fonts(font_dir)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=card.title,
        author="Signaal",
        subject="Signalen van mensenhandel, de vijf stappen van de meldcode en wie je belt",
    )
    width, height = document.width, document.height
    # The largest type that fits; the frame's shrink-to-fit then guarantees the one page even
    # for a card too long for the smallest scale (content is scaled down, never split).
    for scale in SCALES:
        story = _story(card, _styles(regular, bold, scale), width)
        if _fits(story, width, height):
            break
    document.build([KeepInFrame(width, height, story, mode="shrink")])
    return buffer.getvalue()


def _fonts(font_dir: Path | None) -> tuple[str, str]:
    """Register the shipped Unicode font if there is one; else fall back to Helvetica."""
    if font_dir is None:
        return "Helvetica", "Helvetica-Bold"
    regular_file, bold_file = (Path(font_dir) / name for name in FONT_FILES)
    if not regular_file.is_file():
        return "Helvetica", "Helvetica-Bold"
    registered = set(pdfmetrics.getRegisteredFontNames())
    if "DejaVuSans" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular_file)))
    if not bold_file.is_file():
        return "DejaVuSans", "DejaVuSans"
    if "DejaVuSans-Bold" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold_file)))
    return "DejaVuSans", "DejaVuSans-Bold"


# Type sizes in points at scale 1; the layout steps the scale down until the card fits.
_STYLE_SPECS: dict[str, dict[str, object]] = {
    "title": {"bold": True, "fontSize": 17, "leading": 21, "textColor": BRAND},
    "intro": {"fontSize": 10, "leading": 13, "spaceAfter": 2},
    "heading": {"bold": True, "fontSize": 12, "leading": 15, "textColor": BRAND, "spaceAfter": 3},
    "form": {"bold": True, "fontSize": 10, "leading": 13, "textColor": SIGNAL, "spaceBefore": 5},
    "item": {"leftIndent": 9, "spaceAfter": 1},
    "step": {"bold": True, "spaceBefore": 4},
    "action": {"leftIndent": 9},
    "contact": {"bold": True, "spaceBefore": 4},
    "phone": {"bold": True, "fontSize": 13, "leading": 16},
    "source": {"fontSize": 7, "leading": 8.8, "textColor": MUTED},
    "source_heading": {"bold": True, "fontSize": 8, "leading": 10, "textColor": MUTED},
}
_SCALED = ("fontSize", "leading", "spaceBefore", "spaceAfter", "leftIndent")
#: Scales tried in turn; below the last one the shrink-to-fit frame takes over.
SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7)


def _styles(regular: str, bold: str, scale: float = 1.0) -> dict[str, ParagraphStyle]:
    styles = {}
    for name, spec in _STYLE_SPECS.items():
        values: dict[str, object] = {"fontSize": 9, "leading": 11.5, "textColor": INK, **spec}
        values["fontName"] = bold if values.pop("bold", False) else regular
        for key in _SCALED:
            if key in values:
                values[key] = float(values[key]) * scale  # type: ignore[arg-type]
        styles[name] = ParagraphStyle(name, alignment=TA_LEFT, bulletIndent=0, **values)
    return styles


def _fits(story: list[Flowable], width: float, height: float) -> bool:
    used = 0.0
    for flowable in story:
        used += flowable.wrap(width, height)[1]
        used += flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return used <= height


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A paragraph of plain text: content never carries reportlab markup."""
    return Paragraph(escape(text), style, bulletText=bullet)


def _story(card: ReferenceCard, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    signals: list[Flowable] = [_p("Signalen per vorm", styles["heading"])]
    for form, items in card.signals:
        signals.append(_p(form, styles["form"]))
        signals.extend(_p(item, styles["item"], "•") for item in items)

    right: list[Flowable] = [_p("Meldcode: de vijf stappen", styles["heading"])]
    for number, name, action in card.meldcode:
        right.append(_p(f"Stap {number}: {name}", styles["step"]))
        right.append(_p(action, styles["action"]))
    if card.contacts:
        right.append(Spacer(1, 8))
        right.append(_p("Wie je belt", styles["heading"]))
        for name, phone, when in card.contacts:
            right.append(_p(name, styles["contact"]))
            if phone:
                right.append(_p(phone, styles["phone"]))
            if when:
                right.append(_p(when, styles["item"]))

    # The left cell's right padding is the gutter between the columns.
    columns = Table(
        [[signals, right]],
        colWidths=[width * 0.54, width * 0.46],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), GUTTER),
                ("LEFTPADDING", (1, 0), (1, 0), 8),
                ("RIGHTPADDING", (1, 0), (1, 0), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (1, 0), (1, 0), PANEL),
            ]
        ),
    )

    story: list[Flowable] = [_p(card.title, styles["title"])]
    if card.intro:
        story.append(_p(card.intro, styles["intro"]))
    story += [Spacer(1, 6), columns]
    if card.sources:
        story += [Spacer(1, 8), _p("Bronnen", styles["source_heading"])]
        story.extend(
            _p(f"{source.citation}{' ' + source.url if source.url else ''}", styles["source"], "–")
            for source in card.sources
        )
    return story
