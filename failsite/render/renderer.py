"""Site -> outputs (path, bytes). Renders markdown and templates; writes nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import os
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

import jinja2
from markupsafe import Markup

from failsite.privacy.anonymise import Anonymiser, Policy, item_policy
from failsite.privacy.audit import PageAudit, consented_names
from failsite.errors import Diagnostic, did_you_mean, error, has_errors, warning
from failsite.engine.cache import reports_damage
from failsite.engine.fingerprint import digest
from failsite.engine.limits import TimeLimitExceeded, time_limit
from failsite.render.calendar import actions_calendar, event_calendar
from failsite.render.files import image_sets, published_files
from failsite.render.feeds import (actions_csv, atom_feed, json_index, redirect_page, redirects_file, robots_txt,
                                   sitemap)
from failsite.render.cards import ACCENT, CARD_NAME, PATTERN_COLOURS, SITE_CARD, Card, card_key, drawn_cards
from failsite.render.markdown import PLACEABLE_BLOCKS, MarkdownOptions, SegmentRewriter, render_markdown
from failsite.render.leftovers import Leftover
from failsite.engine.parallel import Meanwhile, fork_map
from failsite.render.pdf import print_kit
from failsite.render.programme import PROGRAMME_CSV, programme_csv
from failsite.render.search import write_search_document
from failsite.render.plans import (ALL_STORIES, HOME_RECENT, KIT_PDF_NAMES, PagePlan, PageSignatures, output_path,
                                   plan_pages)
from failsite.content.items import Item
from failsite.content.schema import CONTENT_TYPES, Field
from failsite.site.assemble import LinkResolver, Site, body_link_resolver
from failsite.site.insights import action_teams, reading_minutes
from failsite.render.theme import Theme, check_templates, template_diagnostic, template_environment
from failsite.render.views import ItemView, ListPage, Pager, SiteView
from failsite.output.staging import link_published, write_file

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

# Called after each page with (pages done, pages in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Output:
    """One file of the built site: its path under the output folder, its bytes, the items it shows, and
    whether it goes into the search index (an item's own page)."""

    path: str
    content: bytes
    shown: frozenset[str] = frozenset()
    searchable: bool = False
    bodies: frozenset[str] = frozenset()  # those of the items shown whose body it shows

    @cached_property
    def sha256(self) -> str:
        """The hash of its bytes, worked out the first time it is asked for (a preview asks on every save)."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Written:
    """An output as written into the staging folder: its path, the hash of its bytes, the items it shows, and
    whether it goes into the search index. Its bytes stay on disk, not in memory."""

    path: str
    sha256: str
    shown: frozenset[str] = frozenset()
    searchable: bool = False
    bodies: frozenset[str] = frozenset()  # those of the items shown whose body it shows


def write_output(staging: Path, output: Output) -> Written:
    """Write an output into the staging folder and keep what later stages need of it."""
    write_file(staging, output.path, output.content)
    return Written(output.path, output.sha256, output.shown, output.searchable, output.bodies)


@dataclass(frozen=True)
class RenderedBody:
    """An item's body as HTML, with what its links resolved to and what rendering reported."""

    html: str
    links: tuple[tuple[str, int, str | None], ...]  # (href as written, its line, URL or None for plain text)
    diagnostics: tuple[Diagnostic, ...]
    fields: dict[str, Any] = field(default_factory=dict)  # front-matter prose as HTML, by field name
    parts: tuple[tuple[str, str], ...] = ()  # the body cut where the author placed blocks: (HTML, block after it)

    def record(self) -> "BodyRecord":
        return BodyRecord(self.links, self.diagnostics, self.fields, _text_hash(self.html))


@dataclass(frozen=True)
class BodyRecord:
    """What a build needs of every body, kept or rendered, without its HTML (which only the pages rendered read)."""

    links: tuple[tuple[str, int, str | None], ...]
    diagnostics: tuple[Diagnostic, ...]
    fields: dict[str, Any]
    html_hash: str


class BodyPart(Mapping[str, Any]):
    """One part of each item's rendered body (its `html`, `fields` or `parts`) by item key, looked up when a page
    asks: the views are given every body without three dicts of them being made (or, in a build, every body's HTML
    being read from the cache)."""

    def __init__(self, keys: Collection[str], body: Callable[[str], RenderedBody], part: str):
        self._keys, self._body, self._part = keys, body, part

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self._body(key), self._part)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class StoredBodies:
    """Each item's rendered body: made by this build, or kept in the cache and read from it when a page asks (in the
    worker rendering that page); a body the cache cannot give (a damaged row) is rendered again, never left out."""

    def __init__(self, made: dict[str, RenderedBody], records: dict[str, BodyRecord], keys: dict[str, str],
                 cache: "BuildCache | None", renderer: "Renderer", site: Site):
        self.made, self.records, self.keys, self.cache = made, records, keys, cache
        self.renderer, self.site = renderer, site
        self._read: dict[str, RenderedBody] = {}

    def body(self, key: str) -> RenderedBody:
        found = self.made.get(key) or self._read.get(key)
        if found is not None:
            return found
        stored = self.cache.html.get(self.keys[key]) if self.cache is not None else None
        if stored is None:
            body = self.renderer.body(self.site, self.site.by_key[key])
        else:
            record = self.records[key]
            body = RenderedBody(stored[0], record.links, record.diagnostics, record.fields, stored[1])
        if len(self._read) > 1000:  # a worker keeps what its pages read again (a track's stories), not all of it
            self._read.clear()
        self._read[key] = body
        return body


def body_key(item: Item, environment: str, photos: dict[str, str] | None = None) -> str:
    """The cache key of an item's rendered body and prose fields: their text and position, how it shows names, the
    environment and its photos' `srcset`."""
    return digest(environment, item.key, item.path, item.body_line, item_policy(item), item.body,
                  {name: item.fields.get(name) for name in _prose_fields(item.type)}, photos)


