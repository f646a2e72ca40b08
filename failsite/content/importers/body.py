"""What every tool's body conversion shares: the post being converted, failsite's markup for what was mapped, and
the files a post uses.

A tool module finds its constructs in the body with code masked out (`masked`: the same text with
code blocks and code spans blanked, so offsets and lines stay those of the source file), and calls
a `Conversion` to write failsite's equivalent: an image, a video, a callout, a quote, a code block.
The conversion copies nothing itself: it records which file each local name stands for, and the
writing stage copies them.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from failsite.content.importers.sources import MARKDOWN_SUFFIXES, Post, ToolSite

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".webm", ".ogv", ".mov")
# A link to another post of the import, made by a tool module (`{{< ref >}}`, `{% post_url %}`) and resolved to the
# other item's file once every post has one.
POST_LINK = "failsite-import:"
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
CODE = "\x1a"  # what code is masked with: no pattern of a construct matches it, and it is not a blank


def mask_code(text: str) -> str:
    """The text with fenced code blocks and code spans masked (CODE, line breaks kept): constructs found in it are
    outside code, at the same offsets as in the text."""
    out = list(text)
    lines = text.split("\n")
    offset, fence = 0, ""
    for line in lines:
        found = _FENCE.match(line)
        if fence or found:
            for i in range(offset, offset + len(line)):
                out[i] = CODE
            if fence and found and found.group(2)[0] == fence[0] and len(found.group(2)) >= len(fence) \
                    and not line[found.end():].strip():
                fence = ""
            elif not fence and found:
                fence = found.group(2)
        offset += len(line) + 1
    masked = "".join(out)
    for span in re.finditer(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", masked, re.S):
        for i in range(span.start(), span.end()):
            if out[i] != "\n":
                out[i] = CODE
    return "".join(out)


def replace_outside_code(text: str, pattern: re.Pattern[str], make: Callable[[re.Match[str]], str | None]) -> str:
    """`text` with each match of `pattern` outside code replaced by what `make` returns (None: left as it is)."""
    masked = mask_code(text)
    parts, last = [], 0
    for match in pattern.finditer(masked):
        original = pattern.match(text, match.start(), match.end()) if text[match.start():match.end()] != \
            masked[match.start():match.end()] else None
        made = make(original or match)
        if made is None:
            continue
        parts += [text[last:match.start()], made]
        last = match.end()
    return "".join(parts) + text[last:]


def quoted(value: str) -> str:
    """A shortcode argument: in double quotes, which failsite's shortcodes cannot escape, so none inside."""
    return '"' + " ".join(value.replace('"', "'").split()) + '"'


