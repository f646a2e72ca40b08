"""Jekyll's Liquid and kramdown in a post's body as failsite's Markdown and shortcodes.

Mapped: `{% highlight %}` (and Octopress' `{% codeblock %}`) as code blocks; `{% raw %}` as its
text; `{% comment %}` left out; `{% include %}` of figures, images, videos, galleries and tables
of contents; `{% include_relative %}` as the file's text; `{% link %}` and `{% post_url %}` as
links to the other post's new file; `{% gist %}`, `{% twitter %}`, `{% youtube %}`, `{% vimeo %}`
and Octopress' `{% img %}` and `{% blockquote %}`; `{{ site.baseurl }}`, `relative_url` and
`absolute_url` as paths from the root; `{{ page.x }}` and `{{ site.x }}` as their values; and
kramdown's `{: .notice--warning}` after a paragraph as a callout (other attribute lists and
`{:toc}` are left out). Any other tag or expression is reported with its line and left as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from failsite.content.importers.body import (CODE, IMAGE_SUFFIXES, POST_LINK, Conversion, attributes, mask_code,
                                             web_video)

_LIQUID = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.S)
_RAW_TAG = re.compile(r"\{%-?\s*(?:raw|endraw)\s*-?%\}")
_BLOCKS = ("highlight", "codeblock", "raw", "comment", "blockquote", "capture", "if", "unless", "for", "case")
_IMAGE_PARAMETERS = ("image_path", "src", "url", "image", "file", "path", "name", "img")
_LEFT_OUT = ("seo", "feed_meta", "toc", "endraw")


def convert_body(conversion: Conversion, text: str) -> str:
    """The body with its Liquid mapped (or reported, by source line, and left as written), then its kramdown
    attribute lists."""
    text = _raw_in_code(text)
    masked = mask_code(text)
    tokens = list(_LIQUID.finditer(masked))
    parts, last, index = [], 0, 0
    while index < len(tokens):
        token = tokens[index]
        parts.append(text[last:token.start()])
        name = (token.group(1) or "").lower()
        end_index = _closing(tokens, index, name) if name in _BLOCKS else None
        if end_index is not None:
            closing = tokens[end_index]
            made = _block(conversion, name, token.group(2).strip(), text[token.end():closing.start()], text)
            if made is None:
                _report(conversion, text, token, "block")
                made = text[token.start():closing.end()]
            parts.append(made)
            last, index = closing.end(), end_index + 1
            continue
        made = _tag(conversion, name, token.group(2).strip()) if token.group(1) else \
            _output(conversion, token.group(3).strip())
        if made is None:
            _report(conversion, text, token, "tag" if token.group(1) else "expression")
            made = text[token.start():token.end()]
        parts.append(made)
        last, index = token.end(), index + 1
    parts.append(text[last:])
    return kramdown_attributes(conversion, "".join(parts))


def _shown(text: str, token: re.Match[str]) -> str:
    return repr(" ".join(text[token.start():token.end()].split())[:80])


def _report(conversion: Conversion, text: str, token: re.Match[str], kind: str) -> None:
    what = {"tag": "the Liquid tag", "block": "the Liquid block", "expression": "the Liquid expression"}[kind]
    conversion.not_mapped.append(f"{conversion.post.shown}:{conversion.line_at(token.start(), text)}: {what} "
                                 f"{_shown(text, token)} has no failsite equivalent")


def _raw_in_code(text: str) -> str:
    """`{% raw %}` and `{% endraw %}` inside code taken out, as Jekyll takes them out: what they wrap is the code."""
    masked = mask_code(text)
    return "".join(piece for piece in _split_keep(text, [(m.start(), m.end()) for m in _RAW_TAG.finditer(text)
                                                         if CODE in masked[m.start():m.end()]]))


def _split_keep(text: str, dropped: list[tuple[int, int]]) -> list[str]:
    pieces, last = [], 0
    for start, end in dropped:
        pieces.append(text[last:start])
        last = end
    return pieces + [text[last:]]


def _closing(tokens: list[re.Match[str]], index: int, name: str) -> int | None:
    """The index of the tag that closes the block opened at `index` (nested blocks of the same name counted)."""
    depth = 0
    for later in range(index + 1, len(tokens)):
        tag = (tokens[later].group(1) or "").lower()
        if tag == name:
            depth += 1
        elif tag == f"end{name}":
            if depth == 0:
                return later
            depth -= 1
    return None


def _block(conversion: Conversion, name: str, arguments: str, inner: str, text: str) -> str | None:
    if name == "raw":
        conversion.count("{% raw %} -> its text")
        return inner
    if name == "comment":
        conversion.count("{% comment %} -> left out")
        return ""
    if name in ("highlight", "codeblock"):
        language = re.search(r"lang:(\S+)", arguments)
        words = arguments.split()
        conversion.count(f"{{% {name} %}} -> code block")
        return conversion.fence(language.group(1) if language else (words[0] if words and name == "highlight"
                                                                   else ""), inner)
    if name == "blockquote":
        conversion.count("{% blockquote %} -> quote")
        return conversion.quote(arguments.split(",")[0].strip(), inner)
    return None


def _tag(conversion: Conversion, name: str, arguments: str) -> str | None:
    made = _tag_made(conversion, name, arguments)
    if made is not None:
        shown = f"{{% include {Path(arguments.split()[0]).stem} %}}" if name == "include" and arguments.split() \
            else f"{{% {name} %}}"
        conversion.count(f"{shown} -> {_what(made)}")
    return made


def _what(made: str) -> str:
    """What a tag was mapped to, in the words of the report."""
    if not made:
        return "left out"
    if made.startswith(POST_LINK) or made.startswith("/"):
        return "link"
    if "{{< video" in made:
        return "video"
    images = made.count("![")
    return "images" if images > 1 else "image" if images else "link" if made.startswith("[") else "its text"


def _tag_made(conversion: Conversion, name: str, arguments: str) -> str | None:
    words = arguments.split()
    if name in _LEFT_OUT:
        return ""
    if name == "include":
        return _include(conversion, words[0] if words else "", attributes(arguments))
    if name == "include_relative":
        path = (conversion.post.path.parent / (words[0] if words else "")).resolve()
        return path.read_text(encoding="utf-8") if words and path.is_file() else None
    if name in ("link", "post_url"):
        found = _post_named(conversion, words[0] if words else "", name)
        if found is not None:
            return POST_LINK + conversion.site.shown(found)
        return f"/{words[0].lstrip('/')}" if name == "link" and words and conversion.source_file(
            "/" + words[0].lstrip("/")) else None
    if name == "gist" and words:
        gist = words[0].strip("'\"")
        return conversion.link(f"Gist {gist}" + (f" ({words[1]})" if len(words) > 1 else ""),
                               f"https://gist.github.com/{gist}")
    if name in ("twitter", "tweet") and words:
        address = words[0].strip("'\"")
        return conversion.link("A post on X", address if "://" in address else f"https://x.com/i/status/{address}")
    if name in ("youtube", "vimeo") and words:
        video = words[0].strip("'\"")
        address = web_video(video) if "://" in video else (f"https://www.youtube.com/watch?v={video}"
                                                           if name == "youtube" else f"https://vimeo.com/{video}")
        return conversion.video(address)
    if name == "img":
        source = next((w for w in words if "/" in w or w.lower().endswith(IMAGE_SUFFIXES)), "")
        quoted = re.findall(r'"([^"]*)"', arguments)
        return ("\n\n" + conversion.image(source, quoted[1] if len(quoted) > 1 else "", quoted[0] if quoted else "")
                + "\n\n") if source else None
    return None


def _include(conversion: Conversion, file: str, parameters: dict[str, str]) -> str | None:
    """`{% include x.html key="value" %}`: a figure, image, video, gallery or table of contents as failsite's."""
    name = Path(file).stem.lower()
    if name == "toc":
        return ""
    if name == "gallery":
        return _gallery(conversion, parameters)
    if "youtube" in name or "vimeo" in name or name == "video":
        video = parameters.get("id") or parameters.get("url") or parameters.get("src") or ""
        provider = parameters.get("provider", "vimeo" if "vimeo" in name else "youtube").lower()
        if not video:
            return None
        address = web_video(video) if "://" in video else (f"https://vimeo.com/{video}" if provider == "vimeo"
                                                           else f"https://www.youtube.com/watch?v={video}")
        return conversion.video(address, parameters.get("title", ""))
    source = next((parameters[p] for p in _IMAGE_PARAMETERS if parameters.get(p)), "")
    if source and (name in ("figure", "image", "img", "picture", "lightbox") or
                   source.lower().split("?")[0].endswith(IMAGE_SUFFIXES)):
        caption = parameters.get("caption") or parameters.get("description") or ""
        return "\n\n" + conversion.image(_liquid_value(conversion, source), parameters.get("alt", ""),
                                         parameters.get("title", ""), _strip_markup(caption)) + "\n\n"
    return None