def _prose(value: Any, spec: Field, options: MarkdownOptions, resolve: LinkResolver, rewrite: SegmentRewriter,
           removed: list[int]) -> Any:
    """A front-matter value with its prose rendered as markdown: inline, or as paragraphs when it has blank lines.
    Links to other stories resolve as in the body (front-matter lines are reported as line 1)."""
    def render(text: str) -> Markup:  # HTML the markdown stage made (and sanitised): safe for templates as it is
        block = "\n\n" in text.strip()
        return Markup(render_markdown(text.strip(), 1, options, resolve, rewrite, removed, inline=not block).strip())

    if spec.kind == "string":
        return render(value)
    if spec.kind == "strings":
        return tuple(render(v) for v in value)
    prose = {s.name for s in spec.subfields if s.markdown}

    def field(name: str, value: Any) -> Any:
        if name not in prose or not value:
            return value
        return render(value) if isinstance(value, str) else tuple(render(v) for v in value)  # a list of prose

    return tuple({k: field(k, v) for k, v in record.items()} for record in value)


@cache
def _prose_fields(type_name: str) -> dict[str, Field]:
    """The fields of a type whose text is markdown, themselves or in their records."""
    return {f.name: f for f in CONTENT_TYPES[type_name].fields
            if f.markdown or any(s.markdown for s in f.subfields)}


def body_still_valid(site: Site, item: Item, body: RenderedBody | BodyRecord) -> bool:
    """Whether a body rendered earlier would render the same now: its links resolve as they did, with the
    same warnings (the body's own text is the caller's to compare)."""
    diagnostics: list[Diagnostic] = []
    resolve = body_link_resolver(site, item, diagnostics)
    return all(resolve(href, line) == result for href, line, result in body.links) and \
        tuple(diagnostics) == body.diagnostics


