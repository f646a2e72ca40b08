"""Template syntax left in a story's text: another tool's shortcodes, Liquid tags and snippets, found outside code.

A post moved in from Hugo, Jekyll or MkDocs can keep `{{< youtube x >}}`, `{% include note.html %}`,
`{{ site.baseurl }}` or `--8<-- "file.md"` in its text. failsite would publish them as written, so
each one outside code is a warning with its line. It reads the parsed tokens of the body, so text
inside code spans and code blocks is never flagged, and failsite's own shortcodes (render.shortcodes
and the placement lines of render.markdown) are never seen here: the parser has already made them
into their own tokens. What is left is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it.token import Token

from failsite.render.shortcodes import SHORTCODES

_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([A-Za-z0-9_.:/-]*)[^\n]*?[>%]\}\}")
_LIQUID_TAG = re.compile(r"\{%-?\s*([A-Za-z_][\w-]*)[^\n]*?-?%\}")
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*([^\s{}<%][^\n{}]*?)\s*-?\}\}")
_SNIPPET = re.compile(r"(?<![\w-]);?-{2,}8<-{2,}")
_SHOWN = 60  # characters of the syntax quoted in a message


@dataclass(frozen=True)
class Leftover:
    """One piece of another tool's template syntax left in the text, on a line of the source file."""

    line: int
    syntax: str  # as written, shortened
    kind: str  # shortcode, liquid-tag, liquid-output, snippet
    name: str = ""  # the shortcode's or tag's name

    def message(self) -> tuple[str, str]:
        """The warning and its hint."""
        shown = f"'{self.syntax}'"
        if self.kind == "shortcode" and self.name.lower() in SHORTCODES:
            return (f"failsite's '{self.name}' shortcode is published as written here: {shown}",
                    "put it on a line of its own, with its arguments in double quotes")
        if self.kind == "shortcode":
            return (f"the shortcode {shown} is not one of failsite's, so it is published as written",
                    "write what it showed as Markdown or one of failsite's shortcodes (callout, quote, video, "
                    "person), or put it in `code` to show it as code")
        if self.kind == "snippet":
            return (f"the MkDocs snippet {shown} is published as written",
                    "paste the text of the file it named here")
        what = "Liquid tag" if self.kind == "liquid-tag" else "template expression"
        return (f"the {what} {shown} is published as written: failsite does not run templates in a story",
                "write what it made as Markdown (a link, an image, the text), or put it in `code` to show it "
                "as code")


def template_syntax(tokens: list[Token], first_line: int) -> list[Leftover]:
    """Every piece of template syntax in the text of parsed markdown (code left out), with its line in the file
    whose body starts at `first_line`."""
    found: list[Leftover] = []
    for token in tokens:
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "inline" and token.children:
            found += _in_text(_inline_text(token.children), line)
        elif token.type == "html_block":
            found += _in_text(token.content, line)
    return found


def _inline_text(children: list[Token]) -> str:
    """The text of a run of inline tokens as the reader sees it, with link and image addresses (decoded) and raw
    HTML included; code spans become a break, so nothing inside one is matched."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "code_inline":
            parts.append("\x00")
        elif child.type in ("link_open", "image"):
            address = unquote(str(child.attrGet("href") or child.attrGet("src") or ""))
            parts.append(f"\x00{address}\x00")
            if child.type == "image" and child.children:
                parts.append(_inline_text(child.children))
    return "".join(parts)


def _in_text(text: str, line: int) -> list[Leftover]:
    if not any(sign in text for sign in ("{{", "{%", "8<")):
        return []
    found: list[tuple[int, Leftover]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in ((_SHORTCODE, "shortcode"), (_LIQUID_TAG, "liquid-tag"), (_LIQUID_OUTPUT, "liquid-output"),
                          (_SNIPPET, "snippet")):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue  # `{{% note %}}` is a shortcode, not also a Liquid tag
            taken.append((match.start(), match.end()))
            syntax = match.group(0) if len(match.group(0)) <= _SHOWN else match.group(0)[:_SHOWN - 1] + "…"
            name = match.group(1) if pattern.groups else ""
            found.append((match.start(), Leftover(line + text.count("\n", 0, match.start()), syntax, kind, name)))
    return [leftover for _, leftover in sorted(found, key=lambda pair: pair[0])]
