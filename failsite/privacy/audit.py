"""The leak audit: read what is about to be published and fail if a protected name is in it.

It scans each output file as published (HTML text and attributes, XML, JSON, JS, CSS, plain
text) and its path, after decoding HTML entities, JSON and URL escapes, with and without tags, in
any case and with or without accents. A file that is not text (a printed PDF) is read by the
reader for its kind (privacy.files), and a file no reader understands is refused. The site's own
files (static, theme and story files) are read at the door before this, by the file the author
wrote (privacy.files.check).
"""

from __future__ import annotations

import bisect
import hashlib
import html
import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence
from urllib.parse import unquote

from failsite.content.text import TAG, without_tags
from failsite.privacy.anonymise import registered_emails, registered_phones
from failsite.engine.fingerprint import digest
from failsite.engine.parallel import fork_map
from failsite.errors import Diagnostic, error
from failsite.privacy.matcher import match_text
from failsite.privacy.files import door
from failsite.privacy.files.texts import decoded
from failsite.privacy.media import is_search_fragment, is_search_index, search_index_text
from failsite.privacy.registry import Registry

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL_ESCAPES = re.compile(r"%[0-9a-fA-F]{2}(?:%[0-9a-fA-F]{2})*")  # led by its literal %, which re finds fast


class LeakAudit:
    """Finds registry names, aliases, emails and phone numbers in output files."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.matcher = registry.matcher
        self.emails = registry.email_owner()
        self.phones = registry.phone_owner()

    def scan(self, shown_path: str, text: str, allowed: frozenset[str], place: str = "") -> list[Diagnostic]:
        """Findings in one file's text; `allowed` holds the entries shown there by their consent; `place` says where
        in the file the text is (a PDF's page)."""
        where = f" in {place}" if place else ""
        findings: dict[tuple[int, str], Diagnostic] = {}
        for variant, line_of in _variants(text):
            for position, entry_id, what, alias in self._hits(variant):
                if entry_id in allowed:
                    continue
                line = line_of(position)
                entry = self.registry.entry(entry_id)
                through = f' through the alias "{alias}"' if alias and alias != entry.name else ""
                findings.setdefault((line, entry_id), error(
                    shown_path, 1 if place else line, f'protected {what} of "{entry.name}" found{where}{through} ({entry.id}, consent: '
                    f'{entry.consent})', "nothing was published: replace the name in the source or template, or "
                    "register how it may be shown (an alias that matches ordinary words is too broad: lengthen it)"))
        return list(findings.values())

    def _hits(self, text: str) -> Iterable[tuple[int, str, str, str]]:
        """(position, entry, what was found, the alias that matched) for each protected identifier."""
        for match in self.matcher.find(text):
            yield match.start, match.entry, "name", match.name
        if self.emails or self.phones:
            form = match_text(text)
            for start, _, owner in registered_emails(form, self.emails):
                if owner:
                    yield start, owner, "email", ""
            for start, _, owner in registered_phones(form, self.phones):
                yield start, owner, "phone number", ""


def _decode(text: str) -> str:
    """HTML entities, JSON \\u escapes and URL escapes decoded, as a browser or parser would read them."""
    return url_unescaped(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(text)))


def url_unescaped(text: str) -> str:
    """`urllib.parse.unquote(text)`, decoding only its runs of %XX escapes: unquote splits the text at every `%`,
    and a page's percentages (`width: 40%`, "a 12% drop") made that most of the audit's time."""
    return _URL_ESCAPES.sub(lambda m: unquote(m.group()), text) if "%" in text else text


