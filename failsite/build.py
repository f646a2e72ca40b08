"""The whole pipeline: config, sources, items, anonymisation, site, outputs, audit, then the one write."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from failsite.privacy.anonymise import Anonymiser, anonymise_data, anonymise_item, make_anonymiser
from failsite.content.data import DATA_DIR, load_data
from failsite.privacy.audit import PageAudit, audit_files
from failsite.content.config import CONFIG_FILE, SiteConfig, load_config
from failsite.site.taxonomy import folder_clashes
from failsite.content.hooks import NO_HOOKS, SiteHooks, hook_sources, load_hooks
from failsite.content.items import Item, item_schema
from failsite.content.ingest import FileStats, ItemTransform, ingest
from failsite.content.discover import discover_sources
from failsite.site.lint import load_rules
from failsite.site.checks import scan_sources, writing_warnings
from failsite.errors import BuildFailed, Diagnostic, FailsiteError, has_errors, sorted_unique, warning
from failsite.privacy.publish import audience_for
from failsite.render.renderer import Progress, Written, allowed_names, named_by_consent, render_site
from failsite.site.assemble import Site, assemble_site
from failsite.site.insights import prerequisite_order
from failsite.render.theme import Theme, load_theme, theme_inputs
from failsite.engine.cache import CHECKS, BuildCache, load_cache, prepare_cache_folder
from failsite.render.search import SearchIndexing, unreadable_by_audit
from failsite.engine.fingerprint import CACHE_DIR, code_fingerprint, digest
from failsite.output.stamp import (Files, Stamp, options_key, output_files, published_files, read_stamp,
                                   save_stamp, snapshot)
from failsite.output.lock import remove_debris, site_lock
from failsite.output.staging import (MARKER, check_output_dir, discard, open_search_documents, open_staging, publish,
                                     remove_detached, remove_in_thread)


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made, and the warnings it found."""

    outputs: list[Written]
    warnings: list[Diagnostic]
    pages: int
    seconds: float
    out_dir: Path | None
    site: Site | None = None


def build_site(site_dir: Path, out_dir: Path | None = None, drafts: bool = False, write: bool = True,
               progress: Progress | None = None, audience: str = "internal",
               today: dt.date | None = None, use_cache: bool = True, wait: bool = True,
               waiting: Callable[[str], None] = lambda message: None, owner: str = "", pdf: bool = False,
               detach: bool = False) -> BuildResult:
    """Build the site in `site_dir`; raise BuildFailed with every error, leaving the old output untouched.

    `use_cache=False` starts from an empty build cache (and writes a new one). One build of a site runs at a
    time: another waits for it (telling `waiting`), or with `wait=False` fails at once. An `owner` makes it a private
    build holding that owner's private log entries besides everything a restricted build holds. `pdf` prints the
    curriculum's handouts and facilitator packs to PDF (as site.yaml `curriculum: {pdf: true}` does). `detach` leaves
    the removal of the old output to a process of its own, so the build returns as soon as the new one is in place
    (the command line does; in-process callers get the folder gone when the call returns)."""
    started = time.perf_counter()
    inputs = snapshot([site_dir / CONFIG_FILE])  # before anything is read
    config = load_config(site_dir)
    if pdf:
        config = replace(config, pdf=True)
    inputs |= snapshot(_inputs(config))
    run = Run(site_dir, out_dir, drafts, "private" if owner else audience, today or dt.date.today(), progress, started,
              inputs, owner, pdf, detach)
    if not write:
        return _validate(config, run, use_cache)
    target = out_dir if out_dir is not None else site_dir / config.output
    check_output_dir(target, site_dir, [config.content_dir, *_inputs(config)])
    cache_dir, repaired = prepare_cache_folder(site_dir)
    with site_lock(cache_dir, wait, waiting):
        unremovable = remove_debris(target, MARKER)
        cache, found = load_cache(site_dir, use_cache)
        return _build(config, run, target, cache, repaired + found + unremovable)


