"""What the stories say as a whole: tracks, coverage, the log by quarter, actions, chains, trends, related.

Pure functions over a Site; each is linear in the number of items (related items included: it
looks only at a bounded number of neighbours per shared term, never at all pairs).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from failsite.content.schema import CLOSED_ACTION_STATUSES
from failsite.content.items import Item, derive_summary, quarter_slug
from failsite.content.slugs import slugify
from failsite.engine.fingerprint import digest
from failsite.errors import Diagnostic, warning
from failsite.site.assemble import Site, resolve_source_key

STORY_TYPES = ("talk", "case", "debrief", "experiment", "log")
RELATED_COUNT = 4
_NEIGHBOURS_PER_TERM = 60  # how many items of one term are looked at for relatedness
_TERM_WEIGHTS = {"patterns": 3.0, "barriers": 2.0, "tags": 1.0}


@dataclass(frozen=True)
class Track:
    """An ordered list of modules sharing a `track` name."""

    slug: str
    title: str
    module_keys: tuple[str, ...]
    minutes: int

    @property
    def url(self) -> str:
        return f"/tracks/{self.slug}/"

    @property
    def guide_url(self) -> str:
        return f"/tracks/{self.slug}/guide/"

    @property
    def handout_url(self) -> str:
        return f"/tracks/{self.slug}/handout/"


def tracks(site: Site) -> tuple[Track, ...]:
    """Tracks in alphabetical order, modules by `order` then title."""
    grouped: dict[str, list[Item]] = {}
    for item in site.items:
        if item.type == "module" and item.fields.get("track"):
            grouped.setdefault(item.fields["track"], []).append(item)
    result = []
    for title in sorted(grouped, key=str.lower):
        modules = sorted(grouped[title], key=lambda m: (m.fields.get("order") is None, m.fields.get("order") or 0,
                                                        m.title.lower()))
        result.append(Track(slugify(title), title, tuple(m.key for m in modules),
                            sum(m.fields.get("duration") or 0 for m in modules)))
    return tuple(result)


@dataclass(frozen=True)
class CoverageRow:
    """One pattern: the modules that address it and how many stories show it."""

    pattern: str
    title: str
    module_keys: tuple[str, ...]
    story_count: int

    @property
    def gap(self) -> str:
        """'' when covered; otherwise what is missing."""
        if not self.module_keys:
            return "no module"
        return "fewer than two stories" if self.story_count < 2 else ""


def coverage(site: Site) -> tuple[CoverageRow, ...]:
    """The patterns x modules matrix, with the number of stories per pattern."""
    rows = []
    for term in site.taxonomy("patterns").terms:
        modules = tuple(k for k in term.item_keys if site.by_key[k].type == "module")
        stories = sum(1 for k in term.item_keys if site.by_key[k].type in STORY_TYPES)
        rows.append(CoverageRow(term.slug, term.title, tuple(sorted(modules, key=lambda k: site.by_key[k].title)),
                                stories))
    return tuple(rows)


@dataclass(frozen=True)
class Figures:
    """What a programme lead reports upward, as of a build's day."""

    stories_this_quarter: int
    stories_last_quarter: int
    open_actions: int
    overdue_actions: int
    coverage_gaps: int
    experiments: dict[str, int]  # result -> how many (running, confirmed, disproved, inconclusive)


def headline_figures(site: Site) -> Figures:
    """Stories dated this quarter and last, open and overdue actions, patterns with a coverage gap, experiments by
    result: the figures the Insights page leads with."""
    today = site.audience.today
    this = quarter_of(today)
    last = quarter_of(dt.date(today.year - (today.month <= 3), (today.month - 4) % 12 + 1, 1))
    dated = Counter(quarter_of(i.date) for i in site.items if i.type in STORY_TYPES and _quarter_known(i))
    pending = open_actions(site)
    results = Counter((i.fields.get("result") or "running") for i in site.items if i.type == "experiment")
    return Figures(dated[this], dated[last], len(pending), sum(1 for a in pending if a.overdue),
                   sum(1 for row in coverage(site) if row.gap), dict(results))


