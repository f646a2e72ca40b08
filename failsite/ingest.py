"""Sources -> anonymised items: read, parse and anonymise every source file.

Parsing and anonymising an item is a pure function of the file's bytes, its place, the schema
and the anonymisation rules, so the build cache keeps each result under a hash of exactly those,
and a warm build reads the bytes, hashes them and parses nothing that did not change. What is
left to do runs in worker processes when there is enough of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from failsite.anonymise import Anonymiser, anonymise_item
from failsite.content import Item, ItemSchema, parse_source, read_source
from failsite.discover import Source
from failsite.errors import Diagnostic
from failsite.fingerprint import code_fingerprint, digest
from failsite.parallel import fork_map

if TYPE_CHECKING:
    from failsite.cache import BuildCache

Parsed = tuple[Item | None, list[Diagnostic]]


def ingest(sources: list[Source], schema: ItemSchema, anonymiser: Anonymiser, closed: frozenset[str],
           cache: "BuildCache | None" = None) -> tuple[list[Item], list[Diagnostic]]:
    """Every source as an anonymised item (in source order), with every error and warning found on the way."""
    environment = digest(code_fingerprint(), schema, anonymiser.settings, sorted(closed))
    parsed: dict[str, Parsed] = {}
    keys: dict[str, str] = {}
    missing: list[tuple[Source, bytes]] = []
    for source in sources:
        data, found = read_source(source)
        if data is None:
            parsed[source.key] = (None, found)
            continue
        keys[source.key] = digest(environment, source.key, source.shown, source.folder_type, data)
        hit = cache.items.get(keys[source.key]) if cache is not None else None
        if hit is not None:
            parsed[source.key] = hit
        else:
            missing.append((source, data))
    results = fork_map(_parse_and_anonymise, missing, {"schema": schema, "anonymiser": anonymiser, "closed": closed})
    parsed.update((source.key, result) for (source, _), result in zip(missing, results))
    items: list[Item] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        item, found = parsed[source.key]
        if cache is not None and source.key in keys:
            cache.used_items[keys[source.key]] = (item, found)
            cache.item_keys[source.key] = keys[source.key]
        diagnostics.extend(found)
        if item is not None:
            items.append(item)
    return items, diagnostics


def _parse_and_anonymise(inherited: dict[str, Any], work: Sequence[tuple[Source, bytes]]) -> list[Parsed]:
    results: list[Parsed] = []
    for source, data in work:
        item, found = parse_source(source, data, inherited["schema"])
        results.append((anonymise_item(item, inherited["anonymiser"], inherited["closed"]) if item else None, found))
    return results
