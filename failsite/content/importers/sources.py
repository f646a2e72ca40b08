"""The source site as data: where its posts are, the posts themselves, and the files they may name.

Each tool module (hugo, jekyll, mkdocs) reads its own configuration into a `ToolSite`; reading
the posts, their front matter, dates, times and authors is the same for all three and lives here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from failsite.content.importers.report import ImportReport
from failsite.errors import FailsiteError, error, shown_path

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mkdown")
HTML_SUFFIXES = (".html", ".htm")
# Formats the tools read through other programs (Asciidoctor, Pandoc, Emacs): reported, never guessed at.
OTHER_SUFFIXES = (".adoc", ".asciidoc", ".ad", ".org", ".rst", ".pandoc", ".pdc", ".textile")
SKIPPED_FOLDERS = frozenset({"_site", "public", "site", "node_modules", "vendor", ".git", "resources", ".jekyll-cache"})


@dataclass(frozen=True)
class ToolSite:
    """One source site as its tool sees it: where posts are read from, and what its configuration says."""

    tool: str
    root: Path  # the source folder the user named
    posts_roots: tuple[Path, ...]  # the folders posts are read from (--section, or the tool's own default)
    files_roots: tuple[Path, ...]  # where a path from the site's root (/images/x.png) is looked for, in order
    suffixes: tuple[str, ...]  # the post file names the tool reads
    base_path: str = ""  # the path of the old site under its host (/blog), put before every old address
    settings: dict[str, Any] = field(default_factory=dict)  # what the tool module read from the configuration

    def shown(self, path: Path) -> str:
        """A path as the report shows it: relative to the source folder."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return shown_path(path)


@dataclass(frozen=True)
class Post:
    """One post of the source site as read: its file, front matter, body, and what was worked out from them."""

    path: Path
    shown: str  # relative to the source folder, for the report
    fields: dict[str, Any]
    body: str
    body_line: int  # the line of the file the body starts on
    stem: str  # the file's name without its date prefix and suffix (a bundle's folder name)
    date: dt.date | None
    moment: dt.datetime | None  # the date with its time of day, when the post gave one
    bundle: Path | None = None  # a page bundle's folder: its other files belong to the post
    html: bool = False  # the body is HTML, not Markdown
    draft: bool = False
    section: str = ""  # the folders between the posts root and the file (Hugo's sections, Jekyll's categories)


