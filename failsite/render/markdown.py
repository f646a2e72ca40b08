"""Markdown -> HTML with markdown-it-py, rewriting links between source files to URLs.

Two safety nets stand between an author's markdown and the page: every link and image address
must be relative or use an allowed scheme (http, https, mailto, tel), and with raw HTML switched
on the whole rendered body goes through nh3 (the Python binding of the Rust sanitiser ammonia)
with an allow-list of elements, attributes and URL schemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import unescape as decode_references
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from failsite.render.leftovers import Leftover, template_syntax
from failsite.render.shortcodes import PERSON_LINK, person_rule, render_close, render_open, render_video, shortcode_rule
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from failsite.content.slugs import slugify
from failsite.content.text import breaks_words
from failsite.privacy.anonymise import LINK_PLACEHOLDER
from failsite.site.assemble import LinkResolver

# Pieces of one text (split by markup) -> the same pieces with protected names replaced.
SegmentRewriter = Callable[[list[str]], list[str]]

# The schemes a link or image may use; an address without one (a path, an anchor) is always allowed.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+")

# What raw HTML may hold (with `markdown.raw_html: true`): the elements and attributes markdown itself makes,
# and the common ones authors write. No scripts, styles, frames, forms, objects or event handlers; an <input>
# can only be a task list's disabled checkbox.
_TAGS = (nh3.ALLOWED_TAGS | {"input", "section", "figure", "figcaption", "details", "summary", "picture", "source",
                             "video", "audio", "track", "caption", "tfoot"}) - {"map", "area"}
_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang"}, "img": {"src", "alt", "width", "height", "loading"},
    "th": {"style", "colspan", "rowspan", "scope"}, "td": {"style", "colspan", "rowspan"},
    "ol": {"start", "reversed", "type"}, "li": {"value"}, "time": {"datetime"}, "data": {"value"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "input": {"checked"}, "details": {"open"}, "abbr": {"title"},
    "video": {"src", "controls", "width", "height", "poster", "muted", "loop", "playsinline", "preload"},
    "audio": {"src", "controls", "muted", "loop", "preload"}, "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"}, "col": {"span"}, "colgroup": {"span"},
}


def is_allowed_url(url: str) -> bool:
    """An address a page may link to: relative, or with an allowed scheme, however it is disguised
    (entities already decoded, percent escapes, control characters or spaces inside the scheme)."""
    cleaned = _INVISIBLE.sub("", unquote(url)).lower()
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme.group(1) in URL_SCHEMES


def sanitise_html(html: str) -> str:
    """Rendered HTML with anything executable removed (an allow-list, not a block-list)."""
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=set(URL_SCHEMES), link_rel=None,
                     strip_comments=True, filter_style_properties={"text-align"},
                     generic_attribute_prefixes={"aria-"},
                     set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}})


@dataclass(frozen=True)
class MarkdownOptions:
    """The markdown switches a site can set."""

    raw_html: bool = False
    plugins: tuple[Callable[..., Any], ...] = ()  # the site's hooks' markdown-it plugins


# Every web address, `www.` host and email has one of . : / @ followed by a letter or digit. Most runs of prose have
# none (a full stop is followed by a space, a quote, a bracket or `**`), and linkify's own pretest is a large
# expression: checking this first saves about a millisecond per page.
_LINK_SIGN = re.compile(r"[.:/@]\w")


def _maybe_link(pretest: Callable[[str], bool]) -> Callable[[str], bool]:
    """linkify-it's pretest, answered at once when the text cannot hold a link."""
    return lambda text: _LINK_SIGN.search(text) is not None and pretest(text)


def _as_on_github(match: Callable[[str], Any]) -> Callable[[str], Any]:
    """linkify-it's matches, less the bare host names it guesses (`GitLab.com`, `notes.md`, `setup.py`): as on
    GitHub, only addresses with a scheme (https://, mailto:) and those starting with `www.` become links."""
    def github_like(text: str) -> Any:
        return [m for m in match(text) or () if m.schema or m.raw.lower().startswith("www.")] or None
    return github_like