def _validate(config: SiteConfig, run: Run, use_cache: bool) -> BuildResult:
    """`failsite check`: every stage of a build, writing no output. It reads the build cache, as a build does, when
    no build of the site holds it (a page and a body unchanged since the last build are taken from it, a file found
    clean then is not audited again), and leaves it as it was."""
    with checking_cache(config.site_dir, use_cache) as (cache, found):
        return _build(config, run, None, cache, found)


@contextlib.contextmanager
def checking_cache(site_dir: Path, use: bool = True) -> Iterator[tuple[BuildCache | None, list[Diagnostic]]]:
    """The site's build cache for `check` to read, with the site's lock held, and what loading it found; None when
    there is none yet, `use` is False, or a build holds the lock (then `check` works without it)."""
    cache_dir = site_dir / CACHE_DIR
    if not use or not cache_dir.is_dir():
        yield None, []
        return
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(site_lock(cache_dir, wait=False))
        except FailsiteError:
            yield None, []
            return
        yield load_cache(site_dir)


@dataclass(frozen=True)
class Run:
    """What one build was asked to do, and what it saw of its inputs before reading them."""

    site_dir: Path
    out_dir: Path | None
    drafts: bool
    audience: str
    day: dt.date
    progress: Progress | None
    started: float
    inputs: dict[str, Files | None]  # each input root's files, as the snapshot taken before reading saw them
    owner: str = ""
    pdf: bool = False  # --pdf (site.yaml's `curriculum: {pdf: true}` is in the config)
    detach: bool = False  # remove the old output in a process of its own


def _build(config: SiteConfig, run: Run, target: Path | None, cache: BuildCache | None,
           diagnostics: list[Diagnostic] | None = None) -> BuildResult:
    """The stages, in order; `target` None: validate only, write nothing (`failsite check`)."""
    diagnostics = list(diagnostics or [])
    hooks = _hooks(config)
    anonymiser, _, site = _plan(config, run.audience, run.drafts, run.day, cache, diagnostics, run.owner, hooks,
                                run.inputs.get(str(config.content_dir.absolute())))  # as seen before any reading
    if run.audience == "private":
        diagnostics.append(warning(CONFIG_FILE, 1, "this is a private build: its output holds personal log entries",
                                   "keep it on your own machine; build without --audience private or --owner to "
                                   "deploy"))
    theme, found = load_theme(config, hooks)
    diagnostics += found
    staging = open_staging(target)
    documents = open_search_documents(staging) if target is not None else None  # a build (`check` makes no index)
    removal = None
    # Removed when the build is over, as the old output is: at 10,000 talks the pages' search documents took 1.3 s.
    leftovers = [documents] if documents is not None else []
    try:
        outputs, staged = _render_and_audit(site, theme, anonymiser, staging, documents, diagnostics, run.progress,
                                            cache, target, _shown(target or config.site_dir / config.output,
                                                                  run.site_dir))
        if target is not None:
            trash = publish(staging, target)
            leftovers += [trash] if trash is not None else []
        if run.detach:
            remove_detached(*leftovers)
        elif leftovers:
            removal = remove_in_thread(*leftovers)
        leftovers = []
    except FailsiteError as exc:  # a stage's errors come with every warning found before them, never alone
        raise BuildFailed(sorted_unique(diagnostics + exc.diagnostics)) from None
    finally:
        discard(staging)
        for folder in leftovers:  # the build failed: nothing to hurry for
            shutil.rmtree(folder, ignore_errors=True)
    if cache is not None:  # `check` leaves the cache as it found it
        diagnostics += (cache.save() if target is not None else []) + cache.warnings
    pages = sum(1 for o in outputs if o.path.endswith(".html"))
    warnings = sorted_unique(diagnostics)
    if target is not None:
        key = options_key(run.site_dir, run.out_dir, run.drafts, run.audience, run.day.isoformat(), run.owner,
                          run.pdf)
        unsaved = save_stamp(run.site_dir, Stamp(key, run.inputs, str(target.resolve()), staged, pages, len(outputs),
                                                 [w.format() for w in warnings if not w.path.startswith(CACHE_DIR)],
                                                 {i.key: i.url for i in site.items}))
        warnings = sorted_unique(warnings + unsaved)
    if removal is not None:
        removal.join()
    return BuildResult(outputs, warnings, pages, time.perf_counter() - run.started, target, site)


