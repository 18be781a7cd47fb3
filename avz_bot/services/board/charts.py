"""Bar charts as inline SVG, rendered on the server (no script, no third-party code).

Each chart is ``role="img"`` with ``aria-labelledby`` pointing at its ``<title>`` and
``<desc>`` (WCAG 2.1 1.1.1: the description names every bar's value), and the page adds
the same figures as a table. Colours meet 3:1 against white (WCAG 1.4.11).
"""

from __future__ import annotations

from html import escape

#: The bars' colour (dark blue, 8.6:1 on white) and the text colour.
BAR = "#1f4e8c"
INK = "#1a1a1a"


def bar_chart(chart_id: str, title: str, desc: str, data: list[tuple[str, int]]) -> str:
    """A horizontal bar chart of ``data`` (label, value) as an ``<svg>`` element."""
    row, label_w, width = 22, 150, 560
    height = max(row * len(data) + 10, 40)
    top = max((value for _, value in data), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(data):
        y = 5 + index * row
        length = int((width - label_w - 60) * value / top)
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row - 6}" fill="{BAR}"/>'
            f'<text x="{label_w + length + 6}" y="{y + 15}" fill="{INK}">{value}</text>'
        )
    return (
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="chart" '
        f'font-size="13" font-family="sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{"".join(bars)}</svg>'
    )


def summary(data: list[tuple[str, int]]) -> str:
    """``label value`` pairs for a chart's description (``2026-01 4, 2026-02 7``)."""
    return ", ".join(f"{label} {value}" for label, value in data)
