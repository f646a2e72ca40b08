"""The door for a build's own files: static files, theme files and story folders' files.

Each file is cleaned and read by the reader for its kind (`door`), and every text it still holds,
and its name, are checked for protected names, emails and phone numbers. Every message names the
file the author wrote (`content/talks/launch/deck.pptx`, `static/logo.png`), and where in it the
name is (`ppt/notesSlides/notesSlide2.xml`, `page 3`). A file of a kind no reader understands is
refused unless site.yaml lists it under `anonymise.unread_files`; then it is published as it is,
and its bytes are still read as text. A file is cleaned and read once for its bytes: the build
cache keeps the result.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from failsite.engine.fingerprint import digest
from failsite.errors import Diagnostic, error
from failsite.privacy.audit import LeakAudit
from failsite.privacy.files import door
from failsite.privacy.files.kinds import Part, Refused
from failsite.privacy.registry import Registry

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache


@dataclass(frozen=True)
class SourceFile:
    """A file the site publishes: where the author wrote it (as messages show it), where it is read from, where it is
    published in the output, and the registry entries it may name (those its story names by consent)."""

    shown: str
    path: Path
    output: str
    permitted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Passed:
    """A file through the door: its kind, the bytes to publish, and the texts they still hold, with their places."""

    kind: str
    data: bytes
    parts: tuple[tuple[str, str], ...]


def is_reviewed(shown: str, patterns: tuple[str, ...]) -> bool:
    """Whether site.yaml's `anonymise.unread_files` lists a file (a path, or a pattern where * matches anything)."""
    return any(shown == pattern or fnmatch.fnmatchcase(shown, pattern) for pattern in patterns)


def pass_through(data: bytes, reviewed: bool) -> Passed:
    """A file's bytes cleaned and read; a reviewed file no reader understands passes as it is, read as text.
    Raises Refused."""
    try:
        kind = door.kind_of(data)
        cleaned = kind.clean(data, 0, door.DOOR)
        return Passed(kind.name, cleaned, tuple((p.place, p.text) for p in kind.read(cleaned, 0, door.DOOR)))
    except Refused:
        if not reviewed:
            raise
        return Passed("reviewed", data, (("", data.decode("utf-8", "replace")),))


def passed_files(files: list[SourceFile], registry: Registry, unread: tuple[str, ...],
                 cache: "BuildCache | None" = None) -> tuple[list[bytes | None], list[Diagnostic]]:
    """Each file's bytes as published (None for a file refused), and an error for each file refused or holding a
    protected name, email or phone number, naming the file as the author wrote it."""
    audit = LeakAudit(registry) if registry.entries else None
    published: list[bytes | None] = []
    diagnostics: list[Diagnostic] = []
    for source in files:
        try:
            original = source.path.read_bytes()
        except OSError as exc:
            diagnostics.append(error(source.shown, 1, f"cannot read this file: {exc.strerror or exc}",
                                     "check that it exists and can be read; nothing was published"))
            published.append(None)
            continue
        reviewed = is_reviewed(source.shown, unread)
        key = digest("door", hashlib.sha256(original).hexdigest(), reviewed)
        passed = cache.media.get(key) if cache is not None else None
        if not isinstance(passed, Passed):
            try:
                passed = pass_through(original, reviewed)
            except Refused as refusal:
                where = f" (in {refusal.place})" if refusal.place else ""
                diagnostics.append(error(source.shown, 1, f"cannot publish this file{where}: {refusal.reason}",
                                         (refusal.hint or door.UNREAD_HINT) + "; nothing was published"))
                published.append(None)
                continue
        if cache is not None:
            cache.used_media[key] = passed
        found = _findings(audit, source, passed) if audit is not None else []
        diagnostics += found
        published.append(None if found else passed.data)
    return published, diagnostics


def _findings(audit: LeakAudit, source: SourceFile, passed: Passed) -> list[Diagnostic]:
    """Protected names in the file's name and in each text it holds, reported on the file the author wrote."""
    found = [error(source.shown, 1, "the file's name holds a " + finding.message.removeprefix("protected "),
                   "rename the file (and the links to it); nothing was published")
             for finding in audit.scan(source.shown, source.output.replace("/", " / "), source.permitted)]
    for place, text in passed.parts:
        found += [error(source.shown, finding.line, finding.message, "remove it from the file, or publish a copy that "
                        "does not name them; nothing was published")
                  for finding in audit.scan(source.shown, text, source.permitted, place)]
    return found


def read_parts(data: bytes) -> list[Part]:
    """Every text in a file the build made itself (a page, a feed, a printed PDF), for the leak audit; raises
    Refused."""
    return door.read(data)