class Renderer:
    """One theme's templates, ready to render any subset of a site's pages (a build, or a preview's rebuild)."""

    def __init__(self, theme: Theme, anonymiser: Anonymiser, hash_static: bool = True,
                 compiled_dir: Path | None = None):
        self.theme = theme
        self.anonymiser = anonymiser
        self.hash_static = hash_static
        self.env = template_environment(theme, compiled_dir)
        self._rows: dict[tuple[object, ...], Markup] = {}  # story picker rows by signature (see _picker_rows)
        self._rows_before: dict[tuple[object, ...], Markup] = {}
        self.env.filters.update(anonymise=lambda text: anonymiser.text(str(text)),
                                pseudonym=lambda name: anonymiser.text(str(name)))
        self.diagnostics = check_templates(self.env, theme)

    def static(self, site: Site, cache: "BuildCache | None" = None) -> list[Output]:
        """The theme's and site's static files, and every story folder's own files beside its page."""
        return [Output(path, content, shown)
                for path, content, shown in published_files(site, self.theme, self.anonymiser.registry, cache)]

    def body(self, site: Site, item: Item) -> RenderedBody:
        """One item's markdown as anonymised HTML, links to other sources rewritten."""
        diagnostics: list[Diagnostic] = []
        resolver = body_link_resolver(site, item, diagnostics)
        links: list[tuple[str, int, str | None]] = []

        def resolve(href: str, line: int) -> str | None:
            result = resolver(href, line)
            links.append((href, line, result))
            return result

        removed_links: list[int] = []
        placed: list[tuple[str, str]] = []
        misplaced: list[tuple[int, str]] = []
        leftovers: list[Leftover] = []
        blocks = PLACEABLE_BLOCKS.get(item.type, ())
        options = MarkdownOptions(raw_html=site.config.raw_html, plugins=self.theme.hooks.markdown_plugins)
        rewrite = _body_rewriter(self.anonymiser, item_policy(item))
        html = render_markdown(item.body, item.body_line, options, resolve, rewrite, removed_links,
                               image_sets=image_sets(site, item) if item.assets else None, placed=placed,
                               blocks=blocks, misplaced=misplaced, leftovers=leftovers)
        diagnostics += [warning(item.path, leftover.line, *leftover.message()) for leftover in leftovers]
        diagnostics += [error(item.path, line, f"'{{{{< {name} >}}}}' is not a block a {item.type} can place"
                              f"{did_you_mean(name, blocks)}",
                              ("blocks: " + ", ".join(blocks)) if blocks else f"a {item.type} has no blocks to place")
                        for line, name in misplaced]
        fields = {name: _prose(value, spec, options, resolve, rewrite, removed_links)
                  for name, value in item.fields.items()
                  if (spec := _prose_fields(item.type).get(name)) is not None and value}
        diagnostics += [warning(item.path, line, "a web address here named a protected person or organisation and "
                                "was removed", "link to a page that does not name them, or leave the address out")
                        for line in dict.fromkeys(removed_links)]
        return RenderedBody(html, tuple(links), tuple(diagnostics), fields, tuple(placed))

    def views(self, site: Site, bodies: Mapping[str, str], static: list[Output],
              fields: Mapping[str, dict[str, Any]] | None = None,
              parts: Mapping[str, tuple[tuple[str, str], ...]] | None = None, like: SiteView | None = None) -> SiteView:
        """The template-facing view of the site, installed as the templates' globals (`like`: see SiteView)."""
        hashes = {o.path: o.sha256[:10] for o in static} if self.hash_static else {}
        views = SiteView(site, bodies, hashes, self.anonymiser.text, fields or {}, parts or {},
                         self.theme.strings.gettext, like)
        self.env.globals.update(site=views, url=views.url, absolute_url=views.absolute_url,
                                static_url=views.static_url, card=self._cards(), picker_row=self._picker_rows())
        return views

    def _picker_rows(self) -> Callable[[dict[str, Any], dict[str, str]], Markup]:
        """`picker_row(row, labels)` for templates: a story picker row (partials/picker_row.html), reused by its
        signature (everything it shows; the labels are the theme's words, the same for every build of this
        renderer) from this renderer's last two builds: the preview re-renders the picker on every save, and one
        edit changes one row."""
        self._rows_before, self._rows = self._rows, {}

        def picker_row(row: dict[str, Any], labels: dict[str, str]) -> Markup:
            signature = row["signature"]
            found = self._rows.get(signature) or self._rows_before.get(signature)
            if found is None:
                found = Markup(self.env.get_template("partials/picker_row.html").render(row=row, labels=labels))
            self._rows[signature] = found
            return found
        return picker_row

    def _cards(self) -> Callable[[ItemView], Markup]:
        """`card(item)` for templates: an item's card (partials/card.html), rendered the first time a list shows it
        and reused by every other list in this build (a card depends on nothing but its item)."""
        rendered: dict[str, Markup] = {}

        def card(item: ItemView) -> Markup:
            found = rendered.get(item.key)
            if found is None:
                found = rendered[item.key] = Markup(self.env.get_template("partials/card.html").render(item=item))
            return found
        return card

    def pages(self, views: SiteView, plans: list[PagePlan], diagnostics: list[Diagnostic]) -> list[Output]:
        """Render the planned pages; each output records the items it showed."""
        outputs: list[Output] = []
        for plan in plans:
            views.start_page()
            html = render_page(self.env, self.theme, views, plan, diagnostics)
            if html is not None:
                outputs.append(Output(plan.output_path, html.encode("utf-8"),
                                      frozenset(views.shown | views.read_bodies), plan.kind == "item",
                                      frozenset(views.read_bodies)))
        return outputs

    def feeds(self, views: SiteView, plans: list[PagePlan]) -> list[Output]:
        """The Atom feeds, the sitemap, robots.txt, the JSON index, the actions' and events' calendars, the programme's
        figures and the redirect pages, each made now."""
        return [Output(feed.path, feed.make(), feed.shown) for feed in self.feed_plans(views, plans)]

    def feed_plans(self, views: SiteView, plans: list[PagePlan]) -> list[FeedPlan]:
        """Every machine-read output of the site (see `feeds`), each with what it shows and depends on, to be made or
        reused (see `FeedPlan`)."""
        site = views.site
        feed_items = [i.key for i in itertools.islice((i for i in site.items if i.type in site.config.feed_types),
                                                      site.config.feed_limit)]
        every = frozenset(site.by_key)
        debriefs = frozenset(i.key for i in site.items if i.type == "debrief")
        today = site.audience.today
        addresses = [(p.url, p.date) for p in plans if p.kind != "notfound"]
        feeds = [FeedPlan("atom.xml", frozenset(feed_items), (tuple(feed_items),),
                          lambda: atom_feed(views, [views.item(k) for k in feed_items], "/atom.xml")),
                 FeedPlan("sitemap.xml", every, tuple(addresses), lambda: sitemap(views, addresses),
                          made_from_items=False),
                 FeedPlan("robots.txt", frozenset(), (), lambda: robots_txt(views)),
                 FeedPlan("index.json", every, (), lambda: json_index(views)),
                 FeedPlan("actions.csv", debriefs, (today,), lambda: actions_csv(views)),
                 FeedPlan("actions.ics", debriefs, (today,),
                          lambda: actions_calendar(views, f"{views.title}: open actions")),
                 FeedPlan(PROGRAMME_CSV, every, (today,), lambda: programme_csv(views.programme_figures))]
        for item in site.items:
            feeds += [FeedPlan(output_path(alias), frozenset({item.key}), (),
                               partial(redirect_page, views, views.peek(item.key)))
                      for alias in item.aliases]
        if site.config.redirects_file and any(i.aliases for i in site.items):
            feeds.append(FeedPlan("_redirects", frozenset(i.key for i in site.items if i.aliases), (),
                                  lambda: redirects_file(views)))
        events = [i.key for i in site.items if i.type == "event"]
        shown = {key: frozenset({key} | {x["talk"].key for x in views.peek(key).lineup_entries if x["talk"]})
                 for key in events}
        for key in events:
            feeds.append(FeedPlan(f"{site.by_key[key].url.strip('/')}/event.ics", shown[key], (),
                                  partial(_event_calendar, views, [key], views.peek(key).title)))
        if events:
            in_order = sorted(events, key=lambda k: views.peek(k).date)
            feeds.append(FeedPlan("events/events.ics", frozenset().union(*shown.values()), (tuple(in_order),),
                                  partial(_event_calendar, views, in_order, f"{views.title}: events")))
        for term in site.taxonomy("patterns").terms:
            keys = term.item_keys[: site.config.feed_limit]
            feeds.append(FeedPlan(f"patterns/{term.slug}/atom.xml", frozenset(keys), (tuple(keys), term.title),
                                  partial(_term_feed, views, keys, term.url, f"{site.config.title}: {term.title}")))
        return feeds


@dataclass(frozen=True)
class FeedPlan:
    """One machine-read output: its path, the items it shows, whatever else it is made from besides them and the
    site's settings (`inputs`), and how to make its bytes. A build reuses the last build's file when the path, the
    items shown (each unchanged) and the inputs are the same, as it reuses pages (see `PageReuse.feeds`)."""

    path: str
    shown: frozenset[str]  # for the audit: the items whose consented names it may show
    inputs: tuple[object, ...]
    make: Callable[[], bytes]
    made_from_items: bool = True  # False: made from `inputs` alone (the sitemap's addresses and dates)


def _event_calendar(views: SiteView, keys: list[str], name: str) -> bytes:
    return event_calendar(views, [views.item(k) for k in keys], name)


def _term_feed(views: SiteView, keys: Sequence[str], url: str, title: str) -> bytes:
    return atom_feed(views, [views.item(k) for k in keys], f"{url}atom.xml", title)


