"""Find the content source files (listing only, nothing is read)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from failsite.content.config import DEFAULT_CONTENT, SiteConfig
from failsite.errors import Diagnostic, error, warning
from failsite.content.schema import TYPE_BY_FOLDER, ContentType


@dataclass(frozen=True)
class Source:
    """A markdown source: its key (path under content/), where it is, and its folder's type."""

    key: str  # "talks/launch-too-early.md", always with forward slashes
    path: Path
    shown: str  # the path printed in messages, relative to the site folder
    folder_type: ContentType | None
    assets: tuple[str, ...] = ()  # a story folder's files (photo.jpg, slides/deck.pdf), relative to the folder

    @property
    def is_bundle(self) -> bool:
        """A story as a folder: `talks/launch/index.md` with its files beside it."""
        return is_bundle_key(self.key)


BUNDLE_INDEX = "index.md"


def is_bundle_key(key: str) -> bool:
    """Whether a source key is a story folder's index: `talks/x/index.md` or, for pages, `about/index.md`."""
    parts = key.split("/")
    return parts[-1] == BUNDLE_INDEX and (len(parts) >= 3 or (len(parts) == 2 and parts[0] not in TYPE_BY_FOLDER))


def links_leaving(folder: Path, site_dir: Path) -> list[Diagnostic]:
    """An error for each symbolic link in a folder (the folder itself included) that leads outside the site
    folder: its target would be read, and published, as if it were part of the site. Links inside are fine."""
    site_root = site_dir.resolve()
    found = []

    def check(path: Path) -> None:
        if path.is_symlink() and not path.resolve().is_relative_to(site_root):
            shown = path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path)
            found.append(error(shown, 1, f"'{shown}' is a link to '{os.readlink(path)}', outside the site folder",
                               "copy what it points to into the site folder, or remove the link"))

    if not folder.exists() and not folder.is_symlink():
        return []
    check(folder)
    if folder.is_symlink():
        return found
    for link in sorted(_links_below(str(folder))):  # a listing says which entries are links: no call per file
        check(Path(link))
    return found


def _links_below(folder: str) -> list[str]:
    """Every symbolic link below a folder (not followed), by path."""
    links, folders = [], [folder]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        links.append(entry.path)
                    elif entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        except OSError:  # unreadable: what cannot be listed is not published either
            continue
    return links


def discover_sources(config: SiteConfig) -> tuple[list[Source], list[Diagnostic]]:
    """Every `.md` file under the content folder, in a stable order; hidden and editor files are skipped."""
    root = config.content_dir
    escaping = links_leaving(root, config.site_dir)
    if escaping:
        return [], escaping
    private = (config.site_dir / config.anonymise.registry).resolve() if config.anonymise.registry else None
    if not root.is_dir():
        # A new site may not have content yet; a folder named in site.yaml that is missing is a mistake.
        report = warning if config.content == DEFAULT_CONTENT else error
        return [], [report(config.content, 1, f"the content folder '{config.content}' does not exist",
                           "create it and add markdown files, or set `content:` in site.yaml")]
    sources: list[Source] = []
    unreadable: list[Diagnostic] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda exc: unreadable.append(
            _unreadable_folder(exc, config))):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        relative_dir = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if relative_dir == "." else relative_dir + "/"
        top = prefix.split("/", 1)[0]
        folder_type = TYPE_BY_FOLDER.get(top) if top else TYPE_BY_FOLDER["pages"]
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith((".", "#", "_")):
                continue
            path = Path(dirpath, name)
            # The registry is read by the anonymiser, never published: by its name, or through a link to it.
            if private is not None and (name == private.name or path.is_symlink()) and path.resolve() == private:
                continue
            key = prefix + name
            assets = _assets(Path(dirpath), config, unreadable) if is_bundle_key(key) else ()
            sources.append(Source(key, path, f"{config.content}/{key}", folder_type, assets))
    return sources, unreadable


def source_at(config: SiteConfig, key: str) -> Source:
    """The source a key under the content folder names (whether or not the file exists yet), with its folder's type."""
    top = key.split("/")[0] if "/" in key else ""
    return Source(key, config.content_dir / key, f"{config.content}/{key}",
                  TYPE_BY_FOLDER.get(top) if top else TYPE_BY_FOLDER["pages"])


def _unreadable_folder(exc: OSError, config: SiteConfig) -> Diagnostic:
    """A folder under content/ that cannot be listed: an error, since its stories would silently go unpublished."""
    folder = Path(exc.filename or config.content_dir)
    shown = folder.relative_to(config.site_dir).as_posix() if folder.is_relative_to(config.site_dir) else str(folder)
    return error(shown, 1, f"cannot read the folder: {exc.strerror or exc}",
                 f"let the user running failsite read it (chmod -R u+rX {shown}), or move it out of "
                 f"{config.content}/; nothing was published")


def _assets(folder: Path, config: SiteConfig, unreadable: list[Diagnostic]) -> tuple[str, ...]:
    """The files of a story folder besides markdown, hidden and editor files, relative to the folder (a folder among
    them that cannot be listed is added to `unreadable`)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=lambda exc: unreadable.append(
            _unreadable_folder(exc, config))):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            if not name.endswith(".md") and not name.startswith((".", "#", "_")) and not name.endswith("~"):
                found.append((Path(dirpath) / name).relative_to(folder).as_posix())
    return tuple(found)
