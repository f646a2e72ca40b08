"""Bounds on front matter: how long one value may be and how many entries one list may hold.

A 10 MB summary is printed on every list page that shows the story, and 10,000 tags make 10,000
pages: each bound passed is an error naming the field, its line, the bound and the `limits:`
setting in site.yaml that raises it. The body is bounded by the size of its page
(`limits.page_megabytes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from failsite.content.schema import Field
from failsite.content.yamlnodes import YamlNode
from failsite.errors import Diagnostic, error


@dataclass(frozen=True)
class Bounds:
    """The front-matter bounds of a site (site.yaml `limits:`)."""

    title_characters: int = 300
    summary_characters: int = 2_000
    value_characters: int = 20_000  # any other text value, each entry of a list included
    list_entries: int = 500  # entries of one list (or keys of one mapping)
    terms_per_item: int = 50  # terms of one taxonomy (tags, patterns) on one item


# What each bound is said to bound in its message.
_BOUNDED = {"title_characters": "a title may have", "summary_characters": "a summary may have",
            "value_characters": "one front-matter value may have", "list_entries": "one front-matter list may hold",
            "terms_per_item": "one item may have of one taxonomy"}


def front_matter_bounds(root: YamlNode, fields: dict[str, Field], path: str, bounds: Bounds) -> list[Diagnostic]:
    """An error for each front-matter value or list past its bound."""
    found: list[Diagnostic] = []
    for name, node in root.items.items():
        spec = fields.get(name)
        text_bound = {"title": "title_characters", "summary": "summary_characters"}.get(name, "value_characters")
        list_bound = "terms_per_item" if spec is not None and spec.kind == "terms" else "list_entries"
        pending = [(node, name)]
        while pending:
            value, field = pending.pop()
            if value.kind == "scalar":
                found += _past(len(value.text), text_bound, "is {:,} characters long", field, value, path, bounds)
                continue
            entries = value.elements if value.kind == "seq" else list(value.items.values())
            found += _past(len(entries), list_bound if value is node else "list_entries", "has {:,} entries", field,
                           value, path, bounds)
            if len(entries) <= bounds.list_entries:
                pending += [(entry, field) for entry in entries]
            if value.kind == "map":
                found += [d for key in value.items
                          for d in _past(len(key), "value_characters", "is {:,} characters long", f"a key of '{field}'",
                                         value, path, bounds)]
    return found


def _past(size: int, setting: str, unit: str, field: str, node: YamlNode, path: str,
          bounds: Bounds) -> list[Diagnostic]:
    limit = getattr(bounds, setting)
    if size <= limit:
        return []
    return [error(path, node.line, f"'{field}' {unit.format(size)}, more than the {limit:,} {_BOUNDED[setting]}",
                  f"shorten it, or raise the bound in site.yaml: `limits:` then `  {setting}: {size}`", node.col)]
