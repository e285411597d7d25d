"""Small charts: inline SVG (no script, no external resource, text escaped), and text.

``book_bars`` draws a manager's (or a branch's) book as one stacked bar per tier,
split by lifecycle stage (its labels are HTML beside it); ``sparkline`` draws a
customer's AUM over the last 13 weeks. Both return ``Markup`` so templates can place
them as they are; they hold no text, and every attribute value is escaped here.
``spark_bars`` is the sparkline for paper: a word of bar characters (▁ to █) that the
print font draws as narrow bars, so the line is set as text.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from customer_plans.render.fonts import SPARK_BARS

# one colour per lifecycle stage, in the order stages are listed
LIFECYCLE_COLOURS = {
    "potential": "#c7d2fe",
    "new": "#7dd3fc",
    "growing": "#34d399",
    "stable": "#3b82f6",
    "declining": "#f59e0b",
    "dormant": "#9ca3af",
    "lost": "#ef4444",
}
UNKNOWN_COLOUR = "#d1d5db"


@dataclass(frozen=True)
class BarSegment:
    """One lifecycle stage's share of one tier's bar."""

    stage: str
    label: str
    count: int
    colour: str
    share_pct: float  # of the longest bar in the chart, 0..100


@dataclass(frozen=True)
class BookRow:
    """One tier's bar: its label, total and lifecycle segments."""

    tier_code: str
    tier_label: str
    total: int
    segments: tuple[BarSegment, ...]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _rect(x: float, y: float, w: float, h: float) -> str:
    """A rectangle as a closed path segment."""
    return f"M{_fmt(x)} {_fmt(y)}h{_fmt(w)}v{_fmt(h)}h-{_fmt(w)}z"


# the book on paper, in CSS px (print.css, .book-print-*): the tier labels and counts beside the
# bars are HTML lines at the bars' pitch; the legend's names are HTML lines at the swatches'
# pitch, to the right of the bars
BOOK_BAR_WIDTH = 380
BOOK_ROW_PITCH = 26
BOOK_BAR_HEIGHT = 18
LEGEND_GAP = 24
LEGEND_PITCH = 18
LEGEND_SWATCH = 10


def book_bars(rows: Sequence[BookRow], legend_colours: Sequence[str] = ()) -> Markup:
    """The book as one stacked horizontal bar per tier (top tier first), and a column of
    legend swatches (one per colour of ``legend_colours``) to their right; shapes only.

    The tier labels, counts and legend names are HTML text next to it
    (``partials/book_print.html``): WeasyPrint lays out and draws SVG text one character at
    a time, which made a chart's few words cost as much as a page of text, and a coloured
    span in a line of text costs it about as much as a line. One ``<path>`` per colour holds
    all of its rectangles: WeasyPrint styles and draws every SVG element on its own.
    """
    shapes: dict[str, list[str]] = {}
    inset = (BOOK_ROW_PITCH - BOOK_BAR_HEIGHT) / 2
    for index, row in enumerate(rows):
        y = index * BOOK_ROW_PITCH + inset
        x = 0.0
        for segment in row.segments:
            w = BOOK_BAR_WIDTH * segment.share_pct / 100
            if w <= 0:
                continue
            shapes.setdefault(segment.colour, []).append(_rect(x, y, w, BOOK_BAR_HEIGHT))
            x += w
    swatch_x = BOOK_BAR_WIDTH + LEGEND_GAP
    swatch_inset = (LEGEND_PITCH - LEGEND_SWATCH) / 2
    for index, colour in enumerate(legend_colours):
        shapes.setdefault(colour, []).append(
            _rect(swatch_x, index * LEGEND_PITCH + swatch_inset, LEGEND_SWATCH, LEGEND_SWATCH))
    width = swatch_x + LEGEND_SWATCH if legend_colours else BOOK_BAR_WIDTH
    height = max(len(rows) * BOOK_ROW_PITCH, len(legend_colours) * LEGEND_PITCH)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="book-bars" role="img" '
        f'width="{width}" height="{height}">'
        + "".join(f'<path d="{"".join(rects)}" fill="{escape(colour)}"/>'
                  for colour, rects in shapes.items())
        + "</svg>"
    )


