"""Which pages the site has: a plan of plain records, one per output HTML page."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from failsite.content.schema import AUDIENCES, CONTENT_TYPES
from failsite.site.insights import (STORY_TYPES, action_teams, log_quarters, modules_using, neighbour_digests,
                                    on_this_day, patterns_over_time, picker_totals, related_inputs, term_members,
                                    tracks)
from failsite.site.assemble import Site
from failsite.site.recurrence import Recurrences, find_recurrences, recurrence_inputs

HOME_RECENT = 8


@dataclass(frozen=True)
class PagePlan:
    """One HTML page to render: what kind it is, its template and what it shows."""

    url: str
    template: str
    kind: str  # home, list, item, taxonomy, term, notfound
    date: dt.date | None = None
    item_key: str = ""
    type: str = ""
    taxonomy: str = ""
    term: str = ""
    number: int = 1  # page number within a paginated list
    count: int = 1  # how many pages the list has
    first: int = 0  # index of the first item shown (paginated lists)
    last: int = 0
    name: str = ""  # which track or quarter, for the pages that show one

    @property
    def output_path(self) -> str:
        return output_path(self.url)


def output_path(url: str) -> str:
    """'/talks/x/' -> 'talks/x/index.html'; '/404.html' -> '404.html'."""
    path = url.lstrip("/")
    return path + "index.html" if not path or path.endswith("/") else path


def page_urls(url: str, total: int, per_page: int) -> list[str]:
    """The addresses of a list of `total` items shown `per_page` a page: url, then url/page/2/ and on (one page when
    the list is empty)."""
    return [url if n == 1 else f"{url}page/{n}/" for n in range(1, max(1, -(-total // per_page)) + 1)]


def paginated(url: str, total: int, per_page: int, **fields: object) -> list[PagePlan]:
    """The pages of a list of `total` items: url, then url/page/2/ and on."""
    urls = page_urls(url, total, per_page)
    return [PagePlan(url=page, number=n, count=len(urls), first=(n - 1) * per_page, last=min(n * per_page, total),
                     **fields)  # type: ignore[arg-type]
            for n, page in enumerate(urls, start=1)]


def plan_pages(site: Site) -> list[PagePlan]:
    """Every HTML page of the site, in a stable order."""
    per_page = site.config.per_page
    plans = [PagePlan(url="/", template="home.html", kind="home")]
    counts = Counter(i.type for i in site.items)
    for name, ctype in CONTENT_TYPES.items():
        count = counts[name]
        if count and name != "page":
            plans += paginated(f"/{ctype.folder}/", count, per_page, template="list.html", kind="list", type=name)
    stories = sum(counts[name] for name in STORY_TYPES)
    if stories:
        plans += paginated(ALL_STORIES_URL, stories, per_page, template="list.html", kind="list", type=ALL_STORIES)
    plans += [PagePlan(url=i.url, template=f"{i.type}.html", kind="item", date=i.date, item_key=i.key, type=i.type)
              for i in site.items]
    for taxonomy in site.taxonomies:
        plans.append(PagePlan(url=taxonomy.url, template="taxonomy.html", kind="taxonomy", taxonomy=taxonomy.name))
        for term in taxonomy.terms:
            plans += paginated(term.url, len(term.item_keys), per_page, template="term.html", kind="term",
                               taxonomy=taxonomy.name, term=term.slug)
    plans += insight_pages(site, stories)
    plans.append(PagePlan(url="/404.html", template="404.html", kind="notfound"))
    return plans


def builds_guides(site: Site) -> bool:
    """Whether this build holds the facilitator guides: their notes and full stories are for facilitators, so by
    default only a restricted build has them (`curriculum.guide_audience` names another)."""
    return AUDIENCES.index(site.audience.name) >= AUDIENCES.index(site.config.guide_audience)


def insight_pages(site: Site, stories: int) -> list[PagePlan]:
    """The views across stories (`stories` of them): curriculum tracks and guides, the story picker, coverage, the log
    by quarter, actions, chains, search."""
    plans = [PagePlan(url="/insights/", template="insights.html", kind="insights"),
             PagePlan(url="/search/", template="search.html", kind="search"),
             PagePlan(url="/coverage/", template="coverage.html", kind="coverage"),
             PagePlan(url="/actions/", template="actions.html", kind="actions"),
             PagePlan(url="/chains/", template="chains.html", kind="chains"),
             PagePlan(url="/insights/recurrence/", template="recurrence.html", kind="recurrence"),
             PagePlan(url="/insights/themes/", template="themes.html", kind="themes"),
             PagePlan(url="/insights/programme/", template="programme.html", kind="programme"),
             PagePlan(url="/tracks/", template="tracks.html", kind="tracks"),
             PagePlan(url="/log/quarters/", template="quarters.html", kind="quarters")]
    if site.audience.owner:  # the owner's private coach: in their own build, never in any other
        plans.append(PagePlan(url="/insights/coach/", template="themes.html", kind="coach"))
    plans += paginated(STORY_PICKER_URL, stories, site.config.picker_per_page, template="stories.html", kind="stories")
    for track in tracks(site):
        plans.append(PagePlan(url=track.url, template="track.html", kind="track", name=track.slug))
        plans.append(PagePlan(url=track.handout_url, template="handout.html", kind="handout", name=track.slug))
        if builds_guides(site):
            plans.append(PagePlan(url=track.guide_url, template="guide.html", kind="guide", name=track.slug))
    for module in (i for i in site.items if i.type == "module"):
        plans.append(PagePlan(url=f"{module.url}handout/", template="handout.html", kind="module-handout",
                              name=module.key))
        if builds_guides(site):
            plans.append(PagePlan(url=f"{module.url}guide/", template="guide.html", kind="module-guide",
                                  name=module.key))
    plans += [PagePlan(url=q.url, template="quarter.html", kind="quarter", name=q.slug) for q in log_quarters(site)]
    plans += [PagePlan(url=team_actions_url(slug), template="actions.html", kind="team-actions", name=slug)
              for slug, _ in action_teams(site)]
    return plans


STORY_PICKER_URL = "/curriculum/stories/"
PICKER_TAXONOMIES = ("patterns", "barriers", "practices")  # the terms a picker row shows
ALL_STORIES, ALL_STORIES_URL = "stories", "/stories/"  # the list of every story, whatever its type
# The printed kit's pages, and what their PDF is called: a participant handout or a facilitator pack, of a track or
# of one module.
KIT_PDF_NAMES = {"handout": "handout", "module-handout": "handout", "guide": "facilitator-pack",
                 "module-guide": "facilitator-pack"}


def kit_pdf_path(plan: PagePlan) -> str:
    """Where a kit page's PDF is written, beside the page: tracks/leading/handout/leading-handout.pdf."""
    folder = plan.url.strip("/")
    return f"{folder}/{folder.split('/')[-2]}-{KIT_PDF_NAMES[plan.kind]}.pdf"


