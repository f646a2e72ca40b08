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

import contextlib
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from failsite.engine.cache import store_tree
from failsite.engine.fingerprint import digest
from failsite.engine.parallel import Meanwhile, worker_count
from failsite.errors import Diagnostic, FailsiteError, error, warning
from failsite.output.staging import finish_index, index_bundle, link_published, start_index, write_file
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
    one per core, so the build goes on (the feeds are made, the leak audit reads the other files) while they are
    made. Each is made by a process of its own (`_make_bundles`): it cuts the search documents of the pages reused
    from the last output (at 10,000 talks a third of a second an edit had spent before the feeds), runs Pagefind,
    checks what it wrote and reads it back for the cache. `finish` waits for them; `stop` ends a build that failed
    meanwhile."""

    def __init__(self, folder: Path, pages: dict[str, str], shown: str, cache: "BuildCache", previous: Path | None = None,
                 published: dict[str, list[int]] | None = None, documents: Path | None = None):
        """`previous` and `published`: the output folder and its files' sizes and times as the last build published
        them; a kept bundle's file still so is linked from there instead of written. `documents`: the pages' search
        documents, by path, given to Pagefind in their place."""
        self.folder, self.shown, self.cache, self.documents = folder, shown, cache, documents
        self.diagnostics: list[Diagnostic] = []
        self.to_build: list[tuple[str, str, list[str]]] = []  # (cache key, bundle, pages)
        self.finished: set[str] = set()
        split = bundles(list(pages))
        self.folders = tuple(bundle for bundle, _ in split)  # where the bundles are written in `folder`
        if not split:
            self.diagnostics.append(nothing_to_search(shown))
        self.previous, self.published = previous, published or {}
        self.kept_files: dict[str, bytes] = {}  # the files of the bundles kept in the cache, by output path
        for bundle, paths in split:
            key = digest(bundle, *(f"{path}:{pages[path]}" for path in paths))
            kept = cache.search.get(key)
            if kept is None:
                self.to_build.append((key, bundle, paths))
            else:
                self.kept_files.update((f"{bundle}/{relative}", content) for relative, content in kept[0].items())
                self._keep(key, kept)
        self.known = {path: hashlib.sha256(content).hexdigest() for path, content in self.kept_files.items()}
        # Their files (10,000 at 10,000 talks) are put in place by a process of their own while the build goes on.
        self.placing = Meanwhile(_place_kept, [(path, self.published.get(path)) for path in self.kept_files],
                                 {"folder": folder, "previous": previous, "contents": self.kept_files})
        self.running: dict[str, Meanwhile[MadeBundle]] = {}  # by bundle: as many at once as the machine has cores
        self._start_next()

    def _start_next(self) -> None:
        waiting = [(bundle, paths) for _, bundle, paths in self.to_build if bundle not in self.running
                   and bundle not in self.finished]
        # Pagefind's memory grows with its pages: shards of a very large site are indexed one at a time.
        at_once = worker_count() if all(len(paths) <= PARALLEL_SHARD_PAGES for _, paths in waiting) else 1
        inherited = {"folder": self.folder, "shown": self.shown, "documents": self.documents}
        for bundle, paths in waiting[:max(0, at_once - len(self.running))]:
            self.running[bundle] = Meanwhile(_make_bundles, [(bundle, paths)], inherited, waits=True)

    def _keep(self, key: str, kept: tuple[dict[str, bytes], list[Diagnostic]]) -> None:
        self.cache.used_search[key] = kept
        self.diagnostics += kept[1]

    def finish(self) -> list[Diagnostic]:
        """Wait for the bundles under way, start the others as cores come free, and return every warning of the
        search index; raise FailsiteError when a bundle could not be made."""
        if self.placing.result() is None:  # its process died: whatever it put in place is put again
            work = [(path, self.published.get(path)) for path in self.kept_files]
            _place_kept({"folder": self.folder, "previous": self.previous, "contents": self.kept_files,
                         "again": True}, work)
        for key, bundle, paths in self.to_build:
            making = self.running.pop(bundle)
            made = making.result()
            if made is None:  # its process died: whatever it left is removed, and the bundle made here
                self._remove_left_by(making.process_id, bundle)
                made = _make_bundles({"folder": self.folder, "shown": self.shown, "documents": self.documents,
                                      "again": True}, [(bundle, paths)])
            self.finished.add(bundle)
            self._start_next()
            tree, found = made[0]
            if tree is None:
                raise FailsiteError(found)
            self._keep(key, (tree, found))
        return self.diagnostics

    def stop(self) -> None:
        """End the bundles under way, if any (the build failed before they were needed)."""
        self.placing.__exit__(None, None, None)
        for bundle, making in self.running.items():
            making.__exit__(None, None, None)
            self._remove_left_by(making.process_id, bundle)
        self.running.clear()

    def _remove_left_by(self, process_id: int, bundle: str) -> None:
        """What a bundle's process that did not finish left: its folder of links to the pages, and the bundle."""
        for linked in self.folder.parent.glob(f".search-{process_id}-*") if process_id else ():
            shutil.rmtree(linked, ignore_errors=True)
        shutil.rmtree(self.folder / bundle, ignore_errors=True)


def _place_kept(inherited: dict[str, Any], work: Sequence[tuple[str, list[int] | None]]) -> list[bool]:
    """Put each file of a kept bundle (its output path, and its size and time as last published) into the staging
    folder: linked from the last output where it is still as published, else written from the cache's copy. With
    `inherited["again"]`, after a process doing this died, whatever it had put there is replaced, not written into
    (it may be a link to the last output)."""
    folder, previous, contents = inherited["folder"], inherited["previous"], inherited["contents"]
    for path, recorded in work:
        if inherited.get("again"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(folder, path))
        if not link_published(folder, path, previous, recorded):
            write_file(folder, path, contents[path])
    return [True for _ in work]


MadeBundle = tuple["dict[str, bytes] | None", list[Diagnostic]]  # the bundle's files (None: it failed), and findings


def _make_bundles(inherited: dict[str, Any], work: Sequence[tuple[str, list[str]]]) -> list[MadeBundle]:
    """Make each bundle (its folder, its pages) in `inherited["folder"]`: the search documents of pages that have
    none (reused from the last output; all of them again with `inherited["again"]`, after a process doing this
    died), Pagefind, the check of what it wrote, and its files, read back for the cache."""
    folder, shown, documents = inherited["folder"], inherited["shown"], inherited["documents"]
    made: list[MadeBundle] = []
    for bundle, paths in work:
        try:
            if documents is not None:
                _cut_documents(folder, documents, paths, inherited.get("again", False))
            found = finish_index(start_index(folder, paths, bundle, shown, documents)) or \
                check_built_bundle(folder, bundle, shown, bundle != SEARCH_FOLDER)
        except FailsiteError as exc:
            made.append((None, exc.diagnostics))
            continue
        made.append((store_tree(folder / bundle), found))
    return made


def _cut_documents(folder: Path, documents: Path, paths: list[str], again: bool = False) -> None:
    """Search documents for the pages of a bundle that have none: those reused from the last output, not rendered
    (rendered pages have theirs from the worker). Cutting one is a fraction of what it saves Pagefind."""
    for path in paths:
        if again or not os.path.exists(os.path.join(documents, path)):
            try:
                page = Path(folder, path).read_bytes()
            except OSError:
                continue  # Pagefind is given the page itself, and reports it if it cannot read it either
            if again:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(documents, path))  # perhaps half written
            write_search_document(documents, path, page)


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
