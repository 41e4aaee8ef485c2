"""Summary charts as small SVG documents, drawn on the server (no scripts, no CDN).

Pure. Only presentation attributes (fill=, font-size=), never style=: the CSP forbids inline
styles, and the SVG is served by the app under that same policy.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from flask_babel import gettext, ngettext

INK = "#1c2430"
MUTED = "#4d5866"
LINE = "#d3dae0"
BAR = "#0b5563"
BAR_OK = "#1d6b35"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
#: The narrowest a page draws a chart (a 375 px phone, see .chart-figure in the stylesheet).
NARROWEST_SHOWN = 320
#: Text sizes in chart units, so that labels are at least 12 px even on that phone.
LABEL_SIZE = 18
TITLE_SIZE = 20

SCORE_BINS = tuple(f"{low}–{low + 9 if low < 90 else 100}" for low in range(0, 100, 10))


@dataclass(frozen=True)
class Histogram:
    title: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    x_label: str
    #: Bars from this index on are drawn in the "passed" colour (None: all alike).
    ok_from: int | None = None
    #: Shorter labels under the bars where the full ones do not fit (defaults to labels).
    axis_labels: tuple[str, ...] | None = None

    #: Drawn size in chart units (the page scales it to the width it has).
    width = 480
    height = 280

    @property
    def rows(self) -> tuple[tuple[str, int], ...]:
        return tuple(zip(self.labels, self.counts, strict=True))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def describe(self) -> str:
        """The chart in one sentence, for the image's alt text."""
        parts = [f"{label}: {count}" for label, count in zip(self.labels, self.counts, strict=True)]
        return f"{self.title} ({self.x_label}). " + "; ".join(parts) + "."


