"""The import, stage by stage: read the source site, convert every post in memory, link the posts to each other,
then decide post by post against the manifest what to write, and write it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from failsite.content.importers import hugo, hugo_shortcodes, jekyll, jekyll_liquid, mkdocs
from failsite.content.importers.body import (POST_LINK, Conversion, convert_html, copy_linked_files, holds_html,
                                             replace_outside_code, shown_images, tidy)
from failsite.content.importers.fields import MappedFields, map_fields
from failsite.content.importers.manifest import MANIFEST, Imported, decide, read_manifest, sha256, source_hash
from failsite.content.importers.report import ImportReport
from failsite.content.importers.sources import MARKDOWN_SUFFIXES, Post, ToolSite, nothing_to_import, people, \
    read_posts
from failsite.content.schema import CONTENT_TYPES, ContentType
from failsite.content.slugs import slugify

TOOLS = ("hugo", "jekyll", "mkdocs")
_READERS: dict[str, ModuleType] = {"hugo": hugo, "jekyll": jekyll, "mkdocs": mkdocs}
_BODIES: dict[str, Any] = {"hugo": hugo_shortcodes.convert_body, "jekyll": jekyll_liquid.convert_body,
                           "mkdocs": mkdocs.convert_body}
_PAGE_FIELDS = ("title", "summary", "date", "draft", "slug", "tags", "extra", "aliases", "menu", "expires")


@dataclass
class Converted:
    """One post converted in memory: the item's file (relative to the site folder), its front matter and body, and
    what the report says of it."""

    key: str  # tool:path of the post in the source
    post: Post
    target: str
    fields: dict[str, Any]
    body: str
    conversion: Conversion
    mapped: MappedFields
    addresses: list[str]  # the old addresses, kept as aliases
    needs_a_human: list[str] = field(default_factory=list)

    def text(self) -> str:
        front = yaml.safe_dump(self.fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
        return f"---\n{front}---\n{self.body}"


def import_site(tool: str, source: Path, site_dir: Path, type_name: str = "case",
                section: str | None = None) -> ImportReport:
    """Import the posts of a Hugo, Jekyll or MkDocs Material site in `source` into the site in `site_dir` as items of
    `type_name`: new and changed posts written, items edited by hand kept. Returns the report."""
    reader = _READERS[tool]
    site = reader.read_site(source, section)
    report = ImportReport(section=", ".join(site.shown(root) or "." for root in site.posts_roots))
    posts = read_posts(site, report)
    if not posts and not report.skipped:
        raise nothing_to_import(tool, source, site.posts_roots, section or "", reader.MARKERS, section)
    ctype = CONTENT_TYPES[type_name]
    others = tuple(post.path.resolve() for post in posts)
    taken: set[str] = set()
    converted = [_convert(site, post, ctype, others, taken) for post in posts]
    _link_posts(converted, site)
    _write(converted, site_dir, report)
    if report.html_posts and (site_dir / "site.yaml").is_file() and not _allows_html(site_dir / "site.yaml"):
        report.needs_a_human.append(f"{report.html_posts} post{'s hold' if report.html_posts != 1 else ' holds'} "
                                    "raw HTML, shown as text until site.yaml allows it: `markdown: {raw_html: true}` "
                                    "(it is sanitised: no scripts, styles or frames)")
    return report


def _allows_html(config: Path) -> bool:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    markdown = data.get("markdown") if isinstance(data, dict) else None
    return isinstance(markdown, dict) and markdown.get("raw_html") is True


def _convert(site: ToolSite, post: Post, ctype: ContentType, others: tuple[Path, ...], taken: set[str]) -> Converted:
    """One post as a failsite item, in memory."""
    title = mkdocs.post_title(post) if site.tool == "mkdocs" else \
        str(post.fields.get("title") or post.stem.replace("-", " ").capitalize())
    if site.tool == "jekyll":
        authors = jekyll.authors(site, post)
    else:
        authors = people(post.fields.get("authors") or post.fields.get("author"), site.settings.get("authors"))
    conversion = Conversion(site, post, resources=hugo.resource_names(post) if site.tool == "hugo" else {},
                            others=others)
    body = _BODIES[site.tool](conversion, post.body)
    if not post.html:
        body = convert_html(conversion, body)
    addresses = list(dict.fromkeys(_READERS[site.tool].old_addresses(site, post, title)))
    origin = {"title": site.settings.get("title", ""),
              "url": site.settings.get("origin", "") + addresses[0] if site.settings.get("origin") else ""}
    mapped = map_fields(post, ctype, authors, title, conversion, origin)
    if not mapped.pictures and site.tool == "hugo":
        mapped.pictures += [conversion.image(name, title) for name in hugo.featured_names(post)[:1]]
    if mapped.pictures:
        body = "\n\n".join(mapped.pictures) + "\n\n" + body
    body = copy_linked_files(conversion, body)
    conversion.bundle_files()
    fields = mapped.fields
    type_name, needs = _type_for(post, ctype, fields)
    slug = fields.get("slug") or slugify(post.stem) or "post"
    if site.tool == "mkdocs" and "slug" not in fields:
        slug = slugify(str(post.fields.get("slug") or post.stem)) or "post"
    folder = f"content/{CONTENT_TYPES[type_name].folder}"
    slug = _free(folder, slug, taken)
    target = f"{folder}/{slug}/index.md" if conversion.files else f"{folder}/{slug}.md"
    new_address = f"/{CONTENT_TYPES[type_name].folder}/{slug}" if type_name != "page" else f"/{slug}"
    aliases = [a for a in addresses if _is_alias(a) and a.rstrip("/") != new_address]
    if aliases:
        fields["aliases"] = aliases
    return Converted(f"{site.tool}:{post.shown}", post, target, fields, tidy(body), conversion, mapped, addresses,
                     needs)


def _type_for(post: Post, ctype: ContentType, fields: dict[str, Any]) -> tuple[str, list[str]]:
    """The type the post becomes: the one asked for, or a page when it lacks a field that type requires (its
    fields kept under `extra`, for when a person moves it)."""
    required = [f.name for f in ctype.fields if f.required and f.name not in fields]
    if not required:
        return ctype.name, []
    for name in [n for n in fields if n not in _PAGE_FIELDS]:
        fields.setdefault("extra", {})[name] = fields.pop(name)
    return "page", [f"{post.shown}: no {', '.join(required)}, so it was imported as a page; move it to "
                    f"{ctype.folder}/ and add {', '.join(f'`{r}:`' for r in required)} when you know them"]


def _free(folder: str, slug: str, taken: set[str]) -> str:
    """A slug no other post of this import has in the folder."""
    candidate, number = slug, 2
    while f"{folder}/{candidate}" in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(f"{folder}/{candidate}")
    return candidate


def _is_alias(address: str) -> bool:
    return address.startswith("/") and ".." not in address.split("/") and not any(c in address for c in "?#\\ ")


_LINK = re.compile(r"(\[(?:[^\[\]]|\[[^\]]*\])*\]\()(<[^>]+>|[^)\s]+)((?:\s+\"[^\"]*\")?\s*\))")
_BARE = re.compile(re.escape(POST_LINK) + r"([^\s)\"'>]+)")


def _link_posts(converted: list[Converted], site: ToolSite) -> None:
    """Links between posts (to the other post's file, to its old address, or made from `ref`/`post_url`) pointed at
    the other item's file; a link to a post that was not imported keeps its words, and is reported."""
    by_source = {c.post.path.resolve(): c for c in converted}
    by_shown = {c.post.shown: c for c in converted}
    by_address = {a.rstrip("/"): c for c in converted for a in c.addresses}
    origin = site.settings.get("origin", "")

    def target_of(item: Converted, address: str) -> tuple[Converted | None, str, bool]:
        """The post a link leads to, its fragment, and whether the link was meant for a post at all."""
        bare = address[1:-1] if address.startswith("<") else address
        if bare.startswith(POST_LINK):
            path, _, fragment = bare[len(POST_LINK):].partition("#")
            return by_shown.get(path), fragment, True
        parts = urlsplit(bare)
        if origin and bare.startswith(origin):
            parts = urlsplit(bare[len(origin):] or "/")
        elif parts.scheme or parts.netloc:
            return None, "", False
        path = unquote(parts.path)
        if path.startswith("/"):
            found = by_address.get(path.rstrip("/")) or by_address.get((site.base_path + path).rstrip("/"))
            return found, parts.fragment, found is not None
        if Path(path).suffix.lower() not in MARKDOWN_SUFFIXES:
            return None, "", False
        base = item.post.path.parent
        return by_source.get((base / path).resolve()), parts.fragment, True

    for item in converted:
        def relinked(match: re.Match[str], item: Converted = item) -> str | None:
            other, fragment, meant = target_of(item, match.group(2))
            if not meant:
                return None
            if other is None:
                item.needs_a_human.append(f"{item.post.shown}: the link '{match.group(2)}' leads to no imported "
                                          "post; its words were kept without the link")
                return match.group(1)[1:-2]
            relative = Path(os.path.relpath(other.target, Path(item.target).parent)).as_posix()
            return f"{match.group(1)}{relative}{'#' + fragment if fragment else ''}{match.group(3)}"

        item.body = replace_outside_code(item.body, _LINK, relinked)

        def bare(match: re.Match[str], item: Converted = item) -> str:
            path, _, fragment = match.group(1).partition("#")
            other = by_shown.get(path)
            if other is None:
                return path
            relative = Path(os.path.relpath(other.target, Path(item.target).parent)).as_posix()
            return f"[{other.fields['title']}]({relative}{'#' + fragment if fragment else ''})"

        item.body = _BARE.sub(bare, item.body)


def _write(converted: list[Converted], site_dir: Path, report: ImportReport) -> None:
    """Each post written, updated, left alone or reported as a conflict, as the manifest says; then the manifest."""
    manifest = read_manifest(site_dir)
    for item in converted:
        files = item.conversion.files
        new_hash = source_hash(item.post.path.read_bytes(), list(files.values()))
        decision = decide(item.key, item.target, site_dir, manifest, new_hash)
        if decision == "unchanged":
            report.unchanged += 1
            continue
        if decision in ("edited", "in-the-way"):
            before = manifest.posts.get(item.key)
            where = before.item if before else item.target
            report.conflicts.append(
                f"{where} was edited by hand since it was imported, and its post {item.post.shown} changed: your "
                "item was kept; merge the post's changes by hand" if decision == "edited" and (site_dir / where).exists()
                else f"{where} was removed since it was imported, and its post {item.post.shown} changed: it was not "
                "written again (remove its entry from " + MANIFEST + " to import it again)" if decision == "edited"
                else f"{where} exists and was not written by an import: it was left alone, and {item.post.shown} was "
                "not imported")
            continue
        text = item.text()
        target = site_dir / item.target
        before = manifest.posts.get(item.key)
        if before is not None and before.item != item.target and (site_dir / before.item).is_file():
            (site_dir / before.item).unlink()  # untouched, and now written in its other form (file or folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        for name, source in files.items():
            (target.parent / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target.parent / name)
        target.write_text(text, encoding="utf-8")
        copied = tuple(Path(item.target).parent.joinpath(name).as_posix() for name in files)
        manifest.posts[item.key] = Imported(item.target, new_hash, sha256(text.encode("utf-8")), copied)
        (report.updated if decision == "update" else report.written).append(item.target)
        _account(item, report)
    (site_dir / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / MANIFEST).write_text(manifest.text(), encoding="utf-8")


def _account(item: Converted, report: ImportReport) -> None:
    """What one written post adds to the report."""
    conversion, mapped = item.conversion, item.mapped
    report.mapped.update(conversion.mapped)
    report.mapped.update(mapped.mapped)
    report.kept.update(mapped.kept)
    report.not_mapped += conversion.not_mapped
    report.needs_a_human += item.needs_a_human
    report.needs_a_human += [f"{item.post.shown}: '{missing}' could not be found; copy it beside the story"
                             for missing in dict.fromkeys(conversion.missing)]
    report.people.update(mapped.people)
    report.files += len(conversion.files)
    report.images_shown += shown_images(item.body)
    report.aliases += len(item.fields.get("aliases") or ())
    if item.post.html or holds_html(item.body):
        report.html_posts += 1
