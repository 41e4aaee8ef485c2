"""The shipped Unicode font (DejaVu Sans), registered once with reportlab for every PDF we make."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def dejavu(font_dir: Path | str) -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) from the folder and return their names.

    Every glyph then comes from an embedded font: a PDF that falls back to Helvetica leaves the
    font to the reader's machine.
    """
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(Path(font_dir) / file)))
    return REGULAR, BOLD