def team_actions_url(slug: str) -> str:
    """The page of one team's open actions."""
    return f"/actions/{slug}/"


def type_positions(keys_by_type: dict[str, list[str]] | dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each story's place in its type's list (the list pages' order), from which its previous and next follow."""
    return {key: at for name, keys in keys_by_type.items() if name in STORY_TYPES for at, key in enumerate(keys)}


def neighbours_at(keys: "tuple[str, ...] | list[str]", at: int) -> tuple[str | None, str | None]:
    """The keys before and after place `at` of a list (None at either end)."""
    return keys[at - 1] if at > 0 else None, keys[at + 1] if at + 1 < len(keys) else None


class PageSignatures:
    """`signature(plan)`: a planned page's signature, everything about it that does not live in the items it shows,
    worked out when it is asked for (the preview signs the pages a browser has open before the others; a build signs
    only the pages it compares or records).

    A page whose signature is unchanged, and whose items are unchanged, renders to the same bytes
    (with the same templates and config). None: a view across the whole site (tracks, coverage,
    quarters, actions, chains, search), which the preview renders again on every change and a build
    compares by every story's surface instead (render.renderer.PageReuse).
    """

    def __init__(self, site: Site, recurrences: Callable[[], Recurrences] | None = None):
        """`recurrences`: where the site's recurrences are found (the views', worked out once), asked only when a
        story's page is signed."""
        self.site = site
        self.trend, self.neighbours = patterns_over_time(site), neighbour_digests(term_members(site))
        self.keys_by_type: dict[str, list[str]] = {}
        for item in site.items:
            self.keys_by_type.setdefault(item.type, []).append(item.key)
            if item.type in STORY_TYPES:
                self.keys_by_type.setdefault(ALL_STORIES, []).append(item.key)
        self.modules = {key: track.module_keys for track in tracks(site) for key in track.module_keys}
        self.positions = type_positions(self.keys_by_type)
        self.picker = _picker_signature(site, self.keys_by_type.get(ALL_STORIES, []))
        self._recurrences = recurrences or (lambda: find_recurrences(site))
        self._made: dict[str, tuple[object, ...] | None] = {}

    @cached_property
    def recurrences(self) -> Recurrences:
        return self._recurrences()

    def __call__(self, plan: PagePlan) -> tuple[object, ...] | None:
        if plan.url not in self._made:
            self._made[plan.url] = _signature(plan, self.site, self.trend, self.neighbours,
                                              self.keys_by_type, self.modules, self.picker,
                                              self.recurrences if plan.kind == "item" else None, self.positions)
        return self._made[plan.url]


def _picker_signature(site: Site, stories: list[str]) -> tuple[object, ...]:
    """What every page of the story picker shows besides its own rows' items: how many stories there are and how
    many no module uses, the filters' terms and types, and the title of every term a row can show."""
    unused, types = picker_totals(site, stories)
    terms = tuple((t.name, tuple((term.slug, term.url, term.title, bool(term.item_keys)) for term in t.terms))
                  for t in site.taxonomies if t.name in PICKER_TAXONOMIES)
    return len(stories), unused, types, terms


def _signature(plan: PagePlan, site: Site, trend: object, neighbours: dict[tuple[str, str], str],
               keys_by_type: dict[str, list[str]], modules: dict[str, tuple[str, ...]], picker: tuple[object, ...],
               recurrences: Recurrences | None, positions: dict[str, int]) -> tuple[object, ...] | None:
    if plan.kind == "item":
        item = site.by_key[plan.item_key]
        along_type = tuple((k, site.by_key[k].title, site.by_key[k].url) if k else None  # what its pager shows of them
                           for k in neighbours_at(keys_by_type[item.type], positions[item.key])) \
            if item.key in positions else None
        return (plan, tuple(sorted(site.links.get(item.key, {}).items())), site.linked_from.get(item.key, ()),
                related_inputs(item, neighbours), modules.get(item.key),  # a module's neighbours in its track
                recurrence_inputs(recurrences, item.key) if recurrences is not None else None, along_type)
    if plan.kind == "list":
        return (plan, tuple(keys_by_type.get(plan.type, [])[plan.first:plan.last]))
    if plan.kind == "term":
        term = site.taxonomy(plan.taxonomy).term(plan.term)
        chart = trend if plan.taxonomy == "patterns" else None
        return (plan, term.title, term.description, term.item_keys[plan.first:plan.last], chart)
    if plan.kind == "taxonomy":
        return (plan, tuple((t.slug, t.title, len(t.item_keys)) for t in site.taxonomy(plan.taxonomy).terms))
    if plan.kind == "home":
        patterns = tuple(len(t.item_keys) for t in site.taxonomy("patterns").terms)
        recent = tuple(itertools.islice((i.key for i in site.items if i.type != "page"), HOME_RECENT))
        return (plan, recent, patterns, trend, on_this_day(site, site.audience.today))
    if plan.kind == "stories":  # each row: its story, and the modules using it (items too, so compared as shown)
        rows = keys_by_type.get(ALL_STORIES, [])[plan.first:plan.last]
        return (plan, tuple((key, modules_using(site, key)) for key in rows), picker)
    if plan.kind == "notfound":
        return (plan,)
    return None
