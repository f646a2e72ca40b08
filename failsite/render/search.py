"""Which search bundles a site has, and which pages go into each.

Pagefind builds its index in one pass over every page it is given, with no way to update it: at
10,000 stories that pass takes 11 s and 1.4 GB, and it costs about 1.3 ms a page whatever the
size. So the searchable pages are split into shards of about SHARD_PAGES (more on sites so large
that MAX_BUNDLES would not hold them: an edit there re-indexes a larger shard), each its own
Pagefind bundle (`pagefind/`, then `pagefind-1/`, ...), which the search page merges in the
browser (Pagefind's `mergeIndex`; each search asks every bundle). A page's shard follows from a
hash of its path, so an edit re-indexes one shard and leaves the others as they were, and
memory is bounded by one shard.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from failsite.engine.cache import store_tree
from failsite.engine.fingerprint import digest
from failsite.engine.parallel import worker_count
from failsite.errors import Diagnostic, FailsiteError, error, warning
from failsite.output.staging import RunningIndex, finish_index, index_bundle, link_published, start_index, write_file
from failsite.privacy.media import is_search_index
from failsite.render.pagefind_order import order_filters

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

SEARCH_FOLDER = "pagefind"  # the first bundle's folder, which also holds the search UI
SHARD_PAGES = 100  # an edit re-indexes one shard: about 0.15 s
PARALLEL_SHARD_PAGES = 1000  # shards up to this size are indexed one per core at once
MAX_BUNDLES = 24
# What a merged bundle is read for (the search UI, its scripts and WebAssembly come from the first).
_MERGED_BUNDLE_KEEPS = ("pagefind-entry.json", ".pf_meta", "fragment", "index", "filter")


def _shard_count(pages: int) -> int:
    return min(-(-pages // SHARD_PAGES), MAX_BUNDLES)


def bundle_folder(shard: int) -> str:
    """The output folder of a shard's bundle: pagefind, pagefind-1, pagefind-2, ..."""
    return SEARCH_FOLDER if shard == 0 else f"{SEARCH_FOLDER}-{shard}"


def shards(paths: list[str]) -> list[list[str]]:
    """The searchable pages' paths, split into shards by a hash of each path (sorted within a shard); shard i
    goes into bundle_folder(i). A shard the hash left empty is dropped, so the bundles are numbered without gaps."""
    count = _shard_count(len(paths))
    split: list[list[str]] = [[] for _ in range(count)]
    for path in sorted(paths):
        split[int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % count].append(path)
    return [shard for shard in split if shard]


def bundles(paths: list[str]) -> list[tuple[str, list[str]]]:
    """Each bundle's folder with the paths of the pages it holds, the first bundle first."""
    return [(bundle_folder(number), shard) for number, shard in enumerate(shards(paths))]


def nothing_to_search(shown: str) -> Diagnostic:
    """The warning of a site with no searchable page, so no search index."""
    return warning(f"{shown}/{SEARCH_FOLDER}", 1, "nothing is published yet, so the site has no search index",
                   "the search page works once a story, debrief, experiment, log entry, module or page is published")


def is_search_bundle_file(relative: str) -> bool:
    """Whether an output path lies in one of the search bundles."""
    top = relative.split("/", 1)[0]
    return "/" in relative and (top == SEARCH_FOLDER or (top.startswith(SEARCH_FOLDER + "-")
                                                         and top[len(SEARCH_FOLDER) + 1:].isdigit()))


def unreadable_by_audit(relative: str) -> bool:
    """Pagefind's UI code (the same for every site) and its compressed word index, made only from pages the
    audit reads in full: the files the leak audit leaves out. It reads the JSON files, the page fragments (what a
    result shows) and the filter indexes, since Pagefind drops excluded elements and joins the text around them."""
    return is_search_bundle_file(relative) and not relative.endswith(".json") and not is_search_index(relative)


