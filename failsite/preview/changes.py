"""Classify changed files into the smallest rebuild that covers them (a small pure function)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from failsite.content.config import CONFIG_FILE, SiteConfig
from failsite.content.discover import BUNDLE_INDEX, is_bundle_key
from failsite.render.theme import Theme

# Editors' swap, backup and temporary files: never a reason to rebuild.
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Change:
    """What a burst of file events means: rebuild everything, or just these content, template or static files."""

    full: bool = False
    content: frozenset[str] = frozenset()  # content keys: talks/x.md
    templates: frozenset[str] = frozenset()  # template names: talk.html, partials/terms.html
    static: frozenset[str] = frozenset()  # static paths: css/failsite.css
    paths: tuple[str, ...] = field(default=())  # what changed, for the terminal line

    @property
    def empty(self) -> bool:
        return not (self.full or self.content or self.templates or self.static)


def classify(changed: Iterable[Path], config: SiteConfig, theme: Theme | None) -> Change:
    """Map changed absolute paths to a Change; paths outside what the site is built from are ignored."""
    site_dir = config.site_dir.resolve()
    registry = (site_dir / config.anonymise.registry).resolve() if config.anonymise.registry else None
    content_dir = config.content_dir.resolve()
    template_dirs = [d.resolve() for d in theme.template_dirs] if theme else []
    static_dirs = [d.resolve() for d in theme.static_dirs] if theme else []
    full = False
    content: set[str] = set()
    templates: set[str] = set()
    static: set[str] = set()
    shown: list[str] = []
    for path in sorted({Path(p).resolve() for p in changed}):
        name = path.name
        if name.startswith((".#", "#")) or name.endswith(_IGNORED_SUFFIXES) or path.is_dir():
            continue  # a folder's own event says nothing its files' events do not
        if path == site_dir / CONFIG_FILE or path == registry or path.name == "theme.yaml":
            full = True
        elif path.is_relative_to(content_dir) and name.endswith(".md") and not _hidden(path, content_dir):
            content.add(path.relative_to(content_dir).as_posix())
        elif path.is_relative_to(content_dir) and not _hidden(path, content_dir) and _in_story_folder(path, content_dir):
            full = True  # a story folder's photo or file: it is published beside the page
        elif (folder := _under(path, template_dirs)) is not None:
            templates.add(path.relative_to(folder).as_posix())
        elif (folder := _under(path, static_dirs)) is not None and not _hidden(path, folder):
            static.add(path.relative_to(folder).as_posix())
        elif _under(path, [site_dir / "templates", site_dir / "static", site_dir / "themes", site_dir / "data",
                           site_dir / "locale"]) is not None:
            full = True  # a theme folder appearing, a new override folder, a data file or catalogue: start again
        else:
            continue
        shown.append(path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path))
    return Change(full, frozenset(content), frozenset(templates), frozenset(static), tuple(shown))


def _in_story_folder(path: Path, content_dir: Path) -> bool:
    """Whether a file lies in a story folder (one with an index.md), whose files are published beside the page."""
    folder = path.parent
    while folder != content_dir and folder.is_relative_to(content_dir):
        if is_bundle_key((folder / BUNDLE_INDEX).relative_to(content_dir).as_posix()) and (folder / BUNDLE_INDEX).exists():
            return True
        folder = folder.parent
    return False


def _under(path: Path, folders: list[Path]) -> Path | None:
    return next((f for f in folders if path.is_relative_to(f)), None)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in PurePosixPath(path.relative_to(root).as_posix()).parts)
