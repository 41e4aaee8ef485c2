"""Every CSV the app writes: semicolon-separated for Dutch spreadsheets, with each cell that a
spreadsheet would run as a formula defused (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

#: A cell starting with one of these is read as a formula (or breaks the cell, TAB and CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that could start a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def chunks(
    header: Sequence[str], rows: Iterable[Sequence[object]], size: int = 500
) -> Iterator[str]:
    """The header and rows as CSV text (';' and CRLF), every cell through safe_cell, in pieces
    of `size` rows, so a long file can be streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, 1):
        writer.writerow([safe_cell(cell) for cell in row])
        if number % size == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The header and rows as one CSV text (';' and CRLF), every cell through safe_cell."""
    return "".join(chunks(header, rows))