@cache
def markdown_parser(options: MarkdownOptions) -> MarkdownIt:
    """One configured parser per process and options: CommonMark plus the extensions the sites use."""
    md = MarkdownIt("commonmark", {"html": options.raw_html, "typographer": False, "highlight": highlight_code,
                                   "linkify": True})
    md.validateLink = is_allowed_url
    md.enable(["table", "strikethrough", "linkify"])  # bare https://… and www.… become links, as on GitHub
    md.options["strikethrough_single_tilde"] = True  # ~one~ strikes through as ~~two~~ does, as on GitHub
    md.linkify.pretest = _maybe_link(md.linkify.pretest)
    md.linkify.match = _as_on_github(md.linkify.match)
    for plugin in options.plugins:  # the site's own (content.hooks): what they print is audited like the rest
        plugin(md)
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin).use(admon_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify, permalink=True, permalinkSymbol="#")
    # After footnotes are gathered and before heading ids are made from heading text.
    md.core.ruler.before("anchor", "anonymise", _anonymise_rule)
    md.core.ruler.after("anchor", "anchor_names", _name_anchors)
    md.block.ruler.before("paragraph", "failsite_block", _block_rule, {"alt": ["paragraph"]})
    md.block.ruler.before("failsite_block", "shortcode", shortcode_rule, {"alt": ["paragraph"]})
    md.inline.ruler.before("text", "person", person_rule)
    md.add_render_rule("shortcode_open", render_open)
    md.add_render_rule("shortcode_close", render_close)
    md.add_render_rule("shortcode_video", render_video)
    return md


def _name_anchors(state: StateCore) -> None:
    """Give each heading's "#" link an accessible name: 'Link to this section: <heading>'."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens) or not tokens[index + 1].children:
            continue
        children = tokens[index + 1].children
        text = "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
        for child in children:
            if child.type == "link_open" and "header-anchor" in str(child.attrGet("class") or ""):
                child.attrSet("aria-label", f"Link to this section: {text}")


def highlight_code(code: str, language: str, attributes: str) -> str:
    """A fenced code block coloured at build time by Pygments (CSS classes, light and dark in the theme); '' when
    the language is unknown or not given, so markdown-it escapes it as plain code."""
    lexer_class = _builtin_lexer(language.strip().split()[0].lower()) if language.strip() else None
    if lexer_class is None:
        return ""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    return highlight(code, lexer_class(), HtmlFormatter(nowrap=True))


@cache
def _builtin_lexer(alias: str) -> Any:
    """Pygments' own lexer for a language alias, or None. Only the lexers Pygments ships: lexers other packages
    register as plugins would make the output depend on what else is installed (and importing them can run
    anything, such as a whole shell)."""
    import importlib

    from pygments.lexers._mapping import LEXERS

    for class_name, (module, _, aliases, *_rest) in LEXERS.items():
        if alias in aliases:
            return getattr(importlib.import_module(module), class_name)
    return None


# The blocks an author can place in the body of a story with a line `{{< name >}}` (Hugo's shortcode
# brackets: no ordinary sentence is written that way); blocks not placed follow the body in their default order.
PLACEABLE_BLOCKS = {
    "debrief": ("impact", "timeline", "premortem", "gap", "whys", "factors", "differently", "went", "actions", "links"),
    "talk": ("media", "lessons"),
}
_BLOCK_LINE = re.compile(r"^\{\{<\s*([A-Za-z_-]+)\s*>\}\}\s*$")


def _block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line `{{< timeline >}}`: where the story's timeline block goes."""
    line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
    found = _BLOCK_LINE.match(line)
    if found is None or state.sCount[start] - state.blkIndent >= 4:
        return False
    if not silent:
        token = state.push("failsite_block", "", 0)
        token.meta["name"] = found.group(1).lower()
        token.map = [start, start + 1]
    state.line = start + 1
    return True


def _anonymise_rule(state: StateCore) -> None:
    """Replace protected names in every text the page will show: text, code, alt text, titles, URLs, raw HTML.
    The lines where a web address was removed because it named someone go into env["removed_links"]."""
    anonymise: SegmentRewriter | None = state.env.get("anonymise")
    if anonymise is None:
        return
    removed: list[int] = state.env.setdefault("removed_links", [])
    line = 0

    def rewrite(segments: list[str]) -> list[str]:
        result = anonymise(segments)
        if sum(s.count(LINK_PLACEHOLDER) for s in result) > sum(s.count(LINK_PLACEHOLDER) for s in segments):
            removed.append(line)
        return result

    for token in state.tokens:
        if token.map:
            line = token.map[0]
        if token.type.startswith("shortcode_") and token.meta.get("arguments"):
            token.meta["arguments"] = {k: rewrite([v])[0] for k, v in token.meta["arguments"].items()}
        if token.type in ("fence", "code_block"):
            token.content = rewrite([_entities_read(token.content, rewrite)])[0]
        if token.type == "html_block":
            token.content = rewrite([token.content])[0]
        if token.info:  # a fence's language becomes a class name, with its entities decoded
            token.info = rewrite([unescapeAll(token.info)])[0]
        if token.children:
            _anonymise_inline(token.children, rewrite)