def render_site(site: Site, theme: Theme, anonymiser: Anonymiser, staging: Path, progress: Progress | None = None,
                cache: "BuildCache | None" = None, environment: str = "", previous: Path | None = None,
                published: dict[str, list[int]] | None = None, audit: PageAudit | None = None,
                documents: Path | None = None, pages_written: Callable[[list[Written]], None] | None = None,
                checking: bool = False) -> tuple[list[Written], list[Diagnostic]]:
    """Render every page, feed and static file of the site into `staging`, reusing cached bodies that are still
    valid and, from the `previous` output folder (`published`: its files' sizes and times as recorded when
    published), pages whose signature and shown items are unchanged.

    Pages are written by the worker that renders them, so their bytes never travel back to this
    process nor pile up in it; with `audit`, the worker checks each for leaks as well, from memory,
    and its findings are among the diagnostics. With `documents`, it writes there what Pagefind is to be given of
    each searchable page (render.search.search_document). `pages_written(pages)` is called once every page is in
    `staging` without an error, before the feeds and static files are made (a build starts its search index
    there). `checking` (`failsite check`): a page the cache records as unchanged and found clean is neither rendered
    nor put into `staging` (nor printed), and no social card is drawn."""
    renderer = Renderer(theme, anonymiser, compiled_dir=cache.compiled_templates() if cache is not None else None)
    diagnostics = list(renderer.diagnostics)
    if has_errors(diagnostics):
        return [], diagnostics
    static = renderer.static(site, cache)
    if audit is not None:  # read and checked at the door, by the file the author wrote
        for output in static:
            audit.record(output.path, "")
    records: dict[str, BodyRecord] = {}
    keys = {item.key: body_key(item, environment, image_sets(site, item) if item.assets else None)
            for item in site.items} if cache else {}
    if cache is not None:
        hits = cache.bodies.get_many(keys.values())
        for item in site.items:
            hit = hits.get(keys[item.key])
            if hit is not None and body_still_valid(site, item, hit):
                records[item.key] = hit
    missing = [item.key for item in site.items if item.key not in records]
    made = dict(zip(missing, fork_map(_render_bodies, missing, {"renderer": renderer, "site": site})))
    for item in site.items:
        if item.key in made:
            records[item.key] = made[item.key].record()
        diagnostics.extend(records[item.key].diagnostics)
        if cache is not None and item.key in made:  # in place of a body kept under its key whose links moved
            cache.used_bodies[keys[item.key]] = records[item.key]
            cache.used_html[keys[item.key]] = (made[item.key].html, made[item.key].parts)
        elif cache is not None:
            cache.used_bodies.keep(keys[item.key])
            cache.used_html.keep(keys[item.key])
    stored = StoredBodies(made, records, keys, cache, renderer, site)
    views = renderer.views(site, BodyPart(records, stored.body, "html"), static,
                           {k: record.fields for k, record in records.items()}, BodyPart(records, stored.body, "parts"))
    plans = plan_pages(site)
    # A build's social cards, kept from the last output like its pages (`check` publishes none, and the preview is
    # never shared).
    cards = social_cards(views) if cache is not None and not checking else []
    reuse = PageReuse(site, plans, renderer, views, {k: r.html_hash for k, r in records.items()}, environment, cache,
                      previous, published or {}, staging, audit, checking,
                      {card.path: (card_key, shown) for card, card_key, shown in cards}) if cache is not None else None
    if reuse is not None:
        reuse.recurrences(views)  # in this process, before the workers that show them are forked
    rendering = {"renderer": renderer, "views": views, "staging": staging, "audit": audit, "documents": documents,
                 "cache": cache}
    with reuse.put() if reuse is not None else contextlib.nullcontext() as putting:
        chosen = [plan for plan in plans if reuse is None or plan.output_path not in reuse.reusable]
        pages = fork_map(_render_pages, chosen, rendering, progress=progress)
        if reuse is not None:
            missed = reuse.put_result(putting)
            chosen += [plan for plan in plans if plan.output_path in missed]
            pages += fork_map(_render_pages, chosen[len(pages):], rendering)
            reuse.keep(chosen, pages)
        if cache is not None and any(reports_damage(d) for _, found, _ in pages for d in found):
            cache.set_aside()  # found by a worker: the next build starts from a new cache
    written: dict[str, Written] = {}
    for page, _, clean_key in pages:
        if page is not None:
            written[page.path] = page
            if audit is not None:
                audit.record(page.path, clean_key)
    if reuse is not None:
        written.update(reuse.written)
    outputs = [written[plan.output_path] for plan in plans if plan.output_path in written]
    diagnostics.extend(d for _, found, _ in pages for d in found)
    if pages_written is not None and not has_errors(diagnostics):
        pages_written(outputs)
    feeds = renderer.feed_plans(views, plans)
    if reuse is not None and previous is not None:  # a build (`check` makes every feed, to audit it)
        outputs += reuse.feeds(feeds, views)
    else:
        outputs += [write_output(staging, Output(feed.path, feed.make(), feed.shown)) for feed in feeds]
    outputs += [write_output(staging, output) for output in static]
    if cards:
        assert cache is not None and reuse is not None
        outputs += _write_cards(cards, reuse, cache, staging)
    if site.config.pdf:
        kit = [plan for plan in plans if plan.kind in KIT_PDF_NAMES and plan.output_path in written
               and not (checking and reuse is not None and plan.output_path in reuse.written)]  # found clean
        printed, found = print_kit(staging, kit, site.config.base_path, cache, site.audience.name)
        outputs += [Written(path, content_hash, written[plan.output_path].shown) for plan, path, content_hash in printed]
        diagnostics += found
    diagnostics.extend(check_collisions([o.path for o in outputs], site))
    return outputs, diagnostics


