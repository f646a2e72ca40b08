"""The whole site as data: published items, their URLs, taxonomies and resolved links."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from failsite.content.config import CONFIG_FILE, SiteConfig
from failsite.content.discover import is_bundle_key
from failsite.content.items import Item
from failsite.content.schema import is_folder_file
from failsite.content.slugs import slugify
from failsite.errors import Diagnostic, error, warning
from failsite.privacy.publish import Audience, reason_kind, why_unpublished
from failsite.site.taxonomy import Taxonomy, build_taxonomies


# href -> new href, or None to show the link's text without a link. Called with the 1-based file line.
LinkResolver = Callable[[str, int], "str | None"]

@dataclass(frozen=True)
class Site:
    """Everything rendering needs, with items newest first."""

    config: SiteConfig
    items: tuple[Item, ...]
    by_key: dict[str, Item]
    taxonomies: tuple[Taxonomy, ...]
    links: dict[str, dict[str, tuple[str, ...]]]  # item key -> link field -> target item keys
    linked_from: dict[str, tuple[str, ...]]  # item key -> keys of items whose link fields point at it
    all_source_keys: frozenset[str]  # every source file, published or not, for telling broken from left out
    left_out: dict[str, str]  # key of each item not published -> why
    audience: Audience = Audience()  # who the site is built for, and the day it is built
    data: dict[str, Any] = field(default_factory=dict)  # data/*.yaml|json|csv by name, anonymised

    def taxonomy(self, name: str) -> Taxonomy:
        return next(t for t in self.taxonomies if t.name == name)


def nothing_published(items: list[Item], left_out: dict[str, str], audience: Audience,
                      config: SiteConfig) -> Diagnostic:
    """A warning for a build that publishes none of its items, saying why (the most common reason) and what to do."""
    by_kind: dict[str, list[str]] = {}
    for reason in left_out.values():
        if reason:
            by_kind.setdefault(reason_kind(reason), []).append(reason)
    kind, reasons = max(by_kind.items(), key=lambda pair: (len(pair[1]), pair[0]))
    # The first of them, without what is particular to its item (the build's audience, a date, a line).
    main = reasons[0].split(",")[0] if kind.startswith("visibility") else reasons[0].split(" (")[0]
    hint = "publish at least one item for this audience"
    if kind.startswith("visibility"):
        hint = (f"mark the items meant for the {audience.name} audience `visibility: {audience.name}`, or set "
                f"`default_visibility: {audience.name}` in site.yaml (now {config.default_visibility})")
    elif kind.startswith("review status"):
        hint = "approve the items (`status: approved`), or change site.yaml `review:`"
    elif kind == "draft":
        hint = "set `draft: false` on the items that are ready, or build with --drafts to look at them"
    return warning(CONFIG_FILE, 1, f"this {audience.name} build publishes none of the {len(items)} items: "
                   f"{len(reasons)} left out because {main}", hint)


def newest_first(item: Item) -> tuple[int, str, str]:
    """Sort key: newest date first (undated last), then title, then key, so ties are stable."""
    ordinal = item.date.toordinal() if item.date else 0
    return (-ordinal, item.title.lower(), item.key)


def _duplicate_action_ids(items: list[Item]) -> list[Diagnostic]:
    """An action id names one action across the whole site (published or not): a tracker's ticket is one ticket."""
    first: dict[str, tuple[Item, int]] = {}
    found = []
    for item in sorted(items, key=lambda i: i.key):
        for action in item.fields.get("actions") or () if item.type == "debrief" else ():
            action_id = (action.get("id") or "").strip()
            if not action_id:
                continue
            if action_id in first:
                other, line = first[action_id]
                found.append(error(item.path, action["line"], f"the action id '{action_id}' is already used in "
                                   f"{other.path} (line {line})", "give each action its own id"))
            else:
                first[action_id] = (item, action["line"])
    return found


def _resource_files(site: Site) -> list[Diagnostic]:
    """A recording, slides or transcript named as a file must be one of the story folder's files."""
    found: list[Diagnostic] = []
    for item in site.items:
        for name, value in item.fields.items():
            if name in ("recording", "slides", "transcript") and isinstance(value, str) and is_folder_file(value):
                _asset_link(item, value, value, 1, found)
    return found


def _premortem_links(site: Site) -> list[Diagnostic]:
    """A review's `premortem` must point at a pre-mortem."""
    found = []
    for item in site.items:
        for target in site.links.get(item.key, {}).get("premortem", ()):
            linked = site.by_key[target]
            if linked.type != "debrief" or linked.fields.get("format") != "premortem":
                ref = item.field_links["premortem"][0]
                found.append(error(item.path, ref.line, f"'premortem' links to {linked.path}, which is not a pre-mortem",
                                   "link to a debrief with `format: premortem`"))
    return found