def _hooks(config: SiteConfig) -> SiteHooks:
    """The site's hook modules, registered; a hook that fails stops the build before anything is read."""
    hooks, found = load_hooks(config.site_dir, config.hooks)
    found += folder_clashes(config, hooks.types)
    if has_errors(found):
        raise BuildFailed(sorted_unique(found))
    return hooks


def _plan(config: SiteConfig, audience: str, drafts: bool, day: dt.date, cache: BuildCache | None,
          diagnostics: list[Diagnostic], owner: str = "", hooks: SiteHooks = NO_HOOKS,
          stats: FileStats | None = None) -> tuple[Anonymiser, list[Item], Site]:
    """The stages before rendering: sources, items (anonymised for the audience) and the site they make; what they
    find is added to `diagnostics`. `stats`: the content folder's files as the build's snapshot saw them."""
    anonymiser = make_anonymiser(config, audience, day)
    sources, found = discover_sources(config)
    diagnostics += found
    items, found = ingest(sources, item_schema(config, hooks.fields), *_anonymisation(config, anonymiser), cache, day,
                          stats)
    diagnostics += found
    site, found = assemble_site(items, frozenset(s.key for s in sources), config,
                                audience_for(audience, drafts, day, config.review, owner))
    diagnostics += found + prerequisite_order(site)
    data, found = load_data(config.site_dir)
    diagnostics += found
    site = replace(site, data=anonymise_data(data, anonymiser))
    return anonymiser, items, site


def plan_site(site_dir: Path, audience: str, day: dt.date, drafts: bool = False) -> tuple[list[Item], Site]:
    """Every item as anonymised for an audience, and the site a build for it would publish, rendering nothing
    (for reports); raise FailsiteError when the content has errors."""
    diagnostics: list[Diagnostic] = []
    config = load_config(site_dir)
    _, items, site = _plan(config, audience, drafts, day, None, diagnostics, hooks=_hooks(config))
    if has_errors(diagnostics):
        raise BuildFailed(sorted_unique(diagnostics))
    return items, site


def _anonymisation(config: SiteConfig, anonymiser: Anonymiser) -> tuple[ItemTransform, object]:
    """The item transform of ingest (anonymisation) and everything besides an item that decides its result."""
    closed = frozenset(t.name for t in config.taxonomies if t.closed)
    pages = config.anonymise.pseudonym_pages
    return (partial(anonymise_item, anonymiser=anonymiser, closed=closed, pseudonym_pages=pages),
            (anonymiser.settings, sorted(closed), pages))


def _inputs(config: SiteConfig) -> list[Path]:
    """Every file and folder besides site.yaml that a build reads."""
    registry = [config.site_dir / config.anonymise.registry] if config.anonymise.registry else []
    hooks = [p for name in config.hooks for p in hook_sources(config.site_dir, name)]
    return [*registry, config.content_dir, config.site_dir / DATA_DIR, *hooks, *theme_inputs(config)]