def _entities_read(code: str, rewrite: SegmentRewriter) -> str:
    """Code as written, or with its character references decoded when that shows a protected name or number.

    A page shows `D&#97;na` in code as written, but Pagefind's results decode it once more (they
    escape `<` and `>`, not `&`), so the search would show "Dana". Decoded, the name is anonymised
    like any other."""
    if "&" in code:
        decoded = decode_references(code)
        if decoded != code and rewrite([decoded])[0] != decoded:
            return decoded
    return code


def _anonymise_inline(children: list[Token], rewrite: SegmentRewriter) -> None:
    segments = []
    unlinked: list[Token] = []
    for token in children:
        if token.type == "code_inline":
            token.content = _entities_read(token.content, rewrite)
        if token.type in ("text", "code_inline"):
            segments.append(token.content)
        elif token.type in ("softbreak", "hardbreak") or (token.type == "html_inline" and _breaks_words(token.content)):
            segments.append("\n")  # `Kwame<br>Osei` reads as two words, so it is matched as a name
        else:
            segments.append("")
        if token.type == "html_inline":
            token.content = rewrite([token.content])[0]
        elif token.type == "link_open":
            href = unquote(str(token.attrGet("href") or ""))
            # A story's own file keeps its name here: the door reports a file named after someone by that name.
            if href and not is_source_link(href) and not is_file_link(href) and rewrite([href])[0] != href:
                token.tag, token.attrs = "span", {}  # the address named someone: keep the words, drop the link
                token.meta["unlinked"] = True
        elif token.type == "image":
            token.content = rewrite([token.content])[0]
            if token.children:
                _anonymise_inline(token.children, rewrite)
            source = unquote(str(token.attrGet("src") or ""))
            if not is_file_link(source) and rewrite([source])[0] != source:
                unlinked.append(token)  # the address named someone: its alt text is shown instead
        if token.attrGet("title"):
            token.attrSet("title", rewrite([str(token.attrGet("title"))])[0])
    rewritten = rewrite(segments)
    open_links: list[Token] = []
    for token, after in zip(children, rewritten):
        if token.type in ("text", "code_inline"):
            token.content = after
        elif token.type in ("softbreak", "hardbreak") and after == "":
            token.type, token.content = "text", ""  # the line break was inside a replaced name
        elif token.type == "html_inline" and after == "" and _breaks_words(token.content):
            token.content = ""  # the tag stood between the words of a replaced name
        elif token.type == "link_open":
            open_links.append(token)
        elif token.type == "link_close" and open_links and open_links.pop().meta.get("unlinked"):
            token.tag = "span"
    for image in unlinked:  # plain text from here on: the resolver does not take it for a missing file
        image.type, image.tag, image.attrs, image.children = "text", "", {}, None
        image.content = image.content or ""


def _breaks_words(tag: str) -> bool:
    """Whether a raw HTML tag ends a word (`<br>`), unlike an inline one (`<b>`) or a comment."""
    return not tag.lstrip().startswith("<!--") and breaks_words(tag.lstrip())


def is_source_link(href: str) -> bool:
    """True for a relative link to a markdown source file, such as ../talks/launch.md#lessons."""
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and parts.path.endswith(".md") and not href.startswith("/")


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def without_comments(text: str) -> str:
    """Markdown without its HTML comments (`<!-- more -->`, editors' notes): they are not content, whether raw HTML
    is allowed or not. Each comment's line breaks stay, so line numbers in messages do not move; comments inside
    fenced code blocks and code spans are code, and stay."""
    if "<!--" not in text:
        return text
    lines = text.split("\n")
    fence = ""
    prose_runs: list[list[int]] = [[]]
    for number, line in enumerate(lines):
        found = _FENCE.match(line)
        if fence:
            if found and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence):
                fence = ""
                prose_runs.append([])
            continue
        if found:
            fence = found.group(1)
            prose_runs.append([])
            continue
        prose_runs[-1].append(number)
    for run in prose_runs:
        if not run:
            continue
        start, end = run[0], run[-1] + 1
        chunk = "\n".join(lines[start:end])
        cleaned = _COMMENT.sub(lambda m: m.group() if _in_code_span(chunk, m.start()) else "\n" * m.group().count("\n"),
                               chunk)
        lines[start:end] = cleaned.split("\n")
    return "\n".join(lines)


def _in_code_span(text: str, at: int) -> bool:
    """Whether position `at` is inside a `code span` (an odd number of backticks before it on its line)."""
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("`", line_start, at) % 2 == 1


def is_site_path(href: str) -> bool:
    """A link written as a path on this site (/about/, /images/map.png), to be put under the site's base path."""
    return href.startswith("/") and not href.startswith("//")