class PageReuse:
    """Which pages of the previous output are still what this build would render, and the record for the next.

    A page is reused when its signature (everything about it besides the items it shows, as in
    the preview), the templates, config, anonymisation settings, static files and audience are
    unchanged, and every item it showed last time is unchanged, body included. It is hard-linked
    from the previous output when that file still has the size and time the last build recorded
    when it published it (as the up-to-date check trusts), else read back and checked against the
    hash recorded when it was rendered.
    """

    def __init__(self, site: Site, plans: list[PagePlan], renderer: Renderer, views: SiteView,
                 body_hashes: dict[str, str], environment: str, cache: "BuildCache", previous: Path | None,
                 published: dict[str, list[int]], staging: Path, audit: PageAudit | None = None,
                 checking: bool = False, files: dict[str, tuple[str, frozenset[str]]] | None = None):
        """`files`: other files the last output may hold as this build would make them (social cards), by path: the
        key of what each is made from, and the items it shows; they are put into the staging folder with the pages."""
        self.cache = cache
        self.signatures = PageSignatures(site, lambda: views.recurrences)  # each page's when it is asked
        theme = renderer.theme
        templates = [(path.relative_to(folder).as_posix(), path.read_bytes()) for folder in theme.template_dirs
                     for path in sorted(folder.rglob("*")) if path.is_file()]
        # Where the site folder is, and whether it was named `.` or by its full path, is in no page.
        config = replace(site.config, site_dir=Path("."))
        self.environment = digest(environment, config, site.audience, site.data, templates, views.static_hashes,
                                  views.menu, tuple(t.name for t in site.taxonomies if t.terms))
        # An item is a pure function of its cache key (its source's bytes, place, schema and settings).
        self.items = {item.key: digest(cache.item_keys[item.key], body_hashes[item.key], views.prose.get(item.key))
                      for item in site.items}
        self.site, self.prose = site, views.prose
        self._surfaces: dict[str, str] = {}  # what a page shows of an item that shows no body of it, when asked
        self.previous, self.published, self.staging, self.audit = previous, published, staging, audit
        self.checking = checking  # `check`: a reusable page found clean before is taken as it is, not put anywhere
        self.reusable: dict[str, Written] = {}  # the pages the previous output holds as this build would render them
        self.written: dict[str, Written] = {}  # those of them put into the staging folder
        compared = previous is not None or checking
        files = files or {}
        entries = cache.pages.get_many([*(plan.output_path for plan in plans), *files, _SHAPE]) if compared else {}
        # While the site's shape is what the last build recorded, every page's signature is as it was then, and every
        # record kept matched its page's key then: no page need be signed to be compared.
        shape = digest(self.environment, self._whole_site,
                       sorted((k, sorted(v.items())) for k, v in site.links.items()), sorted(site.linked_from.items()),
                       plans)
        same_shape = entries.get(_SHAPE) == shape
        cache.used_pages[_SHAPE] = shape
        for plan in plans:
            entry = entries.get(plan.output_path)
            if entry is None or not compared or (not same_shape and entry[0] != self._page_key(plan)):
                continue
            key, shown, content_hash, searchable = entry
            if self._unchanged(shown):
                self.reusable[plan.output_path] = Written(plan.output_path, content_hash,
                                                          frozenset(k for k, *_ in shown), searchable)
        for path, (key, shown) in files.items():
            entry = entries.get(path)
            if entry is not None and entry[0] == self._key(("file", key)):
                self.reusable[path] = Written(path, entry[2], shown)

    def put(self) -> Meanwhile[tuple[str, bool, str]]:
        """Start putting the reusable pages into the staging folder, in a process of its own on a large site (at
        10,000 talks its 13,000 folders and links took 0.6 s, now spent while the changed pages render); with an
        audit, that process also looks up each page's clean verdict. See `put_result` for the result."""
        work = [(path, self.published.get(path), page.sha256, page.shown) for path, page in self.reusable.items()]
        return Meanwhile(_verify_pages if self.checking else _put_pages, work,
                         {"previous": self.previous, "staging": self.staging, "audit": self.audit})

    def put_result(self, putting: Meanwhile[tuple[str, bool, str]]) -> set[str]:
        """The reusable pages that could not be put into the staging folder (all of them when the process putting
        them failed: then whatever it had put there is removed), for the caller to render. The others are recorded
        as written, and those found clean before as audited."""
        results = putting.result()
        if results is None:
            results = [(path, False, "") for path in self.reusable]
            for path in self.reusable:  # rendering writes over a path: never into a file linked from the last output
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.staging, path))
        missed = set()
        for path, put, clean_key in results:
            if not put:
                missed.add(path)
                continue
            self.written[path] = self.reusable[path]
            self.cache.used_pages.keep(path)
            if clean_key and self.audit is not None:
                self.audit.record(path, clean_key)
        return missed

    def _key(self, signature: tuple[object, ...]) -> str:
        return digest(self.environment, signature)

    def _page_key(self, plan: PagePlan) -> str:
        """The key of a page's record: its signature's, or for a view across the whole site (its signature None) what
        every item shows besides its text, in the site's order, with what was left out and why."""
        signature = self.signatures(plan)
        return self._key(signature if signature is not None else (plan, self._whole_site))

    def recurrences(self, views: SiteView) -> None:
        """Give the views the site's recurrences: kept in the cache under every story's surface (they are worked out
        from the stories' fields, dates and terms alone), or worked out now and kept. At 10,000 reviews working them
        out takes seconds, which an edit to a story's text no longer pays."""
        key = digest("recurrences", self.environment, self._whole_site)
        kept = self.cache.surfaces.get(key)
        if kept is None:
            self.cache.used_surfaces[key] = views.recurrences
        else:
            views.__dict__["recurrences"] = kept  # the views' cached property, as if worked out
            self.cache.used_surfaces.keep(key)

    @cached_property
    def _whole_site(self) -> str:
        """The digest of every item's surface, in order: each kept in the cache under the item's own digest (which
        decides it), so a build works out only the surfaces of the items that changed."""
        kept = self.cache.surfaces.get_many(self.items.values())
        for key, whole in self.items.items():
            if whole in kept:
                self._surfaces[key] = kept[whole]
                self.cache.used_surfaces.keep(whole)
            else:
                self.cache.used_surfaces[whole] = self._surface(key)
        return digest([(key, self._surfaces[key]) for key in self.items], sorted(self.site.left_out.items()))

    def _unchanged(self, shown: tuple[tuple[str, str, str], ...]) -> bool:
        """Whether every item a page showed is as it was then: the same item and body, or, where the page showed no
        body of it, the same of it besides its text (its surface, worked out only for an item that changed)."""
        return all(self.items.get(k) == whole or (surface and self._surface(k) == surface)
                   for k, whole, surface in shown)

    def _surface(self, key: str) -> str:
        """The digest of what a page can show of an item besides its body (see `item_surface`); '' when it is gone."""
        found = self._surfaces.get(key)
        if found is None:
            item = self.site.by_key.get(key)
            found = self._surfaces[key] = digest(item_surface(item), self.prose.get(key)) if item is not None else ""
        return found

    def _record(self, keys: Iterable[str], bodies: Collection[str]) -> tuple[tuple[str, str, str], ...]:
        """What a page or feed showed, for the next build: each item's digest, and its surface's where it showed no
        body of it."""
        return tuple((k, self.items[k], "" if k in bodies else self._surface(k)) for k in sorted(keys)
                     if k in self.items)

    def record(self, path: str, key: str, content_hash: str) -> None:
        """Record a file made from `key` (see `files` in the constructor) for the next build."""
        self.cache.used_pages[path] = (self._key(("file", key)), (), content_hash, False)

    def _put(self, path: str, key: str, entry: tuple[Any, ...] | None) -> bool:
        """Put the last output's file at `path` into the staging folder, when the last build recorded it made from
        `key` with the items it showed unchanged (and it is there as recorded); kept for the next build then."""
        if entry is None or entry[0] != key or not self._unchanged(entry[1]) or self.previous is None or \
                not _put_page(path, self.previous, self.published.get(path), entry[2], self.staging):
            return False
        self.cache.used_pages.keep(path)
        return True

    def feeds(self, feeds: list[FeedPlan], views: SiteView) -> list[Written]:
        """Each feed written into the staging folder: put there from the previous output when the last build made it
        from the same inputs and the same items, each unchanged (as a page is reused), else made now; recorded for
        the next build with the items it showed."""
        entries = self.cache.pages.get_many(feed.path for feed in feeds)
        written = []
        for feed in feeds:
            key = self._key(("feed", feed.path, tuple(sorted(feed.shown)), feed.inputs))
            entry = entries.get(feed.path)
            if self._put(feed.path, key, entry):
                written.append(Written(feed.path, entry[2], feed.shown))  # type: ignore[index]
                continue
            views.start_page()
            made = write_output(self.staging, Output(feed.path, feed.make(), feed.shown))
            read = (feed.shown | views.shown) if feed.made_from_items else views.shown
            self.cache.used_pages[feed.path] = (key, self._record(read | views.read_bodies, views.read_bodies),
                                                made.sha256, False)
            written.append(made)
        return written

    def keep(self, plans: list[PagePlan], pages: list[RenderedPage]) -> None:
        """Record the pages just rendered cleanly, for the next build."""
        for plan, (page, found, _) in zip(plans, pages):
            if page is None or found:
                continue
            self.cache.used_pages[page.path] = (self._page_key(plan), self._record(page.shown, page.bodies),
                                                page.sha256, page.searchable)


