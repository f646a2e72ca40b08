"""The site's own files as published: its and its themes' static files, and each story folder's files beside
its page, all through the privacy door (privacy.files: cleaned, read, checked, or refused), with smaller copies
of a story's large photos for `srcset`.

Gives (output path, bytes, the items it shows) for each; raises FailsiteError with every file refused or naming
someone, each message naming the file as the author wrote it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from failsite.content.items import Item
from failsite.engine.fingerprint import digest
from failsite.engine.parallel import fork_map
from failsite.errors import FailsiteError, has_errors
from failsite.privacy.files.check import SourceFile, passed_files
from failsite.privacy.media import image_width, resized, variant_name, variant_widths
from failsite.privacy.registry import Registry
from failsite.render.theme import Theme
from failsite.site.assemble import Site, asset_url

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

PublishedFile = tuple[str, bytes, frozenset[str]]  # output path, bytes, the items it shows


def published_files(site: Site, theme: Theme, registry: Registry, cache: "BuildCache | None" = None
                    ) -> list[PublishedFile]:
    """Every static and story file as published, and a story's large photos' smaller copies."""
    private = _private_files(site)
    sources = [(source, frozenset[str]()) for source in static_sources(theme, private)] + story_sources(site, private)
    contents, diagnostics = passed_files([source for source, _ in sources], registry,
                                         site.config.anonymise.unread_files, cache)
    if has_errors(diagnostics):
        raise FailsiteError(diagnostics)
    copies = smaller_copies([(source, content) for (source, shown), content in zip(sources, contents)
                             if shown and content is not None], cache, site.audience.name)
    outputs: list[PublishedFile] = []
    for (source, shown), content in zip(sources, contents):
        assert content is not None
        outputs.append((source.output, content, shown))
        outputs += [(source.output.rsplit("/", 1)[0] + "/" + name, data, shown)
                    for name, data in copies.get(source.output, ())]
    return outputs


def static_sources(theme: Theme, exclude: frozenset[Path] = frozenset()) -> list[SourceFile]:
    """Static files of the site and its themes; the first folder that has a path wins."""
    chosen: dict[str, Path] = {}
    for folder in theme.static_dirs:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts) \
                    and path.resolve() not in exclude:
                chosen.setdefault(relative, path)
    return [SourceFile(theme.shown(path), path, relative) for relative, path in sorted(chosen.items())]


def story_sources(site: Site, exclude: frozenset[Path] = frozenset()) -> list[tuple[SourceFile, frozenset[str]]]:
    """Each published story folder's files, beside its page, with the story they belong to."""
    found = []
    for item in site.items:
        folder = site.config.content_dir / item.key.rsplit("/", 1)[0]
        shown_folder = item.path.rsplit("/", 1)[0]
        for relative in item.assets:
            if (folder / relative).resolve() in exclude:
                continue
            found.append((SourceFile(f"{shown_folder}/{relative}", folder / relative,
                                     f"{item.url.strip('/')}/{relative}", item.named), frozenset({item.key})))
    return found


def smaller_copies(photos: list[tuple[SourceFile, bytes]], cache: "BuildCache | None", edition: str
                   ) -> dict[str, list[tuple[str, bytes]]]:
    """Each large photo's smaller copies (name, bytes) by the photo's output path, made from it as published. A copy
    is made once for the photo's bytes and widths: later builds, for this audience (`edition`) or another, take it
    from the cache; the copies still to make are made on every core."""
    jobs = []  # (output path, cache key, file name, bytes, widths)
    for source, content in photos:
        widths = variant_widths(image_width(source.path))
        if widths:
            name = source.output.rsplit("/", 1)[-1]
            jobs.append((source.output, digest("variants", name, hashlib.sha256(content).hexdigest(), widths), name,
                         content, widths))
    kept = cache.media.get_many(key for _, key, *_ in jobs) if cache is not None else {}
    missing = [(name, content, widths) for _, key, name, content, widths in jobs if key not in kept]
    made = iter(fork_map(_resize, missing, {}, chunk=1, parallel_from=4))
    found: dict[str, list[tuple[str, bytes]]] = {}
    for output, key, *_ in jobs:
        copies = kept[key] if key in kept else next(made)
        found[output] = copies
        if cache is not None:
            cache.used_media[key] = copies
    if cache is not None:
        cache.keep_media(f"photos:{edition}", [key for _, key, *_ in jobs])
    return found


def _resize(_inherited: dict[str, Any], jobs: Sequence[tuple[str, bytes, tuple[int, ...]]]
            ) -> list[list[tuple[str, bytes]]]:
    return [[(variant_name(name, width), resized(name, content, width)) for width in widths]
            for name, content, widths in jobs]


def image_sets(site: Site, item: Item) -> dict[str, str]:
    """`srcset` values of a story's large photos, by the name the body uses ('board.jpg 2400w, board-480w.jpg
    480w, ...'): what the body renderer adds to their <img>."""
    folder = site.config.content_dir / item.key.rsplit("/", 1)[0]
    base = site.config.base_path
    sets = {}
    for relative in item.assets:
        width = image_width(folder / relative)
        if variant_widths(width):
            sets[relative] = ", ".join([f"{asset_url(base, item, variant_name(relative, w))} {w}w"
                                        for w in variant_widths(width)] + [f"{asset_url(base, item, relative)} {width}w"])
    return sets


def _private_files(site: Site) -> frozenset[Path]:
    """Files that must never be copied into the output, wherever they lie."""
    registry = site.config.anonymise.registry
    return frozenset({(site.config.site_dir / registry).resolve()}) if registry else frozenset()