def modules_using(site: Site, key: str) -> tuple[str, ...]:
    """The modules that use a story: in their `stories` or in a segment of their `plan`."""
    return tuple(k for k in site.linked_from.get(key, ()) if site.by_key[k].type == "module")


def picker_totals(site: Site, stories: Sequence[str]) -> tuple[int, tuple[str, ...]]:
    """What every page of the story picker says of all the stories: how many no module uses, and the story types
    among them (in STORY_TYPES order)."""
    present = {site.by_key[key].type for key in stories}
    return sum(1 for key in stories if not modules_using(site, key)), tuple(t for t in STORY_TYPES if t in present)


def unused_stories(site: Site, pattern: str) -> tuple[str, ...]:
    """The published stories with a pattern that no module uses yet: what could fill a gap, newest first."""
    return tuple(k for k in site.taxonomy("patterns").term(pattern).item_keys
                 if site.by_key[k].type in STORY_TYPES and not modules_using(site, k))


def overused_stories(site: Site) -> tuple[tuple[str, int], ...]:
    """(key, modules) of the stories used in more modules than `curriculum.most_modules`, most used first."""
    counts = [(i.key, len(modules_using(site, i.key))) for i in site.items if i.type in STORY_TYPES]
    return tuple(sorted(((k, n) for k, n in counts if n > site.config.most_modules), key=lambda kn: (-kn[1], kn[0])))


WORDS_PER_MINUTE = 200


def reading_minutes(item: Item) -> int:
    """How long the item takes to read: its body and its prose fields, at 200 words a minute (at least 1)."""
    words = item.body_words
    for value in item.fields.values():
        if isinstance(value, str):
            words += len(value.split())
        elif isinstance(value, tuple):
            words += sum(len(v.split()) for v in value if isinstance(v, str))
    return max(1, round(words / WORDS_PER_MINUTE))


def prerequisite_order(site: Site) -> list[Diagnostic]:
    """A warning for each module whose prerequisite comes later in the same track."""
    found = []
    for track in tracks(site):
        position = {key: n for n, key in enumerate(track.module_keys)}
        for key in track.module_keys:
            module = site.by_key[key]
            for prerequisite in site.links.get(key, {}).get("prerequisites", ()):
                if position.get(prerequisite, -1) > position[key]:
                    other = site.by_key[prerequisite]
                    found.append(warning(module.path, _link_line(module, "prerequisites", prerequisite),
                                         f"its prerequisite '{other.title}' comes later in the track "
                                         f"'{track.title}'", "give the prerequisite a smaller `order:` than this "
                                         "module, or drop it from `prerequisites`"))
    return found


def _link_line(item: Item, field: str, target: str) -> int:
    """The line where an item's link field names `target` (1 when it cannot be told)."""
    for ref in item.field_links.get(field, ()):
        if resolve_source_key(item.key, ref.target) == target:
            return ref.line
    return 1


def _quarter_known(item: Item) -> bool:
    """Whether an item's date says its quarter: a date known only by its year does not."""
    return item.date is not None and item.date_precision != "year"


def quarter_of(date: dt.date) -> str:
    """'2026-q1'."""
    return f"{date.year}-q{(date.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Quarter:
    """One quarter of the failure log, with what recurs and which patterns it shows."""

    slug: str
    title: str
    entry_keys: tuple[str, ...]
    recurring: tuple[tuple[str, tuple[str, ...]], ...]  # (root cause or tag, keys of the entries sharing it)
    patterns: tuple[tuple[str, int], ...]  # (pattern slug, entries)
    review_keys: tuple[str, ...] = ()  # the quarterly reviews of it

    @property
    def url(self) -> str:
        return f"/log/{self.slug}/"