# The key of the record of the site's shape in the pages' records: no output path starts with "#".
_SHAPE = "#shape"


def item_surface(item: Item) -> tuple[object, ...]:
    """Everything of an item a page can show besides its body: the item without its text, but with what is read from
    the text (its summary, its reading time in minutes, the names it mentions), its sets in order so that its repr
    is the same in every process."""
    return (*(getattr(item, name) for name in _SURFACE_FIELDS), reading_minutes(item),
            *(None if value is None else sorted(value) for value in (item.mentions, item.named, item.recorded,
                                                                      item.denied)))


# An item's fields besides its text (the body, where it starts, its word count) and its sets (see `item_surface`).
_SURFACE_FIELDS = tuple(f.name for f in dataclasses.fields(Item)
                        if f.name not in ("body", "body_line", "body_words", "mentions", "named", "recorded", "denied"))


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _put_pages(inherited: dict[str, Any], work: Sequence[tuple[str, list[int] | None, str, frozenset[str]]]
               ) -> list[tuple[str, bool, str]]:
    """Put each page (path, its recorded size and time, its hash, the items it shows) of the previous output into the
    staging folder when it is what was rendered: linked when it still has its recorded size and time, else read and
    checked against its hash and copied. Each page's path, whether it was put, and its key when the audit found a
    page with its bytes and allowed names clean before (it is not audited again)."""
    previous, staging, audit = inherited["previous"], inherited["staging"], inherited["audit"]
    results = []
    for relative, recorded, content_hash, shown in work:
        put = _put_page(relative, previous, recorded, content_hash, staging)
        clean_key = audit.clean_before(relative, content_hash, shown) if put and audit is not None else ""
        results.append((relative, put, clean_key))
    return results


def _verify_pages(inherited: dict[str, Any], work: Sequence[tuple[str, list[int] | None, str, frozenset[str]]]
                  ) -> list[tuple[str, bool, str]]:
    """For `check`: each reusable page (as in `_put_pages`) taken as it is when the audit found a page with its bytes
    and allowed names clean before (or there is no registry to audit against); the others are rendered again, to be
    audited."""
    audit = inherited["audit"]
    results = []
    for relative, _, content_hash, shown in work:
        clean_key = audit.clean_before(relative, content_hash, shown) if audit is not None else ""
        results.append((relative, audit is None or bool(clean_key), clean_key))
    return results


def _put_page(relative: str, previous: Path, recorded: list[int] | None, content_hash: str, staging: Path) -> bool:
    if link_published(staging, relative, previous, recorded):
        return True
    try:
        with open(os.path.join(previous, relative), "rb") as handle:
            content = handle.read()
    except OSError:
        return False
    if hashlib.sha256(content).hexdigest() != content_hash:
        return False
    write_file(staging, relative, content)
    return True


