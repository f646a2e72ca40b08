"""Sources -> finished items: read and parse every source file, then apply the build's item transform.

The transform is the anonymisation (privacy.anonymise), handed in by the build so that parsing
never depends on privacy. Parsing and transforming an item is a pure function of the file's bytes,
its place, the schema and what `environment` hashes (the transform's settings), so the build
cache keeps each result under a hash of exactly those, and a warm build reads the bytes, hashes
them and parses nothing that did not change. What is left to do runs in worker processes when
there is enough of it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Sequence

from failsite.content.items import Item, ItemSchema, parse_source, read_source
from failsite.content.discover import Source
from failsite.errors import Diagnostic
from failsite.engine.fingerprint import code_fingerprint, digest
from failsite.engine.parallel import fork_map

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

Parsed = tuple[Item | None, list[Diagnostic]]
ItemTransform = Callable[[Item], tuple[Item, list[Diagnostic]]]  # the item, and what it reported


# The content folder's files as a build's snapshot saw them (output.stamp): path -> [size, time in ns, hash or None].
FileStats = dict[str, list[Any]]


def ingest(sources: list[Source], schema: ItemSchema, transform: ItemTransform, settings: object,
           cache: "BuildCache | None" = None, day: dt.date | None = None,
           stats: FileStats | None = None) -> tuple[list[Item], list[Diagnostic]]:
    """Every source as a parsed item passed through `transform` (in source order), with every error and warning
    found on the way. `settings` is everything besides the source that decides what the transform makes; a cached
    item whose transform decided something only for some days (consent records) is made again on another `day`.

    `stats`: each source's [size, time in ns, hash or None] from the build's snapshot of the content folder, taken
    before anything was read. A source whose size and time are those it had when the last build read it, and that
    was not being written just then (no hash: see output.stamp), is not read again: the cache key the last build
    found for it is used, as the up-to-date check trusts the same two numbers."""
    environment = digest(code_fingerprint(), schema, settings)
    last_read: dict[str, tuple[Any, ...]] = \
        (cache.sources.get(environment) or {}) if cache is not None and stats else {}
    parsed: dict[str, Parsed] = {}
    keys: dict[str, str] = {}
    missing: list[tuple[Source, bytes]] = []
    read: dict[str, bytes] = {}

    def read_now(source: Source) -> bool:
        """Read a source and key it by its bytes; an unreadable one is parsed as its error."""
        data, found = read_source(source)
        if data is None:
            parsed[source.key] = (None, found)
            keys.pop(source.key, None)
            return False
        read[source.key] = data
        keys[source.key] = digest(environment, source.key, source.shown, source.folder_type, source.assets, data)
        return True

    for source in sources:
        known = last_read.get(source.key)
        if known is not None and known[1:] == _seen(source, (stats or {}).get(source.key)):
            keys[source.key] = known[0]  # as the last build read it
        else:
            read_now(source)
    hits = cache.items.get_many(keys.values()) if cache is not None else {}
    for source in sources:
        if source.key not in keys:
            continue
        hit = hits.get(keys[source.key])
        if hit is not None and (day is None or hit[0] is None or hit[0].decision_holds(day)):
            parsed[source.key] = hit
        elif source.key in read or read_now(source):  # a trusted source whose item is gone, or holds no longer
            missing.append((source, read[source.key]))
    results = fork_map(_parse_and_transform, missing, {"schema": schema, "transform": transform})
    parsed.update((source.key, result) for (source, _), result in zip(missing, results))
    made = {source.key for source, _ in missing}
    items: list[Item] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        item, found = parsed[source.key]
        if cache is not None and source.key in keys:
            if source.key in made:  # made now: kept, in place of what was under its key if anything was
                cache.used_items[keys[source.key]] = (item, found)
            else:
                cache.used_items.keep(keys[source.key])
            cache.item_keys[source.key] = keys[source.key]
        diagnostics.extend(found)
        if item is not None:
            items.append(item)
    if cache is not None and stats:
        seen = {source.key: _seen(source, stats.get(source.key)) for source in sources if source.key in keys}
        cache.used_sources[environment] = {key: (keys[key], *found) for key, found in seen.items() if found}
    return items, diagnostics


def _seen(source: Source, stat: list[Any] | None) -> tuple[Any, ...] | None:
    """What tells a source unchanged since it was read: its place, type and files, and its size and time (None when
    the snapshot has no settled size and time for it)."""
    if stat is None or len(stat) < 3 or stat[2] is not None or stat[0] < 0:  # racy, or could not be looked at
        return None
    return (source.shown, source.folder_type.name if source.folder_type else "", source.assets, stat[0], stat[1])


def _parse_and_transform(inherited: dict[str, Any], work: Sequence[tuple[Source, bytes]]) -> list[Parsed]:
    results: list[Parsed] = []
    for source, data in work:
        item, found = parse_source(source, data, inherited["schema"])
        if item is not None:
            item, reported = inherited["transform"](item)
            found = found + reported
        results.append((item, found))
    return results
