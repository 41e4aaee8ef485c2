"""The join link as a QR code in SVG, drawn on the server (no script, no inline style)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from ..certificates.pdf import qr_matrix

QUIET_ZONE = 4


def qr_svg(data: str, label: str) -> str:
    """An SVG QR code of `data`: one path of dark modules inside a white quiet zone."""
    matrix = qr_matrix(data)
    size = len(matrix) + 2 * QUIET_ZONE
    runs = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < len(cells):
            if cells[col]:
                start = col
                while col < len(cells) and cells[col]:
                    col += 1
                runs.append(
                    f"M{start + QUIET_ZONE} {row + QUIET_ZONE}h{col - start}v1h-{col - start}z"
                )
            else:
                col += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label={quoteattr(label)} class="live-qr" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{"".join(runs)}"/></svg>'
    )
