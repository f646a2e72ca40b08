"""A site kept in memory between saves, rebuilt as little as each change needs.

The first build does everything; afterwards a content edit re-parses that file, re-renders its
body, and re-renders only the pages whose inputs changed: pages that showed a changed item last
time, and pages whose membership (which items a list holds, which terms exist) changed. The
result is audited and written exactly like a build, so the preview is what will be published.
The search bundles holding changed pages are re-indexed after the browser has reloaded.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
import traceback
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from jinja2 import meta

from failsite.privacy.anonymise import anonymise_data, anonymise_item, make_anonymiser
from failsite.content.data import load_data
from failsite.engine.fingerprint import digest
from failsite.site.insights import prerequisite_order
from failsite.privacy.audit import audit_files
from failsite.preview.changes import Change
from failsite.content.config import load_config
from failsite.content.hooks import load_hooks
from failsite.site.taxonomy import folder_clashes
from failsite.content.items import Item, item_schema, read_item
from failsite.content.discover import Source, discover_sources, source_at
from failsite.errors import Diagnostic, FailsiteError, error, has_errors, sorted_unique
from failsite.render.plans import PagePlan, PageSignatures, plan_pages
from failsite.privacy.publish import Audience, audience_for
from failsite.render.renderer import (BodyPart, Output, RenderedBody, Renderer, allowed_names, body_still_valid,
                                      check_collisions)
from failsite.site.assemble import Site, assemble_site
from failsite.render.theme import load_theme
from failsite.render.views import SiteView
from failsite.render.search import (SEARCH_FOLDER, build_bundle, bundles, is_search_bundle_file, nothing_to_search,
                                    unreadable_by_audit)
from failsite.output.staging import IndexInterrupted, remove_in_thread, write_changes


@dataclass(frozen=True)
class RebuildReport:
    """What one rebuild did: its diagnostics, how many pages it rendered and files it wrote, how long it took."""

    ok: bool
    diagnostics: list[Diagnostic]
    rendered: tuple[str, ...]  # output paths of the pages rendered again
    written: tuple[str, ...]  # output paths written or removed because their bytes changed
    seconds: float
    css_only: bool = False


def unexpected_error(exc: BaseException) -> Diagnostic:
    """What the page shows when a rebuild raised something that is not a mistake in the site."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (in {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return error("failsite", 1, f"the rebuild failed unexpectedly: {type(exc).__name__}: {exc}{where}",
                 "the preview keeps watching: save again; if this repeats, please report it with this line")