def _render_and_audit(site: Site, theme: Theme | None, anonymiser: Anonymiser, staging: Path,
                      documents: Path | None, diagnostics: list[Diagnostic], progress: Progress | None,
                      cache: BuildCache | None, previous: Path | None, shown_output: str
                      ) -> tuple[list[Written], dict[str, list[int]]]:
    """Render the site into the staging folder, index it for search and audit every file as written;
    raise BuildFailed on any error or leak. Also returns every staged file's size and time, which
    are those of the published output once the folder is swapped in. `documents`: the folder the render workers
    write the pages' search documents to (None: no search index)."""
    # Pages are audited by the workers that render them, from memory; the rest of the folder after rendering.
    page_audit = PageAudit(anonymiser.registry, named_by_consent(site), shown_output, cache) \
        if anonymiser.registry.entries else None
    published = published_files(site.config.site_dir, previous) if previous is not None else {}
    outputs: list[Written] = []
    started: list[SearchIndexing] = []

    def start_search(pages: list[Written]) -> None:  # Pagefind indexes the pages while the feeds are made
        started.append(SearchIndexing(staging, {o.path: o.sha256 for o in pages if o.searchable}, shown_output, cache,
                                      previous, published, documents))
    try:
        if theme is not None:
            outputs, found = render_site(site, theme, anonymiser, staging, progress, cache,
                                         render_environment(site.config, anonymiser, theme.hooks.fingerprint),
                                         previous, published, page_audit, documents,
                                         start_search if previous is not None else None, checking=previous is None)
            diagnostics += found
        if has_errors(diagnostics):
            raise BuildFailed(sorted_unique(diagnostics))
        search = started[0] if started else None
        audited = page_audit.audited if page_audit is not None else set()
        # The audit reads the other files as written, before they are swapped in, while Pagefind indexes the pages (an
        # external process, started once the pages were written and waited for here), then what Pagefind wrote.
        pages = output_files(staging, besides=search.folders if search is not None else ())
        allowed, known = allowed_names(outputs, site), {o.path: o.sha256 for o in outputs}
        files = [(relative, os.path.join(staging, relative)) for relative in pages
                 if relative != MARKER and relative not in audited]
        findings = audit_files(files, anonymiser.registry, allowed, shown_output, cache, known, unreadable_by_audit)
        if search is not None and cache is not None:
            _raise_on_leaks(findings, diagnostics)
            cache.prepare()  # the cache's pickling, while Pagefind has most of the machine
            diagnostics += search.finish()
    finally:
        for indexing in started:
            indexing.stop()
    # Only the search bundles were written since the pages were listed; those written from the cache are known.
    staged = pages if search is None else dict(sorted({**pages, **output_files(staging, search.folders)}.items()))
    files = [(relative, os.path.join(staging, relative)) for relative in staged if relative not in pages]
    known.update(search.known if search is not None else {})
    findings += audit_files(files, anonymiser.registry, allowed, shown_output, cache, known, unreadable_by_audit)
    _raise_on_leaks(findings, diagnostics)
    return outputs, staged


def render_environment(config: SiteConfig, anonymiser: Anonymiser, hooks_fingerprint: str = "") -> str:
    """Everything besides an item's own text that its rendered body depends on: the code, the registry and rules,
    the markdown options, the base path and the site's hooks (links are checked separately on every build)."""
    return digest(code_fingerprint(), anonymiser.settings, config.anonymise, config.raw_html, config.base_path,
                  hooks_fingerprint)


def _raise_on_leaks(findings: list[Diagnostic], diagnostics: list[Diagnostic]) -> None:
    if findings:
        raise BuildFailed(sorted_unique(findings + diagnostics))


def _shown(target: Path, site_dir: Path) -> str:
    try:
        return target.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(target)


def check_site(site_dir: Path, drafts: bool = False, audience: str = "internal",
               today: dt.date | None = None, owner: str = "") -> BuildResult:
    """Every validation of a build, writing nothing, plus the writing-help warnings only `check` gives."""
    day = today or dt.date.today()
    result = build_site(site_dir, drafts=drafts, write=False, audience=audience, today=day, owner=owner)
    assert result.site is not None
    config = result.site.config
    sources, _ = discover_sources(config)
    texts = {s.key: s.path.read_text(encoding="utf-8", errors="replace") for s in sources}
    registry = make_anonymiser(config, audience, day).registry
    rules = load_rules(config)
    with checking_cache(site_dir) as (cache, found):
        scans, findings = scan_sources(sources, texts, result.site, registry, rules, cache)
        extra = cache.save(only=CHECKS) if cache is not None else []
    last = read_stamp(site_dir)
    extra += writing_warnings(sources, texts, result.site, registry, rules, day, scans, findings,
                              last.addresses if last is not None else {})
    return replace(result, warnings=sorted_unique(result.warnings + extra))
