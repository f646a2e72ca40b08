"""YAML read as a tree of located nodes, so every value keeps its line and the text as written.

We compose rather than construct: a scalar keeps the exact text the author typed (`no`,
`3.10`, `2025-04-10`) next to the type YAML 1.1 would have given it, and the schema decides
which it wants. That is what stops `no` turning into False where a string was meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from failsite.engine.reading import FileChanging, read_settled
from failsite.errors import Diagnostic, error

try:  # the C parser is many times faster; the pure one gives the same nodes
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_MAX_DEPTH = 64
# Values one document may repeat through aliases. A few lines of aliases to aliases stand for billions of
# values (the "billion laughs"); no front matter, registry or site.yaml comes near this.
MAX_NODES = 100_000


YAML_TRUE = ("true", "yes", "on", "y")  # what YAML 1.1 reads as true, in any case


@dataclass(frozen=True)
class YamlNode:
    """A scalar, sequence or mapping with the position of its value (1-based)."""

    kind: Literal["scalar", "seq", "map"]
    value: Union[str, list["YamlNode"], dict[str, "YamlNode"]]
    tag: str  # the YAML 1.1 type the text would resolve to: str, int, float, bool, null, timestamp...
    line: int
    col: int
    quoted: bool = False
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The scalar exactly as written (sequences and mappings have none)."""
        return self.value if isinstance(self.value, str) else ""

    @property
    def items(self) -> dict[str, "YamlNode"]:
        return self.value if isinstance(self.value, dict) else {}

    @property
    def elements(self) -> list["YamlNode"]:
        return self.value if isinstance(self.value, list) else []

    def key_line(self, key: str) -> int:
        """Line of a mapping key (falls back to the mapping's own line)."""
        return self.key_positions.get(key, (self.line, self.col))[0]

    def key_col(self, key: str) -> int:
        """Column of a mapping key (falls back to the mapping's own column)."""
        return self.key_positions.get(key, (self.line, self.col))[1]

    def to_plain(self) -> Any:
        """Plain Python data: scalars as the text written (null as None), for free-form `extra` data."""
        if self.kind == "map":
            return {k: v.to_plain() for k, v in self.items.items()}
        if self.kind == "seq":
            return [v.to_plain() for v in self.elements]
        if self.tag == "null" and not self.quoted:
            return None
        if self.tag == "bool" and not self.quoted:
            return self.text.lower() in YAML_TRUE
        if self.tag == "int" and not self.quoted:
            try:
                return int(self.text.replace("_", ""), 0)
            except ValueError:
                return self.text
        return self.text


def says_true(node: YamlNode | None) -> bool:
    """Whether a node is a single value written as YAML's true (`true`, `yes`, `on`...)."""
    return node is not None and node.kind == "scalar" and node.text.strip().lower() in YAML_TRUE


def read_text(path: Path, shown: str, missing_hint: str) -> tuple[str | None, list[Diagnostic]]:
    """A text file the build reads (site.yaml, the registry, a rules file), or the error that says why it cannot be:
    missing, a folder, unreadable, or not UTF-8."""
    try:
        return read_settled(path).decode("utf-8"), []
    except FileChanging as exc:
        return None, [error(shown, 1, str(exc), "build again once it is saved; nothing was published")]
    except FileNotFoundError:
        return None, [error(shown, 1, "the file does not exist", missing_hint)]
    except UnicodeDecodeError as exc:
        return None, [error(shown, 1, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                            "save it as UTF-8 (most editors offer it under 'Save as' or 'Encoding')")]
    except OSError as exc:
        return None, [error(shown, 1, f"cannot read the file: {exc.strerror or exc}",
                            "check that it is a file and that you may read it")]


def load_yaml_file(path: Path, shown: str, missing_hint: str) -> tuple[YamlNode | None, list[Diagnostic]]:
    """A YAML file read and parsed into located nodes, every problem as a diagnostic."""
    text, diagnostics = read_text(path, shown, missing_hint)
    return load_yaml(text, shown) if text is not None else (None, diagnostics)


def empty_mapping(line: int = 1) -> YamlNode:
    """The node for an empty document."""
    return YamlNode("map", {}, "map", line, 1)


@dataclass
class _Budget:
    """How many more values converting one document may repeat through aliases (a value met again is one)."""

    nodes: int
    seen: set[int] = field(default_factory=set)  # the yaml nodes met so far: an alias hands back the same node
    exceeded: bool = False


