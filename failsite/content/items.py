"""Source file -> Item: front matter validated against the type's schema, body kept as markdown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from failsite.content.config import SiteConfig
from failsite.content.discover import Source
from failsite.errors import Diagnostic, did_you_mean, error
from failsite.content.frontmatter import split_front_matter
from failsite.content.schema import (SHARED_AUDIENCES, COMMON_FIELDS, CONTENT_TYPES, TYPE_BY_FOLDER, ContentType, Field, LinkRef,
                             Vocabularies, content_type, fields_of, read_mapping)
from failsite.content.bounds import Bounds, front_matter_bounds
from failsite.content.dates import precision_of
from failsite.content.slugs import slugify
from failsite.content.text import without_tags
from failsite.content.yamlnodes import YamlNode, load_yaml, says_true
from failsite.engine.reading import FileChanging, read_settled

# Taxonomies whose terms come from other fields, never from a front-matter list of their own.
DERIVED_TAXONOMIES = ("control", "people")

# The practice each kind of item is an instance of, added to its `practices` terms.
IMPLIED_PRACTICE = {"talk": "faillab-talk", "log": "failure-log", "experiment": "small-bet-experiment",
                    "aar": "after-action-review", "postmortem": "blameless-post-mortem", "premortem": "pre-mortem"}


@dataclass(frozen=True)
class Item:
    """One piece of content, validated, with its URL; the body is still markdown."""

    key: str  # path under content/, e.g. talks/launch-too-early.md
    path: str  # path shown in messages, e.g. content/talks/launch-too-early.md
    type: str  # talk, debrief, experiment, log, module, page
    slug: str
    url: str  # site-relative, e.g. /talks/launch-too-early/
    title: str
    date: dt.date | None
    summary: str
    draft: bool
    fields: dict[str, Any]  # the type's own fields, coerced
    terms: dict[str, tuple[str, ...]]  # taxonomy -> terms (slugs for closed taxonomies, labels for open)
    field_links: dict[str, tuple[LinkRef, ...]]  # link fields (stories, prerequisites, next) as written
    body: str
    body_line: int
    extra: dict[str, Any] = field(default_factory=dict)
    visibility: str = "internal"
    expires: dt.date | None = None
    review_by: dt.date | None = None
    anonymous: bool = False  # pseudonymise even people who consented to be named
    withheld: str = ""  # why the item may not be published at all ("" when it may)
    assets: tuple[str, ...] = ()  # a story folder's files, published beside its page
    status: str = "approved"  # review status: draft, in-review, approved
    mentions: frozenset[str] = frozenset()  # registry entries it names
    named: frozenset[str] = frozenset()  # registry entries shown by their real name, by consent
    consents: tuple[dict[str, Any], ...] = ()  # `consent_given` records as written (line included)
    # What the consent records decide for this build (privacy.consent): None, or the registry entries whose record
    # holds when the site requires one; the entries whose records do not hold; the days between which that is so.
    recorded: frozenset[str] | None = None
    denied: frozenset[str] = frozenset()
    decided: tuple[str, str] = ("", "")  # ISO days [from, until) for which the decision holds ('' : unbounded)
    summary_derived: bool = False  # the summary is the body's first paragraph (no `summary:` given)
    aliases: tuple[str, ...] = ()  # old site paths that redirect here (/blog/old/)
    owner_key: str = ""  # a log entry's `owner` as written, case-folded: what `--owner` is matched with (never shown)
    body_words: int = 0  # words in the body, counted once when it is read (reading time), not on every build
    date_precision: str = "day"  # how much of `date` was written: year (2011), month (2011-05) or day

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values in field order: the build cache reads every item back on every build, and a
        dataclass pickled by default names each of its fields in every row and reads back in twice the time."""
        return Item, tuple(self.__dict__[name] for name in _ITEM_FIELDS)

    def decision_holds(self, day: dt.date) -> bool:
        """Whether what was decided from dated records (consent given, expiring) still holds on `day`."""
        start, until = self.decided
        return (not start or start <= day.isoformat()) and (not until or day.isoformat() < until)


