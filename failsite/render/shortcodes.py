"""Shortcodes: reusable snippets written on their own lines in markdown, with Hugo's brackets.

    {{< callout "Before you start" >}}
    Read the safety charter first.
    {{< /callout >}}

    {{< quote by="Jordan Example" >}}
    We had the numbers. We did not want to read them.
    {{< /quote >}}

    {{< video "recording.mp4" >}}          (a file in the story's folder, or a web address)

    as {{< person "Jordan Example" >}} put it     (inline: the person's published name, linked to their
                                                  page on the site when this build has one)

The text between an opening and a closing line is markdown like the rest of the body, and the
words given to a shortcode (`by`, a title) are anonymised like every other text; what a shortcode
writes is HTML of our own, never the author's. A line `{{< name >}}` whose name is not a
shortcode is a story's block placement (markdown.PLACEABLE_BLOCKS).
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from failsite.site.assemble import PERSON_LINK

# name -> whether it wraps markdown between an opening and a closing line
SHORTCODES = {"callout": True, "quote": True, "video": False}
_OPEN = re.compile(r"^\{\{<\s*([A-Za-z_-]+)((?:\s+(?:[A-Za-z_]+=)?\"[^\"]*\")*)\s*>\}\}\s*$")
_ARGUMENT = re.compile(r'(?:([A-Za-z_]+)=)?"([^"]*)"')
VIDEO_SUFFIXES = (".mp4", ".webm", ".ogv", ".mov")
_PERSON = re.compile(r'\{\{<\s*person\s+"([^"\n]+)"\s*>\}\}')


def shortcode_arguments(text: str) -> dict[str, str]:
    """`"A title" by="Jordan"` -> {"0": "A title", "by": "Jordan"}: positional arguments by their place."""
    arguments: dict[str, str] = {}
    position = 0
    for name, value in _ARGUMENT.findall(text):
        if name:
            arguments[name.lower()] = value
        else:
            arguments[str(position)] = value
            position += 1
    return arguments


def shortcode_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """An opening line of a shortcode; a wrapping one takes the lines up to its closing line (or the end)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
    found = _OPEN.match(line)
    if found is None or found.group(1).lower() not in SHORTCODES:
        return False
    name = found.group(1).lower()
    if silent:
        return True
    arguments = shortcode_arguments(found.group(2))
    if not SHORTCODES[name]:
        token = state.push(f"shortcode_{name}", "", 0)
        token.meta["arguments"] = arguments
        token.map = [start, start + 1]
        state.line = start + 1
        return True
    closing = re.compile(r"^\{\{<\s*/" + re.escape(name) + r"\s*>\}\}\s*$", re.IGNORECASE)
    close = start + 1
    while close < end:
        text = state.src[state.bMarks[close] + state.tShift[close]:state.eMarks[close]]
        if closing.match(text):
            break
        close += 1
    opening = state.push("shortcode_open", "", 1)
    opening.meta.update(name=name, arguments=arguments)
    opening.map = [start, close]
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "blockquote", close  # type: ignore[assignment]
    state.md.block.tokenize(state, start + 1, close)
    state.parentType, state.lineMax = old_parent, old_max
    state.push("shortcode_close", "", -1).meta["name"] = name
    state.line = min(close + 1, end)
    return True


def render_open(self: Any, tokens: list[Token], index: int, options: Any, env: Any) -> str:
    token = tokens[index]
    name, arguments = token.meta["name"], token.meta["arguments"]
    if name == "callout":
        title = arguments.get("0") or arguments.get("title") or ""
        kind = re.sub(r"[^a-z-]", "", (arguments.get("kind") or "note").lower()) or "note"
        heading = f'<p class="callout-title">{escapeHtml(title)}</p>\n' if title else ""
        return f'<aside class="callout callout-{kind}">\n{heading}'
    return '<figure class="pull-quote">\n<blockquote>\n'


def render_close(self: Any, tokens: list[Token], index: int, options: Any, env: Any) -> str:
    name = tokens[index].meta["name"]
    if name == "callout":
        return "</aside>\n"
    opening = next(t for t in reversed(tokens[:index]) if t.type == "shortcode_open" and t.meta["name"] == name)
    by = opening.meta["arguments"].get("by") or opening.meta["arguments"].get("0") or ""
    caption = f"<figcaption>{escapeHtml(by)}</figcaption>\n" if by else ""
    return f"</blockquote>\n{caption}</figure>\n"


def render_video(self: Any, tokens: list[Token], index: int, options: Any, env: Any) -> str:
    """A video file as a player (with a download link for browsers without one); a web address as a link: the
    theme embeds nothing from another site."""
    arguments = tokens[index].meta["arguments"]
    source = tokens[index].meta.get("src", "")
    title = arguments.get("title") or arguments.get("1") or "Watch the video"
    if not source:
        return ""
    if source.lower().split("?")[0].endswith(VIDEO_SUFFIXES):
        return (f'<video class="recording" controls preload="metadata" src="{escapeHtml(source)}">'
                f'<a href="{escapeHtml(source)}">{escapeHtml(title)}</a></video>\n')
    return f'<p class="video-link"><a href="{escapeHtml(source)}">{escapeHtml(title)}</a></p>\n'


def person_rule(state: StateInline, silent: bool) -> bool:
    """`{{< person "Name" >}}` inside a line: a link whose text is the name. The name is anonymised with every other
    text before the link is resolved, so the link goes to the published name's page, never the real one's."""
    found = _PERSON.match(state.src, state.pos)
    if found is None:
        return False
    if not silent:
        opening = state.push("link_open", "a", 1)
        opening.attrs = {"href": PERSON_LINK}
        opening.meta["person"] = True
        state.push("text", "", 0).content = found.group(1).strip()
        state.push("link_close", "a", -1)
    state.pos = found.end()
    return True