# What Pagefind is given of a page: see search_document.
_BODY, _IGNORE, _PAGEFIND = b"data-pagefind-body", b"data-pagefind-ignore", b"data-pagefind-"
_OPENING_TAG = re.compile(rb"<([a-z][a-z0-9-]*)")
# Where an element's end cannot be found by counting tags: raw text, comments, templates.
_UNCOUNTABLE = re.compile(rb"<(?:script|style|textarea|template|title|!--|!\[cdata\[)")
_VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())
_TAGS: dict[bytes, re.Pattern[bytes]] = {}


def search_document(page: bytes) -> bytes | None:
    """The part of a page Pagefind reads, as a page of its own: the head, and the one element marked
    `data-pagefind-body` without the elements inside it marked `data-pagefind-ignore` that hold no other
    `data-pagefind-` attribute. Pagefind spends time on every byte it is given, read or ignored, and a
    talk page is half header, navigation and related stories; it indexes the cut page into the same
    fragments and filters. None (give Pagefind the whole page) wherever the cut is not certain: no such
    element or more than one, a `data-pagefind-` attribute outside it, or raw text, a comment or a
    template inside it, where tags cannot be counted."""
    lowered = page.lower()  # tags and attributes in any case; the same positions (ASCII letters only change)
    head_end = lowered.find(b"</head>")
    marked = lowered.find(_BODY)
    if head_end < 0 or marked < 0 or lowered.find(_BODY, marked + 1) >= 0:
        return None
    start = lowered.rfind(b"<", 0, marked)
    if start <= head_end or _attribute(lowered, start, marked, len(_BODY)) is not True:
        return None
    end = _element_end(lowered, start)
    if end is None or lowered.find(_PAGEFIND, head_end, start) >= 0 or lowered.find(_PAGEFIND, end) >= 0 \
            or _UNCOUNTABLE.search(lowered, start, end):
        return None
    parts, kept_from = [page[:head_end], b"</head><body>"], start
    ignored = lowered.find(_IGNORE, start, end)
    while ignored >= 0:
        opening = lowered.rfind(b"<", kept_from, ignored)
        found = _attribute(lowered, opening, ignored, len(_IGNORE)) if opening >= 0 else None
        if found is None:
            return None
        closing = _element_end(lowered, opening) if found else None
        if found and closing is None or closing is not None and closing > end:
            return None
        if closing is not None and lowered.count(_PAGEFIND, opening, closing) == 1:  # nothing Pagefind reads: out
            parts.append(page[kept_from:opening])
            kept_from = closing
            ignored = lowered.find(_IGNORE, closing, end)
        else:  # words in the text, or an element whose filters and metadata are read: kept, and looked inside
            ignored = lowered.find(_IGNORE, ignored + 1, end)
    parts += [page[kept_from:end], b"</body></html>"]
    return b"".join(parts)


def _attribute(lowered: bytes, opening: int, at: int, length: int) -> bool | None:
    """Whether the name found at `at` is an attribute of the tag opening at `opening` (False: words in the text after
    that tag; None: cannot be told, as inside a quoted value)."""
    if lowered.find(b">", opening, at) >= 0:
        return False
    between = lowered[opening:at]
    if b"'" in between or between.count(b'"') % 2 or not between[-1:].isspace() \
            or lowered[at + length:at + length + 1] not in (b"=", b">", b"/", b" ", b"\t", b"\n", b"\r"):
        return None
    return True


def write_search_document(documents: Path, relative: str, page: bytes) -> None:
    """Write a page's search document into `documents` (nothing when the page is to be given to Pagefind whole)."""
    document = search_document(page)
    if document is not None:
        write_file(documents, relative, document)