def log_quarters(site: Site) -> tuple[Quarter, ...]:
    """Quarters newest first. Recurring: root causes or tags shared with another entry within a year."""
    entries = [i for i in site.items if i.type == "log" and i.date is not None]
    by_theme: dict[str, list[Item]] = {}
    for entry in entries:
        themes = {f"tag: {t}" for t in entry.terms.get("tags", ())}
        if entry.fields.get("root_cause"):
            themes.add("root cause: " + " ".join(str(entry.fields["root_cause"]).lower().split()).rstrip("."))
        for theme in themes:
            by_theme.setdefault(theme, []).append(entry)
    quarters: dict[str, list[Item]] = {}
    for entry in entries:
        quarters.setdefault(quarter_of(entry.date), []).append(entry)  # type: ignore[arg-type]
    reviews: dict[str, list[str]] = {}
    for review in (i for i in site.items if i.type == "review"):
        reviews.setdefault(quarter_slug(review.fields["quarter"]), []).append(review.key)
        quarters.setdefault(quarter_slug(review.fields["quarter"]), [])
    result = []
    for slug in sorted(quarters, reverse=True):
        members = quarters[slug]
        recurring = []
        for theme, sharing in sorted(by_theme.items()):
            for entry in (m for m in members if m in sharing):
                within = tuple(o.key for o in sharing if abs((o.date - entry.date).days) <= 365)  # type: ignore[operator]
                if len(within) >= 2:
                    recurring.append((theme, within))
                    break
        counts = Counter(p for e in members for p in e.terms.get("patterns", ()))
        year, number = slug.split("-q")
        result.append(Quarter(slug, f"Q{number} {year}", tuple(e.key for e in members), tuple(recurring),
                              tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))), tuple(reviews.get(slug, ()))))
    return tuple(result)


def on_this_day(site: Site, today: dt.date, days: int = 7) -> tuple[tuple[str, int], ...]:
    """(key, years ago) of the stories dated within `days` of today's date one or more years ago, fewest years
    first: what failed around this time before (the anniversaries of outages and decisions)."""
    found = []
    for item in site.items:
        if item.type not in STORY_TYPES or item.date is None or item.date_precision != "day":
            continue  # a story known only by its year or month has no anniversary
        for year in (today.year - 1, today.year, today.year + 1):  # the nearest same day, across a new year
            anniversary = _same_day(item.date, year)
            if anniversary.year - item.date.year >= 1 and abs((anniversary - today).days) <= days:
                found.append((item.key, anniversary.year - item.date.year))
                break
    return tuple(sorted(found, key=lambda pair: (pair[1], site.by_key[pair[0]].date, pair[0])))


def _same_day(date: dt.date, year: int) -> dt.date:
    try:
        return date.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        return date.replace(year=year, day=28)


def reviewed_entries(site: Site, review: Item) -> tuple[str, ...]:
    """The log entries a quarterly review covers: those it links, else every entry of its quarter (of its owner's
    log, when it names one)."""
    linked = site.links.get(review.key, {}).get("entries", ())
    if linked or review.field_links.get("entries"):
        return tuple(linked)
    slug = quarter_slug(review.fields["quarter"])
    return tuple(i.key for i in site.items if i.type == "log" and i.date is not None and quarter_of(i.date) == slug
                 and (not review.owner_key or i.owner_key == review.owner_key))


@dataclass(frozen=True)
class Action:
    """An action item of a debrief, as published."""

    debrief_key: str
    what: str
    owner: str
    due: dt.date | None
    status: str
    overdue: bool
    id: str = ""
    kind: str = ""
    link: str = ""
    completed: dt.date | None = None
    team: str = ""  # the team that held the review (its `team`, else the first of its `teams`)
    index: int = 0  # its place among the debrief's actions

    @property
    def text(self) -> str:
        """The action as plain text (its markdown's words), for the terminal, CSV and calendars."""
        return derive_summary(self.what, limit=10_000)