def read_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """A post's front matter (YAML ---, TOML +++ or JSON {...}), its body and the line the body starts on."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    for fence, parse in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if text.startswith(fence + "\n"):
            end = text.find("\n" + fence, len(fence))
            if end < 0:
                raise ValueError(f"the front matter opened by {fence} is never closed")
            data = parse(text[len(fence) + 1:end + 1]) or {}
            rest = text[end + len(fence) + 1:]
            rest = rest.split("\n", 1)[1] if "\n" in rest else ""
            line = text[:end + len(fence) + 1].count("\n") + 2
            stripped = rest.lstrip("\n")
            return (data if isinstance(data, dict) else {}), stripped, line + (len(rest) - len(stripped))
    if text.startswith("{"):
        data, end = json.JSONDecoder().raw_decode(text)
        rest = text[end:]
        stripped = rest.lstrip("\n")
        return (data if isinstance(data, dict) else {}), stripped, text[:end].count("\n") + 1 + \
            rest[:len(rest) - len(stripped)].count("\n")
    return {}, text, 1


_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def moment_of(value: Any) -> tuple[dt.date | None, dt.datetime | None]:
    """A front-matter date as its day and, when it has a time of day, the moment as written (zone kept). MkDocs'
    `date: {created: ...}` is read too."""
    if isinstance(value, dict):
        value = value.get("created") or value.get("published") or value.get("date")
    if isinstance(value, dt.datetime):
        return value.date(), value if (value.hour, value.minute, value.second) != (0, 0, 0) else None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-").replace("Z", "+00:00"))
        except ValueError:
            try:
                return dt.date.fromisoformat(text[:10]), None
            except ValueError:
                return None, None
        return moment.date(), moment if (moment.hour, moment.minute, moment.second) != (0, 0, 0) else None
    return None, None


_SEPARATORS = re.compile(r"\s*(?:&|\band\b|;|\|)\s*", re.IGNORECASE)


def people(value: Any, names: dict[str, str] | None = None) -> list[str]:
    """Authors as a list of names: a list, a mapping with a name, or one text naming several ("Alice & Bob", "Alice
    and Bob", "Alice Smith, Bob Jones"); ids are looked up in `names` (a tool's authors file). A text with one comma
    and one word each side ("Smith, John") is one name."""
    names = names or {}
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        value = value.get("name") or value.get("display_name") or value.get("id") or ""
    if isinstance(value, (list, tuple)):
        return [name for v in value for name in people(v, names)]
    text = " ".join(str(value).split())
    if text in names:
        return [names[text]]
    parts = [p for p in _SEPARATORS.split(text) if p]
    split: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) > 2 or (len(pieces) == 2 and all(" " in p for p in pieces)):
            split += pieces
        else:
            split.append(part.strip(" ,"))
    return list(dict.fromkeys(names.get(p, p) for p in split if p))


def read_posts(site: ToolSite, report: ImportReport, skip: tuple[str, ...] = ()) -> list[Post]:
    """Every post file under the site's posts roots, read; a file whose front matter cannot be read, or that is in a
    format the tool reads through another program, is reported and left out."""
    posts: list[Post] = []
    languages: set[str] = set(site.settings.get("languages") or ())
    chosen = str(site.settings.get("default_language") or "")
    translations: dict[str, int] = {}
    for path in post_files(site):
        name, language = _language_of(path, languages)
        if language and language != chosen:  # a translation (index.fr.md): one language is imported
            translations[language] = translations.get(language, 0) + 1
            continue
        if name.startswith(("_index.", "index.")) and path.parent in site.posts_roots:
            continue  # a section's own page, not a post
        if path.name.startswith("_index.") or any(part in skip for part in path.parts):
            continue
        if path.suffix.lower() in OTHER_SUFFIXES:
            report.skipped.append(f"{site.shown(path)}: a {path.suffix} file; failsite reads Markdown: convert it "
                                  "(pandoc -t gfm) and import it again")
            continue
        try:
            fields, body, body_line = read_front_matter(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            report.skipped.append(f"{site.shown(path)}: its front matter cannot be read ({exc})")
            continue
        fields = {str(k): v for k, v in fields.items()}
        if Path(name).stem in ("index", "_index"):
            stem, bundle = path.parent.name, path.parent
        else:
            stem, bundle = Path(name).stem, None
        date, moment = moment_of(fields.get("date"))
        named = _DATE_PREFIX.match(stem)
        if named:  # Jekyll's 2024-05-02-title.md, and Hugo or MkDocs posts named that way
            stem = named.group(4)
            if date is None:
                date = dt.date(int(named.group(1)), int(named.group(2)), int(named.group(3)))
        root = next(r for r in site.posts_roots if path.is_relative_to(r))
        section = "/".join(path.relative_to(root).parts[:-2 if bundle else -1])
        posts.append(Post(path, site.shown(path), fields, body, body_line, stem, date, moment, bundle,
                          path.suffix.lower() in HTML_SUFFIXES,
                          _is_draft(fields) or "_drafts" in path.relative_to(site.root).parts, section))
    if translations:
        report.skipped.append(f"{sum(translations.values())} translations in {len(translations)} other languages "
                              f"({', '.join(sorted(translations))}): a failsite site has one language, and the "
                              f"site's default ({chosen}) was imported")
    return posts


def _language_of(path: Path, languages: set[str]) -> tuple[str, str]:
    """A post file's name without its language (index.fr.md -> index.md), and the language ('' when it names none
    of the site's languages)."""
    parts = path.name.split(".")
    if len(parts) >= 3 and parts[-2].lower() in languages:
        return ".".join(parts[:-2] + parts[-1:]), parts[-2].lower()
    return path.name, ""


def post_files(site: ToolSite) -> list[Path]:
    """The files under the posts roots whose suffix the tool reads (or reads through another program)."""
    found = []
    for root in site.posts_roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).parts
            if not path.is_file() or any(p in SKIPPED_FOLDERS or p.startswith(".") for p in relative):
                continue
            if path.suffix.lower() in site.suffixes or path.suffix.lower() in OTHER_SUFFIXES:
                found.append(path)
    return found


def _is_draft(fields: dict[str, Any]) -> bool:
    return bool(fields.get("draft")) or fields.get("published") is False


def nothing_to_import(tool: str, source: Path, roots: tuple[Path, ...], where: str, markers: tuple[str, ...],
                      section: str | None) -> FailsiteError:
    """The error for a source with no posts where the tool keeps them (or in --section), naming where to point."""
    shown = shown_path(source)
    site_root = next((folder for folder in (source, *source.resolve().parents)
                      if any((folder / marker).exists() for marker in markers)), None)
    if section is not None:
        hint = f"name a folder under {shown} that holds the posts, e.g. `--section {where.rstrip('/')}`"
    elif site_root is not None and site_root.resolve() != source.resolve():
        hint = f"point it at {shown_path(site_root)}, the root of the {tool.capitalize()} site: `failsite import " \
               f"{tool} {shown_path(site_root)}`"
    else:
        hint = f"point it at the root of the {tool.capitalize()} site: the folder that holds {where}, or name the " \
               "folder of the posts with --section"
    existing = [r for r in roots if r.is_dir()]
    message = (f"no posts to import: {', '.join(shown_path(r) for r in existing)} holds no post files"
               if existing else f"no posts to import: there is no {section or where} in {shown}")
    return FailsiteError([error(shown, 1, message, hint)])


def origin_of(address: str) -> str:
    """The scheme and host of the old site's address (https://example.org), for its full addresses; '' if none."""
    found = re.match(r"^(https?://[^/\s]+)", address.strip())
    return found.group(1) if found else ""


class _LenientLoader(yaml.SafeLoader):
    """YAML as the tools' configuration files write it: a tag for Python objects (`!!python/name:...`, MkDocs'
    `!ENV`) is read as the text or list it wraps, never run."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("!", _untagged)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _untagged)


def read_config(path: Path) -> dict[str, Any]:
    """A tool's configuration file (TOML, YAML or JSON) as a mapping; {} when it is absent or cannot be read (the
    import then goes by the tool's defaults, and says which folder it read)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_LenientLoader)  # noqa: S506 - the loader above constructs plain data only
    except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
