"""Hugo's shortcodes (`{{< >}}` and `{{% %}}`, paired or not, nested) as failsite's Markdown and shortcodes.

Each shortcode is mapped by its name (`SHORTCODES`): videos, figures, images and galleries,
highlighted code, notices and details, quotes, tabs, references to other posts, gists and posts
on X as links. A shortcode whose name is not known but whose `src` names an image file is shown
as that image (a theme's own image-processing shortcode); anything else is reported with its line
and left as written, so the build warns about it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from failsite.content.importers.body import (CODE, IMAGE_SUFFIXES, POST_LINK, Conversion, callout_kind,
                                             mask_code, web_video)

_TAG = re.compile(r"\{\{([<%])(/\*)?\s*(/)?\s*([\w./-]+)(.*?)(/)?\s*(\*/)?([>%])\}\}", re.S)
_ARGUMENT = re.compile(r'(?:([A-Za-z_][\w-]*)\s*=\s*)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|([^\s"`=]+))')


@dataclass
class Shortcode:
    """One shortcode as written: its name, arguments, where its tags are, and the shortcodes inside it."""

    name: str
    arguments: dict[str, str]
    start: int  # the opening tag
    open_end: int
    close_start: int = -1  # its closing tag (-1: none)
    end: int = -1
    children: list["Shortcode"] = field(default_factory=list)

    def get(self, *names: str, default: str = "") -> str:
        return next((self.arguments[n] for n in names if self.arguments.get(n)), default)


def shortcode_arguments(text: str) -> dict[str, str]:
    """`"a" b=c title="d"` -> {"0": "a", "b": "c", "title": "d"}."""
    found: dict[str, str] = {}
    position = 0
    for match in _ARGUMENT.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3) if match.group(3) is not None \
            else match.group(4)
        value = value.replace('\\"', '"')
        if match.group(1):
            found[match.group(1).lower()] = value
        else:
            found[str(position)] = value
            position += 1
    return found


def parse_shortcodes(masked: str) -> list[Shortcode]:
    """The shortcodes of a body (code masked), as a tree: a closing tag closes the nearest open one of its name."""
    top: list[Shortcode] = []
    stack: list[Shortcode] = []
    for match in _TAG.finditer(masked):
        if match.group(2):  # {{</* name */>}}: Hugo's way of writing a shortcode as text
            continue
        name = match.group(4).lower()
        if match.group(3):  # a closing tag
            opened = next((s for s in reversed(stack) if s.name == name), None)
            if opened is None:
                continue
            while stack[-1] is not opened:
                stack.pop()
            stack.pop()
            opened.close_start, opened.end = match.start(), match.end()
            continue
        code = Shortcode(name, shortcode_arguments(match.group(5)), match.start(), match.end())
        (stack[-1].children if stack else top).append(code)
        if not match.group(6):
            stack.append(code)
    for code in _all(top):
        if code.end < 0:  # never closed: a shortcode of its own, and what was inside it belongs to its parent
            code.end = code.open_end
    return _flatten_unclosed(top)


def _all(codes: list[Shortcode]) -> list[Shortcode]:
    return [c for code in codes for c in (code, *_all(code.children))]


def _flatten_unclosed(codes: list[Shortcode]) -> list[Shortcode]:
    flat: list[Shortcode] = []
    for code in codes:
        if code.close_start < 0 and code.children:
            children, code.children = code.children, []
            flat.append(code)
            flat += _flatten_unclosed(children)
        else:
            code.children = _flatten_unclosed(code.children)
            flat.append(code)
    return flat


Handler = Callable[[Conversion, Shortcode, str, str], "str | None"]  # (conversion, code, inner converted, raw inner)


def convert_body(conversion: Conversion, text: str) -> str:
    """The post's body with its shortcodes mapped (or reported, by source line, and left as written)."""
    masked = mask_code(text)
    converted = _render(conversion, text, parse_shortcodes(masked), 0, len(text))
    return _escaped_shortcodes(converted)


def _render(conversion: Conversion, text: str, codes: list[Shortcode], start: int, end: int) -> str:
    parts, last = [], start
    for code in codes:
        parts.append(text[last:code.start])
        inner_raw = text[code.open_end:code.close_start] if code.close_start >= 0 else ""
        inner = _render(conversion, text, code.children, code.open_end, code.close_start) \
            if code.close_start >= 0 else ""
        made = _handle(conversion, code, inner, inner_raw)
        if made is None:
            why = _WHY_NOT.get(SHORTCODES.get(code.name.rsplit("/", 1)[-1]), "has no failsite equivalent")  # type: ignore[arg-type]
            conversion.unmapped(code.start, f"the shortcode {text[code.start:code.open_end][:80]!r} {why}")
            closing = text[code.close_start:code.end] if code.close_start >= 0 else ""
            made = text[code.start:code.open_end] + inner + closing
        parts.append(made)
        last = code.end
    parts.append(text[last:end])
    return "".join(parts)