def _recurrence_links(site: Site) -> list[Diagnostic]:
    """A story's `recurs` and `not_recurring` must point at an earlier debrief (site.recurrence)."""
    found = []
    for item in site.items:
        for field_name in ("recurs", "not_recurring"):
            for ref in item.field_links.get(field_name, ()):
                linked = site.by_key.get(resolve_source_key(item.key, ref.target) or "")
                if linked is None:  # broken or left out of this build: reported, or quiet, with the other links
                    continue
                if linked.type != "debrief" or not (linked.date and item.date and linked.date < item.date):
                    found.append(error(item.path, ref.line, f"'{field_name}' links to {linked.path}, which is not "
                                       "an earlier debrief", "link to a debrief dated before this story"))
    return found


def assemble_site(items: list[Item], all_keys: frozenset[str], config: SiteConfig,
                  audience: Audience) -> tuple[Site, list[Diagnostic]]:
    """Choose what is published, check URLs are unique, resolve link fields and build taxonomies."""
    diagnostics: list[Diagnostic] = []
    left_out = {i.key: why_unpublished(i, audience) for i in items}
    for item in items:
        if left_out[item.key].startswith("its review status"):
            diagnostics.append(warning(item.path, 1, f"left out of this build: {left_out[item.key]}",
                                       "mark it `status: approved` (with `approved_on:`) once it has been reviewed, "
                                       "or change site.yaml `review:`"))
        if item.withheld and not (item.draft and not audience.drafts):
            withdrawn = item.withheld.startswith("consent was withdrawn")
            diagnostics.append(warning(item.path, 1, f"left out of the site: {item.withheld}",
                                       "nothing of this item is published in any output; it comes back only with a "
                                       "new consent record" if withdrawn else
                                       "nothing of this item is published; remove the mention or record consent"))
    published = sorted((i for i in items if not left_out[i.key]), key=newest_first)
    if items and not published:
        diagnostics.append(nothing_published(items, left_out, audience, config))
    left_out = {k: v for k, v in left_out.items() if v}
    by_url: dict[str, Item] = {}
    unique: list[Item] = []
    for item in sorted(published, key=lambda i: i.key):
        other = by_url.get(item.url)
        if other is not None:
            diagnostics.append(error(item.path, 1, f"URL {item.url} is also the URL of {other.path}",
                                     "rename one of the files or give one a different `slug:`"))
            continue
        by_url[item.url] = item
        unique.append(item)
    kept = frozenset(i.key for i in unique)
    published = [i for i in published if i.key in kept]
    by_key = {i.key: i for i in published}
    links: dict[str, dict[str, tuple[str, ...]]] = {}
    linked_from: dict[str, list[str]] = {}
    for item in published:
        resolved: dict[str, tuple[str, ...]] = {}
        for field_name, refs in item.field_links.items():
            targets = []
            for ref in refs:
                target = resolve_source_key(item.key, ref.target)
                problem = _link_problem(target, ref.target, by_key, all_keys, left_out)
                if problem:
                    _report(problem, item.path, ref.line, f"'{field_name}' link", diagnostics)
                    continue
                assert target is not None
                targets.append(target)
                linked_from.setdefault(target, []).append(item.key)
            resolved[field_name] = tuple(dict.fromkeys(targets))
        links[item.key] = resolved
    site = Site(config, tuple(published), by_key, build_taxonomies(published, config), links,
                {k: tuple(dict.fromkeys(v)) for k, v in linked_from.items()}, all_keys, left_out, audience)
    diagnostics += _alias_collisions(site)
    diagnostics += chain_cycles(site) + prerequisite_cycles(site) + _duplicate_action_ids(items) + _premortem_links(site) + _resource_files(site)
    diagnostics += _recurrence_links(site)
    return site, diagnostics


def chain_cycles(site: Site) -> list[Diagnostic]:
    """A cycle in experiments' `next` links is an error naming every file in it."""
    diagnostics = []
    reported: set[str] = set()
    for item in site.items:
        if item.type != "experiment" or item.key in reported:
            continue
        path, position = [], {}
        key: str | None = item.key
        while key is not None and key not in position and key not in reported:
            position[key] = len(path)
            path.append(key)
            following = site.links.get(key, {}).get("next", ())
            key = following[0] if following else None
        if key is not None and key in position:
            cycle = path[position[key]:]
            reported.update(cycle)
            names = " -> ".join(site.by_key[k].path for k in cycle + [key])
            diagnostics.append(error(site.by_key[cycle[0]].path, 1, f"the experiments' `next` links form a cycle: {names}",
                                     "an experiment chain must end: remove one `next:`"))
        reported.update(path)
    return diagnostics


def _alias_collisions(site: Site) -> list[Diagnostic]:
    """An alias that is another item's address, or another item's alias: an error naming both files."""
    owners = {item.url: item for item in site.items}
    diagnostics = []
    for item in site.items:
        for alias in item.aliases:
            other = owners.get(alias)
            if other is not None and other is not item:
                what = "the address" if other.url == alias else "an alias"
                diagnostics.append(error(item.path, 1, f"the alias {alias} is also {what} of {other.path}",
                                         "remove one of them: an old address can send readers to one place only"))
            owners.setdefault(alias, item)
    return diagnostics


