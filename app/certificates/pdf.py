"""Render a certificate as an A4 PDF (reportlab): pure, from facts + layout + verification URL.

Layouts live in certificates/<name>-vN.toml (fonts, colours, logo, texts), so a provider restyles
certificates without code changes; the newest version of a layout is used for new certificates.
The heading names the certificate's kind from facts.kind_label, the one place for that wording.
The PDF is not tagged: reportlab writes no structure tree (it sets title and language only).
"""

from __future__ import annotations

import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics.barcode.qrencoder import QR8bitByte, QRCode, QRErrorCorrectLevel
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .facts import CertificateFacts, kind_label, lines

_LAYOUT_FILE = re.compile(r"^(?P<name>[a-z0-9-]+)-v(?P<version>\d+)\.toml$")


class LayoutError(ValueError):
    """A layout file is missing or incomplete."""


@dataclass(frozen=True)
class Layout:
    #: "<name>-v<N>", recorded on every certificate printed with it.
    version: str
    font_regular: Path
    font_bold: Path
    colours: dict[str, str]
    logo: Path | None
    logo_height_mm: float
    text: dict[str, str]


REQUIRED_TEXT = (
    "intro",
    "completed",
    "participation_note",
    "signature_note",
    "verify_label",
)
REQUIRED_COLOURS = ("primary", "accent", "text", "muted", "rule")


def latest_layout(directory: Path, name: str) -> Layout:
    """Load the highest version of the named layout from the certificates folder."""
    versions = [
        (int(match["version"]), path)
        for path in Path(directory).glob(f"{name}-v*.toml")
        if (match := _LAYOUT_FILE.match(path.name)) and match["name"] == name
    ]
    if not versions:
        raise LayoutError(f"{directory}: geen certificaatopmaak {name}-v1.toml gevonden")
    return load_layout(max(versions)[1])


