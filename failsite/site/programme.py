"""Is the programme working? The figures a programme lead shows upward, quarter by quarter.

Takes a Site (its published items only, so every figure counts what the build's audience may see); gives plain
numbers per quarter: stories by type and by pattern, action follow-through, time to detect and to resolve,
experiments by result, curriculum coverage. Each reuses the measure the rest of the site uses (insights).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from failsite.content.items import Item, quarter_end
from failsite.content.schema import CLOSED_ACTION_STATUSES
from failsite.site.assemble import Site
from failsite.site.insights import (STORY_TYPES, Action, CoverageRow, actions_of, coverage, open_actions,
                                    patterns_over_time, quarter_of, timeline_figures)

RESULTS = ("confirmed", "disproved", "inconclusive", "running")
Row = tuple[str, tuple[float | None, ...]]  # (what the row counts, one value per quarter; None: nothing to measure)


@dataclass(frozen=True)
class Programme:
    """Every figure of the programme page, each a list of rows over the same quarters (oldest first)."""

    quarters: tuple[str, ...]  # '2026-q1'
    by_type: tuple[Row, ...]  # story type -> stories dated in each quarter
    by_pattern: tuple[Row, ...]  # pattern slug -> stories
    follow_through: tuple[Row, ...]  # FOLLOW_THROUGH -> the actions of the reviews held in each quarter
    overdue_by_team: tuple[tuple[str, int, int], ...]  # (team, open actions, overdue), most overdue first
    overdue_by_quarter: tuple[Row, ...]  # team -> overdue actions of the reviews it held each quarter (same order)
    time_to: tuple[Row, ...]  # 'detect', 'resolve' -> median hours, over the reviews of each quarter giving them
    experiments: tuple[Row, ...]  # result -> experiments dated in each quarter
    coverage: tuple[Row, ...]  # 'covered', 'gaps' -> patterns as the coverage page would have shown them then


FOLLOW_THROUGH = ("actions", "done", "completion", "open", "median_age", "overdue")


def _dated(item: Item) -> str:
    """An item's quarter ('' when its date does not say it)."""
    return quarter_of(item.date) if item.date is not None and item.date_precision != "year" else ""


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def programme(site: Site) -> Programme:
    """The programme's figures for this build, as of its day."""
    quarters, patterns = patterns_over_time(site)
    stories = [i for i in site.items if i.type in STORY_TYPES and _dated(i)]
    types = Counter((i.type, _dated(i)) for i in stories)
    reviews: dict[str, list[Item]] = {}
    for item in stories:
        if item.type == "debrief":
            reviews.setdefault(_dated(item), []).append(item)
    pending = open_actions(site)
    results = Counter((i.fields.get("result") or "running", _dated(i)) for i in stories if i.type == "experiment")
    return Programme(
        quarters, tuple((t, tuple(float(types[(t, q)]) for q in quarters)) for t in STORY_TYPES
                        if any(kind == t for kind, _ in types)),
        tuple((slug, tuple(float(v) for v in values)) for slug, values in patterns),
        _follow_through(site, [reviews.get(q, []) for q in quarters], pending),
        *_by_team(site, pending, quarters), _time_to([reviews.get(q, []) for q in quarters]),
        tuple((r, tuple(float(results[(r, q)]) for q in quarters)) for r in RESULTS if any(k[0] == r for k in results)),
        _coverage_over_time(site, quarters))


def _follow_through(site: Site, quarters: list[list[Item]], pending: tuple[Action, ...]) -> tuple[Row, ...]:
    """FOLLOW_THROUGH for the actions of each quarter's reviews: completion leaves out those dropped or decided
    against; an open action's age runs from its review's day to the build's."""
    today = site.audience.today
    still_open = {(a.debrief_key, a.index) for a in pending}
    rows: dict[str, list[float | None]] = {name: [] for name in FOLLOW_THROUGH}
    for held in quarters:
        actions = [a for i in held for a in actions_of(i, today)]
        still = [a for a in actions if (a.debrief_key, a.index) in still_open]
        done = sum(1 for a in actions if a.status == "done")
        counted = sum(1 for a in actions if a.status == "done" or a.status not in CLOSED_ACTION_STATUSES)
        ages = [float((today - site.by_key[a.debrief_key].date).days) for a in still]  # type: ignore[operator]
        for name, value in zip(FOLLOW_THROUGH, (len(actions), done, round(100 * done / counted) if counted else None,
                                                len(still), _median(ages), sum(1 for a in still if a.overdue))):
            rows[name].append(value if value is None else float(value))
    return tuple((name, tuple(rows[name])) for name in FOLLOW_THROUGH)


def _by_team(site: Site, pending: tuple[Action, ...], quarters: tuple[str, ...]
             ) -> tuple[tuple[tuple[str, int, int], ...], tuple[Row, ...]]:
    """(team, open actions, overdue) for each team with an open action, the most overdue first; and for the same
    teams, their overdue actions by the quarter of the review that agreed them."""
    teams: dict[str, list[int]] = {}
    late: Counter[tuple[str, str]] = Counter()
    for action in pending:
        counts = teams.setdefault(action.team, [0, 0])
        counts[0] += 1
        counts[1] += action.overdue
        late[(action.team, _dated(site.by_key[action.debrief_key]))] += action.overdue
    ordered = tuple(sorted(((team, n, overdue) for team, (n, overdue) in teams.items()),
                           key=lambda t: (-t[2], -t[1], t[0])))
    return ordered, tuple((team, tuple(float(late[(team, q)]) for q in quarters)) for team, _, _ in ordered)


def _time_to(quarters: list[list[Item]]) -> tuple[Row, ...]:
    """The median hours to detect and to resolve over each quarter's reviews whose timelines give them."""
    detect, resolve = [], []
    for held in quarters:
        figures = [timeline_figures(review) for review in held]
        detect.append(_median([f.to_detect.total_seconds() / 3600 for f in figures if f.to_detect is not None]))
        resolve.append(_median([f.to_resolve.total_seconds() / 3600 for f in figures if f.to_resolve is not None]))
    return (("detect", tuple(detect)), ("resolve", tuple(resolve)))


def coverage_over_time(site: Site, days: list[dt.date]) -> list[tuple[CoverageRow, ...]]:
    """The coverage page as it would have stood on each of `days`: modules revised by then (or undated), stories
    dated by then. Each pattern's dates are sorted once and each day looked up in them."""
    current = coverage(site)
    stories, modules = {}, {}
    for row in current:
        keys = site.taxonomy("patterns").term(row.pattern).item_keys
        stories[row.pattern] = sorted(d for k in keys if site.by_key[k].type in STORY_TYPES
                                      and (d := site.by_key[k].date) is not None)
        modules[row.pattern] = sorted((site.by_key[k].date or dt.date.min, k) for k in row.module_keys)
    return [tuple(CoverageRow(row.pattern, row.title,
                              tuple(k for _, k in modules[row.pattern][:bisect.bisect_right(
                                  modules[row.pattern], (day, "\uffff"))]),
                              bisect.bisect_right(stories[row.pattern], day)) for row in current) for day in days]


def _coverage_over_time(site: Site, quarters: tuple[str, ...]) -> tuple[Row, ...]:
    rows = coverage_over_time(site, [quarter_end(q.upper()) for q in quarters])
    return (("covered", tuple(float(sum(1 for r in q if not r.gap)) for q in rows)),
            ("gaps", tuple(float(sum(1 for r in q if r.gap)) for q in rows)))