def _render_bodies(inherited: dict[str, Any], keys: Sequence[str]) -> list[RenderedBody]:
    renderer, site = inherited["renderer"], inherited["site"]
    return [renderer.body(site, site.by_key[key]) for key in keys]


RenderedPage = tuple["Written | None", list[Diagnostic], str]  # written (None: failed), reported, clean key


def _render_pages(inherited: dict[str, Any], plans: Sequence[PagePlan]) -> list[RenderedPage]:
    """Each plan's page, written (None when its template failed), with what rendering and the leak audit reported,
    and its key as found clean by the audit (empty when not audited here)."""
    renderer, views, staging = inherited["renderer"], inherited["views"], inherited["staging"]
    audit: PageAudit | None = inherited["audit"]
    cache: BuildCache | None = inherited["cache"]
    results: list[RenderedPage] = []
    for plan in plans:
        found: list[Diagnostic] = []
        before = len(cache.warnings) if cache is not None else 0
        output = renderer.pages(views, [plan], found)
        if cache is not None and len(cache.warnings) > before:  # a kept body's HTML found damaged, rendered again
            found += cache.warnings[before:]
            del cache.warnings[before:]
        written = write_output(staging, output[0]) if output else None
        if written is not None and written.searchable and inherited["documents"] is not None:
            write_search_document(inherited["documents"], written.path, output[0].content)
        clean_key = ""
        if written is not None and audit is not None:  # audited from memory while its bytes are at hand
            findings, clean_key = audit.check(written.path, output[0].content, written.sha256, written.shown)
            found += findings
        results.append((written, found, clean_key))
    return results


def _body_rewriter(anonymiser: Anonymiser, policy: Policy) -> SegmentRewriter:
    return lambda segments: anonymiser.segments(segments, policy)


def social_cards(views: SiteView) -> list[tuple[Card, str, frozenset[str]]]:
    """The site's card and one per story, each with its cache key and the items it shows."""
    cards = [(Card(SITE_CARD, views.title, views.description, ACCENT, views.title), frozenset[str]())]
    for item in views.site.items:
        view = views.peek(item.key)
        path = f"{item.url.strip('/')}/{CARD_NAME}".lstrip("/")
        cards.append((Card(path, view.title, view.type_label, PATTERN_COLOURS.get(view.pattern, ACCENT), views.title),
                      frozenset({item.key})))
    return [(card, card_key(card), shown) for card, shown in cards]


def _write_cards(cards: list[tuple[Card, str, frozenset[str]]], reuse: PageReuse, cache: "BuildCache",
                 staging: Path) -> list[Written]:
    """The cards in the staging folder: those the last output held put there with its pages, the others taken from
    the cache or drawn, and recorded for the next build."""
    written = {card.path: reuse.written[card.path] for card, _, _ in cards if card.path in reuse.written}
    for card, key, _ in cards:
        if card.path in written:
            cache.used_media.keep(key)  # not read, but kept for the other audiences' builds
    shown = {card.path: items for card, _, items in cards}
    keys = {card.path: key for card, key, _ in cards}
    for path, data in drawn_cards([card for card, _, _ in cards if card.path not in written], cache):
        written[path] = write_output(staging, Output(path, data, shown[path]))
        reuse.record(path, keys[path], written[path].sha256)
    return [written[card.path] for card, _, _ in cards]


