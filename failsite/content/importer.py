"""`failsite import hugo|jekyll|mkdocs`: another tool's posts as failsite content, with a report of what needs a human.

Each post becomes an item of the chosen type. Front matter (YAML, TOML or JSON) is mapped field by
field: `description`/`excerpt` become `summary`, `author(s)` the type's person field,
`categories`/`tags` become `tags`, `date`, `draft` and `slug` keep their meaning, and everything
else is kept under `extra:`. The post's old address becomes an alias, so old links keep working.
Images and other files the post links to are copied into the story's own folder. Nothing is ever
overwritten: a post whose file exists already is skipped and reported.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from failsite.content.schema import CONTENT_TYPES, ContentType
from failsite.content.slugs import slugify
from failsite.errors import Diagnostic, FailsiteError, error, shown_path

TOOLS = ("hugo", "jekyll", "mkdocs")
_PERSON_FIELD = {"talk": "speaker", "debrief": "authors", "log": "owner", "event": "host"}
_LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))|(<img\b[^>]*?\bsrc=\")([^\"]+)(\")")
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


@dataclass
class ImportReport:
    """What an import did, post by post, and what is left for a person to do."""

    written: list[str] = field(default_factory=list)
    mapped: dict[str, int] = field(default_factory=dict)  # "description -> summary": how many posts
    kept: dict[str, int] = field(default_factory=dict)  # fields kept under extra: how many posts
    skipped: list[str] = field(default_factory=list)
    needs_a_human: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)

    def text(self) -> str:
        lines = [f"imported {len(self.written)} post{'s' if len(self.written) != 1 else ''}"]
        lines += [f"  wrote {path}" for path in self.written]
        if self.mapped:
            lines.append("mapped: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.mapped.items())))
        if self.kept:
            lines.append("kept under extra: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.kept.items())))
        for line in self.skipped:
            lines.append(f"skipped: {line}")
        if self.people:
            lines.append("people to register in the registry (or their names are published as written): "
                         + ", ".join(sorted(self.people)))
        for line in self.needs_a_human:
            lines.append(f"needs a human: {line}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Post:
    """One post of the source site: its file, front matter, body, and the address it had."""

    path: Path
    fields: dict[str, Any]
    body: str
    old_url: str
    slug: str
    files_root: Path  # where absolute paths in its links (/images/x.png) are found


def import_site(tool: str, source: Path, site_dir: Path, type_name: str = "talk") -> ImportReport:
    """Convert `source` (a Hugo, Jekyll or MkDocs Material blog) into items of `type_name` under the site's
    content folder; never overwrite. Returns the report."""
    ctype = CONTENT_TYPES[type_name]
    report = ImportReport()
    written: dict[Path, Path] = {}  # the post's file -> the item's file
    for post in _posts(tool, source, report):
        target = _write(post, ctype, site_dir / "content", report, source)
        if target is not None:
            written[post.path.resolve()] = target
    for original, target in written.items():
        _relink(original, target, written, report, source)
    return report


def _relink(original: Path, target: Path, written: dict[Path, Path], report: ImportReport, source: Path) -> None:
    """Links from one imported post to another (`../first.md`) made links between the new files; a link to a post
    that was not imported is reported."""
    text = target.read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        href = match.group(2)
        if href is None or urlsplit(href).scheme or not urlsplit(href).path.endswith(".md"):
            return match.group(0)
        linked = (original.parent / unquote(urlsplit(href).path)).resolve()
        new = written.get(linked)
        if new is None:
            report.needs_a_human.append(f"{original.relative_to(source).as_posix()}: the link '{href}' leads to no "
                                        "imported post; its words were kept without the link")
            opening = match.group(1)
            return opening[1:-2] if opening.startswith("[") else match.group(0)
        relative = Path(os.path.relpath(new, target.parent)).as_posix()
        fragment = f"#{urlsplit(href).fragment}" if urlsplit(href).fragment else ""
        return f"{match.group(1)}{relative}{fragment}{match.group(3)}"

    relinked = _LINK.sub(replace, text)
    if relinked != text:
        target.write_text(relinked, encoding="utf-8")


def _posts(tool: str, source: Path, report: ImportReport) -> list[Post]:
    if tool == "hugo":
        root, files_root = source / "content", source / "static"
        paths = sorted(p for p in root.rglob("*.md") if p.name != "_index.md")
    elif tool == "jekyll":
        root, files_root = source / "_posts", source
        paths = sorted(p for p in root.rglob("*") if p.suffix in (".md", ".markdown"))
    else:
        root, files_root = source / "docs" / "blog" / "posts", source / "docs"
        paths = sorted(root.rglob("*.md"))
    if not paths:
        raise FailsiteError([_nothing_to_import(tool, source, root)])
    names = _mkdocs_authors(source / "docs" / "blog" / ".authors.yml") if tool == "mkdocs" else {}
    posts = []
    for path in paths:
        try:
            fields, body = _front_matter(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            report.skipped.append(f"{path.relative_to(source)}: its front matter cannot be read ({exc})")
            continue
        stem = path.parent.name if path.stem == "index" else path.stem
        date = _date(fields.get("date"))
        if tool == "jekyll" and (named := _JEKYLL_NAME.match(stem)):
            stem = named.group(4)
            date = date or dt.date(int(named.group(1)), int(named.group(2)), int(named.group(3)))
        if date is not None:
            fields["date"] = date
        if names and isinstance(fields.get("authors"), list):  # MkDocs Material names authors by their id
            fields["authors"] = [names.get(str(a), str(a)) for a in fields["authors"]]
        slug = slugify(str(fields.get("slug") or stem)) or "post"
        posts.append(Post(path, fields, body, _old_url(tool, path, root, fields, slug, date), slug, files_root))
    return posts


# Where each tool keeps its posts, and the files that mark a folder as the root of one of its sites.
_POSTS_FOLDER = {"hugo": "content/", "jekyll": "_posts/", "mkdocs": "docs/blog/posts/"}
_SITE_MARKERS = {"hugo": ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json"),
                 "jekyll": ("_config.yml", "_config.yaml", "_posts"), "mkdocs": ("mkdocs.yml", "mkdocs.yaml")}


def _nothing_to_import(tool: str, source: Path, root: Path) -> Diagnostic:
    """The error for a source folder with no posts where the tool keeps them, naming the folder to point at."""
    shown = shown_path(source)
    site_root = next((folder for folder in (source, *source.resolve().parents)
                      if any((folder / marker).exists() for marker in _SITE_MARKERS[tool])), None)
    if site_root is not None and site_root.resolve() != source.resolve():
        hint = f"point it at {shown_path(site_root)}, the root of the {tool.capitalize()} site: `failsite import " \
               f"{tool} {shown_path(site_root)}`"
    else:
        hint = f"point it at the root of the {tool.capitalize()} site: the folder that holds {_POSTS_FOLDER[tool]}"
    return error(shown, 1, f"no posts to import: {shown_path(root)} holds no markdown files"
                 if root.is_dir() else f"no posts to import: there is no {_POSTS_FOLDER[tool]} in {shown}", hint)


def _mkdocs_authors(path: Path) -> dict[str, str]:
    """MkDocs Material's `.authors.yml`: each author's id and name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return {}
    authors = data.get("authors") if isinstance(data, dict) else None
    return {str(k): str(v.get("name") or k) for k, v in (authors or {}).items() if isinstance(v, dict)}


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    text = text.lstrip("\ufeff")
    for fence, parse in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = text.find("\n" + fence, len(fence))
            if end < 0:
                raise ValueError(f"the front matter opened by {fence} is never closed")
            data = parse(text[len(fence) + 1:end + 1]) or {}
            body = text[end + len(fence) + 1:].lstrip("\r\n")
            return (data if isinstance(data, dict) else {}), body
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        data, end = decoder.raw_decode(text)
        return (data if isinstance(data, dict) else {}), text[end:].lstrip("\r\n")
    return {}, text


