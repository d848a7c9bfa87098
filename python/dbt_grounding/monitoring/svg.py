"""Small inline SVG charts over days, written as text (no plotting library, nothing fetched: the page works offline).

Every drawn data point or bar segment is an element of class `mark`, and each chart says how many it drew in
`data-marks`: a browser (the report's test) can count what it rendered against it. Numbers are printed with fixed
precision, so the same data gives the same bytes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 40


@dataclass(frozen=True)
class Series:
    """One named series: a value per day (None: nothing to draw that day)."""

    name: str
    values: Sequence[float | None]
    color: str


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], unit: str) -> str:
    """Lines with a point per day that has a value; a gap where a day has none."""
    top = _nice_top(max((value for one in series for value in one.values if value is not None), default=0.0))
    parts, marks = [], 0
    for one in series:
        points = [(_x(i, len(labels)), _y(value, top)) for i, value in enumerate(one.values) if value is not None]
        runs = _runs(one.values, len(labels), top)
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline fill="none" stroke="{one.color}" stroke-width="2" points="{path}"/>')
        for (x, y), value in zip(points, [v for v in one.values if v is not None]):
            parts.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{one.color}">'
                         f'<title>{escape(one.name)}: {_format(value)} {escape(unit)}</title></circle>')
            marks += 1
    return _frame(chart_id, title, labels, series, top, unit, parts, marks)


def stacked_bars(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], unit: str) -> str:
    """A bar per day, its segments the series stacked in order; zero segments are not drawn."""
    totals = [sum(one.values[i] or 0.0 for one in series) for i in range(len(labels))]
    top = _nice_top(max(totals, default=0.0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = max(slot * 0.7, 1.0)
    parts, marks = [], 0
    for i, label in enumerate(labels):
        base = 0.0
        for one in series:
            value = one.values[i] or 0.0
            if value <= 0:
                continue
            y_top, y_bottom = _y(base + value, top), _y(base, top)
            parts.append(f'<rect class="mark" x="{_x(i, len(labels)) - bar / 2:.1f}" y="{y_top:.1f}" '
                         f'width="{bar:.1f}" height="{max(y_bottom - y_top, 0.5):.1f}" fill="{one.color}">'
                         f'<title>{escape(label)} {escape(one.name)}: {_format(value)} {escape(unit)}</title></rect>')
            base += value
            marks += 1
    return _frame(chart_id, title, labels, series, top, unit, parts, marks)


def _frame(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], top: float, unit: str,
           parts: list[str], marks: int) -> str:
    axes = [f'<text x="{LEFT}" y="16" class="title">{escape(title)}</text>']
    for fraction in (0.0, 0.5, 1.0):
        y = _y(top * fraction, top)
        axes.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        axes.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                    f'{_format(top * fraction)}</text>')
    step = max(1, math.ceil(len(labels) / 10))
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            axes.append(f'<text x="{_x(i, len(labels)):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                        f'class="tick">{escape(label)}</text>')
    legend_x = LEFT
    for one in series:
        axes.append(f'<rect x="{legend_x}" y="{HEIGHT - 14}" width="10" height="10" fill="{one.color}"/>'
                    f'<text x="{legend_x + 14}" y="{HEIGHT - 5}" class="tick">{escape(one.name)}</text>')
        legend_x += 24 + 7 * len(one.name)
    axes.append(f'<text x="{WIDTH - RIGHT}" y="16" text-anchor="end" class="tick">{escape(unit)}</text>')
    body = "".join(axes + parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" data-marks="{marks}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{escape(title)}">{body}</svg>')


def _runs(values: Sequence[float | None], count: int, top: float) -> list[list[tuple[float, float]]]:
    """Consecutive days with values: a line does not bridge a day without one."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((_x(i, count), _y(value, top)))
    return [run for run in runs if run]


def _x(index: int, count: int) -> float:
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return LEFT + slot * (index + 0.5)


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (value / top if top else 0.0))


def _nice_top(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten at or above `value` (1 for an empty chart)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _format(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.6f}".rstrip("0").rstrip(".")
