"""The shipped Unicode font (DejaVu Sans), registered once with reportlab for every PDF we make."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
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
            raise FontMissing(f"{path}: het lettertype ontbreekt")
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return REGULAR, BOLD