def _gallery(conversion: Conversion, parameters: dict[str, str]) -> str | None:
    """Minimal Mistakes' gallery: the images listed in the front matter's `gallery` (or the key named by `id`)."""
    entries = conversion.post.fields.get(parameters.get("id") or "gallery")
    if not isinstance(entries, list) or not entries:
        return None
    images = []
    for entry in entries:
        if isinstance(entry, dict) and (entry.get("image_path") or entry.get("url")):
            source = str(entry.get("url") if str(entry.get("url") or "").lower().endswith(IMAGE_SUFFIXES)
                         else entry.get("image_path"))
            images.append(conversion.image(source, str(entry.get("alt") or ""), str(entry.get("title") or "")))
    caption = _strip_markup(parameters.get("caption", ""))
    return "\n\n" + "\n\n".join(images) + (f"\n\n*{caption}*" if caption else "") + "\n\n" if images else None


def _post_named(conversion: Conversion, written: str, tag: str) -> Path | None:
    """The post a `{% link %}` (its path) or `{% post_url %}` (its name, perhaps in a folder) names."""
    written = written.strip("'\"")
    if tag == "link":
        path = (conversion.site.root / written).resolve()
        return path if path in conversion.others else None
    name = written.split("/")[-1]
    return next((p for p in conversion.others if p.stem == name), None)


