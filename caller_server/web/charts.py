"""Server-side SVG bar charts: no chart library, printable, readable without JavaScript."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

COLOURS = ("#8b1a1a", "#4a7ab5", "#e0a100", "#3a8d5c")


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    width: int = 640,
    height: int = 220,
    unit: str = "",
) -> Markup:
    """Grouped bars: one group per label, one bar per series, a legend and a y scale."""
    left, bottom, top = 40, 28, 22
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((v for _name, values in series for v in values), default=0) or 1
    if all(float(v).is_integer() for _name, values in series for v in values):
        peak = math.ceil(peak / 4) * 4  # counts: whole-number ticks
    group = plot_w / max(1, len(labels))
    bar = max(1.0, (group - 4) / max(1, len(series)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for step in range(5):
        value = peak * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value:.3g}{escape(unit)}</text>"
        )
    for i, label in enumerate(labels):
        x0 = left + i * group + 2
        for j, (name, values) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            colour = COLOURS[j % len(COLOURS)]
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} {escape(label)}: '
                f"{v:g}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group / 2 - 2:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for j, (name, _values) in enumerate(series):
        x = left + j * 130
        colour = COLOURS[j % len(COLOURS)]
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="14">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