@dataclass
class Conversion:
    """One post being converted: what was mapped, what was not (by source line), and the files it uses."""

    site: ToolSite
    post: Post
    files: dict[str, Path] = field(default_factory=dict)  # local name in the story's folder -> source file
    mapped: Counter[str] = field(default_factory=Counter)
    not_mapped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # files named that could not be found
    resources: dict[str, str] = field(default_factory=dict)  # a bundle resource's name -> its file (Hugo)
    others: tuple[Path, ...] = ()  # every post of the import (resolved), for references between posts

    def line_at(self, offset: int, text: str | None = None) -> int:
        """The source file's line of an offset in the (unchanged) body."""
        return self.post.body_line + (self.post.body if text is None else text).count("\n", 0, offset)

    def unmapped(self, offset: int, what: str, text: str | None = None) -> None:
        """Report what could not be mapped, by the source line of its offset in `text` (default: the body; a text
        changed on the way must keep the body's lines)."""
        self.not_mapped.append(f"{self.post.shown}:{self.line_at(offset, text)}: {what}")

    def count(self, what: str) -> None:
        self.mapped[what] += 1

    # Files -------------------------------------------------------------------------------------------------------

    def source_file(self, address: str) -> Path | None:
        """The file an address in the post names, looked for as the tool would: beside the post (or in its bundle),
        then under the site's static folders; None for a web address or a file that is not there."""
        parts = urlsplit(address.strip())
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        path = self.resources.get(path, path)
        base = self.site.base_path
        if base and path.startswith(base + "/"):
            path = path[len(base):]
        here = self.post.bundle or self.post.path.parent
        if path.startswith("/"):
            candidates = [root / path.lstrip("/") for root in self.site.files_roots]
        else:
            candidates = [here / path] + [root / path for root in self.site.files_roots]
        return next((c.resolve() for c in candidates if c.is_file()), None)

    def local(self, address: str) -> str | None:
        """The name a file the post uses gets in the story's folder (registered for copying); None when the address
        names no file that can be found (a missing one is reported)."""
        found = self.source_file(address)
        if found is None:
            if not urlsplit(address).scheme and not address.startswith(("#", "mailto:", "//")):
                self.missing.append(address)
            return None
        for name, path in self.files.items():
            if path == found:
                return name
        name = self._name_for(found)
        self.files[name] = found
        return name

    def _name_for(self, found: Path) -> str:
        if self.post.bundle is not None and found.is_relative_to(self.post.bundle.resolve()):
            return found.relative_to(self.post.bundle.resolve()).as_posix()  # a bundle keeps its own layout
        name = found.name
        stem, suffix = Path(name).stem, Path(name).suffix
        number = 1
        while name in self.files:
            name = f"{stem}-{number}{suffix}"
            number += 1
        return name

    def bundle_files(self) -> None:
        """Every file of a page bundle, shown in the body or not: the post's own resources."""
        if self.post.bundle is None:
            return
        for path in sorted(self.post.bundle.rglob("*")):
            if path.is_file() and path != self.post.path and path.suffix.lower() not in MARKDOWN_SUFFIXES \
                    and not path.name.startswith((".", "_index.")):
                self.local(path.relative_to(self.post.bundle).as_posix())

    # failsite's markup -------------------------------------------------------------------------------------------

    def image(self, address: str, alt: str = "", title: str = "", caption: str = "", link: str = "") -> str:
        """A Markdown image (its file copied beside the story; a web address kept), with its caption as a line of
        emphasis below it. `address` may already be the name of a copy."""
        address = html.unescape(address.strip())
        name = address if address in self.files else self.local(address) if not urlsplit(address).scheme else None
        target = name or address
        alt = " ".join((alt or caption or title or Path(urlsplit(address).path).stem).split())
        alt = alt.replace("[", "(").replace("]", ")")
        shown_title = f' "{title.replace(chr(34), chr(39))}"' if title else ""
        image = f"![{alt}]({_address(target)}{shown_title})"
        if link and link != address:
            image = f"[{image}]({_address(self.local(link) or link)})"
        words = " ".join(caption.split())
        return f"{image}\n*{words}*" if words else image

    def video(self, address: str, title: str = "") -> str:
        """failsite's video shortcode on a line of its own: a file beside the story plays in the page, a web address
        is a link."""
        local = self.local(address) if not urlsplit(address).scheme else None
        titled = f" title={quoted(title)}" if title else ""
        return f"\n\n{{{{< video {quoted(local or address)}{titled} >}}}}\n\n"

    def callout(self, title: str, kind: str, inner: str) -> str:
        kind = callout_kind(kind)
        kind_argument = f" kind={quoted(kind)}" if kind != "note" else ""
        return f"\n\n{{{{< callout {quoted(title)}{kind_argument} >}}}}\n{inner.strip()}\n{{{{< /callout >}}}}\n\n"

    def quote(self, by: str, inner: str) -> str:
        by_argument = f" by={quoted(by)}" if by.strip() else ""
        return f"\n\n{{{{< quote{by_argument} >}}}}\n{inner.strip()}\n{{{{< /quote >}}}}\n\n"

    @staticmethod
    def fence(language: str, code: str) -> str:
        code = code.strip("\n")
        ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
        return f"\n\n{ticks}{language.strip()}\n{code}\n{ticks}\n\n"

    @staticmethod
    def link(text: str, address: str) -> str:
        return f"[{text.replace('[', '(').replace(']', ')')}]({_address(address)})"


# Callout kinds: failsite has note, warning and danger; the tools' many kinds map onto them.
_KINDS = {"warning": ("warning", "warn", "caution", "attention", "important", "orange", "yellow"),
          "danger": ("danger", "error", "bug", "failure", "fail", "missing", "alert", "red")}


def callout_kind(kind: str) -> str:
    kind = kind.strip().lower()
    return next((name for name, words in _KINDS.items() if kind in words), "note")


def _address(address: str) -> str:
    """An address as a Markdown link destination: in angle brackets when it holds a space or a bracket."""
    return f"<{address}>" if re.search(r"[\s()<>]", address) else address


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_FIGURE = re.compile(r"<figure\b[^>]*>(.*?)</figure>", re.IGNORECASE | re.S)
_IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>\s*</iframe>", re.IGNORECASE | re.S)
_VIDEO_TAG = re.compile(r"<video\b[^>]*>.*?</video>", re.IGNORECASE | re.S)
_DETAILS = re.compile(r"<details\b[^>]*>\s*<summary\b[^>]*>(.*?)</summary>(.*?)</details>", re.IGNORECASE | re.S)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TAG = re.compile(r"<(?!!--)/?[a-zA-Z][a-zA-Z0-9-]*\b[^>]*>")
_YOUTUBE = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:embed/|watch\?v=|v/)|youtu\.be/)([\w-]{6,})")
_VIMEO = re.compile(r"vimeo\.com/(?:video/)?(\d+)")


def attributes(tag: str) -> dict[str, str]:
    """An HTML tag's or shortcode's `name="value"` attributes, names in lower case."""
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTRIBUTE.finditer(tag)}


