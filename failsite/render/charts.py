"""Charts drawn at build time as inline SVG, with a title, a description and the numbers as a table.

Every chart takes its data as rows (css class, label, one value per column; None where there is nothing to
measure) over columns, and shows the same rows as a table, so what is drawn and what is written never differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

_LABEL_W, _CELL_W, _CELL_H, _HEAD_H = 120, 64, 34, 26
_POINT_W, _PLOT_H, _AXIS_W, _LEGEND_H = 64, 150, 40, 24
_BAR_LABEL_W, _BAR_W, _BAR_H, _BAR_VALUE_W = 130, 160, 28, 44
# The line and bar charts' colours, from the theme's variables (light, dark and print alike), inline so the charts need
# no stylesheet of their own; lines differ by their dashes too, never by colour alone.
_TEXT = ' style="font-size: 13px; fill: var(--text, #1b1b1b)"'
_MUTED = ' style="fill: var(--muted, #555)"'
_RULE = ' style="stroke: var(--border, #999)"'
_MARK = ' style="fill: var(--accent, #0b5cad)"'
_LINES = tuple(f' fill="none" style="stroke: var(--accent, #0b5cad); stroke-width: 2.5px{dash}"'
               for dash in ("", "; stroke-dasharray: 7 4", "; stroke-dasharray: 2 3"))
Series = Sequence[tuple[str, str, Sequence[float | None]]]  # (css class, label, a value per column)


def number(value: float | None) -> str:
    """A value as the table, the chart and the CSV write it: '12', '40.5', '' for none."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def describe(columns: Sequence[str], series: Series) -> str:
    """The chart's numbers in words, for its <desc>: 'Talks: 2026 Q1 2, 2026 Q2 4; ...'."""
    return "; ".join(f"{label}: " + ", ".join(f"{c} {number(v) or '–'}" for c, v in zip(columns, values))
                     for _, label, values in series)