def _date(value: Any) -> dt.date | None:
    """A post's date from YAML (a date or datetime), TOML or text, or MkDocs' `date: {created: ...}`."""
    if isinstance(value, dict):
        value = value.get("created") or value.get("published")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _old_url(tool: str, path: Path, root: Path, fields: dict[str, Any], slug: str, date: dt.date | None) -> str:
    """The address the post had on the old site, from its `url`/`permalink` or the tool's default layout."""
    written = fields.get("url") or fields.get("permalink")
    if isinstance(written, str) and written.startswith("/") and ":" not in written:
        return written
    if tool == "hugo":
        section = path.relative_to(root).parts[0] if len(path.relative_to(root).parts) > 1 else ""
        return f"/{section}/{slug}/" if section else f"/{slug}/"
    if tool == "jekyll":
        categories = fields.get("categories") or fields.get("category") or []
        categories = categories.split() if isinstance(categories, str) else list(categories)
        prefix = "".join(f"/{slugify(str(c))}" for c in categories)
        return f"{prefix}/{date:%Y/%m/%d}/{slug}.html" if date else f"{prefix}/{slug}.html"
    return f"/blog/{date:%Y/%m/%d}/{slug}/" if date else f"/blog/{slug}/"


def _write(post: Post, ctype: ContentType, content_dir: Path, report: ImportReport, source: Path) -> Path | None:
    """Write one post as an item (and its files beside it); its new file, or None when it was skipped."""
    fields, mapped, kept, human, people = _map_fields(post, ctype)
    shown = post.path.relative_to(source).as_posix()
    type_name = ctype.name
    required = [f.name for f in ctype.fields if f.required and f.name not in fields]
    if required:
        human.append(f"{shown}: no {', '.join(required)}, so it was imported as a page; move it to "
                     f"{ctype.folder}/ and add {', '.join(f'`{r}:`' for r in required)} when you know them")
        type_name = "page"
        for name in [n for n in fields if n not in _PAGE_FIELDS]:  # the person too: kept, for when it moves
            fields.setdefault("extra", {})[name] = fields.pop(name)
    folder = content_dir / CONTENT_TYPES[type_name].folder
    files = _linked_files(post, report, shown)
    target = folder / post.slug / "index.md" if files else folder / f"{post.slug}.md"
    if (folder / f"{post.slug}.md").exists() or (folder / post.slug / "index.md").exists():
        report.skipped.append(f"{shown}: {target.relative_to(content_dir.parent).as_posix()} exists already "
                              "(nothing is overwritten)")
        return None
    body = post.body
    for original, local in files.items():
        body = body.replace(f"]({original}", f"]({local}").replace(f'src="{original}"', f'src="{local}"')
    target.parent.mkdir(parents=True, exist_ok=True)
    for original, local in files.items():
        shutil.copyfile(_resolve_file(post, original), target.parent / local)
    fields["aliases"] = [post.old_url]
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    target.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    report.written.append(target.relative_to(content_dir.parent).as_posix())
    for name, count in mapped.items():
        report.mapped[name] = report.mapped.get(name, 0) + count
    for name in kept:
        report.kept[name] = report.kept.get(name, 0) + 1
    report.needs_a_human += human
    report.people |= people
    return target