def _element_end(lowered: bytes, opening: int) -> int | None:
    """Where the element whose opening tag starts at `opening` ends (after its closing tag), counting the tags of
    its name nested in it; None when that cannot be told. `lowered`: the page in lower case."""
    match = _OPENING_TAG.match(lowered, opening)
    if match is None:
        return None
    name = match.group(1)
    if name in _VOID:
        tag_end = lowered.find(b">", opening)
        return tag_end + 1 if tag_end >= 0 else None
    tags = _TAGS.get(name)
    if tags is None:
        tags = _TAGS[name] = re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])")
    depth = 0
    for tag in tags.finditer(lowered, opening):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            tag_end = lowered.find(b">", tag.end())
            return tag_end + 1 if tag_end >= 0 else None
    return None


class SearchIndexing:
    """The search bundles of a build, being made: bundles made from the same pages as before are written from the
    cache's copy (checked against its checksum) at once, and the bundles to build are started in the background,
    one per core, so the build goes on (the leak audit reads the other files) while Pagefind indexes the pages.
    `finish` waits for them and checks every bundle built now before it is kept or published; `stop` ends a build
    that failed meanwhile."""

    def __init__(self, folder: Path, pages: dict[str, str], shown: str, cache: "BuildCache", previous: Path | None = None,
                 published: dict[str, list[int]] | None = None, documents: Path | None = None):
        """`previous` and `published`: the output folder and its files' sizes and times as the last build published
        them; a kept bundle's file still so is linked from there instead of written. `documents`: the pages' search
        documents, by path, given to Pagefind in their place."""
        self.folder, self.shown, self.cache, self.documents = folder, shown, cache, documents
        self.diagnostics: list[Diagnostic] = []
        self.to_build: list[tuple[str, str, list[str]]] = []  # (cache key, bundle, pages)
        self.finished: set[str] = set()
        self.known: dict[str, str] = {}  # the hash of each file of the bundles written from the cache, by output path
        split = bundles(list(pages))
        self.folders = tuple(bundle for bundle, _ in split)  # where the bundles are written in `folder`
        if not split:
            self.diagnostics.append(nothing_to_search(shown))
        for bundle, paths in split:
            key = digest(bundle, *(f"{path}:{pages[path]}" for path in paths))
            listing = cache.search.get(_listing(key))  # the bundle's files' hashes, without their bytes
            if listing is not None and all(link_published(folder, f"{bundle}/{relative}", previous,
                                                          (published or {}).get(f"{bundle}/{relative}"))
                                           for relative in listing[0]):  # all still as the last build published them
                self.known.update((f"{bundle}/{relative}", content_hash)
                                  for relative, content_hash in listing[0].items())
                self.cache.used_search.keep(key)
                self._keep(_listing(key), listing)
                continue
            kept = cache.search.get(key)
            if kept is None:
                self.to_build.append((key, bundle, paths))
            else:
                for relative, content in kept[0].items():
                    path = f"{bundle}/{relative}"
                    if not os.path.exists(os.path.join(folder, path)) and \
                            not link_published(folder, path, previous, (published or {}).get(path)):
                        write_file(folder, path, content)
                self.known.update((f"{bundle}/{relative}", hashlib.sha256(content).hexdigest())
                                  for relative, content in kept[0].items())
                self._keep(key, kept)
                self.cache.used_search.keep(_listing(key))
        self.running: dict[str, RunningIndex] = {}  # by bundle: as many at once as the machine has cores
        self._start_next()

    def _start_next(self) -> None:
        waiting = [(bundle, paths) for _, bundle, paths in self.to_build if bundle not in self.running
                   and bundle not in self.finished]
        # Pagefind's memory grows with its pages: shards of a very large site are indexed one at a time.
        at_once = worker_count() if all(len(paths) <= PARALLEL_SHARD_PAGES for _, paths in waiting) else 1
        for bundle, paths in waiting[:max(0, at_once - len(self.running))]:
            self._cut_reused(paths)
            self.running[bundle] = start_index(self.folder, paths, bundle, self.shown, self.documents)

    def _cut_reused(self, paths: list[str]) -> None:
        """Search documents for the pages of a bundle that were reused from the last output, not rendered (rendered
        pages have theirs from the worker): cutting one is a fraction of what it saves Pagefind."""
        if self.documents is None:
            return
        for path in paths:
            if not os.path.exists(os.path.join(self.documents, path)):
                try:
                    page = Path(self.folder, path).read_bytes()
                except OSError:
                    continue  # Pagefind is given the page itself, and reports it if it cannot read it either
                write_search_document(self.documents, path, page)

    def _keep(self, key: str, kept: tuple[str, list[Diagnostic]]) -> None:
        self.cache.used_search[key] = kept
        self.diagnostics += kept[1]

    def finish(self) -> list[Diagnostic]:
        """Wait for the bundles under way, start the others as cores come free, check each, and return every
        warning of the search index."""
        for key, bundle, _ in self.to_build:
            running = self.running.pop(bundle)
            found = finish_index(running) or check_built_bundle(self.folder, bundle, self.shown,
                                                                bundle != SEARCH_FOLDER)
            self.finished.add(bundle)
            self._start_next()
            tree = store_tree(self.folder / bundle)
            self._keep(key, (tree, found))
            self.cache.used_search[_listing(key)] = ({relative: hashlib.sha256(content).hexdigest()
                                                      for relative, content in tree.items()}, found)
        return self.diagnostics

    def stop(self) -> None:
        """End the bundles under way, if any (the build failed before they were needed)."""
        for running in self.running.values():
            running.stop()
        self.running.clear()