def _handle(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    handler = SHORTCODES.get(code.name.rsplit("/", 1)[-1])
    if handler is not None:
        made = handler(conversion, code, inner, raw)
        if made is not None:
            conversion.count(f"{{{{< {code.name} >}}}} -> {_WHAT.get(handler, 'Markdown')}")
        return made
    source = code.get("src", "image", "url", "0")
    if source and source.lower().split("?")[0].endswith(IMAGE_SUFFIXES) and conversion.source_file(source):
        conversion.count(f"{{{{< {code.name} >}}}} -> image")  # an image-processing shortcode of a theme's own
        return conversion.image(source, code.get("alt"), code.get("title"), code.get("caption"))
    return None


def _youtube(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    video = code.get("id", "0")
    return conversion.video(f"https://www.youtube.com/watch?v={video}", code.get("title")) if video else None


def _vimeo(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    video = code.get("id", "0")
    return conversion.video(f"https://vimeo.com/{video}", code.get("title")) if video else None


def _video(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    source = code.get("src", "url", "0")
    return conversion.video(web_video(source), code.get("title")) if source else None


def _figure(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    source = code.get("src", "image", "url", "path", "name", "0")
    if not source:
        return None
    caption = code.get("caption", "attr") or (code.get("title") if code.name == "figure" else "")
    return "\n\n" + conversion.image(source, code.get("alt"), code.get("title") if caption != code.get(
        "title") else "", caption, code.get("link")) + "\n\n"


def _gallery(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    """A gallery: the images inside it, or every image of a folder (`dir=`, under static/) or of the bundle
    (`match=`)."""
    if inner.strip():
        return "\n\n" + inner.strip() + "\n\n"
    folder = code.get("dir", "folder", "path")
    pattern = code.get("match", "glob", default="*" if not folder else "")
    found: list[str] = []
    if folder:
        for root in conversion.site.files_roots:
            base = root / folder.strip("/")
            if base.is_dir():
                found = [f"/{folder.strip('/')}/{p.relative_to(base).as_posix()}" for p in sorted(base.rglob("*"))
                         if p.suffix.lower() in IMAGE_SUFFIXES and not _is_thumbnail(p)]
                break
    elif conversion.post.bundle is not None:
        base = conversion.post.bundle
        found = [p.relative_to(base).as_posix() for p in sorted(base.glob(pattern)) if p.is_file()
                 and p.suffix.lower() in IMAGE_SUFFIXES and not _is_thumbnail(p)]
    if not found:
        return None
    return "\n\n" + "\n\n".join(conversion.image(f, Path(f).stem.replace("-", " ").replace("_", " ")) for f in found) \
        + "\n\n"


def _is_thumbnail(path: Path) -> bool:
    return bool(re.search(r"(?:[-_.]thumb(?:nail)?s?|[-_]small)$", path.stem, re.I)) or \
        any(part.lower() in ("thumbs", "thumbnails") for part in path.parts[-2:-1])


def _highlight(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return conversion.fence(code.get("lang", "language", "0"), raw)


def _reference(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    """`{{< ref "other.md#part" >}}`: the link to the other post's new file (resolved once every post has one)."""
    target = code.get("path", "0")
    path, _, fragment = target.partition("#")
    found = _find_post(conversion, path) if path else conversion.post.path
    if found is None:
        return None
    return POST_LINK + conversion.site.shown(found) + (f"#{fragment}" if fragment else "")


def _find_post(conversion: Conversion, reference: str) -> Path | None:
    """The post a `ref` names, looked for as Hugo does: from the page's folder, from the content folder, then by
    its file or folder name alone."""
    content = conversion.site.settings["content"]
    reference = reference.strip()
    bases = [content / reference.lstrip("/")] if reference.startswith("/") else \
        [(conversion.post.bundle or conversion.post.path).parent / reference, content / reference]
    language = conversion.site.settings.get("default_language") or "en"
    for base in bases:
        for candidate in (base, base.with_suffix(".md"), base / "index.md", base / f"index.{language}.md",
                          base.with_name(f"{base.name}.{language}.md"), base / "_index.md"):
            if candidate.resolve() in conversion.others:
                return candidate.resolve()
    name = Path(reference).stem if Path(reference).suffix else Path(reference).name
    matches = [p for p in conversion.others if p.name.split(".")[0] == name
               or (p.name.split(".")[0] == "index" and p.parent.name == name)]
    return matches[0] if len(matches) == 1 else None


def _gist(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    user, gist = code.get("user", "0"), code.get("id", "1")
    if not user or not gist:
        return None
    name = f" ({code.get('file', '2')})" if code.get("file", "2") else ""
    return conversion.link(f"Gist {user}/{gist}{name}", f"https://gist.github.com/{user}/{gist}")


def _tweet(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    user, post = code.get("user", "username"), code.get("id", "0")
    if not post:
        return None
    address = f"https://x.com/{user}/status/{post}" if user else f"https://x.com/i/status/{post}"
    return conversion.link(f"A post by @{user} on X" if user else "A post on X", address)


def _instagram(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    post = code.get("id", "0")
    return conversion.link("A post on Instagram", f"https://www.instagram.com/p/{post}/") if post else None


def _notice(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    """notice, hint, alert, admonition, callout, and the shortcodes named by their kind (note, tip, warning)."""
    named_kind = code.name if code.name not in _BOXES else ""
    kind = named_kind or code.get("type", "kind", "context", "color", "style", "0", default="note")
    title = code.get("title", "header", "heading", "1" if not named_kind else "0")
    return conversion.callout(title or kind.capitalize(), callout_kind(kind), inner)


def _details(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return conversion.callout(code.get("title", "summary", "0", default="Details"), "note", inner)


def _quote(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    by = code.get("author", "by", "cite", "source", "0")
    return conversion.quote(by, inner)


def _tab(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    name = code.get("name", "title", "header", "0")
    return f"\n\n**{name}**\n\n{inner.strip()}\n\n" if name else f"\n\n{inner.strip()}\n\n"


def _inner(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return f"\n\n{inner.strip()}\n\n" if inner.strip() else ""


def _raw(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return raw


def _left_out(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return ""


def _mermaid(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str:
    return conversion.fence("mermaid", raw)


def _param(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    name = code.get("0", "name")
    value = conversion.post.fields.get(name)
    if value is None:
        params = conversion.site.settings["config"].get("params")
        value = params.get(name) if isinstance(params, dict) else None
    return str(value) if isinstance(value, (str, int, float)) else None


def _button(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    address = code.get("href", "url", "link", "0")
    words = " ".join(inner.split()) or code.get("text", "title", "1", default=address)
    return conversion.link(words, address) if address else None


def _audio(conversion: Conversion, code: Shortcode, inner: str, raw: str) -> str | None:
    source = code.get("src", "url", "0")
    return conversion.link(code.get("title", default="Listen"), conversion.local(source) or source) if source else None


_BOXES = ("notice", "hint", "alert", "admonition", "callout", "box", "alertbox", "message", "panel")
SHORTCODES: dict[str, Handler] = {
    "youtube": _youtube, "youtube-nocookie": _youtube, "vimeo": _vimeo, "vimeo_simple": _vimeo, "video": _video,
    "figure": _figure, "fig": _figure, "img": _figure, "image": _figure, "imgproc": _figure, "picture": _figure,
    "photo": _figure, "resize": _figure, "lightbox": _figure,
    "gallery": _gallery, "load-photoswipe": _left_out,
    "highlight": _highlight, "code": _highlight, "terminal": _highlight, "console": _highlight, "shell": _highlight,
    "cmd": _highlight, "mermaid": _mermaid,
    "ref": _reference, "relref": _reference,
    "gist": _gist, "tweet": _tweet, "twitter": _tweet, "x": _tweet, "instagram": _instagram,
    **{name: _notice for name in _BOXES + ("note", "tip", "info", "warning", "danger", "caution", "important",
                                           "attention", "error", "success")},
    "details": _details, "expand": _details, "collapse": _details, "spoiler": _details, "accordion": _details,
    "toggle": _details,
    "quote": _quote, "blockquote": _quote, "pullquote": _quote,
    "tabs": _inner, "tab": _tab, "markdown": _inner, "center": _inner, "columns": _inner, "column": _inner,
    "row": _inner, "col": _inner, "div": _inner, "section": _inner, "table": _inner,
    "raw": _raw, "rawhtml": _raw, "html": _raw, "unsafe": _raw,
    "toc": _left_out, "comment": _left_out, "more": _left_out,
    "param": _param, "button": _button, "link": _button, "audio": _audio,
}
_WHAT: dict[Handler, str] = {
    _youtube: "video", _vimeo: "video", _video: "video", _figure: "image", _gallery: "images",
    _highlight: "code block", _mermaid: "code block", _reference: "link", _gist: "link", _tweet: "link",
    _instagram: "link", _notice: "callout", _details: "callout (always open)", _quote: "quote",
    _tab: "heading and text", _inner: "its text", _raw: "raw HTML", _left_out: "left out", _param: "its value",
    _button: "link", _audio: "link"}


# Why a known shortcode could not be mapped, when what it names is missing.
_WHY_NOT: dict[Handler, str] = {
    _gallery: "names no image file that exists (its folder or pattern matched none)",
    _reference: "names no post of this import", _figure: "names no image", _youtube: "names no video",
    _vimeo: "names no video", _video: "names no video", _gist: "names no gist", _tweet: "names no post",
    _param: "names a parameter with no plain value"}


_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)


def _escaped_shortcodes(text: str) -> str:
    """`{{</* name */>}}`, Hugo's way of writing a shortcode as text: as written, and in code outside code."""
    masked = mask_code(text)
    parts, last = [], 0
    for match in _ESCAPED.finditer(text):
        shown = "{{" + match.group(1) + match.group(2) + match.group(3) + "}}"
        in_code = CODE in masked[match.start():match.end()]
        parts += [text[last:match.start()], shown if in_code else f"`{shown}`"]
        last = match.end()
    return "".join(parts) + text[last:]
