"""The build cache in SITE_DIR/.failsite-cache: what a later build may reuse, keyed by content hashes.

Only work whose result is a pure function of what the key hashes is cached, so a hit can never
serve a stale page:
- a source's parsed and anonymised item with its diagnostics, keyed by its bytes, its place,
  the schema and the anonymisation settings;
- a markdown body, keyed by its text, position, anonymity, the registry and the options, and
  kept only while its links still resolve to the same URLs with the same warnings;
- the leak audit's verdict on a file, kept only for clean files, keyed by the file's bytes, the
  registry and the names the file may show;
- each search bundle (failsite.render.search), keyed by its pages' paths and bytes, kept as files in
  search/<key> (hard links to the published bundle);
- Jinja's compiled templates, which Jinja checks against each template's source.
- a page's record (its key, the items it showed with their digests, the hash of its bytes),
  so that an unchanged page is read back from the previous output instead of rendered (see
  render.PageReuse);
A cache that cannot be read, or was written by another version, is discarded with a warning.
"""

from __future__ import annotations

import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from failsite import __version__
from failsite.errors import Diagnostic, warning
from failsite.engine.fingerprint import CACHE_DIR, code_fingerprint, digest

# What the stages keep here, opaque to the cache: a parsed item with its diagnostics (content.ingest)
# and a rendered body (render.renderer.RenderedBody) are the stages' own types.
Parsed = tuple[Any, list[Diagnostic]]

_FILE = "build.pickle"
_FORMAT = 5


@dataclass
class BuildCache:
    """What the last build left for this one; `used_*` collect what this build wants kept."""

    path: Path
    items: dict[str, Parsed] = field(default_factory=dict)  # source key -> parsed
    bodies: dict[str, Any] = field(default_factory=dict)  # body key -> rendered body
    # output path -> (page key, (shown item, its digest)..., sha256 of the bytes, searchable)
    pages: dict[str, tuple[str, tuple[tuple[str, str], ...], str, bool]] = field(default_factory=dict)
    clean: set[str] = field(default_factory=set)  # audit keys of files found clean
    search: dict[str, list[Diagnostic]] = field(default_factory=dict)  # bundle key -> warnings; files in search/
    used_items: dict[str, Parsed] = field(default_factory=dict)
    item_keys: dict[str, str] = field(default_factory=dict)  # this build's source key -> its item's cache key
    used_bodies: dict[str, Any] = field(default_factory=dict)
    used_search: dict[str, list[Diagnostic]] = field(default_factory=dict)
    used_pages: dict[str, tuple[str, tuple[tuple[str, str], ...], str, bool]] = field(default_factory=dict)
    used_clean: set[str] = field(default_factory=set)

    def compiled_templates(self) -> Path:
        """The folder for Jinja's compiled templates, one per version of failsite's code (the others removed)."""
        folder = self.path / "templates"
        current = folder / code_fingerprint()[:16]
        if folder.is_dir():
            for other in folder.iterdir():
                if other != current:
                    shutil.rmtree(other, ignore_errors=True)
        current.mkdir(parents=True, exist_ok=True)
        return current

    def search_folder(self, bundle_key: str) -> Path:
        """Where a search bundle made from the pages its key hashes is kept (hard links to the published files)."""
        return self.path / "search" / bundle_key[:32]

    def save(self) -> None:
        """Keep what this build used (so the cache never grows beyond one site's worth)."""
        self.path.mkdir(parents=True, exist_ok=True)
        kept = {self.search_folder(key) for key in self.used_search}
        if (self.path / "search").is_dir():
            for other in (self.path / "search").iterdir():
                if other not in kept:
                    shutil.rmtree(other, ignore_errors=True)
        payload = {"format": _FORMAT, "version": __version__, "items": self.used_items, "bodies": self.used_bodies,
                   "pages": self.used_pages,
                   "clean": self.used_clean, "search": self.used_search}
        temporary = self.path / f"{_FILE}.tmp"
        temporary.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(self.path / _FILE)
        (self.path / ".gitignore").write_text("*\n")


def load_cache(site_dir: Path) -> tuple[BuildCache, list[Diagnostic]]:
    """The site's build cache, or an empty one (with a warning when the old one could not be trusted)."""
    folder = site_dir / CACHE_DIR
    path = folder / _FILE
    if not path.exists():
        return BuildCache(folder), []
    try:
        payload = pickle.loads(path.read_bytes())
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT or payload.get("version") != __version__:
            raise ValueError("it was written by another version of failsite")
        return BuildCache(folder, dict(payload["items"]), dict(payload["bodies"]), dict(payload["pages"]),
                          set(payload["clean"]), dict(payload["search"])), []
    except Exception as exc:  # any damage at all: do not trust it
        path.unlink(missing_ok=True)
        return BuildCache(folder), [warning(f"{CACHE_DIR}/{_FILE}", 1, f"the build cache was discarded: {exc}",
                                            "nothing to do: this build renders everything and writes a new cache")]
