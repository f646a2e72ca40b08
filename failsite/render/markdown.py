"""Markdown -> HTML with markdown-it-py, rewriting links between source files to URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Callable
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from failsite.content.slugs import slugify
from failsite.site.assemble import LinkResolver

# Pieces of one text (split by markup) -> the same pieces with protected names replaced.
SegmentRewriter = Callable[[list[str]], list[str]]

_UNSAFE_URL_IN_HTML = re.compile(
    r"""((?:href|src|action|formaction|xlink:href|poster|srcset)\s*=\s*["']?)\s*(?:javascript|vbscript|data|file)\s*:""",
    re.IGNORECASE)


@dataclass(frozen=True)
class MarkdownOptions:
    """The markdown switches a site can set."""

    raw_html: bool = False


@cache
def markdown_parser(options: MarkdownOptions) -> MarkdownIt:
    """One configured parser per process and options: CommonMark plus the extensions the sites use."""
    md = MarkdownIt("commonmark", {"html": options.raw_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin).use(admon_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify, permalink=True, permalinkSymbol="#")
    # After footnotes are gathered and before heading ids are made from heading text.
    md.core.ruler.before("anchor", "anonymise", _anonymise_rule)
    return md


def _anonymise_rule(state: StateCore) -> None:
    """Replace protected names in every text the page will show: text, code, alt text, titles, URLs, raw HTML."""
    rewrite: SegmentRewriter | None = state.env.get("anonymise")
    if rewrite is None:
        return
    for token in state.tokens:
        if token.type in ("fence", "code_block", "html_block"):
            token.content = rewrite([token.content])[0]
        if token.info:  # a fence's language becomes a class name, with its entities decoded
            token.info = rewrite([unescapeAll(token.info)])[0]
        if token.children:
            _anonymise_inline(token.children, rewrite)


def _anonymise_inline(children: list[Token], rewrite: SegmentRewriter) -> None:
    segments = []
    for token in children:
        if token.type in ("text", "code_inline"):
            segments.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            segments.append("\n")
        else:
            segments.append("")
        if token.type == "html_inline":
            token.content = rewrite([token.content])[0]
        elif token.type == "link_open":
            href = unquote(str(token.attrGet("href") or ""))
            if href and not is_source_link(href) and rewrite([href])[0] != href:
                token.tag, token.attrs = "span", {}  # the address named someone: keep the words, drop the link
                token.meta["unlinked"] = True
        elif token.type == "image":
            token.content = rewrite([token.content])[0]
            if token.children:
                _anonymise_inline(token.children, rewrite)
            source = unquote(str(token.attrGet("src") or ""))
            if rewrite([source])[0] != source:
                token.attrSet("src", rewrite([source])[0])
        if token.attrGet("title"):
            token.attrSet("title", rewrite([str(token.attrGet("title"))])[0])
    rewritten = rewrite(segments)
    open_links: list[Token] = []
    for token, after in zip(children, rewritten):
        if token.type in ("text", "code_inline"):
            token.content = after
        elif token.type in ("softbreak", "hardbreak") and after == "":
            token.type, token.content = "text", ""  # the line break was inside a replaced name
        elif token.type == "link_open":
            open_links.append(token)
        elif token.type == "link_close" and open_links and open_links.pop().meta.get("unlinked"):
            token.tag = "span"


def is_source_link(href: str) -> bool:
    """True for a relative link to a markdown source file, such as ../talks/launch.md#lessons."""
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and parts.path.endswith(".md") and not href.startswith("/")


def render_markdown(body: str, first_line: int, options: MarkdownOptions, resolve: LinkResolver,
                    anonymise: SegmentRewriter | None = None) -> str:
    """Render a body whose first line is line `first_line` of its file; links to .md files go through `resolve`."""
    md = markdown_parser(options)
    env: dict[str, object] = {"anonymise": anonymise} if anonymise else {}
    tokens = md.parse(body, env)
    for block in tokens:
        if block.type == "inline" and block.children:
            line = first_line + (block.map[0] if block.map else 0)
            _rewrite_links(block.children, line, resolve)
        elif block.type == "html_block":
            block.content = _UNSAFE_URL_IN_HTML.sub(r"\1#", block.content)
    return md.renderer.render(tokens, md.options, env)


def _rewrite_links(children: list[Token], line: int, resolve: LinkResolver) -> None:
    open_links: list[Token] = []
    for token in children:
        if token.type in ("softbreak", "hardbreak"):
            line += 1
        elif token.type == "html_inline":
            token.content = _UNSAFE_URL_IN_HTML.sub(r"\1#", token.content)
        elif token.type == "link_open":
            open_links.append(token)
            href = str(token.attrGet("href") or "")
            if is_source_link(href):
                new_href = resolve(href, line)
                if new_href is None:
                    token.tag, token.attrs = "span", {}
                else:
                    token.attrSet("href", new_href)
        elif token.type == "link_close" and open_links:
            if open_links.pop().tag == "span":
                token.tag = "span"