def prerequisite_cycles(site: Site) -> list[Diagnostic]:
    """A module that is, through its `prerequisites`, its own prerequisite: an error naming every file in the cycle."""
    diagnostics = []
    done: set[str] = set()
    for start in (i.key for i in site.items if i.type == "module"):
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            key, index = stack.pop()
            if index == 0:
                if key in on_path:
                    cycle = path[on_path[key]:]
                    names = " -> ".join(site.by_key[k].path for k in cycle + [key])
                    diagnostics.append(error(site.by_key[cycle[0]].path, 1, f"the modules' prerequisites form a "
                                             f"cycle: {names}", "a module cannot come before itself: remove one of "
                                             "these `prerequisites`"))
                    continue
                if key in done:
                    continue
                on_path[key] = len(path)
                path.append(key)
            following = site.links.get(key, {}).get("prerequisites", ())
            if index < len(following):
                stack.append((key, index + 1))
                stack.append((following[index], 0))
            else:
                path.pop()
                del on_path[key]
                done.add(key)
    return diagnostics


def resolve_source_key(from_key: str, href: str) -> str | None:
    """The content key a relative link points at, or None when it leaves the content folder."""
    path = urlsplit(href).path
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_key), path))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def _link_problem(target: str | None, written: str, by_key: dict[str, Item], all_keys: frozenset[str],
                  left_out: dict[str, str]) -> tuple[str, str, str] | None:
    """None for a good link; ('error'|'warning'|'quiet', message, hint) otherwise."""
    if target is not None and target in by_key:
        return None
    if target is None or target not in all_keys:
        return ("error", f"to '{written}' points at a file that does not exist",
                "link to a file under content/ with a path relative to this file, e.g. ../talks/name.md")
    reason = left_out.get(target, "")
    if reason == "it is a draft":
        return ("warning", f"to '{written}' points at an item that is not published (a draft)",
                "the link is shown as plain text; publish the target or remove the link")
    # Left out for this audience, expired, withheld, or failed to parse (reported on its own): plain text.
    return ("quiet", "", "")


def _report(problem: tuple[str, str, str], path: str, line: int, subject: str, diagnostics: list[Diagnostic]) -> None:
    kind, message, hint = problem
    if kind != "quiet":
        diagnostics.append((error if kind == "error" else warning)(path, line, f"{subject} {message}", hint))


def _asset_link(item: Item, href: str, path: str, line: int, diagnostics: list[Diagnostic],
                base_path: str = "/") -> str:
    """A link to one of a story folder's files, made the file's site path (it is published beside the page, and the
    body is shown elsewhere too: the facilitator guide, the feed); an error when the file is not there, or the
    story is not a folder."""
    normal = posixpath.normpath(path)
    if item.assets and normal in item.assets:
        return asset_url(base_path, item, normal)
    if not item.assets and not is_bundle_key(item.key):
        diagnostics.append(error(item.path, line, f"'{path}' is not beside this story: a story's own files need a "
                                 "folder of their own", f"move the story to {item.key[:-3]}/index.md and put "
                                 f"'{path}' beside it (site-wide files go in static/ and are linked as /{path})"))
    else:
        diagnostics.append(error(item.path, line, f"the file '{path}' does not exist beside this story",
                                 "check the file's name (case matters) or add the file to the story's folder"))
    return href


def asset_url(base_path: str, item: Item, asset: str) -> str:
    """Where a story folder's file is published: beside the story's page."""
    return f"{base_path}{item.url.lstrip('/')}{asset}"


PERSON_LINK = "person:"  # a person shortcode's link until it is resolved to their page (render.shortcodes)


def body_link_resolver(site: Site, item: Item, diagnostics: list[Diagnostic]) -> LinkResolver:
    """Rewrite `../talks/x.md#part` in this item's body to the target's URL, and check links to the story's own
    files (`photo.jpg`, published beside its page), reporting broken links."""
    people = next((t for t in site.taxonomies if t.name == "people"), None)

    def resolve(href: str, line: int) -> str | None:
        base = site.config.base_path
        if href.startswith(PERSON_LINK):  # a person shortcode: their page, when this build has one
            slug = slugify(href[len(PERSON_LINK):])
            return base + people.term(slug).url.lstrip("/") if people and people.has_term(slug) else None
        if href.startswith("/") and not href.startswith("//"):  # a path on this site, written from its root
            return href if href.startswith(base) else base + href.lstrip("/")
        path = unquote(urlsplit(href).path)
        if not path.endswith(".md"):
            return _asset_link(item, href, path, line, diagnostics, site.config.base_path)
        target = resolve_source_key(item.key, href)
        problem = _link_problem(target, href, site.by_key, site.all_source_keys, site.left_out)
        if problem:
            _report(problem, item.path, line, "link", diagnostics)
            return None
        fragment = urlsplit(href).fragment
        return site.config.base_path + site.by_key[target].url.lstrip("/") + (f"#{fragment}" if fragment else "")  # type: ignore[index]
    return resolve