def load_yaml(text: str, path: str, line_offset: int = 0,
              aliases: bool = True) -> tuple[YamlNode | None, list[Diagnostic]]:
    """Parse YAML text into located nodes; `line_offset` is added to every line (front matter).

    The document may expand to at most MAX_NODES values; `aliases=False` refuses aliases (`*name`) outright."""
    try:
        if not aliases and "*" in text:
            refused = _aliases(text, path, line_offset)
            if refused:
                return None, refused
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "the YAML could not be read"
        opened = exc.context_mark
        if exc.context and "flow" in exc.context and opened is not None and mark is not None and \
                opened.line < mark.line:
            # An unclosed [ or { is noticed lines later; the mistake is where it was opened.
            return None, [Diagnostic(path, opened.line + 1 + line_offset, opened.column + 1, "error",
                                     f"invalid YAML: {problem} ({exc.context.removeprefix('while ')} that starts "
                                     f"here; noticed on line {line})",
                                     "close the list or mapping on this line: `[a, b]`, `{key: value}`")]
        hint = "check the indentation and quoting on this line or the one before it"
        if "tab character" in problem or "'\\t'" in problem:  # a tab where YAML takes only spaces
            hint = "YAML indents with spaces only: replace the tab at the start of this line with spaces"
        elif problem.startswith(("expected <block end>", "did not find expected '-' indicator")):
            hint = "this line is indented differently from the lines around it: line it up with the entries above"
        elif problem.startswith("mapping values are not allowed"):  # `event: FailLab: Winter 2026`
            hint = ("a value with ': ' in it must be in quotes, e.g. `event: \"FailLab: Winter 2026\"`; otherwise "
                    "check the indentation of this line")
        return None, [Diagnostic(path, line, col, "error", f"invalid YAML: {problem}", hint)]
    except yaml.YAMLError as exc:
        return None, [error(path, line_offset + 1, f"invalid YAML: {exc}", "check the YAML syntax")]
    except RecursionError:
        return None, [error(path, line_offset + 1, "invalid YAML: nested too deeply to read",
                            "flatten the structure")]
    if root is None:
        return empty_mapping(line_offset + 1), []
    diagnostics: list[Diagnostic] = []
    budget = _Budget(MAX_NODES)
    node = _convert(root, path, line_offset, diagnostics, 0, budget)
    if budget.exceeded:
        return None, [error(path, line_offset + 1, f"the YAML expands to more than {MAX_NODES:,} values through "
                            "aliases (`*name`)", "write the values out instead of repeating anchors inside anchors")]
    return node, diagnostics


def _aliases(text: str, path: str, offset: int) -> list[Diagnostic]:
    """An error at each alias (`*name`) in the text."""
    return [error(path, event.start_mark.line + 1 + offset, f"the alias '*{event.anchor}' repeats a value written "
                  "elsewhere; aliases are not allowed here", "write the value out where it is used",
                  event.start_mark.column + 1)
            for event in yaml.parse(text, Loader=_Loader) if isinstance(event, yaml.AliasEvent)]


def _short_tag(tag: str) -> str:
    return tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag


def _convert(node: yaml.Node, path: str, offset: int, diagnostics: list[Diagnostic], depth: int,
             budget: _Budget) -> YamlNode:
    line, col = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    if id(node) in budget.seen:
        budget.nodes -= 1
    else:
        budget.seen.add(id(node))
    if budget.nodes < 0 or budget.exceeded:
        budget.exceeded = True
        return YamlNode("scalar", "", "null", line, col)
    if depth > _MAX_DEPTH:
        diagnostics.append(error(path, line, "YAML nested too deeply (or an alias refers to itself)",
                                 "flatten the structure; aliases must not refer to themselves"))
        return YamlNode("scalar", "", "null", line, col)
    if isinstance(node, yaml.ScalarNode):
        quoted = node.style in ("'", '"', "|", ">")
        return YamlNode("scalar", node.value, _short_tag(node.tag), line, col, quoted)
    if isinstance(node, yaml.SequenceNode):
        return YamlNode("seq", [_convert(n, path, offset, diagnostics, depth + 1, budget) for n in node.value],
                        "seq", line, col)
    mapping: dict[str, YamlNode] = {}
    key_positions: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            diagnostics.append(error(path, key_line, "a mapping key must be a plain word",
                                     "write `key: value`, with the key a single word", key_node.start_mark.column + 1))
            continue
        key = key_node.value
        if key in mapping:
            diagnostics.append(error(path, key_line, f"duplicate key '{key}' (first on line {key_positions[key][0]})",
                                     "remove one of them", key_node.start_mark.column + 1))
            continue
        key_positions[key] = (key_line, key_node.start_mark.column + 1)
        mapping[key] = _convert(value_node, path, offset, diagnostics, depth + 1, budget)
    return YamlNode("map", mapping, "map", line, col, key_positions=key_positions)