def named_by_consent(site: Site, keys: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """The registry entries each item (of `keys`, or of the site) names by consent, for the items that name anyone
    (most name nobody)."""
    items = site.items if keys is None else (site.by_key[key] for key in keys if key in site.by_key)
    return {i.key: i.named for i in items if i.named}


def allowed_names(outputs: Iterable[Output | Written], site: Site) -> dict[str, frozenset[str]]:
    """For each output, the registry entries it may show by name: those named by consent in the items it shows."""
    outputs = list(outputs)
    # The items the outputs show (a preview's few pages), or every item (a build), whichever is fewer to look at.
    few = sum(len(o.shown) for o in outputs) < len(site.items)
    named = named_by_consent(site, frozenset().union(*(o.shown for o in outputs)) if few else None)
    return {o.path: consented_names(named, o.shown) for o in outputs}


def render_page(env: jinja2.Environment, theme: Theme, views: SiteView, plan: PagePlan,
                diagnostics: list[Diagnostic]) -> str | None:
    """Render one planned page; a template mistake, or a page that takes too long or grows too large (the
    site's `limits`), becomes a located diagnostic."""
    config = views.site.config
    try:
        # An item of a type the theme has no template for (a hook's own type) takes the generic item page.
        template = env.select_template([plan.template, "item.html"]) if plan.kind == "item" else \
            env.get_template(plan.template)
        with time_limit(config.render_seconds):
            html = template.render(page=page_context(views, plan))
        if len(html) > config.page_megabytes * 1_000_000:
            diagnostics.append(error(theme.shown(template.filename) if template.filename else plan.template, 1,
                                     f"the page {plan.url} came to {len(html) / 1e6:,.0f} MB, more than "
                                     f"{config.page_megabytes:g} MB",
                                     "look for a loop or a repeated string in the template; or raise "
                                     "`limits.page_megabytes` in site.yaml"))
            return None
        return html
    except TimeLimitExceeded:
        name = theme.shown(template.filename) if template.filename else plan.template
        diagnostics.append(error(name, 1, f"rendering {plan.url} with this template took longer than "
                                 f"{config.render_seconds:g} s", "look for a loop that never ends in the template; "
                                 "or raise `limits.render_seconds` in site.yaml"))
    except jinja2.TemplateNotFound as exc:
        diagnostics.append(error(theme.shown(theme.template_dirs[0]) if theme.template_dirs else "templates", 1,
                                 f"template '{exc.name}' not found (needed for {plan.url})",
                                 "add the template to your site's templates/ folder or the theme"))
    except Exception as exc:  # any mistake in a user's template is reported, not raised
        diagnostics.append(template_diagnostic(exc, theme, plan.template))
    return None


def page_context(views: SiteView, plan: PagePlan) -> ItemView | ListPage:
    """The `page` object a template sees for a planned page."""
    site = views.site
    if plan.kind == "item":
        return views.item(plan.item_key)
    pager = _pager(views, plan)
    if plan.kind == "list" and plan.type == ALL_STORIES:
        items = views.items(ALL_STORIES, limit=plan.last - plan.first, start=plan.first)
        return ListPage("list", views._("All stories"),
                        views._("Every talk, debrief, experiment and failure log entry, newest first."),
                        views.url(plan.url), items, pager)
    if plan.kind == "list":
        options = site.config.type_options(plan.type)
        items = views.items(plan.type, limit=plan.last - plan.first, start=plan.first)
        return ListPage("list", options.title, options.description, views.url(plan.url), items, pager)
    if plan.kind in ("taxonomy", "term"):
        taxonomy = site.taxonomy(plan.taxonomy)
        if plan.kind == "taxonomy":
            # Term titles come from the items (a person's published name): the page shows them all.
            views.shown.update(k for term in taxonomy.terms for k in term.item_keys)
            return ListPage("taxonomy", taxonomy.title, taxonomy.description, views.url(plan.url), [], pager,
                            taxonomy=taxonomy)
        term = taxonomy.term(plan.term)
        items = [views.item(k) for k in term.item_keys[plan.first:plan.last]]
        return ListPage("term", term.title, term.description, views.url(plan.url), items, pager,
                        term=term, taxonomy=taxonomy)
    if plan.kind in KIT_PDF_NAMES:
        kit = views.kit(plan.kind, plan.name)
        return ListPage(plan.kind, kit["title"], "", views.url(plan.url), [], pager, name=plan.name)
    if plan.kind in _INSIGHT_TITLES or plan.kind in ("track", "guide", "quarter", "team-actions"):
        title, description = (views._(words) if words else "" for words in _INSIGHT_TITLES.get(plan.kind, ("", "")))
        if plan.kind == "team-actions":
            team = dict(action_teams(site))[plan.name]
            title = views._("Open actions of %(team)s") % {"team": team}
            description = views._("What %(team)s still has to do from its debriefs.") % {"team": team}
        if plan.kind in ("track", "guide"):
            track_title = views.track(plan.name)["title"]
            title = track_title if plan.kind == "track" else views._("Facilitator guide: %(track)s") % {"track": track_title}
        elif plan.kind == "quarter":
            title = views._("%(quarter)s in the failure log") % {"quarter": views.quarter(plan.name)["title"]}
        return ListPage(plan.kind, title, description, views.url(plan.url), [], pager, name=plan.name)
    if plan.kind == "home":
        recent = [views.item(i.key) for i in itertools.islice((i for i in site.items if i.type != "page"), HOME_RECENT)]
        return ListPage("home", site.config.title, site.config.description, views.url("/"), recent, pager)
    return ListPage("notfound", views._("Page not found"), "", views.url(plan.url), [], pager)


def N_(message: str) -> str:
    """Mark a word for the theme's catalogue where it is written, to be translated where it is shown (gettext's
    convention for words kept in tables)."""
    return message


_INSIGHT_TITLES = {
    "insights": (N_("Insights"), N_("What the stories say together, and the curriculum built from them.")),
    "search": (N_("Search"), N_("Search every published story.")),
    "coverage": (N_("Curriculum coverage"),
                 N_("Which failure patterns the curriculum addresses, and with how many stories.")),
    "actions": (N_("Open action items"),
                N_("Every action from every debrief that is not done yet, soonest due first.")),
    "chains": (N_("Experiment chains"), N_("Each small bet and the test that followed it.")),
    "recurrence": (N_("Did the fix hold?"), N_("Stories that look like an earlier review whose preventive action was "
                                               "done, and the fixes that held.")),
    "themes": (N_("Themes across stories"), N_("What keeps coming back: root causes, factors and barriers that "
                                                "stories from several people or teams share.")),
    "coach": (N_("Your private coach"), N_("What keeps coming back in your own failure log. Only your own build "
                                           "holds this page.")),
    "programme": (N_("Is the programme working?"), N_("Stories, follow-through, detection and resolution, "
                                                      "experiments and curriculum coverage, quarter by quarter.")),
    "tracks": (N_("Curriculum tracks"), N_("Modules in the order they are taught.")),
    "stories": (N_("Story picker"), N_("Every published story with its patterns, barriers and the modules that use "
                                       "it: find the right story for a session, and the ones no module uses yet.")),
    "quarters": (N_("Failure log by quarter"), N_("Entries, recurring root causes and patterns, quarter by quarter.")),
}


def _pager(views: SiteView, plan: PagePlan) -> Pager:
    base = plan.url if plan.number == 1 else plan.url.rsplit("page/", 1)[0]

    def page_url(n: int) -> str:
        return views.url(base if n == 1 else f"{base}page/{n}/")

    return Pager(plan.number, plan.count, page_url(plan.number - 1) if plan.number > 1 else "",
                 page_url(plan.number + 1) if plan.number < plan.count else "")


def check_collisions(paths: list[str], site: Site) -> list[Diagnostic]:
    """Two outputs at one path: an item whose URL is also a generated page or a static file."""
    owners = {output_path(item.url): item for item in site.items}
    seen: set[str] = set()
    diagnostics = []
    for path in paths:
        if path in seen:
            item = owners.get(path)
            where = item.path if item else "static/" + path
            diagnostics.append(error(where, 1, f"the output {path} is produced twice: "
                                     "this item's URL is also a page failsite generates or a static file",
                                     "give the item a different `slug:`"))
        seen.add(path)
    return diagnostics