def _variants(text: str) -> list[tuple[str, Callable[[int], int]]]:
    """The decoded file as two texts, each with a way back to line numbers: what is between the tags
    (so `<b>Dana</b> Whitfield` reads as one name), and the tags themselves (attributes, URLs)."""
    decoded = _decode(text)
    if "<" not in decoded:
        return [(decoded, lambda pos: decoded.count("\n", 0, pos) + 1)]
    between = without_tags(decoded)  # tags rarely span lines, so line counts barely move
    inside = "\n".join(TAG.findall(decoded))

    def tag_line(pos: int) -> int:  # only asked when something is found: the tags' places are found again then
        tags = list(TAG.finditer(decoded))
        offsets = list(itertools.accumulate((len(tag.group()) + 1 for tag in tags[:-1]), initial=0))
        return decoded.count("\n", 0, tags[bisect.bisect_right(offsets, pos) - 1].start()) + 1

    return [(between, lambda pos: between.count("\n", 0, pos) + 1), (inside, tag_line)]


def audit_files(files: Iterable[tuple[str, bytes | str | Path]], registry: Registry, allowed: dict[str, frozenset[str]],
                output_name: str, cache: "BuildCache | None" = None,
                known: dict[str, str] | None = None, skip: Callable[[str], bool] | None = None) -> list[Diagnostic]:
    """Every finding in the given files (relative path, and bytes or where to read them) and in their paths.

    Files are read and scanned in worker processes on larger sites. With a cache, a file whose
    path, bytes and allowed names were found clean before against the same registry is not
    scanned again (nor read, when `known` gives the hash of its bytes), and files found clean now are
    remembered. `skip` names files the caller knows hold nothing to read (compressed search indexes made from
    pages this audit reads in full)."""
    if not registry.entries:
        return []
    work = [(relative, source) for relative, source in files if skip is None or not skip(relative)]
    inherited = {"audit": FileAudit(registry, output_name, cache, allowed), "allowed": allowed, "known": known or {}}
    diagnostics: list[Diagnostic] = []
    for found, clean_key in fork_map(_audit_slice, work, inherited, chunk=100):
        diagnostics += found
        if cache is not None and clean_key:
            cache.used_clean.add(clean_key)
    return diagnostics


class FileAudit:
    """The audit of one file at a time, wherever its bytes are (on disk, or in the worker that rendered them): with a
    cache, a file found clean before with the same path, bytes, allowed names and registry is not scanned again."""

    def __init__(self, registry: Registry, output_name: str, cache: "BuildCache | None" = None,
                 allowed: dict[str, frozenset[str]] | None = None):
        """`allowed`: the names each output may show by consent, by path; a search fragment may show its page's."""
        self.leaks = LeakAudit(registry)
        self.output = output_name
        self.registry_key = digest(registry.entries) if cache is not None else ""
        self.clean = cache.clean if cache is not None else None
        # Each page naming someone by consent, by the URL Pagefind gives it ("/talks/a/" for talks/a/index.html).
        self.by_url = {"/" + path.removesuffix("index.html"): names for path, names in (allowed or {}).items()
                       if names}
        self.by_url_key = digest(sorted((url, sorted(names)) for url, names in self.by_url.items())) \
            if cache is not None else ""

    def clean_key(self, relative: str, permitted: frozenset[str], content_hash: str) -> str:
        """The cache key under which a file with these bytes is remembered as clean ("" without a cache). A search
        fragment's verdict also rests on what its page may show, which its bytes do not say."""
        if self.clean is None:
            return ""
        pages = self.by_url_key if is_search_fragment(relative) else ""
        return digest(self.registry_key, relative, sorted(permitted), content_hash, pages)

    def check(self, relative: str, content: bytes, permitted: frozenset[str],
              content_hash: str | None = None) -> tuple[list[Diagnostic], str]:
        """Findings in a file's bytes and its path, and its clean key when it is clean (empty without a cache)."""
        key = self.clean_key(relative, permitted, content_hash or hashlib.sha256(content).hexdigest()) \
            if self.clean is not None else ""
        if key and key in self.clean:  # type: ignore[operator]
            return [], key
        found = self._scan(relative, content, permitted)
        return found, key if not found else ""

    def _scan(self, relative: str, content: bytes, permitted: frozenset[str]) -> list[Diagnostic]:
        shown = f"{self.output}/{relative}"
        parts: list[door.Part] = []
        if is_search_index(relative):  # what Pagefind read of the pages, which is not always what a browser shows
            try:
                text, url = search_index_text(relative, content)
            except ValueError as exc:
                return [error(shown, 1, f"cannot read this search index file to check it for protected names ({exc})",
                              "nothing was published: build again; if this repeats, please report it")]
            if url is not None:  # a page fragment may show what its page shows by consent
                permitted = self.by_url.get(url, frozenset())
        elif b"\x00" not in content[:4096] and not content.startswith(b"%PDF") and decoded(content[:4096]):
            text = content.decode("utf-8", errors="replace")  # a page, a feed, a script: text, as nearly all are
        else:
            try:
                parts = door.read(content)
            except door.Refused as refusal:
                return [error(shown, 1, f"cannot check this file for protected names: {refusal.reason}"
                              + (f" (in {refusal.place})" if refusal.place else ""),
                              "nothing was published: " + (refusal.hint or door.UNREAD_HINT))]
            text = ""
        found = [finding for part in parts for finding in self.leaks.scan(shown, part.text, permitted, part.place)]
        found += self.leaks.scan(shown, text, permitted) if text else []
        return found + [error(shown, 1, "the file's path holds a " + finding.message.removeprefix("protected "),
                              "nothing was published: change the slug or the title it comes from")
                        for finding in self.leaks.scan(shown, relative.replace("/", " / "), permitted)]


