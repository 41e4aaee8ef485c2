"""The reference card as a pocket card: A6 pages that fit a coat pocket and a phone screen (pure).

Signals per form, the five meldcode steps, the phone numbers and the sources flow over as many
A6 pages as they need at a readable size; every page is full but the last. Every glyph, bullets
and dashes included, comes from the embedded DejaVu fonts, and a web address breaks only after
a "/" (or "?", "&", "-", "."), never inside a word.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from ..content import ReferenceCard
from ..fonts import dejavu

BRAND = colors.HexColor("#0b5563")
SIGNAL = colors.HexColor("#b35c00")
INK = colors.HexColor("#1c2430")
MUTED = colors.HexColor("#4d5866")
PAGE = A6
MARGIN = 7 * mm
#: Room under the text for the page number.
FOOTER = 5 * mm


def render_pocket_card(card: ReferenceCard, font_dir: Path) -> bytes:
    """Lay the reference card out on A6 pages and return the PDF bytes."""
    regular, bold = dejavu(font_dir)
    styles = _styles(regular, bold)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=card.title,
        author="Signaal",
        subject="Signalen van mensenhandel, de vijf stappen van de meldcode en wie je belt",
        lang="nl",
        # Start in the embedded font, so no standard (unembedded) font is named in the file.
        initialFontName=regular,
    )

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(regular, 6.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN, card.title)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN, str(doc.page))
        canvas.restoreState()

    document.build(
        _story(card, styles, document.width),
        onFirstPage=footer,
        onLaterPages=footer,
    )
    return buffer.getvalue()


# Type sizes in points, chosen to stay readable on an A6 page held in the hand.
_STYLE_SPECS: dict[str, dict[str, object]] = {
    "title": {"bold": True, "fontSize": 12.5, "leading": 15, "textColor": BRAND},
    "intro": {"fontSize": 8, "leading": 10.2, "spaceAfter": 3},
    "heading": {
        "bold": True,
        "fontSize": 10,
        "leading": 12.5,
        "textColor": BRAND,
        "spaceBefore": 6,
        "spaceAfter": 2,
    },
    "form": {"bold": True, "fontSize": 8.5, "leading": 10.5, "textColor": SIGNAL, "spaceBefore": 4},
    "item": {"leftIndent": 8, "spaceAfter": 0.5},
    "step": {"bold": True, "spaceBefore": 3},
    "action": {"leftIndent": 8},
    "contact": {"bold": True, "spaceBefore": 3},
    "phone": {"bold": True, "fontSize": 11, "leading": 13.5},
    "source": {
        "fontSize": 6.5,
        "leading": 8.2,
        "textColor": MUTED,
        "leftIndent": 7,
        "spaceAfter": 2,
    },
}
#: Styles that introduce what follows: never left alone at the foot of a page.
_KEEP_WITH_NEXT = ("heading", "form", "step", "contact")


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    styles = {}
    for name, spec in _STYLE_SPECS.items():
        values: dict[str, object] = {"fontSize": 8, "leading": 10.2, "textColor": INK, **spec}
        values["fontName"] = bold if values.pop("bold", False) else regular
        styles[name] = ParagraphStyle(
            name,
            alignment=TA_LEFT,
            bulletIndent=0,
            # Bullets and dashes default to Helvetica, which would not be embedded.
            bulletFontName=regular,
            keepWithNext=int(name in _KEEP_WITH_NEXT),
            # A word too long for the line stays whole; addresses get their own breaks.
            splitLongWords=0,
            **values,
        )
    return styles


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A paragraph of plain text: content never carries reportlab markup."""
    return Paragraph(escape(text), style, bulletText=bullet)


#: Where an address may break: after these characters, never inside a word.
_URL_BREAK = re.compile(r"(?<=[/?&=.\-])")


def url_lines(url: str, style: ParagraphStyle, width: float) -> list[str]:
    """Split an address into lines that fit width, breaking only after / ? & = . or -."""
    lines: list[str] = []
    current = ""
    for piece in (part for part in _URL_BREAK.split(url) if part):
        candidate = current + piece
        if current and pdfmetrics.stringWidth(candidate, style.fontName, style.fontSize) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    return [*lines, current] if current else lines


def _source(text: str, url: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A source: its description, then its address on lines of its own, as a link."""
    markup = escape(text)
    if url:
        lines = url_lines(url, style, width - style.leftIndent)
        link = "<br/>".join(
            f'<a href="{escape(url, {chr(34): "&quot;"})}">{escape(line)}</a>' for line in lines
        )
        markup = f"{markup}<br/>{link}" if markup else link
    return Paragraph(markup, style, bulletText="–")


def _story(card: ReferenceCard, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    story: list[Flowable] = [_p(card.title, styles["title"])]
    if card.intro:
        story.append(_p(card.intro, styles["intro"]))

    story.append(_p("Signalen per vorm", styles["heading"]))
    for form, items in card.signals:
        story.append(_p(form, styles["form"]))
        story.extend(_p(item, styles["item"], "•") for item in items)

    story.append(_p("Meldcode: de vijf stappen", styles["heading"]))
    for number, name, action in card.meldcode:
        story.append(_p(f"Stap {number}: {name}", styles["step"]))
        story.append(_p(action, styles["action"]))

    if card.contacts:
        story.append(_p("Wie je belt", styles["heading"]))
        for name, phone, when in card.contacts:
            story.append(_p(name, styles["contact"]))
            if phone:
                story.append(_p(phone, styles["phone"]))
            if when:
                story.append(_p(when, styles["item"]))

    if card.sources:
        story += [Spacer(1, 2), _p("Bronnen", styles["heading"])]
        story.extend(
            _source(source.citation, source.url, styles["source"], width) for source in card.sources
        )
    return story
