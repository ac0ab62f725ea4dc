"""Charts as inline SVG text: no library, no script, no external asset (the report opens offline).

Pure functions from numbers to an `<svg>` element; every label is escaped. Each bar or point
carries a `<title>`, which browsers show as a tooltip.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

WIDTH = 720
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40
FONT = 11
GRID = "#e0e0e0"
AXIS = "#616161"
LABEL_ROW = 22          # height of one row in a horizontal bar chart
LABEL_WIDTH = 300       # room for the labels of a horizontal bar chart
MAX_LABEL_CHARS = 48


def _open(title: str, height: int, kind: str) -> list[str]:
    return [f'<svg class="chart {kind}" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet" '
            f'font-family="sans-serif" font-size="{FONT}"><title>{escape(title)}</title>']


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above value, at least 4 (whole ticks)."""
    if value <= 4:
        return 4.0
    step = 1.0
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _y_axis(out: list[str], top: float, plot_h: float, ymax: float, percent: bool) -> None:
    for i in range(5):
        value = ymax * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:.0%}" if percent else (f"{value:g}" if value == int(value) else f"{value:.1f}")
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">{label}</text>')


def _x_labels(out: list[str], labels: Sequence[str], x_of, plot_bottom: float) -> None:
    """At most ~12 labels under the axis, evenly spaced, the last always shown."""
    step = max(1, -(-len(labels) // 12))
    for i, label in enumerate(labels):
        if i % step and i != len(labels) - 1:
            continue
        out.append(f'<text x="{x_of(i):.1f}" y="{plot_bottom + 14:.1f}" text-anchor="middle" '
                   f'fill="{AXIS}">{escape(label)}</text>')


def _legend(out: list[str], series: Sequence[tuple[str, str]], y: float) -> None:
    x = LEFT
    for name, color in series:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" fill="{AXIS}">{escape(name)}</text>')
        x += 24 + 7 * len(name)


def stacked_bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]], *, title: str) -> str:
    """Vertical bars, one per label, each stacked from the series (name, values, colour)."""
    out = _open(title, HEIGHT, "stacked-bars")
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    totals = [sum(values[i] for _, values, _ in series) for i in range(len(labels))]
    ymax = _nice_max(max(totals, default=0))
    _y_axis(out, TOP, plot_h, ymax, percent=False)
    slot = plot_w / max(len(labels), 1)
    bar_w = max(1.0, slot * 0.8)

    def x_of(i: int) -> float:
        return LEFT + slot * i + slot / 2

    for i, label in enumerate(labels):
        y = TOP + plot_h
        for name, values, color in series:
            if not values[i]:
                continue
            h = plot_h * values[i] / ymax
            y -= h
            out.append(f'<rect class="bar" x="{x_of(i) - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                       f'height="{h:.1f}" fill="{color}"><title>{escape(label)}: {escape(name)} '
                       f'{values[i]}</title></rect>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{AXIS}"/>')
    _x_labels(out, labels, x_of, TOP + plot_h)
    if len(series) > 1:
        _legend(out, [(name, color) for name, _, color in series], HEIGHT - 6)
    out.append("</svg>")
    return "".join(out)


def line_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str, color: str,
               percent: bool = True) -> str:
    """A line through the values (None leaves a gap), with a dot and tooltip at each point."""
    out = _open(title, HEIGHT, "line")
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    ymax = 1.0 if percent else _nice_max(max((v for v in values if v is not None), default=0))
    _y_axis(out, TOP, plot_h, ymax, percent)
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + (step * i if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * min(v, ymax) / ymax

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x_of(i):.1f},{y_of(v):.1f}")
    for run in runs:
        if len(run) > 1:
            out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="2"/>')
    for i, v in enumerate(values):
        if v is not None:
            shown = f"{v:.0%}" if percent else f"{v:g}"
            out.append(f'<circle class="point" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{color}">'
                       f'<title>{escape(labels[i])}: {shown}</title></circle>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{AXIS}"/>')
    _x_labels(out, labels, x_of, TOP + plot_h)
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[tuple[str, str]], *,
                    title: str) -> str:
    """One row per label with its bars side by side stacked along x: rows (label, values per series)."""
    height = TOP + LABEL_ROW * max(len(rows), 1) + (24 if len(series) > 1 else 8)
    out = _open(title, height, "horizontal-bars")
    plot_w = WIDTH - LABEL_WIDTH - RIGHT - 40
    xmax = _nice_max(max((sum(values) for _, values in rows), default=0))
    for r, (label, values) in enumerate(rows):
        y = TOP + LABEL_ROW * r
        short = label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1] + "…"
        out.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" fill="#212121">'
                   f'<title>{escape(label)}</title>{escape(short)}</text>')
        x = float(LABEL_WIDTH)
        for (name, color), value in zip(series, values):
            if not value:
                continue
            w = plot_w * value / xmax
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{LABEL_ROW - 6}" '
                       f'fill="{color}"><title>{escape(label)}: {escape(name)} {value}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 14}" fill="{AXIS}">{" / ".join(str(v) for v in values)}</text>')
    if len(series) > 1:
        _legend(out, series, height - 6)
    out.append("</svg>")
    return "".join(out)