def _liquid_value(conversion: Conversion, value: str) -> str:
    """A parameter that is itself a Liquid expression (page.image, site.baseurl + path) as its value."""
    if value.startswith("page."):
        found = conversion.post.fields.get(value[5:])
        return str(found) if isinstance(found, str) else value
    return value


def _strip_markup(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


_PATH_FILTER = re.compile(r"""^["']([^"']*)["']\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.(?:base)?url)""")


def _output(conversion: Conversion, expression: str) -> str | None:
    """`{{ ... }}`: the site's root (`site.baseurl`, `site.url`), a path through `relative_url`, or a value of
    the page or the site."""
    bare = expression.split("|")[0].strip()
    if bare in ("site.baseurl", "site.url", "site.github.url", "site.url }}{{ site.baseurl"):
        conversion.count("{{ site.baseurl }} -> the site's root")
        return ""
    path = _PATH_FILTER.match(expression)
    if path:
        conversion.count("{{ '...' | relative_url }} -> the path")
        return path.group(1)
    if "|" not in expression:
        source: Any = conversion.post.fields if bare.startswith("page.") else \
            conversion.site.settings["config"] if bare.startswith("site.") else None
        value = source.get(bare.split(".", 1)[1]) if source is not None else None
        if isinstance(value, (str, int, float)):
            conversion.count(f"{{{{ {bare.split('.')[0]}.* }}}} -> its value")
            return str(value)
    return None


_NOTICE = re.compile(r"^\{:\s*\.(notice(?:--(\w+))?)[^}]*\}\s*$")
_BLOCK_ATTRIBUTES = re.compile(r"^\{:[^}]*\}\s*$|^\{::options[^}]*/\}\s*$")
_INLINE_ATTRIBUTES = re.compile(r"(?<=[)\]*_`}a-zA-Z0-9])\{:\s*[^}\n]*\}")
_TOC = re.compile(r"^\s*[*-]\s+(?:TOC|Table of contents)\s*$", re.IGNORECASE)


def kramdown_attributes(conversion: Conversion, text: str) -> str:
    """kramdown's attribute lists: `{: .notice--info}` after a paragraph makes it a callout; `* TOC` with `{:toc}`,
    and every other attribute list, are left out (they only set classes and ids)."""
    if "{:" not in text:
        return text
    lines = text.split("\n")
    masked = mask_code(text).split("\n")
    out: list[str] = []
    for line, plain in zip(lines, masked):
        notice = _NOTICE.match(plain.strip())
        if notice and plain.strip():
            start = len(out)
            while start > 0 and out[start - 1].strip():
                start -= 1
            paragraph = "\n".join(out[start:])
            del out[start:]
            conversion.count("{: .notice} -> callout")
            out += conversion.callout(notice.group(2).capitalize() if notice.group(2) else "Note",
                                      notice.group(2) or "note", paragraph).split("\n")
            continue
        if plain.strip() and _BLOCK_ATTRIBUTES.match(plain.strip()):
            if "toc" in plain and out and _TOC.match(out[-1]):
                out.pop()
            conversion.count("{: ...} -> left out")
            continue
        if "{:" in plain:
            line = _INLINE_ATTRIBUTES.sub("", line) if _INLINE_ATTRIBUTES.search(plain) else line
        out.append(line)
    return "\n".join(out)
