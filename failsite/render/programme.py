"""Is the programme working? The programme page's figures as charts, tables and one tidy CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup

from failsite.render.charts import Series, bar_chart, heat_map, line_chart, number
from failsite.site.programme import Programme, programme

# `views` below is a render.views.SiteView: named, not imported, since views imports this module.

PROGRAMME_URL = "/insights/programme/"
PROGRAMME_CSV = "insights/programme.csv"


def N_(message: str) -> str:
    """Mark a word for the theme's catalogue, translated where it is shown."""
    return message


_FOLLOW_THROUGH = {"actions": N_("Actions agreed"), "done": N_("Done"), "completion": N_("Completion (%)"),
                   "open": N_("Still open"), "median_age": N_("Median age of open actions (days)"),
                   "overdue": N_("Overdue")}
_TIME_TO = {"detect": N_("Median time to detect (hours)"), "resolve": N_("Median time to resolve (hours)")}
_RESULTS = {"confirmed": N_("Confirmed"), "disproved": N_("Disproved"), "inconclusive": N_("Inconclusive"),
            "running": N_("Running")}
_COVERAGE = {"covered": N_("Patterns covered"), "gaps": N_("Patterns with a gap")}


@dataclass(frozen=True)
class ProgrammeFigure:
    """One figure of the programme page: its chart (with the table beside it) and the rows the CSV holds."""

    id: str
    title: str
    description: str  # one sentence on what it counts
    corner: str  # what the rows are
    columns: tuple[str, ...]
    series: Series
    chart: Markup


def programme_figures(views: Any) -> list[ProgrammeFigure]:
    """Every figure of the programme page, in order, drawn in the site's language."""
    _: Callable[[str], str] = views._
    found: Programme = programme(views.site)
    quarters = tuple(q.replace("-q", " Q") for q in found.quarters)
    patterns = {t.slug: t.title for t in views.site.taxonomy("patterns").terms}
    words = views.type_words
    figures = []

    def add(figure_id: str, title: str, description: str, corner: str, columns: tuple[str, ...], series: Series,
            draw: Callable[..., Markup], *options: Any) -> None:
        chart = draw(f"programme-{figure_id}", title, columns, series, *options)
        figures.append(ProgrammeFigure(figure_id, title, description, corner, columns, series, chart))

    add("stories-by-type", _("Stories per quarter by type"), _("Stories published, by the quarter they are dated."),
        _("Type"), quarters, [(t, words.get(t) or t.capitalize(), v) for t, v in found.by_type], heat_map, _,
        _("Type"), "type-",
        False)
    add("stories-by-pattern", _("Stories per quarter by pattern"), _("A story with two patterns counts for both."),
        _("Pattern"), quarters, [(p, patterns[p], v) for p, v in found.by_pattern], heat_map, _, _("Pattern"),
        "pattern-", False)
    add("follow-through", _("Action follow-through"), _("The actions of the reviews held each quarter: completion "
        "leaves out actions dropped or decided against; ages and overdue actions are as of the build's day."),
        _("Actions"), quarters, [(n, _(_FOLLOW_THROUGH[n]), v) for n, v in found.follow_through], _line,
        _("Actions"), _, ("completion",))
    add("overdue-by-team", _("Open and overdue actions by team"), _("Every open action, by the team that held "
        "its review."), _("Team"), (_("Still open"), _("Overdue")),  # the bars: every open action
        [("", team or _("No team given"), (float(n), float(late))) for team, n, late in found.overdue_by_team],
        _bars, _("Team"), _)
    add("overdue-by-quarter", _("Overdue actions by team and quarter"), _("The open actions past their due day, by "
        "the team and the quarter of the review that agreed them."), _("Team"), quarters,
        [("", team or _("No team given"), v) for team, v in found.overdue_by_quarter], heat_map, _, _("Team"),
        "team-", False)
    add("time-to", _("Time to detect and to resolve"), _("The median over the reviews of each quarter whose "
        "timeline marks the start of the impact."), _("Measure"), quarters,
        [(n, _(_TIME_TO[n]), v) for n, v in found.time_to], _line, _("Measure"), _, ())
    add("experiments", _("Experiments by result"), _("Experiments by the quarter they are dated, and what they "
        "found."), _("Result"), quarters, [(r, _(_RESULTS[r]), v) for r, v in found.experiments], heat_map, _,
        _("Result"), "result-", False)
    add("coverage", _("Curriculum coverage over time"), _("The patterns the curriculum covered (a module and at "
        "least two stories) at the end of each quarter."), _("Patterns"), quarters,
        [(n, _(_COVERAGE[n]), v) for n, v in found.coverage], _line, _("Patterns"), _, ())
    return figures


def _line(chart_id: str, title: str, columns: tuple[str, ...], series: Series, corner: str,
          gettext: Callable[[str], str], plotted: tuple[str, ...]) -> Markup:
    return line_chart(chart_id, title, columns, series, corner, gettext, plotted, folded=False)


def _bars(chart_id: str, title: str, columns: tuple[str, ...], series: Series, corner: str,
          gettext: Callable[[str], str]) -> Markup:
    return bar_chart(chart_id, title, columns, series, corner, gettext, folded=False)


def programme_csv(figures: list[ProgrammeFigure]) -> bytes:
    """Every figure's numbers as one tidy CSV: figure, row, column, value (empty where there is nothing to
    measure), in the order the page shows them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "row", "column", "value"])
    for figure in figures:
        for _, label, values in figure.series:
            writer.writerows([figure.id, label, column, number(value)] for column, value in zip(figure.columns, values))
    return buffer.getvalue().encode("utf-8")
