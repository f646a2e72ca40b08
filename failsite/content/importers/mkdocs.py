"""MkDocs with Material's blog: its configuration, its posts' old addresses, and its Markdown extensions.

Posts are read from `--section`, else the blog plugin's posts folder (`docs/blog/posts/`). A post's
old address is what the blog plugin made (`post_url_format`, `{date}/{slug}` under the blog's
folder, the slug made from the title unless the post gives one); an old page the `redirects`
plugin sends to the post is kept too. Admonitions (`!!!`, and collapsible `???`) are failsite's
own; snippets (`--8<--`) are replaced by the file they name; content tabs become a bold title and
their text; attribute lists (`{ .class }`) and `[TOC]` are left out. Macros (`{{ }}`, `{% %}`) are
reported with their line and left as written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from failsite.content.importers.body import Conversion, mask_code
from failsite.content.importers.sources import MARKDOWN_SUFFIXES, Post, ToolSite, nothing_to_import, origin_of, \
    read_config

MARKERS = ("mkdocs.yml", "mkdocs.yaml")


def read_site(source: Path, section: str | None) -> ToolSite:
    """The MkDocs site in `source`: its configuration, its blog's settings, and the folder to take posts from."""
    config = read_config(source / "mkdocs.yml") or read_config(source / "mkdocs.yaml")
    docs = source / str(config.get("docs_dir") or "docs")
    blog = _plugin(config, "blog") or _plugin(config, "material/blog")
    blog_dir = str(blog.get("blog_dir") or "blog").strip("/")
    post_dir = str(blog.get("post_dir") or "{blog}/posts").replace("{blog}", blog_dir)
    if section is not None:
        root = source / section
        if not root.is_dir():
            raise nothing_to_import("mkdocs", source, (root,), section, MARKERS, section)
    else:
        root = docs / post_dir
        if not root.is_dir():
            raise nothing_to_import("mkdocs", source, (root,), f"{docs.name}/{post_dir}/", MARKERS, None)
    authors_file = docs / str(blog.get("authors_file") or "{blog}/.authors.yml").replace("{blog}", blog_dir)
    authors = read_config(authors_file).get("authors") or {}
    names = {str(k): str(v.get("name") or k) for k, v in authors.items() if isinstance(v, dict)}
    snippets = _extension(config, "pymdownx.snippets")
    bases = snippets.get("base_path") or ["."]
    settings = {"config": config, "docs": docs, "blog_dir": blog_dir, "authors": names,
                "url_format": str(blog.get("post_url_format") or "{date}/{slug}"),
                "date_format": str(blog.get("post_url_date_format") or "yyyy/MM/dd"),
                "directory_urls": config.get("use_directory_urls", True) is not False,
                "redirects": (_plugin(config, "redirects").get("redirect_maps") or {}),
                "snippet_bases": tuple(source / str(b) for b in ([bases] if isinstance(bases, str) else bases))
                + (docs,), "title": str(config.get("site_name") or ""),
                "origin": origin_of(str(config.get("site_url") or ""))}
    base = re.sub(r"^[a-z]+://[^/]*", "", str(config.get("site_url") or "")).strip("/")
    return ToolSite("mkdocs", source, (root,), (docs,), MARKDOWN_SUFFIXES, f"/{base}" if base else "", settings)


def _plugin(config: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in config.get("plugins") or []:
        if entry == name:
            return {}
        if isinstance(entry, dict) and name in entry:
            return entry[name] if isinstance(entry[name], dict) else {}
    return {}


def _extension(config: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in config.get("markdown_extensions") or []:
        if isinstance(entry, dict) and name in entry:
            return entry[name] if isinstance(entry[name], dict) else {}
    return {}


def post_title(post: Post) -> str:
    """The post's title: its `title`, else its first `# heading` (as Material's blog reads it)."""
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", post.body, re.M)
    return str(post.fields.get("title") or (heading.group(1) if heading else post.stem.replace("-", " ")))


def toc_slug(text: str) -> str:
    """Python-Markdown's `slugify`, which Material's blog makes post slugs with."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


_ICU = {"yyyy": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "dd": "%d", "EEEE": "%A", "EEE": "%a"}


def old_addresses(site: ToolSite, post: Post, title: str) -> list[str]:
    """The address Material's blog gave the post, and the old pages the redirects plugin sends to it."""
    settings = site.settings
    slug = str(post.fields.get("slug") or toc_slug(post_title(post)))
    date = post.date or dt.date(1970, 1, 1)
    layout = re.sub("|".join(_ICU), lambda m: _ICU[m.group(0)], settings["date_format"])
    categories = post.fields.get("categories") or []
    values = {"date": date.strftime(layout), "slug": slug, "file": post.stem,
              "categories": "/".join(toc_slug(str(c)) for c in (categories if isinstance(categories, list) else []))}
    path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), settings["url_format"]).strip("/")
    path = re.sub(r"/{2,}", "/", f"/{settings['blog_dir']}/{path}")
    addresses = [_page_address(path, settings["directory_urls"])]
    relative = post.path.relative_to(settings["docs"]).as_posix() if post.path.is_relative_to(settings["docs"]) \
        else ""
    for old, new in settings["redirects"].items():
        if str(new).split("#")[0] == relative:
            old_path = "/" + re.sub(r"(?:^|/)(?:index|README)\.md$", "", str(old)).removesuffix(".md")
            addresses.append(_page_address(old_path, settings["directory_urls"]) if not old_path.endswith("/")
                             else old_path)
    return [site.base_path + a for a in addresses]


