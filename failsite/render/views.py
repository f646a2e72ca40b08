"""What templates see: read-only views over the Site, with URLs already prefixed for the base path."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from failsite.site import insights
from failsite.render.cards import CARD_NAME
from failsite.render.charts import heat_map
from failsite.content.dates import as_written, precision_of
from failsite.content.items import Item, quarter_slug
from failsite.content.text import without_tags
from failsite.content.config import TypeOptions
from failsite.render.plans import (ALL_STORIES, ALL_STORIES_URL, STORY_PICKER_URL, PagePlan, builds_guides,
                                   kit_pdf_path, neighbours_at, output_path, page_urls, team_actions_url,
                                   type_positions)
from failsite.content.schema import AUDIENCES, BUILTIN_TYPES, CONTENT_TYPES, is_folder_file
from failsite.render.programme import N_, PROGRAMME_CSV, PROGRAMME_URL, ProgrammeFigure, programme_figures
from failsite.render.recurrence import RECURRENCE_URL, RecurrenceNote, recurrence_notes, recurrence_view
from failsite.render.themes import THEMES_URL, themes_view
from failsite.render.search import bundles
from failsite.site.assemble import Site, asset_url, resolve_source_key
from failsite.site.recurrence import Recurrences, find_recurrences
from failsite.content.slugs import slugify
from failsite.site.taxonomy import Taxonomy, Term

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def format_date(value: dt.date | None) -> str:
    """'10 April 2025' (or 'April 2025', '2025' for a date known only to its month or year), the same whatever the
    machine's locale."""
    if not value:
        return ""
    precision = precision_of(value)
    if precision == "year":
        return str(value.year)
    month = f"{_MONTHS[value.month - 1]} {value.year}"
    return month if precision == "month" else f"{value.day} {month}"