def load_layout(path: Path) -> Layout:
    """Read and check one layout file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LayoutError(f"{path}: {exc}") from exc
    folder = path.parent
    fonts, colours, text = data.get("fonts", {}), data.get("colours", {}), data.get("text", {})
    missing = [f"fonts.{k}" for k in ("regular", "bold") if k not in fonts]
    missing += [f"colours.{k}" for k in REQUIRED_COLOURS if k not in colours]
    missing += [f"text.{k}" for k in REQUIRED_TEXT if k not in text]
    if missing:
        raise LayoutError(f"{path}: ontbreekt: {', '.join(missing)}")
    logo = data.get("logo", {})
    layout = Layout(
        version=path.stem,
        font_regular=folder / fonts["regular"],
        font_bold=folder / fonts["bold"],
        colours={k: str(v) for k, v in colours.items()},
        logo=folder / logo["path"] if logo.get("path") else None,
        logo_height_mm=float(logo.get("height_mm", 20)),
        text={k: str(v) for k, v in text.items()},
    )
    for file in (layout.font_regular, layout.font_bold, layout.logo):
        if file is not None and not file.is_file():
            raise LayoutError(f"{path}: bestand {file} bestaat niet")
    return layout


def _font(path: Path) -> str:
    """Register a TrueType font once (reportlab keeps a global registry) and return its name."""
    name = "Cert-" + re.sub(r"[^A-Za-z0-9]+", "-", str(path.resolve()))[-60:]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def qr_matrix(data: str) -> list[list[bool]]:
    """Encode data as a QR code once (error correction M) and return its modules, row by row."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(QR8bitByte(data))
    code.make()
    size = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(size)] for row in range(size)]


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw the modules as black squares inside a white quiet zone of four modules."""
    count = len(matrix)
    module = size / (count + 8)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    top = y + size - 4 * module
    for row, cells in enumerate(matrix):
        col = 0
        while col < count:
            if cells[col]:
                start = col
                while col < count and cells[col]:
                    col += 1
                # One rectangle per run of dark modules keeps the PDF small and crisp.
                canvas.rect(
                    x + (4 + start) * module,
                    top - (row + 1) * module,
                    (col - start) * module,
                    module,
                    stroke=0,
                    fill=1,
                )
            else:
                col += 1


def render(facts: CertificateFacts, layout: Layout, verification_url: str) -> bytes:
    """Return the certificate as PDF bytes (unsigned)."""
    regular, bold = _font(layout.font_regular), _font(layout.font_bold)
    colour = {key: HexColor(value) for key, value in layout.colours.items()}
    text = layout.text
    width, height = A4
    margin = 20 * mm
    buffer = io.BytesIO()
    # Start in the layout's font, so no unembedded standard font ends up in the file.
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=regular, lang="nl")
    canvas.setTitle(f"Certificaat {facts.number}: {facts.course_title}")
    provider = facts.provider
    canvas.setAuthor(provider.name)
    canvas.setSubject(f"{facts.name}, {facts.course_title}")
    canvas.setCreator("Signaal")

    # Band with logo and provider name.
    band = 34 * mm
    canvas.setFillColor(colour["primary"])
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(colour["accent"])
    canvas.rect(0, height - band - 2 * mm, width, 2 * mm, stroke=0, fill=1)
    if layout.logo is not None:
        logo = ImageReader(str(layout.logo))
        logo_w, logo_h = logo.getSize()
        draw_h = layout.logo_height_mm * mm
        draw_w = draw_h * logo_w / logo_h
        canvas.drawImage(
            logo, margin, height - band + (band - draw_h) / 2, draw_w, draw_h, mask="auto"
        )
        text_x = margin + draw_w + 6 * mm
    else:
        text_x = margin
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont(bold, 18)
    canvas.drawString(text_x, height - band / 2 + 1 * mm, provider.name)
    canvas.setFont(regular, 10)
    canvas.drawString(text_x, height - band / 2 - 5 * mm, provider.address)

    # Heading, participant and course.
    y = height - band - 22 * mm
    heading = kind_label(facts)
    canvas.setFillColor(colour["primary"])
    canvas.setFont(bold, 22)
    for line in simpleSplit(heading, bold, 22, width - 2 * margin):
        canvas.drawString(margin, y, line)
        y -= 9 * mm
    y -= 3 * mm
    canvas.setFillColor(colour["text"])
    canvas.setFont(regular, 12)
    canvas.drawString(margin, y, text["intro"])
    y -= 11 * mm
    canvas.setFont(bold, 20)
    for line in simpleSplit(facts.name, bold, 20, width - 2 * margin):
        canvas.drawString(margin, y, line)
        y -= 8.5 * mm
    canvas.setFont(regular, 12)
    person = facts.profession_label
    if facts.big_number:
        person += f", BIG-nummer {facts.big_number}"
    canvas.drawString(margin, y, person)
    y -= 10 * mm
    canvas.drawString(margin, y, text["completed"])
    y -= 9 * mm
    canvas.setFont(bold, 14)
    for line in simpleSplit(facts.course_title, bold, 14, width - 2 * margin):
        canvas.drawString(margin, y, line)
        y -= 6.5 * mm
    y -= 4 * mm

    # Facts table: the same lines the verification page shows.
    canvas.setStrokeColor(colour["rule"])
    canvas.setLineWidth(0.6)
    canvas.line(margin, y + 3 * mm, width - margin, y + 3 * mm)
    label_w = 52 * mm
    value_w = width - 2 * margin - label_w
    skip = {"Soort", "Naam", "Cursus", "BIG-nummer", "Beroep"}  # printed above the table
    for label, value in lines(facts):
        if label in skip:
            continue
        canvas.setFillColor(colour["muted"])
        canvas.setFont(regular, 10)
        canvas.drawString(margin, y - 2 * mm, label)
        canvas.setFillColor(colour["text"])
        canvas.setFont(bold if label == "Certificaatnummer" else regular, 10.5)
        for i, part in enumerate(simpleSplit(value, regular, 10.5, value_w)):
            canvas.drawString(margin + label_w, y - 2 * mm - i * 5 * mm, part)
            if i:
                y -= 5 * mm
        y -= 7 * mm
    canvas.line(margin, y + 3 * mm, width - margin, y + 3 * mm)
    if facts.kind != "accreditation":
        y -= 3 * mm
        canvas.setFont(regular, 10)
        canvas.setFillColor(colour["text"])
        for line in simpleSplit(text["participation_note"], regular, 10, width - 2 * margin):
            canvas.drawString(margin, y, line)
            y -= 5 * mm

    # Verification: QR code and the URL in text, bottom right; provider and signature note left.
    qr_size = 38 * mm
    qr_x, qr_y = width - margin - qr_size, 24 * mm
    _draw_qr(canvas, qr_matrix(verification_url), qr_x, qr_y, qr_size)
    canvas.linkURL(verification_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    left_w = qr_x - margin - 6 * mm
    ty = qr_y + qr_size - 4 * mm
    canvas.setFillColor(colour["text"])
    canvas.setFont(regular, 9.5)
    canvas.drawString(margin, ty, text["verify_label"])
    ty -= 5 * mm
    canvas.setFont(bold, 9.5)
    for line in _split_url(verification_url, bold, 9.5, left_w):
        canvas.drawString(margin, ty, line)
        ty -= 4.5 * mm
    ty -= 3 * mm
    canvas.setFillColor(colour["muted"])
    canvas.setFont(regular, 8.5)
    for line in simpleSplit(text["signature_note"], regular, 8.5, left_w):
        canvas.drawString(margin, ty, line)
        ty -= 4 * mm

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _split_url(url: str, font: str, size: float, width: float) -> list[str]:
    """Break a long URL at any character (it has no spaces to break at)."""
    result, current = [], ""
    for char in url:
        if current and pdfmetrics.stringWidth(current + char, font, size) > width:
            result.append(current)
            current = ""
        current += char
    return [*result, current] if current else result