def actions_of(item: Item, today: dt.date) -> tuple[Action, ...]:
    """A debrief's action items as published, overdue ones (open or in progress after their due day) marked. A
    review whose actions are tracked elsewhere has none overdue; one with `actions_as_of` is judged as of that day."""
    actions = []
    team = item.fields.get("team") or next(iter(item.terms.get("teams") or ()), "")
    as_of = min(today, item.fields.get("actions_as_of") or today)
    judged = not item.fields.get("actions_tracked_in")
    for index, record in enumerate(item.fields.get("actions") or ()):
        status, due = record.get("status") or "open", record.get("due")
        actions.append(Action(item.key, record["what"], record.get("owner") or "", due, status,
                              judged and due is not None and due < as_of and status in ("open", "in-progress"),
                              record.get("id") or "", record.get("kind") or "", record.get("link") or "",
                              record.get("completed"), team, index))
    return tuple(actions)


def all_actions(site: Site) -> tuple[Action, ...]:
    """Every action item of every published debrief, in site order; overdue ones marked."""
    return tuple(a for item in site.items if item.type == "debrief" for a in actions_of(item, site.audience.today))


@dataclass(frozen=True)
class TimelineFigures:
    """What a review's timeline says in two numbers, measured from the start of the impact: to the first detection,
    and to the end of the impact (or, where it marks none, the first resolution). None where the timeline cannot
    say; `approximate` when a figure rests on a time the review gives as an estimate."""

    to_detect: dt.timedelta | None
    to_resolve: dt.timedelta | None
    approximate_detect: bool = False
    approximate_resolve: bool = False
    unknown_because: str = ""  # why the figures cannot be known ('' when they can, or nothing asks for them)


def timeline_figures(item: Item) -> TimelineFigures:
    """Time to detect and time to resolve from a debrief's timeline: from its `impact-start` entry, never from its
    first entry (a timeline often opens with background events long before anyone was affected)."""
    entries = [e for e in item.fields.get("timeline") or () if e.get("at") is not None]
    starts = [e for e in entries if e.get("kind") == "impact-start"]
    if not starts:
        marked = any(e.get("kind") in ("detection", "resolution", "impact-end") for e in entries)
        return TimelineFigures(None, None, unknown_because="the timeline marks no start of impact" if marked else "")
    start = min(starts, key=lambda e: _moment(e["at"]))

    def first(*kinds: str) -> tuple[dt.timedelta | None, bool]:
        for kind in kinds:
            found = [e for e in entries if e.get("kind") == kind]
            if found:
                entry = min(found, key=lambda e: _moment(e["at"]))
                return _moment(entry["at"]) - _moment(start["at"]), bool(entry.get("approximate") or
                                                                      start.get("approximate"))
        return None, False

    to_detect, rough_detect = first("detection")
    to_resolve, rough_resolve = first("impact-end", "resolution")
    return TimelineFigures(to_detect, to_resolve, rough_detect, rough_resolve)