def _read(source: bytes | str | Path) -> bytes:
    """A file's bytes: given, or read from where it is."""
    if isinstance(source, bytes):
        return source
    with open(source, "rb") as handle:
        return handle.read()


def _audit_slice(inherited: dict[str, Any], work: Sequence[tuple[str, bytes | str | Path]]) -> list[tuple[list[Diagnostic], str]]:
    """Findings per file, and the file's cache key when it is clean (empty without a cache)."""
    audit: FileAudit = inherited["audit"]
    results = []
    for relative, source in work:
        permitted = inherited["allowed"].get(relative, frozenset())
        content_hash = inherited["known"].get(relative)
        key = audit.clean_key(relative, permitted, content_hash) if content_hash is not None else ""
        if key and key in audit.clean:  # type: ignore[operator]
            results.append(([], key))  # clean before: not even read
            continue
        results.append(audit.check(relative, _read(source), permitted, content_hash))
    return results


def consented_names(named: dict[str, frozenset[str]], shown: frozenset[str]) -> frozenset[str]:
    """The registry entries a file may show by name: those named by consent in the items it shows (`named`: by item
    key, only items that name someone)."""
    return frozenset().union(*(named[key] for key in named.keys() & shown))


class PageAudit:
    """The audit of pages in the worker that rendered them, from their bytes in memory, so they are not read back
    from the staging folder; the build records which pages it checked, and audits only the rest of the folder."""

    def __init__(self, registry: Registry, named: dict[str, frozenset[str]], output_name: str,
                 cache: "BuildCache | None" = None):
        self.files = FileAudit(registry, output_name, cache)
        self.named = named
        self.cache = cache
        self.audited: set[str] = set()  # filled in the build's own process, from what the workers return

    def check(self, relative: str, content: bytes, content_hash: str,
              shown: frozenset[str]) -> tuple[list[Diagnostic], str]:
        """Findings in a page just rendered, and its clean key when it is clean (empty without a cache)."""
        return self.files.check(relative, content, consented_names(self.named, shown), content_hash)

    def clean_before(self, relative: str, content_hash: str, shown: frozenset[str]) -> str:
        """The clean key of a page the last build published, when a page with its path, bytes and allowed names was
        found clean before (else "": it is audited with the rest of the folder)."""
        key = self.files.clean_key(relative, consented_names(self.named, shown), content_hash)
        return key if key and key in self.files.clean else ""  # type: ignore[operator]

    def record(self, relative: str, clean_key: str) -> None:
        """Note a page the workers checked, and keep its clean verdict for the next build."""
        self.audited.add(relative)
        if clean_key and self.cache is not None:
            self.cache.used_clean.add(clean_key)
