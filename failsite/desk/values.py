"""A field's value as the desk's form holds it, read from a YAML node and written back as YAML lines.

The form's values are plain JSON: a text for a single value (a date, a choice and a number too;
'' when not set), a list of texts for a list, a list of {subfield: value} for records, one such
mapping for a record. A value is written as a careful author writes it: plain where YAML reads
it back as the same text, in quotes where it would not (`"no"`, `"12:30"`, `"Q: why"`), a
paragraph as a `|` block, terms as `[a, b]`, records as indented blocks. Every written value is
read back before it is used, and quoted when the reading differs.
"""

from __future__ import annotations

import json
from typing import Any

from failsite.content.schema import Field
from failsite.content.slugs import slugify
from failsite.content.yamlnodes import YamlNode, load_yaml

FormValue = Any  # str | list[str] | list[dict[str, FormValue]] | dict[str, FormValue]
LIST_KINDS = ("strings", "links", "terms")
INDENT = "  "


def form_value(field: Field, node: YamlNode | None) -> FormValue:
    """The form's value of a field as the file writes it (None: the file does not have it)."""
    if field.kind in LIST_KINDS:
        if node is None:
            return []
        elements = node.elements if node.kind == "seq" else [node] if node.kind == "scalar" else []
        return [_scalar(e) for e in elements if e.kind == "scalar" and _scalar(e)]
    if field.kind == "records":
        if node is None or node.kind != "seq":
            return []
        return [_record(field, e) for e in node.elements if e.kind == "map"]
    if field.kind == "record":
        return _record(field, node) if node is not None and node.kind == "map" else {}
    return _scalar(node) if node is not None and node.kind == "scalar" else ""


def _scalar(node: YamlNode) -> str:
    return "" if node.tag == "null" and not node.quoted else node.text


def _record(field: Field, node: YamlNode) -> dict[str, FormValue]:
    return {sub.name: form_value(sub, node.items.get(sub.name)) for sub in field.subfields}


def same_value(field: Field, first: FormValue, second: FormValue) -> bool:
    """Whether two form values of a field say the same: texts alike but for line ends and trailing white space,
    lists alike but for empty entries, terms alike in any order or spelling of the same term."""
    return _canonical(field, first) == _canonical(field, second)


def _canonical(field: Field, value: FormValue) -> Any:
    if field.kind == "terms":
        return sorted({slugify(str(v)) for v in _as_list(value) if str(v).strip()})
    if field.kind in LIST_KINDS:
        return [_text(v) for v in _as_list(value) if _text(v)]
    if field.kind == "records":
        rows = [_canonical_record(field, row) for row in _as_list(value) if isinstance(row, dict)]
        return [row for row in rows if row]
    if field.kind == "record":
        return _canonical_record(field, value) if isinstance(value, dict) else []
    return _text(value)


def _canonical_record(field: Field, row: dict[str, FormValue]) -> list[tuple[str, Any]]:
    pairs = [(sub.name, _canonical(sub, row.get(sub.name, ""))) for sub in field.subfields]
    return [(name, value) for name, value in pairs if value not in ("", [])]


def _text(value: Any) -> str:
    return str(value if value is not None else "").replace("\r\n", "\n").rstrip()


def _as_list(value: FormValue) -> list[Any]:
    return value if isinstance(value, list) else [value] if value not in (None, "") else []


def is_empty(field: Field, value: FormValue) -> bool:
    """Whether the value says nothing (the field is left out of the file)."""
    return _canonical(field, value) in ("", [])


def field_lines(field: Field, value: FormValue) -> tuple[str, ...] | None:
    """The YAML lines of a top-level field with this value, or None when the value is empty."""
    if is_empty(field, value):
        return None
    return tuple(_lines(field, value, field.name, ""))