class Preview:
    """The preview of one site: built in full once, then incrementally on each change."""

    def __init__(self, site_dir: Path, out_dir: Path, audience: Audience, base_url: str = ""):
        """`base_url` (serve --base-url) replaces site.yaml's for the preview: where a proxy serves it."""
        self.site_dir, self.out_dir, self.audience = site_dir, out_dir, audience
        self.base_url = base_url
        self.outputs: dict[str, Output] = {}
        self.signatures: dict[str, tuple[object, ...] | None] = {}
        self.bodies: dict[str, tuple[Item, RenderedBody]] = {}
        self.site: Site | None = None
        self.global_signature: tuple[object, ...] = ()
        self.parsed: dict[str, tuple[Item | None, list[Diagnostic]]] = {}
        self.warnings: list[Diagnostic] = []
        self._static_paths: set[str] = set()
        self.renderer_stale = True
        self._indexed: dict[str, tuple[str, ...]] = {}  # bundle folder -> its pages' paths and hashes
        self._links: tuple[object, ...] = ()  # the last rebuild's _link_context
        self._plans: dict[str, PagePlan] = {}  # the last rebuild's page plans, by output path
        self._views: SiteView | None = None  # the last rebuild's view of its site
        self._positions: dict[str, int] = {}  # where the last site's items hold each key
        # Removals of what search runs leave (thousands of links), under way beside the rebuilds, which need not wait.
        self._removals: list[threading.Thread] = []
        self._runs = itertools.count()  # numbers each search run's folder, so a removal under way meets no new one
        # This rebuild's pages to write first: (open in a browser, told when written, context for the rest).
        self._first: tuple[frozenset[str], Callable[[frozenset[str]], None],
                           AbstractContextManager[object]] | None = None

    def rebuild(self, change: Change | None = None, viewed: frozenset[str] = frozenset(),
                early: Callable[[frozenset[str]], None] | None = None,
                meanwhile: AbstractContextManager[object] = nullcontext()) -> RebuildReport:
        """Apply a change (None or a full change: everything) and write what differs; never raises for user errors.

        Of the pages an incremental rebuild renders again, those in `viewed` (open in a browser) are rendered,
        audited and written first and handed to `early`, so those browsers can reload at once; the rest are
        rendered inside `meanwhile` (the server lets requests read the folder then) and written after."""
        started = time.perf_counter()
        self._first = (viewed, early, meanwhile) if early is not None else None
        try:
            if change is None or change.full or self.site is None:
                rendered, written = self._full()
            elif change.content or change.templates:
                rendered, written = self._incremental(change)
            else:
                rendered, written = self._static(change)
        except FailsiteError as exc:
            return RebuildReport(False, sorted_unique(exc.diagnostics), (), (), time.perf_counter() - started)
        except Exception as exc:  # a bug must not take the preview down: the page shows it, the next save retries
            self.site = None
            return RebuildReport(False, [unexpected_error(exc)], (), (), time.perf_counter() - started)
        css_only = change is not None and not change.full and not change.content and not change.templates \
            and bool(change.static) and all(p.endswith(".css") for p in change.static)
        return RebuildReport(True, self.warnings, rendered, written, time.perf_counter() - started, css_only)

    # -- the three kinds of rebuild ------------------------------------------------------------

    def _full(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        self.config = load_config(self.site_dir)
        if self.base_url:
            self.config = replace(self.config, base_url=self.base_url if self.base_url.endswith("/")
                                  else self.base_url + "/")
        self.anonymiser = make_anonymiser(self.config, self.audience.name, self.audience.today)
        hooks, found = load_hooks(self.site_dir, self.config.hooks)
        found += folder_clashes(self.config, hooks.types)
        if has_errors(found):
            raise FailsiteError(found)
        self.schema = item_schema(self.config, hooks.fields)
        self.closed = frozenset(t.name for t in self.config.taxonomies if t.closed)
        theme, found = load_theme(self.config, hooks)
        if theme is None:
            raise FailsiteError(found)
        self.theme = theme
        data, self.data_diagnostics = load_data(self.site_dir)  # a data file's change is a full rebuild (changes)
        self.data = anonymise_data(data, self.anonymiser)
        sources, found = discover_sources(self.config)
        if has_errors(found):
            raise FailsiteError(found)
        self.sources = {s.key: s for s in sources}
        self.parsed = {key: self._parse(source) for key, source in self.sources.items()}
        self.bodies, self.signatures, self.site = {}, {}, None
        self.renderer_stale = True
        rendered = self._render(frozenset(), everything=True)
        self._indexed = {}
        self.warnings += self.refresh_search()
        return rendered

    def _incremental(self, change: Change) -> tuple[tuple[str, ...], tuple[str, ...]]:
        for key in change.content:
            source = source_at(self.config, key)
            if source.path.is_file():
                self.sources[key] = source
                self.parsed[key] = self._parse(source)
            else:  # deleted, or renamed away (the new name arrives as its own change)
                self.sources.pop(key, None)
                self.parsed.pop(key, None)
        if change.templates:
            self.renderer_stale = True
            return self._render(self._templates_affecting(change.templates))
        return self._render(frozenset(), edited=frozenset(change.content))

    def _static(self, change: Change) -> tuple[tuple[str, ...], tuple[str, ...]]:
        assert self.site is not None
        static = {o.path: o for o in self._renderer().static(self.site)}
        changed = {p: o for p, o in static.items() if self.outputs.get(p) is None or self.outputs[p].content != o.content}
        removed = self._static_paths - set(static)
        self._audit_and_write(changed, removed, self.site)
        self._static_paths = set(static)
        return (), tuple(sorted(set(changed) | removed))

    def refresh_search(self, swap: AbstractContextManager[object] = nullcontext(),
                       interrupted: Callable[[], bool] | None = None) -> list[Diagnostic]:
        """Re-index the search bundles whose pages changed since they were last indexed (a full rebuild:
        all of them), each built beside the preview and swapped in inside `swap` (the server's lock).

        Run after the browser was told to reload: a bundle takes about a second per 1,000 pages. When
        `interrupted` says so (another save is waiting), Pagefind is stopped and the bundles not yet
        indexed stay as they were, for the next refresh: the search is the last thing a save waits for."""
        pages = {path: o.sha256 for path, o in self.outputs.items() if o.searchable}
        split = bundles(list(pages))
        if not split:
            self._remove_bundles(set(), swap)
            return [nothing_to_search("preview")]
        wanted = {bundle: tuple(f"{p}:{pages[p]}" for p in paths) for bundle, paths in split}
        diagnostics: list[Diagnostic] = []
        for bundle, paths in split:
            if self._indexed.get(bundle) == wanted[bundle]:
                continue
            if interrupted is not None and interrupted():
                return diagnostics
            fresh = f".{bundle}.indexing-{next(self._runs)}"
            try:
                diagnostics += build_bundle(self.out_dir, paths, fresh, "preview", bundle != SEARCH_FOLDER,
                                            interrupted, self._discard)
            except IndexInterrupted:
                self._discard(self.out_dir / fresh)
                return diagnostics
            with swap:
                if (self.out_dir / bundle).exists():
                    self._discard((self.out_dir / bundle).rename(self.out_dir / f"{fresh}.old"))
                if (self.out_dir / fresh).exists():
                    (self.out_dir / fresh).rename(self.out_dir / bundle)
            self._indexed[bundle] = wanted[bundle]
        self._remove_bundles(set(wanted), swap)
        return diagnostics

    def _discard(self, folder: Path) -> None:
        """Remove a folder nothing reads any more, in the background (a thread that ends when it is done)."""
        self._removals = [removal for removal in self._removals if removal.is_alive()] + [remove_in_thread(folder)]

    def close(self) -> None:
        """Wait for the folders being removed in the background (the preview is stopping)."""
        for removal in self._removals:
            removal.join()
        self._removals.clear()

    def _remove_bundles(self, keep: set[str], swap: AbstractContextManager[object]) -> None:
        """Remove bundle folders beyond the ones the site has now (it shrank)."""
        with swap:
            for folder in self.out_dir.iterdir():
                if folder.is_dir() and is_search_bundle_file(folder.name + "/") and folder.name not in keep:
                    shutil.rmtree(folder)
                    self._indexed.pop(folder.name, None)

    # -- shared machinery ----------------------------------------------------------------------

    def _parse(self, source: Source) -> tuple[Item | None, list[Diagnostic]]:
        item, diagnostics = read_item(source, self.schema)
        if item is None:
            return None, diagnostics
        item, reported = anonymise_item(item, self.anonymiser, self.closed, self.config.anonymise.pseudonym_pages)
        return item, diagnostics + reported

    def renderer(self) -> Renderer:
        """The renderer of the last full rebuild's theme and anonymiser."""
        return self._renderer()

    def _renderer(self) -> Renderer:
        if self.renderer_stale:
            self._renderer_cache = Renderer(self.theme, self.anonymiser, hash_static=False)
            self.renderer_stale = False
        return self._renderer_cache

    def _render(self, templates_changed: frozenset[str], everything: bool = False,
                edited: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Assemble the site from the parsed items and render, audit and write the pages that differ; `edited`: the
        content files this rebuild read again, whose open pages may be written before the site is assembled."""
        written_early = self._write_viewed_early(edited) if edited else set()
        viewed, _, meanwhile = self._first or (frozenset(), None, nullcontext())
        # Requests are answered (`meanwhile`) while pages render, from when the open pages are written: nothing is
        # written into the folder until the audit at the end.
        with ExitStack() as answering:
            if written_early:
                answering.enter_context(meanwhile)
            diagnostics = [d for _, found in self.parsed.values() for d in found]
            items = [item for item, _ in self.parsed.values() if item is not None]
            audience = audience_for(self.audience.name, self.audience.drafts, self.audience.today, self.config.review,
                                    self.audience.owner)
            site, found = assemble_site(items, frozenset(self.sources), self.config, audience)
            diagnostics += found + prerequisite_order(site) + self.data_diagnostics
            site = replace(site, data=self.data)
            renderer = self._renderer()
            diagnostics += renderer.diagnostics
            if has_errors(diagnostics):
                raise FailsiteError(sorted_unique(diagnostics))
            bodies = self._bodies(site, renderer, diagnostics)
            static = renderer.static(site) if everything else self._static_outputs()
            views = _views(renderer, site, bodies, static)
            plans = plan_pages(site)
            signature = PageSignatures(site)
            changed_items = self._changed_items(site, bodies)
            global_signature = (tuple(views.menu), tuple(t.name for t in site.taxonomies if t.terms), digest(site.data))
            redo_all = everything or global_signature != self.global_signature

            def is_chosen(plan: PagePlan) -> bool:
                return (redo_all or plan.template in templates_changed or signature(plan) is None
                        or signature(plan) != self.signatures.get(plan.url)
                        or (self.outputs.get(plan.output_path) is not None
                            and bool(self.outputs[plan.output_path].shown & changed_items)))
            collisions = check_collisions([p.output_path for p in plans] + [o.path for o in static], site)
            if collisions:
                raise FailsiteError(collisions)
            # The pages browsers have open are signed, rendered and written before the others are even signed.
            first = [plan for plan in plans if plan.output_path in viewed and is_chosen(plan)] \
                if not everything and not written_early else []
            pages = renderer.pages(views, first, diagnostics)
            written_first = self._write_first(pages, site, diagnostics) if first else set()
            if first:
                answering.enter_context(meanwhile)
            chosen = [plan for plan in plans if is_chosen(plan)]
            pages += renderer.pages(views, [plan for plan in chosen if plan not in first], diagnostics)
            pages += renderer.feeds(views, plans)
            signatures = {plan.url: signature(plan) for plan in plans}
        if everything:
            pages += static
        if has_errors(diagnostics):
            raise FailsiteError(sorted_unique(diagnostics))
        keep = {p.output_path for p in plans} | {o.path for o in pages} | set(self._static_paths if not everything else ())
        merged = {path: o for path, o in self.outputs.items() if path in keep}
        merged.update({o.path: o for o in pages})
        changed = {o.path: o for o in pages if self.outputs.get(o.path) is None or self.outputs[o.path].content != o.content}
        removed = set(self.outputs) - set(merged)
        # A full rebuild follows a change to site.yaml or the registry, which can make an unchanged file a leak:
        # every file the preview serves is audited again, not only those whose bytes changed.
        self._audit_and_write(changed, removed, site, merged, audited=merged if everything else changed)
        if written_early & set(changed) and self._first is not None:  # the early pages were not the whole rebuild's
            self._first[1](frozenset(written_early & set(changed)))
        self.site, self.bodies, self.signatures, self.global_signature = site, bodies, signatures, global_signature
        self._views = views
        self._positions = {item.key: n for n, item in enumerate(site.items)}  # for the next save's early pages
        self._plans = {plan.output_path: plan for plan in plans}
        self.warnings = sorted_unique(d for d in diagnostics if d.severity == "warning")
        if everything:
            self._static_paths = {o.path for o in static}
        return tuple(p.output_path for p in chosen), \
            tuple(sorted(set(changed) | removed | written_first | written_early))

    def _write_viewed_early(self, edited: frozenset[str]) -> set[str]:
        """When the edited items changed only in their text (front matter as before), render the open pages that
        show them from the last site with those items put in, before the site is assembled again, and write and
        reload them; the output paths written. Assembling a site reads no item's text, so this is the site the
        rebuild makes: the rebuild renders these pages again all the same, and reloads them a second time if they
        differ. Nothing is written early when an edited item is new, gone, unpublished or in error."""
        if self._first is None or self.site is None or not self._first[0]:
            return set()
        old_site = self.site
        changed: dict[str, Item] = {}
        for key in edited:
            item, found = self.parsed.get(key, (None, []))
            old = old_site.by_key.get(key)
            if item is None or old is None or has_errors(found) or not _same_but_text(old, item):
                return set()
            changed[key] = item
        plans = [plan for path in sorted(self._first[0]) if (plan := self._plans.get(path)) is not None
                 and self.outputs.get(path) is not None and self.outputs[path].shown & changed.keys()]
        if not plans:
            return set()
        items = list(old_site.items)
        for key, item in changed.items():
            items[self._positions[key]] = item
        site = replace(old_site, items=tuple(items), by_key={**old_site.by_key, **changed})
        renderer = self._renderer()
        diagnostics: list[Diagnostic] = []
        bodies = {**self.bodies, **{key: (item, renderer.body(site, item)) for key, item in changed.items()}}
        for key in changed:
            diagnostics += bodies[key][1].diagnostics
        views = _views(renderer, site, bodies, self._static_outputs(), like=self._views)
        pages = renderer.pages(views, plans, diagnostics)
        if has_errors(diagnostics):
            return set()  # the rebuild reports them
        return self._write_first(pages, site, diagnostics)

    def _static_outputs(self) -> list[Output]:
        """The static files as the preview last wrote them (a content edit changes none)."""
        return [self.outputs[path] for path in sorted(self._static_paths)]

    def _write_first(self, pages: list[Output], site: Site, diagnostics: list[Diagnostic]) -> set[str]:
        """Audit and write the pages browsers have open, ahead of the rest, and tell `early` which changed; the rest
        of the rebuild finds them written already."""
        assert self._first is not None
        if has_errors(diagnostics):
            raise FailsiteError(sorted_unique(diagnostics))
        changed = {o.path: o for o in pages if self.outputs.get(o.path) is None or self.outputs[o.path].content != o.content}
        self._audit_and_write(changed, set(), site, {**self.outputs, **changed})
        self._first[1](frozenset(changed))
        return set(changed)

    def _bodies(self, site: Site, renderer: Renderer, diagnostics: list[Diagnostic]) -> dict[str, tuple[Item, RenderedBody]]:
        bodies = {}
        # What a body's links resolve against; while it is the same, an unchanged body's links resolve as before.
        context = _link_context(site)
        same_links, self._links = context == self._links, context
        for item in site.items:
            cached = self.bodies.get(item.key)
            if cached is None or not _same_body(cached[0], item) or \
                    not ((same_links and cached[0].assets == item.assets) or body_still_valid(site, item, cached[1])):
                cached = (item, renderer.body(site, item))
            bodies[item.key] = cached
            diagnostics.extend(cached[1].diagnostics)
        return bodies

    def _changed_items(self, site: Site, bodies: dict[str, tuple[Item, RenderedBody]]) -> frozenset[str]:
        old = self.site.by_key if self.site else {}
        changed = {k for k in set(old) | set(site.by_key)
                   if (before := old.get(k)) is not (now := site.by_key.get(k)) and before != now}  # most are the same
        changed |= {k for k, (_, body) in bodies.items()
                    if k in self.bodies and (self.bodies[k][1].html, self.bodies[k][1].fields) != (body.html, body.fields)}
        return frozenset(changed)

    def _templates_affecting(self, changed: frozenset[str]) -> frozenset[str]:
        """Page templates that use a changed template, directly or through extends, include and import."""
        env = self._renderer().env
        affected = set()
        for name in env.list_templates(extensions=["html"]):
            if _dependencies(env, name) & changed:
                affected.add(name)
        return frozenset(affected)

    def _audit_and_write(self, changed: dict[str, Output], removed: set[str], site: Site,
                         merged: dict[str, Output] | None = None, audited: dict[str, Output] | None = None) -> None:
        audited = changed if audited is None else audited
        findings = audit_files(((p, o.content) for p, o in audited.items()), self.anonymiser.registry,
                               allowed_names(audited.values(), site), "preview",
                               skip=unreadable_by_audit)
        if findings:
            raise FailsiteError(sorted_unique(findings))
        write_changes(self.out_dir, {p: o.content for p, o in changed.items()}, removed)
        if merged is None:
            merged = {p: o for p, o in self.outputs.items() if p not in removed}
            merged.update(changed)
        self.outputs = merged


def _views(renderer: Renderer, site: Site, bodies: dict[str, tuple[Item, RenderedBody]], static: list[Output],
           like: SiteView | None = None) -> SiteView:
    """The templates' view of the site with these bodies; `like`: the view of a site with the same items in the same
    order and the same terms, whose indexes are taken over."""
    def body(key: str) -> RenderedBody:
        return bodies[key][1]
    return renderer.views(site, BodyPart(bodies, body, "html"), static, BodyPart(bodies, body, "fields"),
                          BodyPart(bodies, body, "parts"), like)


def _link_context(site: Site) -> tuple[object, ...]:
    """Everything a body's links resolve against besides the item itself (see site.assemble.body_link_resolver):
    the base path, every item's URL, every source and what was left out, and the people with a page."""
    people = next((t for t in site.taxonomies if t.name == "people"), None)
    return (site.config.base_path, tuple((key, item.url) for key, item in site.by_key.items()), site.all_source_keys,
            tuple(site.left_out.items()), tuple(term.url for term in people.terms) if people else ())


# An item's text and what is counted from it: what assembling a site never reads (site.assemble, site.taxonomy).
_TEXT_FIELDS = {"body": "", "body_words": 0, "summary": ""}


def _same_but_text(old: Item, new: Item) -> bool:
    """Whether two versions of an item differ at most in their text (a derived summary and word count included)."""
    return replace(old, **_TEXT_FIELDS) == replace(new, **_TEXT_FIELDS)


def _same_body(old: Item, new: Item) -> bool:
    return (old.body, old.body_line, old.anonymous, old.path, old.fields) == \
        (new.body, new.body_line, new.anonymous, new.path, new.fields)


def _dependencies(env: "meta.Environment", name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:  # type: ignore[name-defined]
    """A template and every template it pulls in; a name computed at render time counts as all of them."""
    if name in seen:
        return frozenset()
    try:
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        referenced = list(meta.find_referenced_templates(env.parse(source)))
    except Exception:
        return frozenset(env.list_templates())
    if None in referenced:
        return frozenset(env.list_templates())
    result = {name}
    for child in referenced:
        result |= _dependencies(env, str(child), seen | {name})
    return frozenset(result)