def _listing(key: str) -> str:
    """The cache key of a bundle's list of files with their hashes (a kept bundle whose files are all still in the
    last output as published is linked from there, its bytes never read from the cache)."""
    return f"{key}:files"


def build_bundle(folder: Path, pages: list[str], bundle: str, shown: str, merged: bool,
                 interrupted: Callable[[], bool] | None = None,
                 discard: Callable[[Path], None] | None = None) -> list[Diagnostic]:
    """Index one bundle into `folder/bundle` and check what Pagefind wrote; a bundle merged into the first keeps
    only its index. `interrupted`, `discard`: see output.staging.finish_index."""
    return index_bundle(folder, pages, bundle, shown, interrupted, discard) or \
        check_built_bundle(folder, bundle, shown, merged)


def check_built_bundle(folder: Path, bundle: str, shown: str, merged: bool) -> list[Diagnostic]:
    """Check a bundle Pagefind wrote, put its filters in a stable order, and trim a merged one to its index (an
    empty index, which Pagefind warns of, writes nothing to check)."""
    check_bundle(folder / bundle, f"{shown}/{bundle}", merged)
    try:
        order_filters(folder / bundle)
    except (ValueError, KeyError, IndexError, TypeError, OSError):
        pass  # a Pagefind whose files read otherwise: its bundle is published as it wrote it, only less stable
    if merged:
        for entry in (folder / bundle).iterdir():
            if not entry.name.endswith(_MERGED_BUNDLE_KEEPS):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return []


# What every bundle Pagefind writes must hold, beyond its index and fragments.
_REQUIRED = ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css")


def check_bundle(folder: Path, shown: str, merged: bool) -> None:
    """Refuse a bundle Pagefind did not finish: it can exit 0 on a full disk having written empty files."""
    problems = [f"{name} is missing" for name in _REQUIRED if not (folder / name).is_file()]
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and path.stat().st_size == 0:
            problems.append(f"{path.relative_to(folder).as_posix()} is empty")
    if not folder.is_dir() or not any(folder.glob("*.pf_meta")):
        problems.append("its index (*.pf_meta) is missing")
    try:
        json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        problems.append("pagefind-entry.json is not readable JSON")
    if problems:
        raise FailsiteError([error(shown, 1, "the search index was not written whole: " + "; ".join(problems[:5]),
                                   "check the free space on the output's disk; nothing was published")])