def _svg_open(css: str, chart_id: str, title: str, description: str, width: float, height: float,
              style: str = "") -> list[str]:
    return [f'<svg class="chart {css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"{style}>',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>']


def numbers_table(title: str, corner: str, columns: Sequence[str], series: Series,
                  gettext: Callable[[str], str] = str, folded: bool = True) -> Markup:
    """The chart's numbers as a table: a row per series, a column per column. `folded` puts it in a details
    element to open; otherwise it stands beside the chart (and is printed with it)."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th>' +
                   "".join(f"<td>{number(v) or '–'}</td>" for v in values) + "</tr>" for _, label, values in series)
    numbers = escape(gettext("%(title)s: the numbers") % {"title": title})
    table = (f'<div class="table-scroll" tabindex="0" role="region" aria-label="{numbers}">'
             f'<table class="chart-data"><caption>{numbers}</caption>'
             f'<thead><tr><th scope="col">{escape(corner)}</th>{head}</tr></thead><tbody>{rows}</tbody>'
             f'</table></div>')
    if not folded:
        return Markup(table)
    return Markup(f'<details class="chart-numbers"><summary>{escape(gettext("The numbers as a table"))}</summary>'
                  f'{table}</details>')


def _figure(title: str, svg: list[str], table: Markup) -> Markup:
    return Markup(f'<figure class="chart-figure"><div class="chart-scroll" tabindex="0" role="region" '
                  f'aria-label="{escape(title)}">{"".join(svg)}</div>{table}</figure>')


def _label_width(label: str) -> float:
    """About how wide a row label is drawn (13 px, bold, in a sans-serif face): narrow, capital and wide letters
    apart, so that a long team name gets its room and a short pattern's name keeps the chart as it was."""
    return sum(4.5 if c in "ijlrtf'.,:; " else 11.0 if c in "mwMW" else 9.5 if c.isupper() else 7.8 for c in label)


def heat_map(chart_id: str, title: str, columns: tuple[str, ...],
             series: Series, gettext: Callable[[str], str] = str, corner: str = "",
             css_prefix: str = "pattern-", folded: bool = True) -> Markup:
    """A grid of rows (css class, label, values per column) by columns, each cell shaded by its count in its row's
    colour with the count written in it: small counts stay readable and no series hides another. The same data
    follows as a table, headed `corner` (default 'Pattern'). `gettext` gives the chart's own words in the site's
    language."""
    if not columns:
        return Markup(f'<p class="empty">{escape(gettext("No dated stories yet."))}</p>')
    top = max([max((v or 0 for v in values), default=0) for *_, values in series] + [1])
    label_w = max([_LABEL_W] + [round(_label_width(label)) + 14 for _, label, _ in series])  # a long name not cut
    width, height = label_w + _CELL_W * len(columns), _HEAD_H + _CELL_H * len(series)
    parts = _svg_open("heat-map", chart_id, title, describe(columns, series), width, height)
    for index, column in enumerate(columns):
        parts.append(f'<text class="axis" x="{label_w + index * _CELL_W + _CELL_W / 2}" y="{_HEAD_H - 9}" '
                     f'text-anchor="middle">{escape(column)}</text>')
    for row, (css, label, values) in enumerate(series):
        y = _HEAD_H + row * _CELL_H
        parts.append(f'<g class="series {escape(css_prefix)}{escape(css)}"><text class="row-label" x="{label_w - 8}" '
                     f'y="{y + _CELL_H / 2 + 5}" text-anchor="end">{escape(label)}</text>')
        for index, value in enumerate(values):
            x = label_w + index * _CELL_W
            strength = 0 if not value else round(0.25 + 0.75 * value / top, 2)
            parts.append(f'<rect class="cell" x="{x + 2}" y="{y + 2}" width="{_CELL_W - 4}" height="{_CELL_H - 4}" '
                         f'rx="5" fill-opacity="{strength}"/>'
                         f'<text class="count{" strong" if strength > 0.6 else ""}" x="{x + _CELL_W / 2}" '
                         f'y="{y + _CELL_H / 2 + 5}" text-anchor="middle">{number(value) if value else "·"}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return _figure(title, parts, numbers_table(title, corner or gettext("Pattern"), columns, series, gettext, folded))


def line_chart(chart_id: str, title: str, columns: tuple[str, ...], series: Series, corner: str,
               gettext: Callable[[str], str] = str, plotted: Sequence[str] = (), folded: bool = True) -> Markup:
    """Lines over the columns (quarters), one per row whose css class is in `plotted` (every row when none is
    named), each point with its value written beside it and a gap where a value is None; a legend names the lines,
    drawn solid, dashed and dotted so colour is never the only difference. The table holds every row."""
    if not columns:
        return Markup(f'<p class="empty">{escape(gettext("No dated stories yet."))}</p>')
    drawn = [s for s in series if not plotted or s[0] in plotted]
    top = max([v for *_, values in drawn for v in values if v is not None] + [1.0])
    width = _AXIS_W + _POINT_W * len(columns) + 8
    height = _LEGEND_H * len(drawn) + _PLOT_H + _HEAD_H
    base = _LEGEND_H * len(drawn) + _PLOT_H
    parts = _svg_open("line-chart", chart_id, title, describe(columns, drawn), width, height, _TEXT)
    parts.append(f'<line class="axis-line" x1="{_AXIS_W}" y1="{base}" x2="{width - 4}" y2="{base}"{_RULE}/>'
                 f'<text class="axis" x="{_AXIS_W - 6}" y="{base + 4}" text-anchor="end"{_MUTED}>0</text>'
                 f'<text class="axis" x="{_AXIS_W - 6}" y="{base - _PLOT_H + 28}" text-anchor="end"{_MUTED}>'
                 f'{number(top)}</text>')
    for index, column in enumerate(columns):
        parts.append(f'<text class="axis" x="{_AXIS_W + index * _POINT_W + _POINT_W / 2}" y="{base + 18}" '
                     f'text-anchor="middle"{_MUTED}>{escape(column)}</text>')
    for number_, (css, label, values) in enumerate(drawn, start=1):
        y_legend = _LEGEND_H * (number_ - 1) + 16
        line = _LINES[(number_ - 1) % len(_LINES)]
        parts.append(f'<g class="series line-{number_} {escape(css)}">'
                     f'<line class="line" x1="{_AXIS_W}" y1="{y_legend - 5}" x2="{_AXIS_W + 28}" y2="{y_legend - 5}"'
                     f'{line}/>{_marker(number_, _AXIS_W + 14, y_legend - 5)}'
                     f'<text class="row-label" x="{_AXIS_W + 36}" y="{y_legend}">{escape(label)}</text>')
        points = [(_AXIS_W + i * _POINT_W + _POINT_W / 2, round(base - (_PLOT_H - 24) * v / top, 1), v)
                  for i, v in enumerate(values) if v is not None]
        runs: list[list[tuple[float, float]]] = []
        previous = -2
        for i, v in enumerate(values):
            if v is None:
                continue
            if i != previous + 1:
                runs.append([])
            runs[-1].append((_AXIS_W + i * _POINT_W + _POINT_W / 2, round(base - (_PLOT_H - 24) * v / top, 1)))
            previous = i
        parts += [f'<polyline class="line" points="{" ".join(f"{x},{y}" for x, y in run)}"{line}/>' for run in runs
                  if len(run) > 1]
        parts += [_marker(number_, x, y) + f'<text class="value" x="{x}" y="{y - 8}" text-anchor="middle">'
                  f'{number(v)}</text>' for x, y, v in points]
        parts.append("</g>")
    parts.append("</svg>")
    return _figure(title, parts, numbers_table(title, corner, columns, series, gettext, folded))


def _marker(line: int, x: float, y: float) -> str:
    """A point of the first line as a dot, of the second as a square, of the third as a diamond."""
    if line % 3 == 1:
        return f'<circle class="point" cx="{x}" cy="{y}" r="4"{_MARK}/>'
    turn = f' transform="rotate(45 {x} {y})"' if line % 3 == 0 else ""
    return f'<rect class="point" x="{x - 4}" y="{y - 4}" width="8" height="8"{turn}{_MARK}/>'


def bar_chart(chart_id: str, title: str, columns: tuple[str, ...], series: Series, corner: str,
              gettext: Callable[[str], str] = str, folded: bool = True) -> Markup:
    """Horizontal bars, one per row, of its first value (the first column), the value written at the bar's end; the
    table holds every column of every row."""
    if not series:
        return Markup(f'<p class="empty">{escape(gettext("Nothing to count yet."))}</p>')
    top = max([v or 0 for *_, values in series for v in values[:1]] + [1])
    width, height = _BAR_LABEL_W + _BAR_W + _BAR_VALUE_W, _BAR_H * len(series) + 8 + _HEAD_H
    drawn = [(css, label, values[:1]) for css, label, values in series]
    parts = _svg_open("bar-chart", chart_id, title, describe(columns[:1], drawn), width, height, _TEXT)
    parts.append(f'<text class="axis" x="{_BAR_LABEL_W}" y="{_HEAD_H - 8}"{_MUTED}>{escape(columns[0])}</text>')
    for row, (css, label, values) in enumerate(drawn):
        y, value = _HEAD_H + row * _BAR_H, values[0] or 0
        shown = label if len(label) <= 18 else label[:17] + "…"
        length = round(_BAR_W * value / top, 1)
        parts.append(f'<g class="series {escape(css)}"><text class="row-label" x="{_BAR_LABEL_W - 8}" '
                     f'y="{y + _BAR_H / 2 + 5}" text-anchor="end">{escape(shown)}</text>'
                     f'<rect class="bar" x="{_BAR_LABEL_W}" y="{y + 4}" width="{length}" height="{_BAR_H - 8}" '
                     f'rx="3"{_MARK}/>'
                     f'<text class="value" x="{_BAR_LABEL_W + length + 6}" y="{y + _BAR_H / 2 + 5}">'
                     f'{number(value)}</text></g>')
    parts.append("</svg>")
    return _figure(title, parts, numbers_table(title, corner, columns, series, gettext, folded))
