"""Inline SVG line charts for the report: curves drawn over each other, with axes and a legend.

The charts are plain SVG markup with no script, so the report needs no chart library. Colors
and dash patterns come from the report's CSS classes ``series-<name>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Plot area inside the SVG viewBox, in user units; the SVG scales to the page width.
WIDTH = 520
HEIGHT = 230
MARGIN_LEFT = 62
MARGIN_RIGHT = 12
MARGIN_TOP = 26
MARGIN_BOTTOM = 34

# A curve longer than this is reduced to the min and max of each bucket, which keeps the
# file small and loses nothing visible at this chart width.
MAX_POINTS = 2 * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)


@dataclass(frozen=True)
class Series:
    """One curve of a chart.

    Args:
        name: legend text and CSS class suffix (``legacy``, ``new``, ``negative_control``).
        values: one value per optimizer step, starting at step 1; None leaves a gap.
    """

    name: str
    values: Sequence[float | None]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Return round tick values covering [low, high], about ``count`` of them."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)

    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def format_tick(value: float) -> str:
    """Format an axis label compactly (``0.25``, ``1e-05``, ``1200``)."""
    if value == 0:
        return "0"
    return f"{value:.3g}"


def _decimate(points: list[tuple[int, float | None]]) -> list[tuple[int, float | None]]:
    if len(points) <= MAX_POINTS:
        return points

    # Keep each bucket's min and max in step order so spikes survive; gaps stay as gaps.
    bucket_size = math.ceil(len(points) / (MAX_POINTS / 2))
    reduced: list[tuple[int, float | None]] = []
    for start in range(0, len(points), bucket_size):
        bucket = points[start : start + bucket_size]
        finite = [p for p in bucket if _finite(p[1])]
        if len(finite) < len(bucket):
            reduced.append((bucket[0][0], None))
        if finite:
            low = min(finite, key=lambda p: p[1])
            high = max(finite, key=lambda p: p[1])
            reduced.extend(sorted({low, high}))
    return reduced


class _Scale:
    def __init__(self, x_max: int, y_ticks: list[float]):
        self.x_max = max(x_max, 2)
        self.y_low = y_ticks[0]
        self.y_high = y_ticks[-1]

    def x(self, step: float) -> float:
        span = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        return MARGIN_LEFT + (step - 1) / (self.x_max - 1) * span

    def y(self, value: float) -> float:
        span = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        return HEIGHT - MARGIN_BOTTOM - (value - self.y_low) / (self.y_high - self.y_low) * span


def _path_data(series: Series, scale: _Scale) -> str:
    points = _decimate(list(enumerate(series.values, start=1)))
    parts: list[str] = []
    pen_down = False
    for step, value in points:
        if not _finite(value):
            pen_down = False
            continue
        command = "L" if pen_down else "M"
        parts.append(f"{command}{scale.x(step):.1f} {scale.y(value):.1f}")
        pen_down = True
    return "".join(parts)


def _axes(scale: _Scale, y_ticks: list[float], x_ticks: list[float]) -> list[str]:
    bottom = HEIGHT - MARGIN_BOTTOM
    right = WIDTH - MARGIN_RIGHT
    parts = [f'<path class="axis" d="M{MARGIN_LEFT} {MARGIN_TOP}V{bottom}H{right}"/>']
    for tick in y_ticks:
        y = scale.y(tick)
        parts.append(f'<path class="grid" d="M{MARGIN_LEFT} {y:.1f}H{right}"/>')
        parts.append(f'<text class="tick" x="{MARGIN_LEFT - 5}" y="{y + 3.5:.1f}" text-anchor="end">{format_tick(tick)}</text>')
    for tick in x_ticks:
        x = scale.x(tick)
        parts.append(f'<path class="axis" d="M{x:.1f} {bottom}v4"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 15}" text-anchor="middle">{format_tick(tick)}</text>')
    parts.append(f'<text class="axis-label" x="{right}" y="{HEIGHT - 3}" text-anchor="end">optimizer step</text>')
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    x = MARGIN_LEFT
    for item in series:
        label = item.name.replace("_", " ")
        parts.append(f'<path class="series series-{item.name}" d="M{x} 12h22"/>')
        parts.append(f'<text class="legend" x="{x + 27}" y="16">{escape(label)} ({len(item.values)})</text>')
        x += 40 + 7 * len(label) + 20
    return parts


def line_chart(series: Sequence[Series], title: str, marker_step: int | None = None) -> str:
    """Draw curves over each other as one SVG element; return "" when no series has a value.

    Args:
        series: the curves, drawn in order (later ones on top).
        title: accessible name of the chart; the page shows it as the chart's heading.
        marker_step: optimizer step to mark with a vertical line (first divergent step).
    """
    series = [item for item in series if any(_finite(v) for v in item.values)]
    if not series:
        return ""

    finite = [v for item in series for v in item.values if _finite(v)]
    y_ticks = nice_ticks(min(finite), max(finite))
    x_max = max(len(item.values) for item in series)
    scale = _Scale(x_max, y_ticks)
    x_ticks = [t for t in nice_ticks(1, x_max, 6) if 1 <= t <= x_max and float(t).is_integer()]

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        *_axes(scale, y_ticks, x_ticks),
    ]
    if marker_step is not None and 1 <= marker_step <= x_max:
        x = scale.x(marker_step)
        parts.append(f'<path class="marker" d="M{x:.1f} {MARGIN_TOP}V{HEIGHT - MARGIN_BOTTOM}"><title>first divergent step {marker_step}</title></path>')
    for item in series:
        parts.append(f'<path class="series series-{item.name}" d="{_path_data(item, scale)}"><title>{escape(item.name)}</title></path>')
    parts.extend(_legend(series))
    parts.append("</svg>")
    return "".join(parts)