# The least a sparkline's height stands for, as a share of the series' mean: ±5 % around
# the line's midpoint. A customer's AUM moves by a fraction of a percent from week to week
# (interest, a card payment); scaled to its own range such a line was a full-height jump,
# the same picture as a customer moving half of their money out. Within the band a move is
# drawn to scale (a 1 % drop is a tenth of the height); a move larger than the band fills
# the height as before, so a 20 % decline still reads at a glance. Not from zero: on that
# scale a 20 % decline would be a dip of a fifth, and declines are what the line is for.
SPARK_MIN_BAND_SHARE = 0.10


def spark_band(points: Sequence[float]) -> float:
    """The least range of values a sparkline's height stands for: ``SPARK_MIN_BAND_SHARE``
    of the mean magnitude of ``points`` (0 for an all-zero series)."""
    return SPARK_MIN_BAND_SHARE * sum(abs(v) for v in points) / len(points) if points else 0.0


def _present(values: Sequence[float | None]) -> list[tuple[int, float]]:
    """``(position, value)`` of the values that are there (not None, not NaN)."""
    return [
        (i, float(v))
        for i, v in enumerate(values)
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]


def spark_bars(values: Sequence[float | None]) -> str:
    """``values`` (oldest first) as one bar character each, ▁ lowest to █ highest.

    The paper plan's sparkline: WeasyPrint sets it as part of the line, where an inline
    SVG costs it as much as a dozen lines of text (``fonts.SPARK_BARS`` makes the bars
    narrow). Missing values are left out; fewer than two values give ""; a flat series
    is a row of middle bars, and so is one whose range is a small part of ``spark_band``
    (a +0.13 % quarter is flat, not a full-height jump).
    """
    points = [v for _, v in _present(values)]
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    top = len(SPARK_BARS) - 1
    band = spark_band(points)
    if high - low >= band > 0:
        return "".join(SPARK_BARS[round((v - low) / (high - low) * top)] for v in points)
    if band == 0:
        return SPARK_BARS[top // 2] * len(points)
    # a move smaller than the band: its midpoint on a middle bar (on the centre of a bar,
    # so a move of a fraction of a percent never flips between the two middle ones), a bar
    # up or down per seventh of the band
    middle = (low + high) / 2
    return "".join(
        SPARK_BARS[min(top, max(0, top // 2 + round((v - middle) / band * top)))]
        for v in points
    )


def sparkline(values: Sequence[float | None], width: int = 120, height: int = 28) -> Markup:
    """A line of ``values`` (oldest first); falling lines are drawn red, others blue.

    Missing points are skipped; fewer than two points draw nothing. The height spans at
    least ``spark_band``: a line that moves less is drawn that much flatter, around the
    middle of the box.
    """
    points = _present(values)
    if len(points) < 2:
        return Markup("")
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = max(high - low, spark_band([v for _, v in points])) or 1.0
    high = (low + high + span) / 2  # the top of the scale: the line's midpoint in the middle
    last_index = len(values) - 1 or 1
    pad = 3
    coords = [
        (pad + (width - 2 * pad) * i / last_index, pad + (height - 2 * pad) * (high - v) / span)
        for i, v in points
    ]
    colour = "#dc2626" if points[-1][1] < points[0][1] else "#2563eb"
    # the line and a dot on its last point (a tiny square whose round-joined stroke fills
    # it) as ONE element of straight segments in whole units, relative after the first
    # point: WeasyPrint's cost per SVG element is most of a sparkline's cost (a plan carries
    # one per customer at risk), its HTML parser pays per character, and arcs cost more
    ints = [(round(x), round(y)) for x, y in coords]
    steps = " ".join(
        f"{x - px} {y - py}" for (px, py), (x, y) in itertools.pairwise(ints)
    )
    end_x, end_y = ints[-1]
    line = f"M{ints[0][0]} {ints[0][1]}l{steps}"
    dot = f"M{end_x - 1} {end_y - 1}h2v2h-2z"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f'<path d="{line}{dot}" fill="none" stroke="{colour}" stroke-width="1.6" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
        "</svg>"
    )
