"""Hugo: its configuration (sections, permalinks, static folders, base URL), its old addresses, and its shortcodes.

Posts are read from `--section`, else from the site's main sections (`params.mainSections`, else
the section with the most pages, as Hugo decides). A post's old address is its `url`, else what
the `permalinks` setting of its section makes, else Hugo's default (the file's path); its own
`aliases` are kept too. The shortcodes are hugo_shortcodes' business.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from failsite.content.importers.body import IMAGE_SUFFIXES
from failsite.content.importers.sources import HTML_SUFFIXES, MARKDOWN_SUFFIXES, Post, ToolSite, nothing_to_import, \
    origin_of, read_config

CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
                "config.json")
MARKERS = CONFIG_NAMES + ("config/_default",)


def read_site(source: Path, section: str | None) -> ToolSite:
    """The Hugo site in `source`: its configuration, and the folders to take posts from."""
    config = _config(source)
    content = source / str(config.get("contentdir") or "content")
    languages = config.get("languages") if isinstance(config.get("languages"), dict) else {}
    language_dirs = {str(name): source / str(values["contentdir"]) for name, values in
                     ((n, {str(k).lower(): v for k, v in (v or {}).items()}) for n, v in languages.items())
                     if values.get("contentdir")}
    if section is not None:
        roots = (_section_folder(source, content, section),)
    elif not content.is_dir():
        raise nothing_to_import("hugo", source, (content,), "content/", MARKERS, None)
    else:
        roots = _main_sections(content, config)
    statics = config.get("staticdir") or "static"
    statics = statics if isinstance(statics, list) else [statics]
    files_roots = tuple(source / str(s) for s in statics) + (source / str(config.get("assetdir") or "assets"),)
    settings = {"config": config, "content": content, "language_dirs": language_dirs,
                "permalinks": _permalinks(config), "languages": tuple(str(n).lower() for n in languages),
                "default_language": str(config.get("defaultcontentlanguage") or "en").lower(),
                "language_in_subdir": bool(config.get("defaultcontentlanguageinsubdir")),
                "ugly": bool(config.get("uglyurls")), "lower": not config.get("disablepathtolower"),
                "title": str(config.get("title") or ""), "origin": origin_of(str(config.get("baseurl") or ""))}
    return ToolSite("hugo", source, roots, files_roots, MARKDOWN_SUFFIXES + HTML_SUFFIXES,
                    _base_path(str(config.get("baseurl") or "")), settings)


def _config(source: Path) -> dict[str, Any]:
    """The site's configuration: its config file, then config/_default/ (a file per key, e.g. permalinks.toml),
    with the top-level keys in lower case (Hugo reads them in any case)."""
    merged: dict[str, Any] = {}
    for name in CONFIG_NAMES:
        found = read_config(source / name)
        if found:
            merged.update(found)
            break
    folder = source / "config" / "_default"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            data = read_config(path)
            if path.stem in ("hugo", "config"):
                merged.update(data)
            elif data:
                merged[path.stem] = data
    return {str(k).lower(): v for k, v in merged.items()}


def _section_folder(source: Path, content: Path, section: str) -> Path:
    for candidate in (source / section, content / section):
        if candidate.is_dir():
            return candidate
    raise nothing_to_import("hugo", source, (source / section,), section, MARKERS, section)


def _main_sections(content: Path, config: dict[str, Any]) -> tuple[Path, ...]:
    """Hugo's main sections: `params.mainSections`, else the section holding the most pages."""
    params = config.get("params") if isinstance(config.get("params"), dict) else {}
    named = {str(k).lower(): v for k, v in (params or {}).items()}.get("mainsections")
    if named:
        names = [named] if isinstance(named, str) else list(named)
        roots = tuple(content / str(n) for n in names if (content / str(n)).is_dir())
        if roots:
            return roots
    counts = {folder: sum(1 for p in folder.rglob("*") if p.suffix.lower() in MARKDOWN_SUFFIXES + HTML_SUFFIXES
                          and not p.name.startswith("_index."))
              for folder in sorted(content.iterdir()) if folder.is_dir() and not folder.name.startswith(".")}
    counts = {folder: n for folder, n in counts.items() if n}
    return (max(counts, key=lambda f: counts[f]),) if counts else (content,)


def _base_path(address: str) -> str:
    """The path part of a base URL: https://example.org/blog/ -> /blog."""
    path = re.sub(r"^[a-z]+://[^/]*", "", address.strip())
    return "/" + path.strip("/") if path.strip("/") else ""


def _permalinks(config: dict[str, Any]) -> dict[str, str]:
    """The `permalinks` setting: section -> pattern (Hugo's older form, and its `page` kind)."""
    found = config.get("permalinks")
    if not isinstance(found, dict):
        return {}
    patterns = {str(k).lower(): str(v) for k, v in found.items() if isinstance(v, str)}
    page = next((v for k, v in found.items() if str(k).lower() == "page" and isinstance(v, dict)), {})
    patterns.update({str(k).lower(): str(v) for k, v in page.items() if isinstance(v, str)})
    return patterns


