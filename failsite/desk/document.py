"""A content file as the desk edits it: its front matter's top-level fields, each with the lines that write it, the
comment and blank lines between them, and the body.

A field the desk changes is written again in its place; every other line (comments, fields the desk
does not show, the body's exact text) is kept byte for byte. A field the file does not have yet is
written where a careful author would put it: in place of its commented-out line from the archetype
(`# recording:`), else after the field before it in the archetype's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from failsite.content.yamlnodes import YamlNode, load_yaml

_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")
_FENCES = ("---", "...")


@dataclass(frozen=True)
class FieldLines:
    """One top-level field: its key and its lines (the key's line and its value's), without a line end."""

    key: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    """A content file split for editing: the front matter's parts in order (a comment or blank line, or a field),
    the body as written, and the file's line end."""

    parts: tuple[str | FieldLines, ...]
    body: str
    newline: str = "\n"
    opening: str = "---"
    closing: str = "---"

    def keys(self) -> list[str]:
        """The front matter's top-level keys, in the file's order."""
        return [part.key for part in self.parts if isinstance(part, FieldLines)]

    def field(self, key: str) -> FieldLines | None:
        """The lines of a top-level field, or None when the file does not have it."""
        return next((part for part in self.parts if isinstance(part, FieldLines) and part.key == key), None)

    def front_matter(self) -> str:
        """The front matter's text between the fences, with '\\n' line ends."""
        return "".join(line + "\n" for part in self.parts
                       for line in (part.lines if isinstance(part, FieldLines) else (part,)))

    def text(self) -> str:
        """The whole file, in its own line ends."""
        text = f"{self.opening}\n{self.front_matter()}{self.closing}\n{self.body}"
        return text.replace("\n", self.newline) if self.newline != "\n" else text


class NotEditable(ValueError):
    """A file the desk cannot edit field by field (no front matter, or front matter it cannot split); the message
    says why, for the person at the desk."""


def read_document(text: str) -> Document:
    """Split a content file's text for editing; NotEditable when it has no front matter between --- lines."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    if not lines or lines[0].rstrip() != "---":
        raise NotEditable("the file does not start with front matter (a line `---`, the fields, another `---`)")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() in _FENCES), None)
    if end is None:
        raise NotEditable("the front matter is never closed with a line `---`")
    body = "\n".join(lines[end + 1:])
    document = Document(_split(lines[1:end]), body, newline, lines[0], lines[end])
    _verify(document, document, frozenset())
    return document


def _split(lines: list[str]) -> tuple[str | FieldLines, ...]:
    """The front matter's lines as comments, blank lines and fields: a comment or blank line at the margin before a
    field is the field's neighbour, never part of it, unless more of the field's value follows it."""
    parts: list[str | FieldLines] = []
    key, own, pending = "", [], []  # the field being read, its lines, margin lines that may still be its own
    for line in lines:
        match = _KEY_LINE.match(line)
        if match:
            if key:
                parts.append(FieldLines(key, tuple(own)))
            parts.extend(pending)
            key, own, pending = match.group(1), [line], []
        elif not line.strip() or line.startswith("#"):
            (pending if key else parts).append(line)
        elif key:  # an indented line, or a list entry at the margin: the field's value goes on
            own += pending + [line]
            pending = []
        else:
            raise NotEditable(f"the front matter starts with a line that is not a field: {line.strip()[:60]!r}")
    if key:
        parts.append(FieldLines(key, tuple(own)))
    parts.extend(pending)
    return tuple(parts)


def with_field(document: Document, key: str, lines: tuple[str, ...] | None, order: list[str]) -> Document:
    """The document with a top-level field written as `lines` (None: removed), every other line kept; a new field
    goes in place of its commented-out line, else after the nearest field before it in `order`."""
    parts = list(document.parts)
    at = next((n for n, part in enumerate(parts) if isinstance(part, FieldLines) and part.key == key), None)
    if at is not None:
        if lines is None:
            del parts[at]
        else:
            parts[at] = FieldLines(key, lines)
    elif lines is not None:
        _insert(parts, FieldLines(key, lines), order)
    changed = replace(document, parts=tuple(parts))
    _verify(document, changed, frozenset({key}))
    return changed


def with_body(document: Document, body: str) -> Document:
    """The document with another body."""
    return replace(document, body=body)


def _insert(parts: list[str | FieldLines], field: FieldLines, order: list[str]) -> None:
    placeholders = [n for n, part in enumerate(parts) if isinstance(part, str)
                    and re.match(rf"^#\s?{re.escape(field.key)}:", part)]
    if len(placeholders) >= 2:  # the archetype's doc line, then the field commented out: the field goes there
        start = end = placeholders[-1]
        while end + 1 < len(parts) and isinstance(parts[end + 1], str) and re.match(r"^#(\s{2,}|\s-)", parts[end + 1]):
            end += 1
        parts[start:end + 1] = [field]
        return
    if placeholders:  # its doc line alone
        parts.insert(placeholders[0] + 1, field)
        return
    position = {name: n for n, name in enumerate(order)}
    mine = position.get(field.key, len(order))
    present = [(n, part) for n, part in enumerate(parts) if isinstance(part, FieldLines)]
    before = [n for n, part in present if position.get(part.key, len(order)) < mine]
    after = [n for n, part in present if position.get(part.key, len(order)) > mine]
    if before:
        parts.insert(before[-1] + 1, field)
    elif after:
        start = after[0]
        while start > 0 and isinstance(parts[start - 1], str) and parts[start - 1].startswith("#"):
            start -= 1  # before the comments that introduce the next field
        parts.insert(start, field)
    else:
        parts.append(field)


def _verify(before: Document, after: Document, changed: frozenset[str]) -> None:
    """NotEditable unless the edited front matter still reads as YAML with every field but `changed` as before: the
    desk never saves a file it has misread."""
    old = _root(before)
    new = old if after is before else _root(after)
    if old is None or new is None:
        raise NotEditable("the front matter is not valid YAML; fix it in an editor first (`failsite check` shows "
                          "where)")
    kept = [key for key in before.keys() if key not in changed]
    if [key for key in after.keys() if key not in changed] != kept or list(new.items) != after.keys() or \
            any(new.items[key].to_plain() != old.items[key].to_plain() for key in kept if key in old.items):
        raise NotEditable("the front matter is written in a way the desk cannot change field by field; edit this "
                          "file in a text editor")


def _root(document: Document) -> YamlNode | None:
    root, diagnostics = load_yaml(document.front_matter(), "front matter", aliases=True)
    if root is None or any(d.severity == "error" for d in diagnostics):
        return None
    return root if root.kind == "map" else None