_ITEM_FIELDS = tuple(f.name for f in fields(Item))  # in the order Item's constructor takes them


@dataclass(frozen=True)
class ItemSchema:
    """What parsing needs from the config, computed once per build."""

    fields_by_type: dict[str, dict[str, Field]]
    vocabularies: Vocabularies
    taxonomy_names: tuple[str, ...]
    default_visibility: str = "internal"  # site.yaml `default_visibility`
    extra_fields: tuple[tuple[str, Field], ...] = ()  # (type, field) the site's hooks add
    bounds: Bounds = Bounds()  # site.yaml `limits:` on front-matter values and lists


def item_schema(config: SiteConfig, hook_fields: tuple[tuple[str, Field], ...] = ()) -> ItemSchema:
    """Fields per type (with the site's own taxonomies added) and the vocabularies of closed taxonomies."""
    custom = tuple(Field(t.name, "terms", t.description or f"{t.title} terms", taxonomy=t.name)
                   for t in config.taxonomies
                   if t.name not in {f.name for f in COMMON_FIELDS} and t.name not in DERIVED_TAXONOMIES)
    fields_by_type = {name: {**fields_of(ctype), **{f.name: f for f in custom}} for name, ctype in CONTENT_TYPES.items()}
    debrief = fields_by_type["debrief"]
    debrief["severity"] = replace(debrief["severity"], choices=config.severities)
    debrief["actions"] = replace(debrief["actions"], subfields=tuple(
        replace(s, choices=config.action_kinds) if s.name == "kind" else s for s in debrief["actions"].subfields))
    vocabularies: Vocabularies = {}
    for taxonomy in config.taxonomies:
        if taxonomy.closed:
            accepted: dict[str, str] = {}
            for term in taxonomy.terms:
                accepted[slugify(term.title)] = term.slug
                accepted[term.slug] = term.slug
            vocabularies[taxonomy.name] = accepted
    for type_name, spec in hook_fields:
        fields_by_type[type_name].setdefault(spec.name, spec)
    return ItemSchema(fields_by_type, vocabularies, tuple(t.name for t in config.taxonomies),
                      config.default_visibility, hook_fields, config.bounds)


BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_controls(text: str, path: str) -> list[Diagnostic]:
    """An error for each line holding a bidirectional control character: text after one can display in another
    order than it reads, so a name could show on the page while the anonymiser and the audit read something else."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        control = BIDI_CONTROLS.search(line)
        if control:
            found.append(error(path, number, f"a bidirectional control character (U+{ord(control.group()):04X}) "
                               "makes this line display in another order than it is written",
                               "delete it (it is invisible: retype the line if your editor does not show it)",
                               control.start() + 1))
    return found


def parse_item(source: Source, text: str, schema: ItemSchema, strict: bool = False
               ) -> tuple[Item | None, list[Diagnostic]]:
    """Validate one source file's front matter and build its Item (None when it has errors).

    A draft whose fields have errors is left out of every build with warnings instead: it is never published, and
    one author's unfinished draft must not stop everyone's build (`strict`: errors all the same, for the desk,
    which shows the draft's author what stands between it and review)."""
    path = source.shown
    controls = bidi_controls(text, path)
    if controls:
        return None, controls
    split, diagnostics = split_front_matter(text, path)
    if split is None:
        return None, diagnostics
    root, diagnostics = load_yaml(split.front_matter, path, line_offset=1, aliases=False)
    if root is None:
        return None, diagnostics
    if root.kind != "map":
        return None, [error(path, 2, "the front matter must be a list of `key: value` fields",
                            "write one field per line, e.g. `title: My story`")]
    ctype = _item_type(source, root.items.get("type"))
    if ctype is None:
        folder = source.key.split("/")[0]
        return None, [error(path, 1, f"cannot tell the type of this file: '{folder}' is not a content folder"
                                     f"{did_you_mean(folder, TYPE_BY_FOLDER)}",
                            "move it under " + ", ".join(f"{f}/" for f in TYPE_BY_FOLDER) + " or add `type:`")]
    known = schema.fields_by_type[ctype.name]
    diagnostics += front_matter_bounds(root, known, path, schema.bounds)
    values = read_mapping(root, known, path, schema.vocabularies, diagnostics, f"{ctype.name} field")
    slug = _slug(source, values.get("slug"), path, root.key_line("slug"), diagnostics)
    if values.get("start") and values.get("end") and values["end"] < values["start"]:
        diagnostics.append(error(path, root.key_line("end"), f"'end' ({values['end'].isoformat()}) is before 'start' "
                                 f"({values['start'].isoformat()})", "the time box ends on or after the day it starts"))
    for entry in values.get("lineup") or () if ctype.name == "event" else ():
        if not entry.get("talk") and not entry.get("title"):
            diagnostics.append(error(path, entry["line"], "an entry of 'lineup' names no talk",
                                     "give it `talk:` (a link to the talk's file) or `title:` (a talk not written up)"))
    plan = values.get("plan") if ctype.name == "module" else None
    if plan and values.get("duration") is not None and sum(s.get("minutes") or 0 for s in plan) != values["duration"]:
        total = sum(s.get("minutes") or 0 for s in plan)
        diagnostics.append(error(path, root.key_line("plan"), f"the plan's segments add up to {total} minutes, but "
                                 f"the module's duration is {values['duration']}",
                                 f"make the minutes add up to {values['duration']}, or change `duration:` to {total}"))
    quarter = values.get("quarter") if ctype.name == "review" else None
    if quarter is not None and not QUARTER.fullmatch(quarter.strip()):
        diagnostics.append(error(path, root.key_line("quarter"), f"'quarter' must be a year and a quarter such as "
                                 f"2026-Q1, not '{quarter}'", "write the year, a hyphen, Q and the quarter's number"))
    for record in values.get("consent_given") or ():
        unknown = [a for a in record.get("audiences") or () if a not in SHARED_AUDIENCES]
        if unknown:
            diagnostics.append(error(path, record["line"], f"a consent record names an unknown audience "
                                     f"'{unknown[0]}'{did_you_mean(unknown[0], SHARED_AUDIENCES)}",
                                     "audiences: " + ", ".join(SHARED_AUDIENCES)))
        if record.get("expires") and record.get("date") and record["expires"] < record["date"]:
            diagnostics.append(error(path, record["line"], "a consent record expires before the day it was given",
                                     "check `date:` (when they agreed) and `expires:` (the last day it holds)"))
    if any(d.severity == "error" for d in diagnostics) or slug is None:
        return None, diagnostics if strict or not says_draft(root, values) else unfinished_draft(diagnostics)
    date_precision = precision_of(values.get("date"))
    if date_precision != "day":  # sorted, counted and fed as its first day; shown as written
        written = values["date"]
        values["date"] = dt.date(written.year, written.month, written.day)
    own_fields = ctype.fields + tuple(f for t, f in schema.extra_fields if t == ctype.name)
    own = {f.name: values.get(f.name, () if f.kind in ("strings", "links", "records") else None) for f in own_fields}
    date = values.get("date") or own.get("start") or (quarter_end(quarter) if quarter else None)
    item = Item(
        key=source.key, path=path, type=ctype.name, slug=slug, url=item_url(ctype.name, slug),
        title=values["title"], date=date,
        summary=values.get("summary") or derive_summary(split.body),
        summary_derived=not values.get("summary"),
        draft=bool(values.get("draft")) or values.get("status") == "draft",
        status="draft" if values.get("draft") else (values.get("status") or "approved"),
        fields=own,
        terms=_terms(ctype, values, own, schema.taxonomy_names),
        field_links=_field_links(ctype, own),
        body=split.body, body_line=split.body_line, body_words=len(split.body.split()),
        extra=values.get("extra") or {},
        visibility=values.get("visibility") or schema.default_visibility,
        expires=values.get("expires"),
        review_by=values.get("review_by"),
        anonymous=bool(values.get("anonymous")) or values.get("consent") == "pseudonym",
        withheld="the item says `consent: withheld`" if values.get("consent") == "withheld" else "",
        assets=source.assets,
        consents=tuple(values.get("consent_given") or ()),
        aliases=_aliases(values.get("aliases") or (), path, root.key_line("aliases"), diagnostics),
        owner_key=owner_key(own.get("owner") or "") if ctype.name in ("log", "review") else "",
        date_precision=date_precision if date == values.get("date") else "day",
    )
    return item, diagnostics


QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
DRAFT_NOTE = "a draft, left out of every build until this is fixed: "


def says_draft(root: YamlNode, values: dict[str, Any] | None = None) -> bool:
    """Whether the front matter makes the file a draft (`draft: true` or `status: draft`), read from the `values`
    that were valid, else as written."""
    values = values or {}
    status = root.items.get("status")
    draft = values["draft"] if "draft" in values else says_true(root.items.get("draft"))
    written = status.text.strip().lower() if status is not None and status.kind == "scalar" else ""
    return bool(draft) or (values.get("status") or written) == "draft"


def unfinished_draft(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A draft's errors as warnings that say it is left out until they are fixed."""
    return [replace(d, severity="warning", message=DRAFT_NOTE + d.message) if d.severity == "error" else d
            for d in diagnostics]


def quarter_slug(text: str) -> str:
    """'2026-Q1' -> '2026-q1', the form quarter pages use."""
    return text.strip().lower()


def quarter_end(text: str) -> dt.date:
    """The last day of a quarter written as 2026-Q1."""
    match = QUARTER.fullmatch(text.strip())
    assert match is not None
    year, number = int(match.group(1)), int(match.group(2))
    first_of_next = dt.date(year + (number == 4), (number % 4) * 3 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def _aliases(written: tuple[str, ...], path: str, line: int, diagnostics: list[Diagnostic]) -> tuple[str, ...]:
    """Old addresses as site paths: '/blog/old/' (a path without a file name gets its '/')."""
    aliases = []
    for alias in written:
        alias = alias.strip()
        if "://" in alias or not alias.startswith("/") or ".." in alias.split("/") or any(c in alias for c in "?#\\ "):
            diagnostics.append(error(path, line, f"the alias '{alias}' is not a path on this site",
                                     "write the old address from the site's root, e.g. /blog/2024/old-title/"))
            continue
        last = alias.rstrip("/").rsplit("/", 1)[-1]
        aliases.append(alias if alias.endswith("/") or "." in last else alias + "/")
    return tuple(dict.fromkeys(aliases))


def owner_key(name: str) -> str:
    """A name as `--owner` and a log entry's `owner` are compared: case and spacing aside."""
    return " ".join(name.split()).casefold()


def item_url(type_name: str, slug: str) -> str:
    """An item's site path: /<type folder>/<slug>/, or /<slug>/ for plain pages."""
    return f"/{slug}/" if type_name == "page" else f"/{CONTENT_TYPES[type_name].folder}/{slug}/"


def _item_type(source: Source, type_node: Any) -> ContentType | None:
    if type_node is not None and type_node.kind == "scalar":
        return content_type(type_node.text.strip().lower()) or source.folder_type
    return source.folder_type


def _slug(source: Source, given: str | None, path: str, line: int, diagnostics: list[Diagnostic]) -> str | None:
    stem = source.key.split("/")[-2] if source.is_bundle else source.key.rsplit("/", 1)[-1][: -len(".md")]
    slug = slugify(given if given else stem)
    if not slug:
        diagnostics.append(error(path, line if given else 1,
                                 f"cannot make a URL from {'the slug' if given else 'the file name'} '{given or stem}'",
                                 "use letters or digits in the file name, or set `slug:`"))
        return None
    return slug


def _field_links(ctype: ContentType, own: dict[str, Any]) -> dict[str, tuple[LinkRef, ...]]:
    """Every link to another source a type's fields hold: link fields, links inside records (an event's line-up),
    and a talk's `event` when it names the event's file instead of the event's name."""
    links = {f.name: _as_links(own[f.name]) for f in ctype.fields if f.kind in ("link", "links")}
    for spec in ctype.fields:
        if spec.kind == "records" and any(s.kind == "link" for s in spec.subfields):
            links[spec.name] = tuple(record[s.name] for record in own.get(spec.name) or ()
                                     for s in spec.subfields if s.kind == "link" and record.get(s.name))
    if ctype.name == "talk" and is_event_link(own.get("event")):
        links["event"] = (LinkRef(own["event"].strip(), 1),)
    return links


def is_event_link(value: Any) -> bool:
    """A talk's `event` written as the event's file (../events/spring.md) rather than its name."""
    return isinstance(value, str) and value.strip().endswith(".md") and "://" not in value


def _as_links(value: Any) -> tuple[LinkRef, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, LinkRef) else tuple(value)


def _terms(ctype: ContentType, values: dict[str, Any], own: dict[str, Any],
           taxonomy_names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    terms = {name: tuple(values.get(name) or ()) for name in taxonomy_names if name not in DERIVED_TAXONOMIES}
    implied = IMPLIED_PRACTICE.get(ctype.name) or IMPLIED_PRACTICE.get(own.get("format") or "")
    if implied and "practices" in terms and implied not in terms["practices"]:
        terms["practices"] += (implied,)
    if own.get("event") and "events" in terms and own["event"] not in terms["events"] and not is_event_link(own["event"]):
        terms["events"] += (own["event"],)
    if own.get("team") and "teams" in terms and own["team"] not in terms["teams"]:
        terms["teams"] += (own["team"],)
    if "people" in taxonomy_names:
        terms["people"] = ()  # filled in by anonymisation, from the registry entries the item names
    if "control" in taxonomy_names:
        terms["control"] = tuple(dict.fromkeys(f["control"] for f in own.get("factors") or () if f.get("control")))
    return terms


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`>#]+")


def derive_summary(body: str, limit: int = 220) -> str:
    """The first paragraph of the body as plain text, cut at a word near `limit` characters."""
    return shortened(first_paragraph(body), limit)


def first_paragraph(body: str) -> str:
    """The body's first paragraph of prose as plain text (headings, tables, lists and code before it passed over)."""
    paragraph: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", "|", "```", "!!!", "- ", "* ", ":::")) and not paragraph:
            continue
        paragraph.append(stripped)
    # Markup goes, word boundaries stay: `Kwame<br>Osei` is two words, and must stay two to be matched as a name.
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", without_tags(" ".join(paragraph))).split())


def shortened(text: str, limit: int = 220) -> str:
    """The text cut at a word near `limit` characters, with an ellipsis when cut. Anonymise before cutting: a cut
    can leave part of a phone number or name that no longer reads as the whole."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def read_item(source: Source, schema: ItemSchema) -> tuple[Item | None, list[Diagnostic]]:
    """Read one source file and parse it; an unreadable file is an error like any other."""
    data, diagnostics = read_source(source)
    return parse_source(source, data, schema) if data is not None else (None, diagnostics)


def read_source(source: Source) -> tuple[bytes | None, list[Diagnostic]]:
    """A source file's bytes, or the error that says why they cannot be read."""
    try:
        return read_settled(source.path), []
    except FileChanging as exc:
        return None, [error(source.shown, 1, str(exc), "build again once it is saved; nothing was published")]
    except OSError as exc:
        return None, [error(source.shown, 1, f"cannot read the file: {exc.strerror or exc}",
                            f"let the user running failsite read it (chmod a+r {source.shown})")]


def parse_source(source: Source, data: bytes, schema: ItemSchema, strict: bool = False
                 ) -> tuple[Item | None, list[Diagnostic]]:
    """A source file's bytes as an Item (`parse_item`); bytes that are not UTF-8 are an error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [error(source.shown, 1, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                            "save the file as UTF-8")]
    return parse_item(source, text.replace("\r\n", "\n").replace("\r", "\n"), schema, strict)