def _lines(field: Field, value: FormValue, key: str, indent: str) -> list[str]:
    """`key: value` at `indent`, as lines."""
    if field.kind in LIST_KINDS:
        entries = [_text(v) for v in _as_list(value) if _text(v)]
        flow = _flow(entries) if field.kind == "terms" else None
        if flow is not None:
            return [f"{indent}{key}: {flow}"]
        lines = [f"{indent}{key}:"]
        for entry in entries:
            lines += _scalar_lines("- ", entry, indent + INDENT, "string")
        return lines
    if field.kind == "records":
        lines = [f"{indent}{key}:"]
        for row in _as_list(value):
            written = _record_lines(field, row, indent + INDENT + INDENT) if isinstance(row, dict) else []
            if written:
                first = written[0][len(indent) + 2 * len(INDENT):]
                lines += [f"{indent}{INDENT}- {first}"] + written[1:]
        return lines
    if field.kind == "record":
        return [f"{indent}{key}:"] + _record_lines(field, value, indent + INDENT)
    return _scalar_lines(f"{key}: ", _text(value), indent, field.kind)


def _record_lines(field: Field, row: dict[str, FormValue], indent: str) -> list[str]:
    lines: list[str] = []
    for sub in field.subfields:
        value = row.get(sub.name, "")
        if not is_empty(sub, value):
            lines += _lines(sub, value, sub.name, indent)
    return lines


def _scalar_lines(prefix: str, text: str, indent: str, kind: str) -> list[str]:
    """`prefix` and the text at `indent` (`key: ` or `- `): plain when YAML reads it back as written (a true or a
    number plain only where the field's kind wants one), a `|` block when it has more than one line, else in double
    quotes."""
    candidates = []
    if "\n" not in text and "\t" not in text:  # YAML readers disagree about tabs in a plain value: quoted
        candidates.append([f"{indent}{prefix}{text}"])
    else:
        candidates.append([f"{indent}{prefix}|"] + [f"{indent}{INDENT}{line}" if line else "" for line in text.split("\n")])
    candidates += [[f"{indent}{prefix}{json.dumps(text, ensure_ascii=False)}"],
                   [f"{indent}{prefix}{json.dumps(text)}"]]
    for lines in candidates:
        if _reads_back(prefix, lines, indent, text, kind):
            return lines
    raise ValueError(f"cannot write {text[:40]!r} as YAML")  # json.dumps's escapes are YAML's: never reached


# What a plain value of a kind must read as, to be written plain: a text is quoted wherever any YAML reader would
# take it for a number, a date, a true or a null.
_PLAIN_TAGS = {"bool": ("bool",), "int": ("int",), "date": ("timestamp", "str"), "datetime": ("timestamp", "str"),
               "partial_date": ("timestamp", "int", "str")}


def _reads_back(prefix: str, lines: list[str], indent: str, text: str, kind: str) -> bool:
    """Whether YAML reads the written lines back as the text, with the type the field's kind wants (a text in
    quotes where YAML would read a true, a null or a time in it)."""
    written = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines)
    if prefix == "- ":
        written = "k:\n" + "\n".join(INDENT + line if line else line for line in written.split("\n"))
    root, diagnostics = load_yaml(written, "value")
    if root is None or diagnostics or root.kind != "map":
        return False
    node = root.items.get("k") if prefix == "- " else next(iter(root.items.values()), None)
    if prefix == "- ":
        node = node.elements[0] if node is not None and node.kind == "seq" and len(node.elements) == 1 else None
    if node is None or node.kind != "scalar":
        return False
    if not node.quoted:
        if node.tag not in _PLAIN_TAGS.get(kind, ("str",)):
            return False
    return node.text.rstrip("\n") == text


def _flow(entries: list[str]) -> str | None:
    """The entries as `[a, b]` when each reads back as written there, else None."""
    line = "[" + ", ".join(entries) + "]"
    root, diagnostics = load_yaml(f"k: {line}", "value")
    if root is None or diagnostics:
        return None
    node = root.items.get("k")
    if node is None or node.kind != "seq" or [e.text for e in node.elements] != entries or \
            any(e.kind != "scalar" or (not e.quoted and e.tag in ("null", "bool")) for e in node.elements):
        return None
    return line
