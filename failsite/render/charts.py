"""Charts drawn at build time as inline SVG, with a title, a description and the numbers as a table."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

_LABEL_W, _CELL_W, _CELL_H, _HEAD_H = 120, 64, 34, 26


def heat_map(chart_id: str, title: str, columns: tuple[str, ...],
             series: list[tuple[str, str, tuple[int, ...]]], gettext: Callable[[str], str] = str) -> Markup:
    """A grid of rows (css class, label, values per column) by columns, each cell shaded by its count in its row's
    colour with the count written in it: small counts stay readable and no series hides another. The same data
    follows as a table. `gettext` gives the chart's own words in the site's language."""
    if not columns:
        return Markup(f'<p class="empty">{escape(gettext("No dated stories yet."))}</p>')
    description = "; ".join(f"{label}: " + ", ".join(f"{c} {v}" for c, v in zip(columns, values))
                            for _, label, values in series)
    top = max([max(values, default=0) for *_, values in series] + [1])
    width, height = _LABEL_W + _CELL_W * len(columns), _HEAD_H + _CELL_H * len(series)
    parts = [f'<svg class="chart heat-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for index, column in enumerate(columns):
        parts.append(f'<text class="axis" x="{_LABEL_W + index * _CELL_W + _CELL_W / 2}" y="{_HEAD_H - 9}" '
                     f'text-anchor="middle">{escape(column)}</text>')
    for row, (css, label, values) in enumerate(series):
        y = _HEAD_H + row * _CELL_H
        parts.append(f'<g class="series pattern-{escape(css)}"><text class="row-label" x="{_LABEL_W - 8}" '
                     f'y="{y + _CELL_H / 2 + 5}" text-anchor="end">{escape(label)}</text>')
        for index, value in enumerate(values):
            x = _LABEL_W + index * _CELL_W
            strength = 0 if not value else round(0.25 + 0.75 * value / top, 2)
            parts.append(f'<rect class="cell" x="{x + 2}" y="{y + 2}" width="{_CELL_W - 4}" height="{_CELL_H - 4}" '
                         f'rx="5" fill-opacity="{strength}"/>'
                         f'<text class="count{" strong" if strength > 0.6 else ""}" x="{x + _CELL_W / 2}" '
                         f'y="{y + _CELL_H / 2 + 5}" text-anchor="middle">{value or "·"}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th>' + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
                   for _, label, values in series)
    numbers = escape(gettext("%(title)s: the numbers") % {"title": title})
    table = (f'<details class="chart-numbers"><summary>{escape(gettext("The numbers as a table"))}</summary>'
             f'<div class="table-scroll" tabindex="0" role="region" aria-label="{numbers}">'
             f'<table class="chart-data"><caption>{numbers}</caption>'
             f'<thead><tr><th scope="col">{escape(gettext("Pattern"))}</th>{head}</tr></thead><tbody>{rows}</tbody>'
             f'</table></div></details>')
    return Markup(f'<figure class="chart-figure"><div class="chart-scroll" tabindex="0" role="region" '
                  f'aria-label="{escape(title)}">{"".join(parts)}</div>{table}</figure>')