def is_file_link(href: str) -> bool:
    """True for a relative link to a file that is not markdown (photo.jpg, slides/deck.pdf): a story's own file."""
    parts = urlsplit(href)
    return bool(parts.path) and not parts.scheme and not parts.netloc and not href.startswith(("/", "#")) \
        and not parts.path.endswith(".md")


def render_markdown(body: str, first_line: int, options: MarkdownOptions, resolve: LinkResolver,
                    anonymise: SegmentRewriter | None = None, removed_links: list[int] | None = None,
                    inline: bool = False, image_sets: dict[str, str] | None = None,
                    placed: list[tuple[str, str]] | None = None, blocks: tuple[str, ...] = (),
                    misplaced: list[tuple[int, str]] | None = None, leftovers: list[Leftover] | None = None) -> str:
    """Render a body whose first line is line `first_line` of its file; links to .md files go through `resolve`.

    `removed_links` receives the file lines where a web address was removed because it named someone;
    `inline` renders one run of text without a paragraph around it (a front-matter value); `image_sets` gives the
    `srcset` of a story's large photos by their name. `placed` receives the body cut at each `{{< name >}}` line
    whose name is one of `blocks` (each part's HTML with the block placed after it); `misplaced` the (line, name)
    of any other such line; `leftovers` another tool's template syntax left in the text outside code."""
    md = markdown_parser(options)
    env: dict[str, object] = {"anonymise": anonymise} if anonymise else {}
    body = without_comments(body)
    tokens = md.parseInline(body, env) if inline else md.parse(body, env)
    if leftovers is not None:
        leftovers.extend(template_syntax(tokens, first_line))
    for block in tokens:
        if block.type == "inline" and block.children:
            line = first_line + (block.map[0] if block.map else 0)
            _rewrite_links(block.children, line, resolve, image_sets or {})
        elif block.type == "shortcode_video":
            block.meta["src"] = _video_source(block.meta["arguments"], first_line + (block.map[0] if block.map else 0),
                                              resolve)
    if removed_links is not None:
        removed_links.extend(first_line + line for line in env.get("removed_links", ()))  # type: ignore[attr-defined]
    parts: list[tuple[list[Token], str]] = [([], "")]
    for token in tokens:
        if token.type == "failsite_block":
            name = token.meta["name"]
            if name in blocks:
                parts[-1] = (parts[-1][0], name)
                parts.append(([], ""))
            elif misplaced is not None:
                misplaced.append((first_line + (token.map[0] if token.map else 0), name))
            continue
        parts[-1][0].append(token)
    rendered = []
    for chunk, name in parts:  # each part rendered and sanitised whole: no marker has to survive the sanitiser
        html = md.renderer.render(chunk, md.options, env)
        rendered.append((sanitise_html(html) if options.raw_html else html, name))
    if placed is not None:
        placed.extend(rendered)
    return "".join(html for html, _ in rendered)


def _video_source(arguments: dict[str, str], line: int, resolve: LinkResolver) -> str:
    """Where a video shortcode's video is: a file in the story's folder, a path on the site, or a web address the
    site may link to ('' when it is none of those, or named someone and was removed)."""
    source = (arguments.get("src") or arguments.get("0") or "").strip()
    if is_file_link(source) or is_site_path(source):
        return resolve(source, line) or ""
    return source if "://" in source and is_allowed_url(source) else ""


def _rewrite_links(children: list[Token], line: int, resolve: LinkResolver, image_sets: dict[str, str]) -> None:
    open_links: list[Token] = []
    for index, token in enumerate(children):
        if token.type in ("softbreak", "hardbreak"):
            line += 1
        elif token.type == "link_open":
            open_links.append(token)
            href = str(token.attrGet("href") or "")
            if token.meta.get("person"):  # a person shortcode: its text is already the published name
                href = PERSON_LINK + children[index + 1].content
            elif not (is_source_link(href) or is_file_link(href) or is_site_path(href)):
                continue
            new_href = resolve(href, line)
            if new_href is None:
                token.tag, token.attrs = "span", {}
            else:
                token.attrSet("href", new_href)
        elif token.type == "image" and is_site_path(str(token.attrGet("src") or "")):
            token.attrSet("src", resolve(str(token.attrGet("src")), line) or str(token.attrGet("src")))
        elif token.type == "image" and is_file_link(str(token.attrGet("src") or "")):
            source = str(token.attrGet("src"))
            token.attrSet("src", resolve(source, line) or source)  # a story's file: its published path
            if unquote(source) in image_sets:  # a large photo: smaller copies for small screens
                token.attrSet("srcset", image_sets[unquote(source)])
                token.attrSet("sizes", "(min-width: 46rem) 46rem, 100vw")
        elif token.type == "link_close" and open_links:
            if open_links.pop().tag == "span":
                token.tag = "span"
