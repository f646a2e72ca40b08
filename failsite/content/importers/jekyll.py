"""Jekyll: its configuration (permalink, Markdown extensions, base URL, authors), its posts and their old addresses.

Posts are read from every `_posts` folder (and `_drafts`, as drafts), or from `--section`. A
post's old address is its own `permalink`, else the site's `permalink` style or pattern (Jekyll's
`date` by default), filled in as Jekyll does; `redirect_from` (jekyll-redirect-from) is kept too.
Liquid in the body is jekyll_liquid's business.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from failsite.content.importers.sources import HTML_SUFFIXES, SKIPPED_FOLDERS, Post, ToolSite, nothing_to_import, \
    origin_of, people, read_config

MARKERS = ("_config.yml", "_config.yaml", "_posts")
_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
           "pretty": "/:categories/:year/:month/:day/:title/",
           "ordinal": "/:categories/:year/:y_day/:title:output_ext",
           "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
           "none": "/:categories/:title:output_ext"}


def read_site(source: Path, section: str | None) -> ToolSite:
    """The Jekyll site in `source`: its configuration, and the folders to take posts from."""
    config = read_config(source / "_config.yml") or read_config(source / "_config.yaml")
    extensions = str(config.get("markdown_ext") or "markdown,mkdown,mkdn,mkd,md")
    suffixes = tuple(f".{e.strip().lower()}" for e in extensions.split(",") if e.strip()) + HTML_SUFFIXES
    if section is not None:
        roots: tuple[Path, ...] = (source / section,) if (source / section).is_dir() else ()
        if not roots:
            raise nothing_to_import("jekyll", source, (source / section,), section, MARKERS, section)
    else:
        roots = tuple(sorted(p for p in source.rglob("*") if p.is_dir() and p.name in ("_posts", "_drafts")
                             and not any(part in SKIPPED_FOLDERS for part in p.relative_to(source).parts)))
        if not roots:
            raise nothing_to_import("jekyll", source, (source / "_posts",), "_posts/", MARKERS, None)
    authors = read_config(source / "_data" / "authors.yml") or read_config(source / "_data" / "authors.yaml")
    names = {str(k): str(v.get("name") or v.get("display_name") or k) if isinstance(v, dict) else str(v)
             for k, v in authors.items()}
    settings = {"config": config, "permalink": str(config.get("permalink") or "date"), "authors": names,
                "title": str(config.get("title") or ""), "origin": origin_of(str(config.get("url") or ""))}
    base = str(config.get("baseurl") or "").strip().rstrip("/")
    return ToolSite("jekyll", source, roots, (source,), suffixes, ("/" + base.lstrip("/")) if base else "", settings)


def categories(site: ToolSite, post: Post) -> list[str]:
    """A post's categories as Jekyll reads them: the folders above its `_posts`, then its front matter's."""
    above = post.path.relative_to(site.root).parts
    index = next((i for i, part in enumerate(above) if part in ("_posts", "_drafts")), None)
    folders = list(above[:index]) if index is not None else []
    written: Any = post.fields.get("categories") or post.fields.get("category") or []
    written = written.split() if isinstance(written, str) else [str(c) for c in written]
    return list(dict.fromkeys(folders + written))


def old_addresses(site: ToolSite, post: Post, title: str) -> list[str]:
    """The addresses the post had: its permalink (its own, else the site's), and its `redirect_from`."""
    pattern = str(post.fields.get("permalink") or site.settings["permalink"])
    pattern = _STYLES.get(pattern, pattern)
    date = post.date
    slug = str(post.fields.get("slug") or post.stem)
    chosen = [c.lower() for c in categories(site, post)]
    values = {"categories": "/".join(chosen), "slugified_categories": "/".join(_slug(c) for c in chosen),
              "title": slug, "slug": _slug(slug), "name": _slug(post.stem), "output_ext": ".html",
              "path": post.path.relative_to(site.root).as_posix()}
    if date is not None:
        moment = post.moment
        values |= {"year": f"{date.year:04d}", "short_year": f"{date.year % 100:02d}", "month": f"{date.month:02d}",
                   "i_month": str(date.month), "short_month": date.strftime("%b"), "long_month": date.strftime("%B"),
                   "day": f"{date.day:02d}", "i_day": str(date.day), "y_day": f"{date.timetuple().tm_yday:03d}",
                   "week": f"{date.isocalendar()[1]:02d}", "short_day": date.strftime("%a"),
                   "long_day": date.strftime("%A"), "hour": f"{moment.hour:02d}" if moment else "00",
                   "minute": f"{moment.minute:02d}" if moment else "00",
                   "second": f"{moment.second:02d}" if moment else "00"}
    address = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    address = "/" + re.sub(r"/{2,}", "/", address).lstrip("/")
    redirects = post.fields.get("redirect_from") or []
    addresses = [address] + [("/" + str(r).lstrip("/")) for r in ([redirects] if isinstance(redirects, str)
                                                                   else redirects) if str(r).strip()]
    return [quote(site.base_path + a, safe="/:@!$&'()*+,;=~.-_") for a in addresses]


def _slug(text: str) -> str:
    """Jekyll's `slugify` in its default mode: lower case, every run of other characters one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def authors(site: ToolSite, post: Post) -> list[str]:
    """The post's authors by name: ids are looked up in _data/authors.yml."""
    return people(post.fields.get("authors") or post.fields.get("author"), site.settings["authors"])