def _moment(value: dt.date | dt.datetime) -> dt.datetime:
    """A timeline entry's time as an aware datetime (a date alone is its start, in UTC)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)


def format_duration(span: dt.timedelta | None) -> str:
    """'3 h 20 min', '2 days 4 h', '45 min': how long, the way an incident review says it."""
    if span is None:
        return ""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{days} day{'s' if days != 1 else ''}"] if days else []) + ([f"{hours} h"] if hours else []) + \
        ([f"{minutes} min"] if minutes and not days else [])
    return " ".join(parts) or "0 min"


def open_actions(site: Site) -> tuple[Action, ...]:
    """Every action item not done or dropped, soonest due first."""
    pending = (a for a in all_actions(site) if a.status not in CLOSED_ACTION_STATUSES)
    return tuple(sorted(pending, key=lambda a: (a.due is None, a.due or dt.date.max, a.debrief_key, a.what)))


def action_teams(site: Site) -> tuple[tuple[str, str], ...]:
    """(slug, name) of every team with an open action, by name: each has a page of its open actions."""
    names = {slugify(a.team): a.team for a in open_actions(site) if a.team and slugify(a.team)}
    return tuple(sorted(names.items(), key=lambda pair: pair[1].lower()))


def experiment_chains(site: Site) -> tuple[tuple[str, ...], ...]:
    """Each chain of experiments from its first test to its last (cycles are reported at assembly)."""
    has_previous = {target for key, links in site.links.items() for target in links.get("next", ())}
    chains = []
    for item in reversed(site.items):  # oldest first
        if item.type != "experiment" or item.key in has_previous:
            continue
        chain, key, seen = [], item.key, set()
        while key and key not in seen:
            seen.add(key)
            chain.append(key)
            following = site.links.get(key, {}).get("next", ())
            key = following[0] if following else ""
        chains.append(tuple(chain))
    return tuple(chains)


def patterns_over_time(site: Site) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[int, ...]], ...]]:
    """Quarters (oldest first) and, for each pattern, its number of stories in each quarter."""
    counts: Counter[tuple[str, str]] = Counter()
    quarters: set[str] = set()
    for item in site.items:
        if item.type in STORY_TYPES and _quarter_known(item):
            quarter = quarter_of(item.date)  # type: ignore[arg-type]
            quarters.add(quarter)
            for pattern in item.terms.get("patterns", ()):
                counts[(pattern, quarter)] += 1
    ordered = tuple(sorted(quarters))
    return ordered, tuple((t.slug, tuple(counts[(t.slug, q)] for q in ordered))
                          for t in site.taxonomy("patterns").terms)


def term_members(site: Site) -> dict[tuple[str, str], tuple[str, ...]]:
    """Each term of the taxonomies relatedness weighs, with its items newest first."""
    return {(t.name, term.slug): term.item_keys for t in site.taxonomies if t.name in _TERM_WEIGHTS
            for term in t.terms}


def related_for(site: Site, item: Item, members: dict[tuple[str, str], tuple[str, ...]]) -> tuple[str, ...]:
    """The stories sharing the most patterns, barriers and tags with `item` (rarer terms count more).

    Only the newest few items of each term are looked at, so the cost per item is bounded
    whatever the size of the site."""
    if item.type not in STORY_TYPES:
        return ()
    scores: dict[str, float] = {}
    for taxonomy, weight in _TERM_WEIGHTS.items():
        for label in item.terms.get(taxonomy, ()):
            keys = members.get((taxonomy, slugify(label)), ())
            rarity = weight / (1 + len(keys) ** 0.5)
            for other in keys[:_NEIGHBOURS_PER_TERM]:
                if other != item.key and site.by_key[other].type in STORY_TYPES:
                    scores[other] = scores.get(other, 0.0) + rarity
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:RELATED_COUNT]
    return tuple(k for k, _ in best)


def neighbour_digests(members: dict[tuple[str, str], tuple[str, ...]]) -> dict[tuple[str, str], str]:
    """Each term's size and newest members, which `related_for` reads, as one digest per term."""
    return {term: digest(len(keys), keys[:_NEIGHBOURS_PER_TERM]) for term, keys in members.items()}


def related_inputs(item: Item, neighbours: dict[tuple[str, str], str]) -> tuple[str, ...]:
    """What `related_for` reads for an item, as its terms' `neighbour_digests` (a cheap signature: a
    page's signature repeated its terms' member lists, 7 KB a talk)."""
    return tuple(neighbours.get((taxonomy, slugify(label)), "") for taxonomy in _TERM_WEIGHTS
                 for label in item.terms.get(taxonomy, ()))


def export_record(item: Item, url: str) -> dict[str, Any]:
    """One item's metadata in /index.json."""
    return {"type": item.type, "title": item.title, "url": url, "date": item.date.isoformat() if item.date else None,
            "summary": item.summary, "terms": {name: list(labels) for name, labels in item.terms.items() if labels}}
