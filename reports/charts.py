"""Bar charts as inline SVG, drawn on the server: no JavaScript, the same in the page and the PDF.

Only presentation attributes, never ``style``: the page's CSP forbids inline styles. Every label
is escaped, since team, service and tag names are typed by users. Each chart has a table with the
same figures next to it, so the SVG is decoration for people who can see it (``role="img"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Okabe–Ito: tells the series apart for colour-blind readers and on washed-out projectors.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#666666"]
FONT = "DejaVu Sans, Arial, sans-serif"
TEXT = "#222222"
GRID = "#d9dde2"


def column_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    width: int = 520,
    height: int = 240,
) -> SafeString:
    """Stacked columns, one per label (a week, say), one colour per series."""
    legend = _legend([name for name, _ in series], 36, width) if len(series) > 1 else []
    legend_height = 20 * len(legend)
    left, right, top, bottom = 36, 8, 12, 26 + legend_height
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top_value, ticks = _scale(max(totals, default=0))
    slot = plot_w / max(len(labels), 1)
    bar_w = min(slot * 0.6, 60)
    parts = _grid(ticks, top_value, left, top, plot_w, plot_h)
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for colour, (_name, values) in zip(_colours(len(series)), series, strict=True):
            h = plot_h * values[i] / top_value
            if h:
                y -= h
                parts.append(_rect(x, y, bar_w, h, colour))
        if totals[i]:
            parts.append(_text(x + bar_w / 2, y - 3, str(totals[i]), anchor="middle", size=11,
                               bold=True))
        parts.append(_text(left + slot * i + slot / 2, top + plot_h + 16, label,
                           anchor="middle", size=11))
    for row, items in enumerate(legend):
        baseline = height - legend_height + 20 * row + 14
        for x, colour, name in items:
            parts.append(_rect(x, baseline - 10, 12, 12, colour))
            parts.append(_text(x + 16, baseline, name, size=11))
    return _svg(title, width, height, parts)


def bar_chart(
    *, title: str, rows: Sequence[tuple[str, int]], width: int = 520, bar_height: int = 24
) -> SafeString:
    """Horizontal bars, one per row (a team, say), longest label on the left."""
    label_w = min(220, 14 + 7 * max((len(label) for label, _ in rows), default=4))
    left, right, top, bottom = label_w, 40, 6, 6
    height = top + bottom + bar_height * max(len(rows), 1)
    plot_w = width - left - right
    top_value, _ = _scale(max((v for _, v in rows), default=0))
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + bar_height * i
        w = plot_w * value / top_value
        parts.append(_text(left - 6, y + bar_height * 0.68, _shorten(label, 30), anchor="end",
                           size=12))
        if w:
            parts.append(_rect(left, y + 3, w, bar_height - 6, PALETTE[0]))
        parts.append(_text(left + w + 5, y + bar_height * 0.68, str(value), size=12, bold=True))
    if not rows:
        parts.append(_text(left, top + bar_height * 0.68, "none", size=12))
    return _svg(title, width, height, parts)


def _scale(largest: int) -> tuple[int, list[int]]:
    """A round top for the axis and the grid lines below it (at least 1, so 0 bars draw)."""
    if largest <= 5:
        top = max(largest, 1)
        return top, list(range(0, top + 1))
    step = 10 ** math.floor(math.log10(largest / 4))
    for factor in (1, 2, 5, 10):
        if largest / (step * factor) <= 5:
            step *= factor
            break
    top = step * math.ceil(largest / step)
    return top, list(range(0, top + 1, step))


def _grid(ticks, top_value, left, top, plot_w, plot_h) -> list[str]:
    parts = []
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left, _n(y), left + plot_w, _n(y), GRID,
        ))
        parts.append(_text(left - 6, y + 4, str(tick), anchor="end", size=10))
    return parts


def _legend(names: Sequence[str], left: float, width: float) -> list[list[tuple]]:
    """The legend's entries as rows of (x, colour, name), wrapped to the chart's width."""
    rows, x = [[]], left
    for colour, name in zip(_colours(len(names)), names, strict=True):
        entry_width = 16 + 7 * len(name) + 14
        if rows[-1] and x + entry_width > width:
            rows.append([])
            x = left
        rows[-1].append((x, colour, name))
        x += entry_width
    return rows


def _colours(n: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def _rect(x, y, w, h, fill) -> str:
    return format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                       _n(x), _n(y), _n(w), _n(h), fill)


def _text(x, y, text, *, anchor="start", size=11, bold=False) -> str:
    weight = "bold" if bold else "normal"
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}" font-weight="{}" font-family="{}" '
        'fill="{}">{}</text>',
        _n(x), _n(y), anchor, size, weight, FONT, TEXT, text,
    )


def _svg(title: str, width: int, height: int, parts: list[str]) -> SafeString:
    # Every part comes from format_html, so joining them needs no mark_safe.
    body = format_html_join("", "{}", ((part,) for part in parts))
    return format_html(
        # Only the width: the height follows from the viewBox, so the chart scales with its box.
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-label="{t}"><title>{t}</title>{body}</svg>',
        w=width, h=height, t=title, body=body,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")