_PAGE_FIELDS = ("title", "summary", "date", "draft", "slug", "tags", "extra", "aliases", "menu")


def _map_fields(post: Post, ctype: ContentType) -> tuple[dict[str, Any], dict[str, int], list[str], list[str],
                                                         set[str]]:
    """The post's fields as failsite's, with what was mapped, what was kept under `extra`, what needs a person,
    and the people it names as authors."""
    source, fields, mapped, kept, human = dict(post.fields), {}, {}, [], []
    fields["title"] = str(source.pop("title", "") or post.slug.replace("-", " ").capitalize())
    if "date" in source:
        fields["date"] = source.pop("date")
    for name in ("description", "excerpt", "summary", "abstract"):
        if source.get(name):
            fields.setdefault("summary", " ".join(str(source[name]).split()))
            if name != "summary":
                mapped[f"{name} -> summary"] = 1
        source.pop(name, None)
    person = _PERSON_FIELD.get(ctype.name)
    authors = source.pop("authors", None) or source.pop("author", None)
    if authors:
        names = [str(a) for a in (authors if isinstance(authors, list) else [authors])]
        if person:
            fields[person] = names if person == "authors" else names[0]
            mapped[f"author -> {person}"] = 1
        else:
            kept.append("author")
            fields.setdefault("extra", {})["author"] = names
        people = set(names)
    else:
        people = set()
    tags: list[str] = []
    for name in ("tags", "categories", "category", "keywords"):
        value = source.pop(name, None)
        if value:
            values = value.split() if isinstance(value, str) and name == "category" else value
            tags += [str(v) for v in (values if isinstance(values, list) else [values])]
            if name != "tags":
                mapped[f"{name} -> tags"] = 1
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    if "draft" in source:
        fields["draft"] = bool(source.pop("draft"))
    if source.get("slug"):
        fields["slug"] = slugify(str(source.pop("slug")))
    for name in ("permalink", "url", "aliases", "layout", "type", "weight", "toc"):
        source.pop(name, None)  # the address becomes an alias; the layout is failsite's business
    if source:
        fields["extra"] = {**fields.get("extra", {}), **{str(k): _plain(v) for k, v in source.items()}}
        kept += [str(k) for k in source]
    if fields.get("date") is None and ctype.dated:
        human.append(f"{post.path.name}: no date; give it `date:`")
    return fields, mapped, kept, human, people


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _linked_files(post: Post, report: ImportReport, shown: str) -> dict[str, str]:
    """The files the post links to or shows (not pages, not web addresses) that exist: original link -> the name
    it gets in the story's folder. A link to a file that cannot be found is reported."""
    files: dict[str, str] = {}
    for match in _LINK.finditer(post.body):
        target = match.group(2) or match.group(5)
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("#") or parts.path.endswith((".md", "/", ".html")):
            continue
        local = _resolve_file(post, target)
        if local is None:
            report.needs_a_human.append(f"{shown}: '{target}' could not be found; copy it beside the story")
            continue
        name = Path(unquote(parts.path)).name
        while name in files.values() and files.get(target) != name:
            name = f"{Path(name).stem}-1{Path(name).suffix}"
        files[target] = name
    return files


def _resolve_file(post: Post, target: str) -> Path | None:
    path = unquote(urlsplit(target).path)
    candidates = [post.files_root / path.lstrip("/")] if path.startswith("/") else \
        [post.path.parent / path, post.files_root / path]
    return next((c.resolve() for c in candidates if c.is_file()), None)