def score_histogram(scores: Sequence[float], pass_mark: int | None = None) -> Histogram:
    """Best assessment scores (0..1) in bins of ten percentage points."""
    counts = [0] * len(SCORE_BINS)
    for score in scores:
        counts[min(int(round(score * 100)) // 10, 9)] += 1
    ok_from = None if pass_mark is None else min(pass_mark // 10, 9)
    return Histogram(
        gettext("Beste score op de eindtoets"),
        SCORE_BINS,
        tuple(counts),
        gettext("score in procenten, per 10"),
        ok_from,
        axis_labels=tuple(str(low) for low in range(0, 100, 10)),
    )


@dataclass(frozen=True)
class Funnel:
    """How many learners reached each step on the way to the certificate (the first: all)."""

    title: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    x_label: str
    width = 480

    @property
    def height(self) -> int:
        return FUNNEL_TOP + FUNNEL_ROW * len(self.counts) + 8

    @property
    def total(self) -> int:
        return self.counts[0] if self.counts else 0

    def share(self, count: int) -> int:
        """The count as a whole percentage of the learners in the first step."""
        return round(100 * count / self.total) if self.total else 0

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (label, f"{count} ({self.share(count)}%)")
            for label, count in zip(self.labels, self.counts, strict=True)
        )

    def describe(self) -> str:
        """The chart in one sentence, for the image's alt text."""
        return (
            f"{self.title}. " + "; ".join(f"{label}: {value}" for label, value in self.rows) + "."
        )


#: Funnel layout in chart units: the title band, then one row (label line and bar) per step.
FUNNEL_TOP = 44
FUNNEL_ROW = 56


def funnel(
    registered: int, lessons_done: int, cases_passed: int, evaluated: int, certified: int
) -> Funnel:
    """The steps from registering to the certificate, with how many learners reached each."""
    return Funnel(
        gettext("Van aanmelding tot certificaat"),
        (
            gettext("Aangemeld"),
            gettext("Alle lessen af"),
            gettext("Alle casussen gehaald"),
            gettext("Evaluatie ingevuld"),
            gettext("Certificaat"),
        ),
        (registered, lessons_done, cases_passed, evaluated, certified),
        gettext("stap"),
    )


def _nice_max(value: int) -> tuple[int, int]:
    """A round top for the y axis and the step between grid lines."""
    if value <= 5:
        return max(value, 1), 1
    for step in (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if value / step <= 6:
            return -(-value // step) * step, step
    step = 10 ** (len(str(value)) - 1)
    return -(-value // step) * step, step


def render_svg(chart: Histogram) -> str:
    """A bar chart with axes, counts above the bars and a <title> for screen readers."""
    width, height = chart.width, chart.height
    left, right, top, bottom = 48, 8, 44, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = _nice_max(max(chart.counts, default=0))
    slot = plot_w / max(len(chart.counts), 1)
    bar_w = slot * 0.7
    text = f'font-family="{FONT}" fill="{INK}"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(chart.describe())}>',
        f"<title>{escape(chart.describe())}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="28" {text} font-size="{TITLE_SIZE}" font-weight="600">{escape(chart.title)}</text>',
    ]
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 6:.1f}" {text} font-size="{LABEL_SIZE}" '
            f'text-anchor="end">{tick}</text>'
        )
    labels = chart.axis_labels or chart.labels
    for index, (label, count) in enumerate(zip(labels, chart.counts, strict=True)):
        x = left + slot * index + (slot - bar_w) / 2
        bar_h = plot_h * count / top_value
        y = top + plot_h - bar_h
        fill = BAR_OK if chart.ok_from is not None and index >= chart.ok_from else BAR
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{fill}"/>'
        )
        centre = x + bar_w / 2
        out.append(
            f'<text x="{centre:.1f}" y="{y - 5:.1f}" {text} font-size="{LABEL_SIZE}" '
            f'text-anchor="middle">{count}</text>'
        )
        out.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 24:.1f}" {text} font-size="{LABEL_SIZE}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    learners = ngettext("%(num)d deelnemer", "%(num)d deelnemers", chart.total)
    out.append(
        f'<text x="{width / 2:.1f}" y="{height - 10}" font-family="{FONT}" '
        f'fill="{MUTED}" font-size="{LABEL_SIZE}" text-anchor="middle">{escape(chart.x_label)} · '
        f"{escape(learners)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def render_funnel_svg(chart: Funnel) -> str:
    """Horizontal bars, one per step, each labelled with its step, count and share of all."""
    width, height = chart.width, chart.height
    left, right, top, row_h, bar_h = 8, 8, FUNNEL_TOP, FUNNEL_ROW, 20
    plot_w = width - left - right
    text = f'font-family="{FONT}" fill="{INK}"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(chart.describe())}>',
        f"<title>{escape(chart.describe())}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="28" {text} font-size="{TITLE_SIZE}" font-weight="600">{escape(chart.title)}</text>',
    ]
    last = len(chart.counts) - 1
    for index, (label, count) in enumerate(zip(chart.labels, chart.counts, strict=True)):
        y = top + row_h * index
        out.append(
            f'<text x="{left}" y="{y + 20}" {text} font-size="{LABEL_SIZE}">{escape(label)}</text>'
        )
        out.append(
            f'<text x="{width - right}" y="{y + 20}" {text} font-size="{LABEL_SIZE}" '
            f'text-anchor="end">{count} ({chart.share(count)}%)</text>'
        )
        out.append(
            f'<rect x="{left}" y="{y + 28}" width="{plot_w}" height="{bar_h}" fill="{LINE}"/>'
        )
        bar_w = plot_w * count / chart.total if chart.total else 0
        fill = BAR_OK if index == last else BAR
        out.append(
            f'<rect x="{left}" y="{y + 28}" width="{bar_w:.1f}" height="{bar_h}" fill="{fill}"/>'
        )
    out.append("</svg>")
    return "\n".join(out)


def svg(chart: Histogram | Funnel) -> str:
    """The chart as an SVG document, whichever kind it is."""
    return render_funnel_svg(chart) if isinstance(chart, Funnel) else render_svg(chart)


def data_uri(chart: Histogram | Funnel) -> str:
    """The chart as a data: URI for <img src>, so the page needs no extra request (CSP allows it)."""
    encoded = base64.b64encode(svg(chart).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
