"""Split a markdown file into its YAML front matter and its body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from failsite.errors import Diagnostic, error

_FENCE = "---"


@dataclass(frozen=True)
class SplitSource:
    """Front matter text (starting on line 2 of the file) and the body with its first line number."""

    front_matter: str
    body: str
    body_line: int


def split_front_matter(text: str, path: str) -> tuple[SplitSource | None, list[Diagnostic]]:
    """Separate `---`-fenced front matter from the markdown body."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if lines and lines[0].rstrip() == "+++":
        return None, [error(path, 1, "the front matter is TOML (between +++ lines, as Hugo writes it); failsite reads "
                            "YAML between --- lines",
                            "change both +++ lines to ---, and write each `key = \"value\"` as `key: value` "
                            "(lists stay [a, b]; dates stay 2026-03-01)")]
    if lines and lines[0].lstrip().startswith("{"):
        return None, [error(path, 1, "the front matter is JSON; failsite reads YAML between --- lines",
                            "put the fields between two --- lines as `key: value`, one per line")]
    if not lines or lines[0].rstrip() != _FENCE:
        return None, [error(path, 1, "the file does not start with front matter",
                            "start the file with a line `---`, the fields (at least `title:`), then another `---`")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (_FENCE, "..."):
            return SplitSource("".join(lines[1:index]), "".join(lines[index + 1:]), index + 2), []
    return None, [error(path, 1, "the front matter is never closed",
                        "add a line `---` after the last front-matter field (did you forget it?)")]
