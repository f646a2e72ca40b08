"""Charts drawn at build time as inline SVG, with a title, a description and the numbers as a table."""

from __future__ import annotations

from markupsafe import Markup, escape

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP, _RIGHT = 640, 260, 36, 40, 14, 36


def line_chart(chart_id: str, title: str, columns: tuple[str, ...],
               series: list[tuple[str, str, tuple[int, ...]]]) -> Markup:
    """A line per series (css class, label, values per column) over the columns, plus the same data as a table."""
    description = "; ".join(f"{label}: " + ", ".join(f"{c} {v}" for c, v in zip(columns, values))
                            for _, label, values in series) or "No dated stories yet."
    if not columns:
        return Markup('<p class="empty">No dated stories yet.</p>')
    top = max([max(values, default=0) for *_, values in series] + [1])
    inner_w, inner_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    step = inner_w / max(len(columns) - 1, 1)

    def x(index: int) -> float:
        return round(_LEFT + (index * step if len(columns) > 1 else inner_w / 2), 1)

    def y(value: int) -> float:
        return round(_TOP + inner_h - value / top * inner_h, 1)

    parts = [f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMidYMid meet">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for tick in sorted({0, top // 2, top}):
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(tick)}" y2="{y(tick)}"/>'
                     f'<text class="axis" x="{_LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>')
    every = max(1, len(columns) // 8)
    for index, column in enumerate(columns):
        if index % every == 0 or index == len(columns) - 1:
            parts.append(f'<text class="axis" x="{x(index)}" y="{_HEIGHT - _BOTTOM + 18}" text-anchor="middle">'
                         f'{escape(column)}</text>')
    for css, _, values in series:
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
        parts.append(f'<g class="series chip-{escape(css)}"><polyline points="{points}"/>'
                     + "".join(f'<circle cx="{x(i)}" cy="{y(v)}" r="3"/>' for i, v in enumerate(values)) + "</g>")
    parts.append("</svg>")
    legend = "".join(f'<li class="chip-{escape(css)}"><span aria-hidden="true">●</span> {escape(label)}</li>'
                     for css, label, _ in series)
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th>' + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
                   for _, label, values in series)
    table = (f'<div class="table-scroll"><table class="chart-data"><caption>{escape(title)}: the numbers</caption>'
             f'<thead><tr><th scope="col">Pattern</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>')
    return Markup(f'<figure class="chart-figure">{"".join(parts)}<ul class="chart-legend">{legend}</ul>'
                  f"{table}</figure>")
