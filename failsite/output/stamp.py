"""Whether a build has nothing to do: what the inputs and the output were when the last build succeeded.

`failsite build` consults the stamp before it loads the pipeline. When the options, failsite's
own code and its libraries' versions, every input file (site.yaml, the registry, content,
templates, static files, themes) and every output file are as the last successful build left
them, building again would write the same bytes, so it does not. Files are compared by size and
modification time, as git compares its index; a file modified within two seconds before the
snapshot (where a further edit could keep the same time and size) is compared by its bytes too.
Anything missing, unreadable or unexpected means: build.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Iterator

from failsite.engine.fingerprint import CACHE_DIR, code_fingerprint, digest
from failsite.errors import Diagnostic, warning
from failsite.output.lock import debris, is_trash
from failsite.output.staging import MARKER

STAMP_FILE = "stamp.json"
_FORMAT = 2
_RACY_NS = 2_000_000_000  # a file modified this close to the snapshot is compared by its bytes

# For each file under a root: [size, mtime in ns, sha256 of the bytes or None, ctime in ns]; a missing root is None.
# The ctime changes with the file's permissions and owner too: a registry made unreadable by `chmod` is built again
# (and reported), not answered with "nothing changed".
Files = dict[str, list[Any]]


@dataclass(frozen=True)
class Stamp:
    """The last successful build: its options key, its inputs and outputs as seen, and what it reported."""

    key: str
    inputs: dict[str, Files | None]  # root path -> its files (None: the root did not exist)
    out_dir: str
    outputs: dict[str, list[int]]  # output path -> [size, mtime in ns]
    pages: int
    files: int
    warnings: list[str]  # as printed
    addresses: dict[str, str] = field(default_factory=dict)  # item key -> its URL, to tell a moved item


def options_key(site_dir: Path, output: Path | None, drafts: bool, audience: str, day: str, owner: str = "",
                pdf: bool = False) -> str:
    """Everything besides the files that decides what a build writes."""
    return digest(_FORMAT, code_fingerprint(), str(site_dir.resolve()), str(output.resolve()) if output else None,
                  drafts, "private" if owner else audience, day, owner, pdf)


def snapshot(roots: list[Path]) -> dict[str, Files | None]:
    """Each root's files as they are now; take it before the build reads them."""
    now = time.time_ns()
    return {str(root.absolute()): _scan(root, now) for root in roots}


def _scan(root: Path, now: int) -> Files | None:
    """A root's files (None: no such root); `now`: the snapshot's time, to hash racy files by."""
    if root.is_file():
        return {"": _entry(root, os.stat(root), now)}
    if not root.is_dir():
        return None
    return {relative: _entry(root / relative, stat, now) if stat else [-1, -1, None, -1]
            for relative, stat in sorted(_walk(str(root), ""))}


def _walk(folder: str, prefix: str, besides: set[str] | frozenset[str] = frozenset()
          ) -> Iterator[tuple[str, os.stat_result | None]]:
    """(path relative to the root, its stat or None when it cannot be read) for every file below `folder`, but not
    below its folders in `besides` ("name/", relative to the root)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        relative = prefix + entry.name
        try:
            if entry.is_dir():
                if relative + "/" not in besides:
                    yield from _walk(entry.path, relative + "/", besides)
            else:
                yield relative, entry.stat()
        except OSError:  # a dangling link, or a file removed meanwhile
            yield relative, None


def _entry(path: Path, stat: os.stat_result, now: int) -> list[Any]:
    return [stat.st_size, stat.st_mtime_ns, _hash(path) if stat.st_mtime_ns > now - _RACY_NS else None,
            stat.st_ctime_ns]


def _hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def output_files(out_dir: Path, folders: Iterable[str] | None = None, besides: Iterable[str] = ()
                 ) -> dict[str, list[int]]:
    """Every file of an output folder (or of the staging folder about to become it) with its size and
    modification time, by path relative to the folder; with `folders`, only the files below those of its folders;
    with `besides`, none below those."""
    left_out = {f"{folder}/" for folder in besides}
    found = _walk(str(out_dir), "", left_out) if folders is None else \
        itertools.chain.from_iterable(_walk(str(out_dir / folder), folder + "/") for folder in folders)
    return {relative: [stat.st_size, stat.st_mtime_ns] if stat else [-1, -1] for relative, stat in sorted(found)}


def save_stamp(site_dir: Path, stamp: Stamp) -> list[Diagnostic]:
    """Record a successful build (replacing the record of the one before). One that cannot be written (a full or
    read-only disk) is a warning, and no record is left: the next build builds, rather than trust an old one."""
    folder = site_dir / CACHE_DIR
    temporary = folder / f"{STAMP_FILE}.tmp"
    record = {"format": _FORMAT, **{f.name: getattr(stamp, f.name) for f in fields(stamp)}}  # asdict copies deeply
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(record), encoding="utf-8")
        temporary.replace(folder / STAMP_FILE)
        return []
    except OSError as exc:
        for leftover in (temporary, folder / STAMP_FILE):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
        return [warning(f"{CACHE_DIR}/{STAMP_FILE}", 1, f"the record of this build could not be saved: "
                        f"{exc.strerror or exc}", "the site was built and published; free some disk space (or make "
                        f"{CACHE_DIR}/ writable), and the next build builds again")]


def read_stamp(site_dir: Path) -> Stamp | None:
    """The record of the last successful build, or None when there is none that can be read."""
    try:
        data = json.loads((site_dir / CACHE_DIR / STAMP_FILE).read_text(encoding="utf-8"))
        if data.pop("format") != _FORMAT:
            return None
        return Stamp(**data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def published_files(site_dir: Path, out_dir: Path) -> dict[str, list[int]]:
    """The files the last successful build published into `out_dir`, with the sizes and times they had then."""
    stamp = read_stamp(site_dir)
    return stamp.outputs if stamp is not None and stamp.out_dir == str(out_dir.resolve()) else {}


def up_to_date(site_dir: Path, key: str) -> Stamp | None:
    """The last build's stamp when nothing it depended on has changed since, else None."""
    stamp = read_stamp(site_dir)
    if stamp is None:
        return None
    if stamp.key != key:
        return None
    # The inputs first, and each only until a file differs: after an edit, that is all this looks at.
    if not all(_same_files(Path(root), recorded) for root, recorded in stamp.inputs.items()):
        return None
    if output_files(Path(stamp.out_dir)) != stamp.outputs:
        return None
    # A killed build's leftovers call for a build, which clears them; an old output still being removed does not.
    if any(not is_trash(folder) for folder in debris(Path(stamp.out_dir), MARKER)):
        return None
    return stamp


def _same_files(root: Path, recorded: Files | None) -> bool:
    """Whether a root's files are as recorded, stopping at the first that is not (or cannot be read)."""
    if root.is_file():
        current: Iterable[tuple[str, os.stat_result | None]] = [("", os.stat(root))]
    elif root.is_dir():
        current = _walk(str(root), "")
    else:
        return recorded is None
    if recorded is None:
        return False
    seen = 0
    for name, stat in current:
        entry = recorded.get(name)
        if entry is None or stat is None or [stat.st_size, stat.st_mtime_ns] != entry[:2] or \
                stat.st_ctime_ns != entry[3]:
            return False
        if entry[2] is not None and _hash(root / name if name else root) != entry[2]:
            return False
        seen += 1
    return seen == len(recorded)
