"""Tables for the terminal and for docs/performance.md (GitHub Markdown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; `align` gives l/r per column (default: first left, the rest right)."""
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [
        max(len(str(h)), *(len(str(row[i])) for row in rows)) if rows else len(str(h))
        for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(c).ljust(w) if a == "l" else str(c).rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if a == "r" else (":" + "-" * (w + 1))
            for w, a in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


@dataclass
class Report:
    """Sections of text and tables, printed as they come and written out at the end."""

    parts: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.add(f"{'#' * level} {text}")

    def add(self, text: str) -> None:
        self.parts.append(text)
        print("\n" + text, flush=True)

    def markdown(self) -> str:
        return "\n\n".join(self.parts) + "\n"


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def rate(value: float) -> str:
    return f"{value:,.0f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"