def _page_address(path: str, directory_urls: bool) -> str:
    path = path.rstrip("/")
    return (path + "/" if directory_urls else path + ".html") if path else "/"


_MACRO = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_SNIPPET_LINE = re.compile(r"^(\s*)(;?)-{2,}8<-{2,}\s*(?:([\"'])(.+?)\3)?\s*$")
_TAB = re.compile(r"^(\s*)===(\+|!)?\s+\"(.*)\"\s*$")
_ATTRIBUTE_LIST = re.compile(r"\{:?\s*(?:(?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+))\s*)+\}")


def convert_body(conversion: Conversion, text: str) -> str:
    """Snippets inlined, tabs unfolded, attribute lists and [TOC] left out; macros reported."""
    masked = mask_code(text)
    for macro in _MACRO.finditer(masked):
        conversion.unmapped(macro.start(), f"the macro {' '.join(text[macro.start():macro.end()].split())[:80]!r} "
                                           "has no failsite equivalent")
    if re.search(r"^\s*!!!|^\s*\?\?\?", masked, re.M):
        conversion.mapped["admonitions (kept: failsite reads them)"] += len(re.findall(r"^\s*(?:!!!|\?\?\?)", masked,
                                                                                      re.M))
    heading = re.match(r"\s*#\s+(.+?)\s*#*\s*(?:\n|$)", text)
    if heading and not conversion.post.fields.get("title"):  # the post's title, as Material's blog takes it
        conversion.count("first heading -> title")
        text = "\n" * heading.group(0).count("\n") + text[heading.end():]
        masked = mask_code(text)
    lines = _snippets(conversion, text, masked.split("\n"))
    text = _tabs(conversion, "\n".join(lines))
    masked = mask_code(text)
    out = []
    for line, plain in zip(text.split("\n"), masked.split("\n")):
        if plain.strip() == "[TOC]":
            conversion.count("[TOC] -> left out")
            continue
        if _ATTRIBUTE_LIST.search(plain):
            stripped = _ATTRIBUTE_LIST.sub("", line)
            if stripped != line:
                conversion.count("{ attribute list } -> left out")
            if not stripped.strip() and line.strip():
                continue
            line = stripped.rstrip() if stripped.strip() else stripped
        out.append(line)
    return "\n".join(out)


def _snippets(conversion: Conversion, text: str, masked: list[str]) -> list[str]:
    """`--8<-- "file.md"` (and the block form, a file per line between two `--8<--`) replaced by the file's text;
    `;--8<--` is the marker written as text."""
    lines = text.split("\n")
    out: list[str] = []
    block: list[str] | None = None
    offset = 0
    for line, plain in zip(lines, masked):
        found = _SNIPPET_LINE.match(plain) if plain.strip() else None
        if block is not None:
            if found and not found.group(4):
                out += block
                block = None
            elif line.strip():
                block += _included(conversion, line.strip(), offset, text)
        elif found and found.group(2):
            out.append(f"{found.group(1)}`--8<--`" + (f" `{found.group(4)}`" if found.group(4) else ""))
        elif found and found.group(4):
            out += [found.group(1) + piece for piece in _included(conversion, found.group(4), offset, text)]
        elif found:
            block = []
        else:
            out.append(line)
        offset += len(line) + 1
    return out + (block or [])


def _included(conversion: Conversion, name: str, offset: int, text: str) -> list[str]:
    """The lines of the file a snippet names (`file.md`, `file.md:3:9` for lines 3 to 9)."""
    file, _, lines = name.partition(":")
    for base in conversion.site.settings["snippet_bases"]:
        path = base / file
        if path.is_file():
            content = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
            numbers = [int(n) for n in lines.split(":") if n.isdigit()]
            if numbers:
                content = content[numbers[0] - 1:numbers[1] if len(numbers) > 1 else None]
            conversion.count("--8<-- snippet -> its text")
            return content
    conversion.unmapped(offset, f"the snippet {name!r} names a file that was not found", text)
    return [f"`--8<-- \"{name}\"`"]


def _tabs(conversion: Conversion, text: str) -> str:
    """Content tabs (`=== "Title"` and the text indented below it) as the title in bold and the text."""
    if "===" not in text:
        return text
    lines, masked = text.split("\n"), mask_code(text).split("\n")
    out: list[str] = []
    indent: str | None = None
    for line, plain in zip(lines, masked):
        found = _TAB.match(plain)
        if found:
            conversion.count('=== "tab" -> bold title and its text')
            indent = found.group(1) + "    "
            out += [f"{found.group(1)}**{found.group(3)}**", ""]
            continue
        if indent is not None and (line.startswith(indent) or not line.strip()):
            out.append(line[len(indent):] if line.startswith(indent) else line)
            continue
        indent = None
        out.append(line)
    return "\n".join(out)