# Addresses --------------------------------------------------------------------------------------------------------

def urlize(text: str, lower: bool = True) -> str:
    """A text as Hugo makes it part of an address (`urlize`): letters, digits and `._-+~#` kept, spaces made
    hyphens, everything else dropped."""
    kept = []
    for char in text.strip():
        if char.isspace():
            kept.append("-")
        elif char.isalnum() or unicodedata.category(char).startswith("M") or char in "._-+~#/":
            kept.append(char)
    made = "".join(kept)
    return made.lower() if lower else made


def old_addresses(site: ToolSite, post: Post, title: str) -> list[str]:
    """The addresses the post had: its `url`, else its permalink, and its own `aliases`."""
    settings = site.settings
    content_root, language = _content_root(site, post)
    relative = post.path.relative_to(content_root)
    folders = list(relative.parts[:-2] if post.bundle else relative.parts[:-1])
    prefix = f"/{language}" if language and (language != settings["default_language"]
                                             or settings["language_in_subdir"]) else ""
    slug = str(post.fields.get("slug") or "")
    lower = settings["lower"]
    written = post.fields.get("url")
    if isinstance(written, str) and written.strip():
        address = "/" + written.strip().lstrip("/")
    else:
        pattern = settings["permalinks"].get(folders[0].lower() if folders else "")
        name = slug or post.stem if not post.bundle else slug or post.bundle.name
        if pattern:
            address = _expand(pattern, post, folders, title, slug, lower)
        else:
            address = "/" + "/".join(folders + [name]) + "/"
            address = address.lower() if lower else address
        address = prefix + address
        if settings["ugly"] and address.endswith("/"):
            address = address.rstrip("/") + ".html"
    addresses = [address]
    aliases = post.fields.get("aliases") or []
    for alias in [aliases] if isinstance(aliases, str) else aliases:
        alias = str(alias).strip()
        if alias and not alias.startswith("/"):  # relative to the page's folder, as Hugo reads it
            alias = address.rsplit("/", 2)[0] + "/" + alias if address.endswith("/") else \
                address.rsplit("/", 1)[0] + "/" + alias
        if alias:
            addresses.append(alias)
    return [site.base_path + a for a in addresses]


def _content_root(site: ToolSite, post: Post) -> tuple[Path, str]:
    for language, folder in site.settings["language_dirs"].items():
        if post.path.is_relative_to(folder):
            return folder, language
    content = site.settings["content"]
    return (content if post.path.is_relative_to(content) else post.path.parent), ""


_TOKEN = re.compile(r":(\w+)(\[[^\]]*\])?")
_GO_LAYOUTS = {"2006": "%Y", "06": "%y", "01": "%m", "1": "%-m", "02": "%d", "2": "%-d", "Jan": "%b", "January": "%B",
               "Mon": "%a", "Monday": "%A", "15": "%H", "04": "%M", "05": "%S"}


def _expand(pattern: str, post: Post, folders: list[str], title: str, slug: str, lower: bool) -> str:
    """A `permalinks` pattern filled in for a post: :year, :month, :day, :monthname, :yearday, :weekday, :section,
    :sections, :title, :slug, :slugorfilename, :filename and Go's date layouts (:2006, :01, ...)."""
    date = post.date or dt.date(1, 1, 1)
    filename = post.bundle.name if post.bundle else post.stem

    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        values = {"year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}",
                  "monthname": date.strftime("%B").lower(), "yearday": str(date.timetuple().tm_yday),
                  "weekday": str((date.weekday() + 1) % 7), "weekdayname": date.strftime("%A").lower(),
                  "section": folders[0] if folders else "", "sections": "/".join(folders),
                  "title": urlize(title, lower), "slug": urlize(slug or title, lower),
                  "slugorfilename": urlize(slug, lower) if slug else filename,
                  "slugorcontentbasename": urlize(slug, lower) if slug else filename,
                  "filename": filename, "contentbasename": filename}
        if name in values:
            return values[name]
        if name in _GO_LAYOUTS:
            return date.strftime(_GO_LAYOUTS[name]).lstrip("0") if "-" in _GO_LAYOUTS[name] else \
                date.strftime(_GO_LAYOUTS[name])
        return match.group(0)

    address = _TOKEN.sub(token, pattern)
    return "/" + address.lstrip("/")


def featured_names(post: Post) -> list[str]:
    """The files of a bundle Hugo's themes show as the post's picture by name (featured.jpg, cover.png)."""
    if post.bundle is None:
        return []
    return [p.name for p in sorted(post.bundle.iterdir()) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            and re.match(r"(?:featured?|cover|banner|hero|header)(?:[-_.]|$)", p.stem.lower())]


def resource_names(post: Post) -> dict[str, str]:
    """A bundle's `resources:` named in front matter: name -> file."""
    named: dict[str, str] = {}
    for entry in post.fields.get("resources") or []:
        if isinstance(entry, dict) and entry.get("name") and entry.get("src") and "*" not in str(entry["src"]):
            named[str(entry["name"])] = str(entry["src"])
    return named