def format_moment(value: dt.date | dt.datetime | None) -> str:
    """A timeline moment as written, with its zone: '1 March 2026, 09:12 +01:00', or a date alone."""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    offset = value.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return f"{format_date(value.date())}, {value:%H:%M} {zone}"


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines between paragraphs, as escaped <p> elements; prose already rendered as markdown
    (Markup) is kept, wrapped in a paragraph when it is a single run of text."""
    if not text:
        return Markup("")
    if isinstance(text, Markup):
        return text if text.lstrip().startswith("<p>") else Markup("<p>") + text + Markup("</p>")
    blocks = [" ".join(block.split()) for block in str(text).split("\n\n") if block.strip()]
    return Markup("\n").join(Markup("<p>%s</p>") % escape(block) for block in blocks)


# Each built-in type's name as a badge shows it, in English (the theme's catalogues translate it).
TYPE_WORDS = {"talk": N_("Talk"), "debrief": N_("Debrief"), "experiment": N_("Experiment"), "log": N_("Log entry"),
              "case": N_("Case"), "module": N_("Module"), "event": N_("Event"), "review": N_("Review"),
              "page": N_("Page")}


class ItemView:
    """An item as a template sees it: its fields as attributes, its rendered body as `content`."""

    def __init__(self, item: Item, views: "SiteView"):
        self._item = item
        self._views = views

    def __getattr__(self, name: str) -> Any:
        item = self.__dict__["_item"]
        if name in item.fields:
            return self._field(name)
        if name in item.extra:
            return item.extra[name]
        raise AttributeError(name)

    def _field(self, name: str) -> Any:
        """A front-matter field as templates see it: its prose rendered as markdown (None when it is not set)."""
        item = self.__dict__["_item"]
        rendered = self.__dict__["_views"].prose.get(item.key, {})
        return rendered[name] if name in rendered else item.fields.get(name)

    key = property(lambda self: self._item.key)
    type = property(lambda self: self._item.type)
    title = property(lambda self: self._item.title)
    date = property(lambda self: as_written(self._item.date, self._item.date_precision))
    summary = property(lambda self: self._item.summary)
    summary_derived = property(lambda self: self._item.summary_derived)
    draft = property(lambda self: self._item.draft)
    extra = property(lambda self: self._item.extra)
    path = property(lambda self: self._item.url)
    slug = property(lambda self: self._item.slug)

    @property
    def url(self) -> str:
        return self._views.url(self._item.url)

    @property
    def list_url(self) -> str:
        """The URL of the item's type list ('' for plain pages, which have none)."""
        return "" if self._item.type == "page" else self._views.url(f"/{CONTENT_TYPES[self._item.type].folder}/")

    @property
    def list_title(self) -> str:
        """The title of the item's type list ('FailLab talks'; '' for plain pages)."""
        return self._views._page_labels.get(self.list_url, "") if self.list_url else ""

    @property
    def type_label(self) -> str:
        return self._views.type_words.get(self._item.type) or CONTENT_TYPES[self._item.type].name.capitalize()

    @property
    def content(self) -> Markup:
        return Markup(self._views.bodies.get(self._item.key, ""))

    @property
    def content_parts(self) -> list[tuple[Markup, str]]:
        """The body in the parts the author's `{{< block >}}` lines cut it into, each with the block placed after it
        ('' for none); one part when nothing is placed."""
        parts = self._views.parts.get(self._item.key) or ((self._views.bodies.get(self._item.key, ""), ""),)
        return [(Markup(html), name) for html, name in parts]

    def shows_block(self, name: str, only: str = "") -> bool:
        """Whether a block of this story is drawn where a template asks: `only` names the one block placed there by
        the body ('*': every block, as in the facilitator guide); without it, the blocks the body did not place."""
        return only in ("*", name) or (not only and name not in self.placed_blocks)

    @property
    def placed_blocks(self) -> frozenset[str]:
        """The blocks the body places itself (the template leaves them out of the default order)."""
        return frozenset(name for _, name in self.content_parts if name)

    @property
    def terms(self) -> list[tuple[Taxonomy, list[Term]]]:
        """The item's terms grouped by taxonomy, in taxonomy order, only taxonomies it has terms in."""
        return self._views.terms_of(self._item)

    def terms_in(self, taxonomy: str) -> list[Term]:
        return next((terms for tax, terms in self.terms if tax.name == taxonomy), [])

    @property
    def related(self) -> list["ItemView"]:
        """Stories sharing the most patterns, barriers and tags with this one."""
        return [self._views.item(k) for k in self._views.related_keys(self._item.key)]

    @property
    def recurrence_notes(self) -> list[RecurrenceNote]:
        """Earlier reviews with a done fix this story looks like, and later stories that look like this review."""
        return recurrence_notes(self._views, self._item.key)

    @property
    def action_items(self) -> list[insights.Action]:
        """A debrief's action items with their overdue marking, as of this build's day."""
        return list(insights.actions_of(self._item, self._views.site.audience.today))

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.action_items if a.overdue)

    @cached_property
    def _figures(self) -> insights.TimelineFigures:
        return insights.timeline_figures(self._item)

    @property
    def time_to_detect(self) -> str:
        """'14 min' from the start of impact to its detection, or '' (`detect_is_approximate`: a time was estimated)."""
        return insights.format_duration(self._figures.to_detect)

    @property
    def time_to_resolve(self) -> str:
        """From the start of impact to its end (or the first resolution), as `time_to_detect`."""
        return insights.format_duration(self._figures.to_resolve)

    detect_is_approximate = property(lambda self: self._figures.approximate_detect)
    resolve_is_approximate = property(lambda self: self._figures.approximate_resolve)

    @property
    def figures_unknown(self) -> str:
        """Why time to detect and to resolve cannot be given ('' when they can, or the timeline asks for neither)."""
        return self._figures.unknown_because

    @property
    def chains(self) -> list[dict[str, Any]]:
        """The review's causal chains: its `chains`, or its one `whys` ladder as a chain of its own."""
        if self._field("chains"):
            return list(self._field("chains"))
        whys = self._field("whys") or ()
        return [{"title": "", "whys": whys, "root_cause": self._field("root_cause") or ""}] if whys else []

    @property
    def root_causes(self) -> list[Any]:
        """Each chain's root cause (its last why where it names none), for the page's summary."""
        return [chain.get("root_cause") or chain["whys"][-1] for chain in self.chains if chain.get("whys")] or \
            ([self._field("root_cause")] if self._field("root_cause") else [])

    @property
    def premortem_view(self) -> "ItemView | None":
        """The pre-mortem this review follows, if it links one that is published."""
        linked = self.linked("premortem")
        return linked[0] if linked else None

    @property
    def followed_by(self) -> list["ItemView"]:
        """For a pre-mortem: the reviews that name it as the pre-mortem they follow."""
        return self.linked_from("debrief", "premortem")

    @property
    def toc(self) -> list[tuple[str, str]]:
        """The page's sections as (id, heading text) for a table of contents, in the order they stand: the body's,
        and a debrief's blocks where the body places them or after it; only for a page with three or more (a short
        one needs none)."""
        def sections(html: str) -> list[tuple[str, str]]:
            return [(m.group(1), " ".join(without_tags(m.group(2)).split())) for m in _SECTION.finditer(html)]

        blocks = dict(self._debrief_blocks()) if self._item.type == "debrief" else {}
        found: list[tuple[str, str]] = []
        for part, placed in self.content_parts:
            found += sections(part)
            if placed in blocks:
                found.append(blocks.pop(placed))
        found += blocks.values()
        return found if len(found) >= 3 else []

    def _debrief_blocks(self) -> list[tuple[str, tuple[str, str]]]:
        """A debrief's blocks that have something to show, in the page's order: (block, (heading id, heading))."""
        fields, _ = self._item.fields, self._views._
        shown = [("impact", "incident-title", _("What happened"), fields.get("impact") or fields.get("trigger")
                  or fields.get("detection")),
                 ("timeline", "timeline-title", _("Timeline"), fields.get("timeline")),
                 ("gap", "gap-title", _("What we intend, and how it could fail") if fields.get("format") == "premortem"
                  else _("Intended and actual"), fields.get("intended") or fields.get("actual")),
                 ("whys", "whys-title", _("Why the gap existed"), fields.get("whys") or fields.get("chains")),
                 ("factors", "control-title", _("Contributing factors"), fields.get("factors")),
                 ("differently", "differently-title", _("What we will do differently"), fields.get("differently")),
                 ("actions", "actions-title", _("Action items"), fields.get("actions"))]
        return [(block, (anchor, heading)) for block, anchor, heading, present in shown if present]

    @property
    def pattern(self) -> str:
        """The item's first failure pattern (its colour in the theme), or ''."""
        return next(iter(self._item.terms.get("patterns") or ()), "")

    @property
    def is_story(self) -> bool:
        """A talk, case, debrief, experiment or log entry: what every count of stories counts."""
        return self._item.type in insights.STORY_TYPES

    @cached_property
    def reading_minutes(self) -> int:
        """Minutes to read it (counted once per build: every card showing it asks)."""
        return insights.reading_minutes(self._item)

    @property
    def used_in(self) -> list["ItemView"]:
        """The modules that use this story (in `stories` or in a segment of their plan)."""
        return [self._views.item(k) for k in insights.modules_using(self._views.site, self._item.key)]

    @property
    def shows_facilitation(self) -> bool:
        """Whether this build shows a story's content notes and discussion questions on its page: for the
        restricted (and a private) audience, as for facilitators; the printed kit always has them."""
        return AUDIENCES.index(self._views.site.audience.name) >= AUDIENCES.index("restricted")

    @property
    def track_neighbours(self) -> tuple["ItemView | None", "ItemView | None"]:
        """A module's previous and next modules in its track (None at either end, or outside a track)."""
        for track in self._views._tracks.values():
            keys = track.module_keys
            if self._item.key in keys:
                neighbours = neighbours_at(keys, keys.index(self._item.key))
                return tuple(self._views.item(key) if key else None for key in neighbours)  # type: ignore[return-value]
        return None, None

    @property
    def type_neighbours(self) -> tuple["ItemView | None", "ItemView | None"]:
        """A story's previous and next in its type's list (the newer and the older; None at either end)."""
        at = self._views._type_positions.get(self._item.key)
        if at is None:
            return None, None
        keys = neighbours_at(self._views._keys_by_type[self._item.type], at)
        # Only their titles and addresses are shown, which the page's signature carries (render.plans): a body edit
        # of a neighbour leaves this page as it is.
        return tuple(self._views.peek(key) if key else None for key in keys)  # type: ignore[return-value]

    @property
    def plan_segments(self) -> list[dict[str, Any]]:
        """A module's session plan as a running order: each segment with its start ('0:10'), minutes, activity,
        materials and story (None when it names none, or one not published for this audience)."""
        segments, start = [], 0
        for record in (self.plan or ()) if self._item.type == "module" else ():
            ref = record.get("story")
            key = resolve_source_key(self._item.key, ref.target) if ref is not None else None
            story = self._views.item(key) if key in self._views.site.by_key else None
            segments.append({"start": f"{start // 60}:{start % 60:02d}", "minutes": record["minutes"],
                             "activity": record["activity"], "materials": record.get("materials") or "",
                             "story": story})
            start += record["minutes"]
        return segments

    @property
    def review_entries(self) -> list["ItemView"]:
        """For a quarterly review: the log entries it covers, as published."""
        site = self._views.site
        return [self._views.item(k) for k in insights.reviewed_entries(site, self._item) if k in site.by_key]

    @property
    def quarter_page(self) -> dict[str, Any] | None:
        """For a quarterly review: its quarter's page, when the log has one in this build."""
        slug = quarter_slug(self._item.fields["quarter"])
        return self._views.quarter(slug) if slug in self._views._quarters else None

    @property
    def lineup_entries(self) -> list[dict[str, Any]]:
        """An event's running order: each talk on the site as published (its speaker's published name), or the
        title and speaker of a talk not written up yet."""
        entries = []
        for record in self._item.fields.get("lineup") or ():
            ref = record.get("talk")
            key = resolve_source_key(self._item.key, ref.target) if ref is not None else None
            talk = self._views.item(key) if key in self._views.site.by_key else None
            if ref is not None and talk is None:
                continue  # a talk not published for this audience: left out, as everywhere
            entries.append({"talk": talk, "title": talk.title if talk else record.get("title") or "",
                            "speaker": talk.speaker if talk else record.get("speaker") or ""})
        return entries

    @property
    def event_view(self) -> "ItemView | None":
        """For a talk whose `event` links to the event's file: that event, if it is published."""
        linked = self.linked("event")
        return linked[0] if linked else None

    def file_url(self, value: str | None) -> str:
        """A recording, slides or transcript as a link: a file in the story's folder becomes its published path,
        an address stays as it is."""
        if not value or not is_folder_file(value):
            return value or ""
        return asset_url(self._views.site.config.base_path, self._item, value)

    @property
    def upcoming(self) -> bool:
        """For an event: whether it is on or after this build's day."""
        return self._item.date is not None and self._item.date >= self._views.site.audience.today

    @property
    def show_facilitator_notes(self) -> bool:
        """Facilitator notes are for the restricted audience's pages and the facilitator guide only."""
        return self._views.audience == "restricted"

    def linked(self, field_name: str) -> list["ItemView"]:
        """The published items a link field (stories, prerequisites, next) points at."""
        keys = self._views.site.links.get(self._item.key, {}).get(field_name, ())
        return [self._views.item(k) for k in keys]

    def linked_from(self, type_name: str | None = None, field_name: str | None = None) -> list["ItemView"]:
        """Published items whose link fields point at this one (e.g. modules built on this story)."""
        keys = self._views.site.linked_from.get(self._item.key, ())
        views = [self._views.item(k) for k in keys]
        return [v for v in views
                if (type_name is None or v.type == type_name)
                and (field_name is None or self._item.key in self._views.site.links[v.key].get(field_name, ()))]