def web_video(address: str) -> str:
    """A video service's embed address as the address a reader opens (YouTube's watch page, Vimeo's page)."""
    found = _YOUTUBE.search(address)
    if found:
        return f"https://www.youtube.com/watch?v={found.group(1)}"
    found = _VIMEO.search(address)
    return f"https://vimeo.com/{found.group(1)}" if found else address


def convert_html(conversion: Conversion, text: str) -> str:
    """Images, figures, embedded videos and details written as HTML in a Markdown post, as failsite's Markdown and
    shortcodes: raw HTML is shown as text unless a site allows it, and the image would be lost."""
    def figure(match: re.Match[str]) -> str | None:
        image = _IMG.search(match.group(1))
        if image is None:
            return None
        caption = re.search(r"<figcaption\b[^>]*>(.*?)</figcaption>", match.group(1), re.IGNORECASE | re.S)
        values = attributes(image.group(0))
        conversion.count("<figure> -> image")
        return "\n\n" + conversion.image(values.get("src", ""), values.get("alt", ""), values.get("title", ""),
                                         _text(caption.group(1)) if caption else "") + "\n\n"

    def image(match: re.Match[str]) -> str | None:
        values = attributes(match.group(0))
        if not values.get("src"):
            return None
        conversion.count("<img> -> image")
        return conversion.image(values["src"], values.get("alt", ""), values.get("title", ""))

    def frame(match: re.Match[str]) -> str:
        address = html.unescape(match.group(1))
        if address.startswith("//"):
            address = "https:" + address
        conversion.count("<iframe> -> video" if web_video(address) != address else "<iframe> -> link")
        if web_video(address) != address:
            return conversion.video(web_video(address), attributes(match.group(0)).get("title", ""))
        return "\n\n" + conversion.link(attributes(match.group(0)).get("title") or "The embedded page", address) + \
            "\n\n"

    def video(match: re.Match[str]) -> str | None:
        source = attributes(match.group(0)).get("src") or next(
            (attributes(s.group(0)).get("src") for s in re.finditer(r"<source\b[^>]*>", match.group(0), re.I)), "")
        if not source:
            return None
        conversion.count("<video> -> video")
        return conversion.video(source)

    def details(match: re.Match[str]) -> str:
        conversion.count("<details> -> callout")
        return conversion.callout(_text(match.group(1)), "note", match.group(2))

    for pattern, make in ((_FIGURE, figure), (_VIDEO_TAG, video), (_IFRAME, frame), (_DETAILS, details),
                          (_IMG, image)):
        if re.search(pattern.pattern[:6], text, re.IGNORECASE):
            text = replace_outside_code(text, pattern, make)
    return text


def holds_html(text: str) -> bool:
    """Whether Markdown holds raw HTML tags outside code (shown as text unless the site allows raw HTML)."""
    return _TAG.search(mask_code(text)) is not None


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


_LINKED = re.compile(r"(!?\[(?:[^\[\]]|\[[^\]]*\])*\]\()(<[^>]+>|[^)\s]+)((?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\))")
_DEFINITION = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(\S+)(.*)$", re.M)
_HTML_SOURCE = re.compile(r"(<(?:img|source|video|a)\b[^>]*?\b(?:src|href)=\")([^\"]+)(\")", re.IGNORECASE)


def copy_linked_files(conversion: Conversion, text: str) -> str:
    """Links and images to files of the old site (not pages, not posts) pointed at the copies beside the story."""
    def relinked(opening: str, address: str, closing: str) -> str | None:
        bare = address[1:-1] if address.startswith("<") else address
        path = urlsplit(bare).path
        if not path or urlsplit(bare).scheme or bare.startswith(("#", POST_LINK)) or path.endswith("/") \
                or Path(path).suffix.lower() in MARKDOWN_SUFFIXES + (".html", ".htm", ""):
            return None
        if unquote(bare) in conversion.files:
            return None  # already the name of a copy (an image a tool's construct was mapped to)
        name = conversion.local(bare)
        return None if name is None else f"{opening}{_address(name)}{closing}"

    text = replace_outside_code(text, _LINKED, lambda m: relinked(m.group(1), m.group(2), m.group(3)))
    text = replace_outside_code(text, _DEFINITION, lambda m: relinked(m.group(1), m.group(2), m.group(3)))
    return replace_outside_code(text, _HTML_SOURCE, lambda m: relinked(m.group(1), m.group(2), m.group(3)))


_SHOWN_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(|<img\b", re.IGNORECASE)


def shown_images(text: str) -> int:
    """How many images a body shows (Markdown images and <img> tags outside code)."""
    return len(_SHOWN_IMAGE.findall(mask_code(text)))


def tidy(text: str) -> str:
    """Runs of blank lines left by block conversions made one, outside code; the text ends with one line break."""
    masked = mask_code(text)
    parts, last = [], 0
    for run in re.finditer(r"\n[ \t]*\n(?:[ \t]*\n)+", masked):
        parts += [text[last:run.start()], "\n\n"]
        last = run.end()
    return ("".join(parts) + text[last:]).strip("\n") + "\n"
