"""What an import wrote, so that importing again takes in the source's changes and leaves hand edits alone.

`.failsite-import.json` in the site folder (meant to be committed with the site) records, for each
post, the item it became, the hash of the post (and the files it used) when it was imported, and
the hash of what was written. Importing again:

- a post not seen before is written, unless a file is already where its item would go (a conflict);
- a post whose hash is unchanged is left alone;
- a changed post replaces its item when the item is still as it was written;
- a changed post whose item was edited by hand (or removed) is a conflict: the item is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = ".failsite-import.json"
_VERSION = 1


@dataclass(frozen=True)
class Imported:
    """One post as last imported: the item it became, and the hashes it was imported with."""

    item: str  # the item's file, relative to the site folder
    source_hash: str
    written_hash: str
    files: tuple[str, ...] = ()  # the files copied beside it, relative to the site folder


@dataclass
class Manifest:
    """Every post imported into a site, by its tool and path in the source."""

    posts: dict[str, Imported] = field(default_factory=dict)

    def text(self) -> str:
        data: dict[str, Any] = {"version": _VERSION, "note": "written by failsite import: what each post became, "
                                "so that importing again takes in changed posts and keeps edited items",
                                "posts": {key: {"item": p.item, "source_sha256": p.source_hash,
                                                "written_sha256": p.written_hash, "files": list(p.files)}
                                          for key, p in sorted(self.posts.items())}}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_manifest(site_dir: Path) -> Manifest:
    """The site's manifest; an empty one when there is none (or it cannot be read: every item is then treated as
    not imported, so nothing is overwritten)."""
    path = site_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError, UnicodeDecodeError):
        return Manifest()
    posts = data.get("posts") if isinstance(data, dict) else None
    manifest = Manifest()
    for key, entry in (posts or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("item"), str):
            manifest.posts[key] = Imported(entry["item"], str(entry.get("source_sha256") or ""),
                                           str(entry.get("written_sha256") or ""), tuple(entry.get("files") or ()))
    return manifest


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_hash(post_bytes: bytes, files: list[Path]) -> str:
    """A post's hash with the files it uses: a changed image is a changed post too."""
    digest = hashlib.sha256(post_bytes)
    for path in sorted(files):
        digest.update(path.name.encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def decide(key: str, item: str, site_dir: Path, manifest: Manifest, new_source_hash: str) -> str:
    """What to do with one post: 'write' (new), 'update' (changed, item untouched), 'unchanged', 'edited' (changed,
    but its item was edited by hand or removed: kept), or 'in-the-way' (a file it was not written by is there)."""
    before = manifest.posts.get(key)
    if before is None:
        return "in-the-way" if (site_dir / item).exists() or _other_form_exists(site_dir / item) else "write"
    if before.source_hash == new_source_hash:
        return "unchanged"
    current = site_dir / before.item
    if not current.is_file() or sha256(current.read_bytes()) != before.written_hash:
        return "edited"
    return "update"


def _other_form_exists(target: Path) -> bool:
    """Whether the item exists in its other form: a story folder (x/index.md) for x.md, or the reverse."""
    if target.name == "index.md":
        return target.parent.with_suffix(".md").exists()
    return (target.with_suffix("") / "index.md").exists()