_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="header-anchor"|</h2>)', re.S)
_SITE_LINK = re.compile(r'(<a\b[^>]*?\bhref=")(/[^"]*)"')

@dataclass(frozen=True)
class Pager:
    """Where a paginated list page stands among its siblings."""

    number: int
    count: int
    prev_url: str
    next_url: str


@dataclass(frozen=True)
class ListPage:
    """A page listing items: a type's list, a term page, the home page."""

    kind: str
    title: str
    description: str
    url: str
    items: list[ItemView]
    pager: Pager
    term: Term | None = None
    taxonomy: Taxonomy | None = None
    name: str = ""  # the track or quarter a page shows


class _Reading(Mapping[str, Any]):
    """Each item's rendered body (or its parts) by key, noting every key a page reads: a page that showed no body of
    an item is rendered again only when what a card shows of it changed, not its text (render.renderer.PageReuse)."""

    def __init__(self, by_key: Mapping[str, Any], read: set[str]):
        self._by_key, self._read = by_key, read

    def __getitem__(self, key: str) -> Any:
        self._read.add(key)
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)


class SiteView:
    """The site as templates see it, plus URL helpers."""

    def __init__(self, site: Site, bodies: Mapping[str, str], static_hashes: dict[str, str],
                 anonymise: Callable[[str], str] = str, prose: Mapping[str, dict[str, Any]] | None = None,
                 parts: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
                 gettext: Callable[[str], str] = str, like: SiteView | None = None):
        """`like`: the view of a site with the same items (by key) in the same order and the same taxonomies, whose
        indexes of keys and terms are taken over instead of worked out again (a preview's page written early)."""
        self.site = site
        self.shown: set[str] = set()  # keys of the items the page being rendered has looked at
        self.read_bodies: set[str] = set()  # those of them whose body it showed (the rest: what a card shows)
        self.bodies = _Reading(bodies, self.read_bodies)
        self.prose = prose or {}  # item key -> its front-matter prose rendered as HTML, by field
        # item key -> its body cut where blocks are placed: (HTML, block after it)
        self.parts = _Reading(parts or {}, self.read_bodies)
        self.static_hashes = static_hashes
        self._ = gettext  # the theme's words in the site's language (render.i18n)
        self._items: dict[str, ItemView] = {}
        self._story_counts: dict[tuple[str, str, str], int] = {}
        self._charts: dict[str | None, Markup] = {}
        if like is not None:
            self._term_index, self._all_keys, self._keys_by_type = like._term_index, like._all_keys, like._keys_by_type
            self._menu_pages = [site.by_key[page.key] for page in like._menu_pages]
            # What is worked out from titles, types and terms alone, when the other view has worked it out.
            self.__dict__.update((name, like.__dict__[name]) for name in ("_tracks", "_page_labels", "_type_positions")
                                 if name in like.__dict__)
        else:
            self._term_index = {(t.name, term.slug): term for t in site.taxonomies for term in t.terms}
            self._all_keys = tuple(i.key for i in site.items)
            keys_by_type: dict[str, list[str]] = {}
            for item in site.items:
                keys_by_type.setdefault(item.type, []).append(item.key)
                if item.type in insights.STORY_TYPES:
                    keys_by_type.setdefault(ALL_STORIES, []).append(item.key)
            self._keys_by_type = {name: tuple(keys) for name, keys in keys_by_type.items()}
            self._menu_pages = sorted((i for i in site.items if i.type == "page" and i.fields.get("menu") is not None),
                                      key=lambda i: (i.fields["menu"], i.title))
        self._related: dict[str, tuple[str, ...]] = {}
        config = site.config
        self.anonymise = anonymise
        self.title = anonymise(config.title)
        self.description = anonymise(config.description)
        self.language = config.language
        self.public = config.public
        self.footer = anonymise(config.footer)
        self.logo, self.favicon, self.accent = config.logo, config.favicon, config.accent
        self.data = site.data  # data/*.yaml|json|csv, anonymised: `site.data.teams`
        self.base_url = config.base_url
        self.taxonomies = site.taxonomies
        self.audience = site.audience.name

    def url(self, path: str) -> str:
        """A site path ('/talks/x/') with the base path in front ('/failures/talks/x/')."""
        return self.site.config.base_path + path.lstrip("/")

    @cached_property
    def _origin(self) -> str:
        """'https://intranet.example' from base_url, or '' when it has no host."""
        parts = urlsplit(self.site.config.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    @property
    def print_origin(self) -> str:
        """The site's origin as a CSS string ('"https://intranet.example"') for printed link addresses, or '' when
        base_url has no host (or one CSS could not quote as written)."""
        origin = self._origin
        return f'"{origin}"' if origin and re.fullmatch(r"[\w+.:/\[\]-]+", origin) else ""

    def card_url(self, page: Any) -> str:
        """The address of a page's social card (`og:image`): a story's own, else the site's; full where base_url has a
        host (as the networks that read it ask), else from the site's root."""
        path = (page.url if getattr(page, "key", None) in self.site.by_key else self.url("/")) + CARD_NAME
        return self.canonical(path) or path

    def canonical(self, url: str) -> str:
        """A page's full address (its URL as the site links it, base path included), or '' when base_url has no
        host to make one from."""
        return self._origin + url if self._origin else ""

    def absolute_url(self, path: str) -> str:
        """A full URL when base_url has a host, else the same as `url`."""
        base = self.site.config.base_url
        return (base if "://" in base else self.site.config.base_path) + path.lstrip("/")

    @cached_property
    def search_bundles(self) -> list[str]:
        """The URLs of the site's search bundles, the first holding the search UI (see failsite.render.search)."""
        return [self.url(f"/{bundle}/") for bundle, _ in bundles([output_path(item.url) for item in self.site.items])]

    def static_url(self, path: str) -> str:
        """A static file's URL with its content hash, so browsers never keep a stale stylesheet."""
        digest = self.static_hashes.get(path.lstrip("/"))
        return self.url(path) + (f"?v={digest}" if digest else "")

    @cached_property
    def _type_positions(self) -> dict[str, int]:
        return type_positions(self._keys_by_type)

    def start_page(self) -> None:
        """Forget what the last page or feed looked at: the one about to be made records its own (`shown`, and of
        those `read_bodies`)."""
        self.shown = set()
        self.read_bodies.clear()

    def peek(self, key: str) -> ItemView:
        """The view of a published item whose title and address alone the page shows, not recorded as showing it:
        the page's signature holds them instead."""
        view = self._items.get(key)
        if view is None:
            view = self._items[key] = ItemView(self.site.by_key[key], self)
        return view

    def item(self, key: str) -> ItemView:
        """The view of a published item; the page being rendered is recorded as showing it."""
        self.shown.add(key)
        return self.peek(key)

    def items(self, type_name: str | None = None, limit: int | None = None, start: int = 0) -> list[ItemView]:
        """Published items, newest first, optionally of one type; only the slice asked for is looked at."""
        keys = self._keys_by_type.get(type_name, ()) if type_name else self._all_keys
        return [self.item(k) for k in keys[start:None if limit is None else start + limit]]

    def taxonomy(self, name: str) -> Taxonomy:
        return self.site.taxonomy(name)

    def terms_of(self, item: Item) -> list[tuple[Taxonomy, list[Term]]]:
        groups = []
        for taxonomy in self.site.taxonomies:
            labels = item.terms.get(taxonomy.name, ())
            if labels:
                groups.append((taxonomy, [self._term_index[(taxonomy.name, slugify(label))] for label in labels]))
        return groups

    # -- views across stories (insights.py computes them; these map keys to item views) --------

    @cached_property
    def term_members(self) -> dict[tuple[str, str], tuple[str, ...]]:
        return insights.term_members(self.site)

    def related_keys(self, key: str) -> tuple[str, ...]:
        """Related stories of one item, computed when a page first asks for them."""
        found = self._related.get(key)
        if found is None:
            found = self._related[key] = insights.related_for(self.site, self.site.by_key[key], self.term_members)
        return found

    @cached_property
    def recurrences(self) -> Recurrences:
        """Stories that look like an earlier review whose fix was done (site.recurrence), worked out once a view."""
        return find_recurrences(self.site)

    def recurrence_view(self) -> dict[str, Any]:
        """Did the fix hold: every recurrence, and the done fixes by team and kind (render.recurrence)."""
        return recurrence_view(self)

    def themes_view(self, coach: bool = False) -> dict[str, Any]:
        """Themes across every story, or with `coach` the owner's own log's (render.themes)."""
        return themes_view(self, coach)

    @property
    def coach(self) -> bool:
        """Whether this build holds an owner's private coach: only a build for one owner (`--owner`) does."""
        return bool(self.site.audience.owner)

    @cached_property
    def programme_figures(self) -> list[ProgrammeFigure]:
        """Is the programme working: the programme page's figures, drawn once a view (render.programme)."""
        return programme_figures(self)

    @property
    def programme_csv_url(self) -> str:
        return self.url("/" + PROGRAMME_CSV)

    @cached_property
    def _tracks(self) -> dict[str, insights.Track]:
        return {track.slug: track for track in insights.tracks(self.site)}

    def tracks(self) -> list[dict[str, Any]]:
        """Each track with its modules in order and their total length."""
        return [self.track(slug) for slug in self._tracks]

    def track(self, slug: str) -> dict[str, Any]:
        track = self._tracks[slug]
        return {"slug": track.slug, "title": track.title, "url": self.url(track.url),
                "guide_url": self.url(track.guide_url) if builds_guides(self.site) else "", "minutes": track.minutes,
                "handout_url": self.url(track.handout_url),
                "modules": [self.item(k) for k in track.module_keys]}

    def coverage(self) -> dict[str, Any]:
        """Patterns x modules, with story counts and the gap each pattern has, if any."""
        modules = [self.item(i.key) for i in sorted((i for i in self.site.items if i.type == "module"),
                                                    key=lambda i: i.title.lower())]
        rows = []
        for row in insights.coverage(self.site):
            term = self._term_index[("patterns", row.pattern)]
            rows.append({"term": term, "modules": set(row.module_keys), "stories": row.story_count, "gap": row.gap,
                         "unused": [self.item(k) for k in insights.unused_stories(self.site, row.pattern)]})
        return {"modules": modules, "rows": rows, "most_modules": self.site.config.most_modules,
                "overused": [(self.item(k), n) for k, n in insights.overused_stories(self.site)]}

    def figures(self) -> insights.Figures:
        """The headline figures of the Insights page, as of this build's day."""
        return insights.headline_figures(self.site)

    def story_count(self, term: Term, type_name: str = "") -> int:
        """How many stories (talks, debriefs, experiments, log entries: never modules or pages) have a term; with
        `type_name`, how many items of that type (module) instead. Counted once per term: every page of a long
        term's list asks."""
        key = (term.taxonomy, term.slug, type_name)
        count = self._story_counts.get(key)
        if count is None:
            types = (type_name,) if type_name else insights.STORY_TYPES
            count = self._story_counts[key] = sum(1 for k in term.item_keys if self.site.by_key[k].type in types)
        return count

    def kit(self, kind: str, name: str) -> dict[str, Any]:
        """A printed kit page: a participant handout or a facilitator pack (`facilitator`), of a track (`name` is its
        slug) or of one module (its key), with its modules in order, their minutes, and its PDF's URL when this build
        prints one."""
        facilitator = kind in ("guide", "module-guide")
        if kind in ("guide", "handout"):
            track = self._tracks[name]
            modules, title, home = [self.item(k) for k in track.module_keys], track.title, track.url
        else:
            modules = [self.item(name)]
            title, home = modules[0].title, self.site.by_key[name].url
        page = PagePlan(url=f"{home}{'guide' if facilitator else 'handout'}/", template="", kind=kind)
        pdf = self.url("/" + kit_pdf_path(page)) if self.site.config.pdf else ""
        return {"title": title, "facilitator": facilitator, "modules": modules, "home": self.url(home),
                "address": self.absolute_url(home), "pdf": pdf,
                "minutes": sum(m.duration or 0 for m in modules),
                "label": self._("Facilitator pack") if facilitator else self._("Participant handout")}

    def kit_stories(self, module: "ItemView") -> list["ItemView"]:
        """The stories a module uses, in order: those it lists, then those only its plan names."""
        keys = list(self.site.links.get(module.key, {}).get("stories", ()))
        keys += [k for k in self.site.links.get(module.key, {}).get("plan", ()) if k not in keys]
        return [self.item(k) for k in keys]

    def absolute_links(self, html: str) -> Markup:
        """HTML with its links to this site's pages made absolute (https://host/...), for print and PDF, where a
        path is no use; unchanged when base_url has no host."""
        if not self._origin:
            return Markup(html)
        return Markup(_SITE_LINK.sub(lambda m: f'{m.group(1)}{self._origin}{m.group(2)}"', str(html)))

    def story_picker(self, number: int = 1) -> dict[str, Any]:
        """One page of the story picker (`pagination.picker_per_page` stories each, the first by default): each
        story's patterns, barriers, practices, type, reading time and the modules that use it; with how many
        stories the site has and how many no module uses, and the values each filter offers."""
        keys = self._keys_by_type.get(ALL_STORIES, ())
        size = self.site.config.picker_per_page
        rows = []
        for key in keys[(number - 1) * size:number * size]:  # the words each row shows, joined here
            story = self.item(key)
            patterns, barriers = story.terms_in("patterns"), story.terms_in("barriers")
            row = {"story": story, "patterns": patterns, "modules": story.used_in,
                   "pattern_slugs": " ".join(t.slug for t in patterns),
                   "barrier_slugs": " ".join(t.slug for t in barriers),
                   "barrier_titles": ", ".join(t.title for t in barriers),
                   "practice_titles": ", ".join(t.title for t in story.terms_in("practices"))}
            # Everything the row shows: two rows with the same signature are the same HTML.
            row["signature"] = (story.key, story.url, story.title, story.type, story.type_label,
                                tuple((t.slug, t.url, t.title) for t in patterns), row["barrier_slugs"],
                                row["barrier_titles"], row["practice_titles"], story.reading_minutes,
                                tuple((m.url, m.title) for m in row["modules"]))
            rows.append(row)
        # Every page's address when there are several: a filter looks through them all (filter.js fetches them).
        pages = [self.url(url) for url in page_urls(STORY_PICKER_URL, len(keys), size)]
        return {"rows": rows, "per_page": size, "pages": pages if len(pages) > 1 else [], **self._picker_totals}

    @cached_property
    def _picker_totals(self) -> dict[str, Any]:
        """What every page of the story picker shows about all the stories (counted once, not once a page)."""
        keys = self._keys_by_type.get(ALL_STORIES, ())
        offered = {name: [t for t in self.site.taxonomy(name).terms if t.item_keys] for name in ("patterns", "barriers")}
        unused, types = insights.picker_totals(self.site, keys)
        return {"total": len(keys), "unused": unused, "patterns": offered["patterns"], "barriers": offered["barriers"],
                "types": [(name, CONTENT_TYPES[name].label) for name in types]}

    @cached_property
    def type_words(self) -> dict[str, str]:
        """Each built-in type's name in the site's language, as a badge shows it."""
        return {name: self._(word) for name, word in TYPE_WORDS.items()}

    @cached_property
    def _quarters(self) -> dict[str, insights.Quarter]:
        return {quarter.slug: quarter for quarter in insights.log_quarters(self.site)}

    def quarters(self) -> list[dict[str, Any]]:
        return [self.quarter(slug) for slug in self._quarters]

    def quarter(self, slug: str) -> dict[str, Any]:
        quarter = self._quarters[slug]
        return {"slug": quarter.slug, "title": quarter.title, "url": self.url(quarter.url),
                "entries": [self.item(k) for k in quarter.entry_keys],
                "recurring": [(theme, [self.item(k) for k in keys]) for theme, keys in quarter.recurring],
                "patterns": [(self._term_index[("patterns", slug)], n) for slug, n in quarter.patterns],
                "reviews": [self.item(k) for k in quarter.review_keys]}

    def open_actions(self, team: str = "") -> list[dict[str, Any]]:
        """Open actions, soonest due first: all of them, or one team's (by its slug)."""
        return [{"what": self.item(a.debrief_key).actions[a.index]["what"], "text": a.text, "owner": a.owner, "due": a.due, "status": a.status, "overdue": a.overdue,
                 "id": a.id, "kind": a.kind, "link": a.link, "team": a.team,
                 "team_url": self.url(team_actions_url(slugify(a.team))) if a.team and slugify(a.team) else "",
                 "debrief": self.item(a.debrief_key)}
                for a in insights.open_actions(self.site) if not team or slugify(a.team) == team]

    def on_this_day(self) -> list[tuple[ItemView, int]]:
        """Stories dated within a week of this build's day one or more years ago, with how many years ago."""
        return [(self.item(key), years) for key, years in insights.on_this_day(self.site, self.today)]

    def action_teams(self) -> list[dict[str, str]]:
        """Every team with open actions: its name and the URL of its page."""
        return [{"slug": slug, "name": name, "url": self.url(team_actions_url(slug))}
                for slug, name in insights.action_teams(self.site)]

    @property
    def today(self) -> dt.date:
        """The day this build was made for: what 'overdue' and 'on this day' are computed against."""
        return self.site.audience.today

    def chains(self) -> list[list[ItemView]]:
        return [[self.item(k) for k in chain] for chain in insights.experiment_chains(self.site)]

    def trend_chart(self, pattern: str | None = None) -> Markup:
        """Stories per pattern per quarter, as an accessible inline SVG with its numbers in a table (drawn once per
        pattern: every page of the pattern's list shows it)."""
        chart = self._charts.get(pattern)
        if chart is None:
            chart = self._charts[pattern] = self._draw_trend_chart(pattern)
        return chart

    @cached_property
    def _patterns_over_time(self) -> tuple[Any, Any]:
        return insights.patterns_over_time(self.site)

    def _draw_trend_chart(self, pattern: str | None) -> Markup:
        columns, series = self._patterns_over_time
        labels = {t.slug: t.title for t in self.site.taxonomy("patterns").terms}
        chosen = [(slug, labels[slug], values) for slug, values in series if pattern in (None, slug)]
        title = (self._("%(pattern)s stories per quarter") % {"pattern": labels[pattern]} if pattern
                 else self._("Stories per pattern per quarter"))
        return heat_map(f"trend-{pattern or 'all'}", title, tuple(c.replace("-q", " Q") for c in columns), chosen,
                        self._)

    @property
    def guides(self) -> bool:
        """Whether this build holds the facilitator guides (never link to a page the build does not contain)."""
        return builds_guides(self.site)

    @cached_property
    def sections(self) -> list[dict[str, Any]]:
        """The navigation: a few primary sections (stories, curriculum, patterns, insights, about), each with the
        pages beneath it. Each has a label, a site-relative `path` and its `children` as (label, path)."""
        types = dict(self.site.config.types)
        has = self._keys_by_type
        stories = [(types[name].title, f"/{CONTENT_TYPES[name].folder}/") for name in
                   ("talk", "case", "debrief", "experiment", "log", "review", "event") if name in has]
        stories += [(t.label, f"/{t.folder}/") for name, t in CONTENT_TYPES.items()
                    if name not in BUILTIN_TYPES and name in has]  # the site's own types, from its hooks
        modules = types["module"].title if "module" in types else self._("Modules")
        if modules == self._("Curriculum"):  # a site calling its modules "Curriculum": not Curriculum inside Curriculum
            modules = self._("Modules")
        curriculum = [(self._("Tracks"), "/tracks/")] + ([(modules, "/modules/")] if "module" in has else [])
        curriculum += [(self._("Story picker"), STORY_PICKER_URL), (self._("Coverage"), "/coverage/")]
        insight = [(self._("Open actions"), "/actions/"), (self._("Failure log by quarter"), "/log/quarters/"),
                   (self._("Experiment chains"), "/chains/"), (self._("Did the fix hold?"), RECURRENCE_URL),
                   (self._("Themes across stories"), THEMES_URL), (self._("Is the programme working?"), PROGRAMME_URL)]
        sections = []
        if ALL_STORIES in has:
            sections.append({"label": self._("Stories"), "path": ALL_STORIES_URL, "children": stories})
        if "module" in has:
            sections.append({"label": self._("Curriculum"), "path": "/tracks/", "children": curriculum})
        sections.append({"label": self.site.taxonomy("patterns").title, "path": "/patterns/", "children": []})
        sections.append({"label": self._("Insights"), "path": "/insights/", "children": insight})
        pages = self._menu_pages
        if pages:
            self.shown.update(p.key for p in pages)
            sections.append({"label": pages[0].title if len(pages) == 1 else self._("About"), "path": pages[0].url,
                             "children": [(p.title, p.url) for p in pages] if len(pages) > 1 else []})
        return sections

    @property
    def menu(self) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
        """The navigation as plain data (label, URL, children as (label, URL)), for templates and page reuse."""
        return [(s["label"], self.url(s["path"]), tuple((label, self.url(path)) for label, path in s["children"]))
                for s in self.sections]

    def current_section(self, url: str) -> str:
        """The label of the section a page (by its URL, with the base path) belongs to: the one holding the
        longest matching path; '' for pages of no section (the home page, other taxonomies)."""
        best, found = 0, ""
        for label, href, children in self.menu:
            for path in (href, *(h for _, h in children)):
                if url.startswith(path) and len(path) > best and path != self.url("/"):
                    best, found = len(path), label
        return found

    def breadcrumbs(self, url: str) -> list[tuple[str, str]]:
        """The trail to a page, its own entry excluded: Home, its section, then each page above it that the site
        has (a type's list, a track, a taxonomy)."""
        if url == self.url("/"):
            return []
        trail = [(self._("Home"), self.url("/"))]
        section = self.current_section(url)
        section_url = next((href for label, href, _ in self.menu if label == section), "")
        if section and section_url != url:
            trail.append((section, section_url))
        base = self.site.config.base_path
        parts = url[len(base):].strip("/").split("/") if url.startswith(base) else []
        for depth in range(1, len(parts)):
            prefix = base + "/".join(parts[:depth]) + "/"
            label = self._page_labels.get(prefix)
            if label and prefix not in (section_url, url) and all(prefix != href and label != shown
                                                                  for shown, href in trail):
                trail.append((label, prefix))
        return trail

    @cached_property
    def _page_labels(self) -> dict[str, str]:
        """Titles of the pages a trail may pass through, by URL: type lists, taxonomies, terms, tracks, items."""
        labels = {self.url(f"/{c.folder}/"): dict(self.site.config.types).get(n, TypeOptions(c.label)).title
                  for n, c in CONTENT_TYPES.items() if n in self._keys_by_type}
        for taxonomy in self.site.taxonomies:
            labels[self.url(taxonomy.url)] = taxonomy.title
            labels.update((self.url(t.url), t.title) for t in taxonomy.terms)
        labels.update((self.url(t.url), t.title) for t in self._tracks.values())
        labels.update({self.url("/actions/"): self._("Open actions"), self.url("/log/quarters/"): self._("Failure log by quarter"),
                       self.url(RECURRENCE_URL): self._("Did the fix hold?"),
                       self.url(THEMES_URL): self._("Themes across stories"),
                       self.url(PROGRAMME_URL): self._("Is the programme working?"),
                       self.url("/curriculum/stories/"): self._("Story picker")})
        labels.update((self.url(i.url), i.title) for i in self.site.items if i.type == "module")
        return labels
