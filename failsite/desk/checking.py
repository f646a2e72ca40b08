"""A file as the desk would save it, checked as `failsite check` checks it, while it is being written.

Takes the preview's site (its config, schema, anonymiser, every other file as parsed) and the
file's text; gives each error and warning the build and `check` would give for that file,
attached to the field, row and subfield it concerns, the body as the preview's audience would
read it (anonymised by the real pipeline), and which audiences the story reaches and why not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from failsite.content.discover import Source, source_at
from failsite.content.frontmatter import split_front_matter
from failsite.content.items import Item, parse_source
from failsite.content.schema import SHARED_AUDIENCES
from failsite.content.yamlnodes import YamlNode, load_yaml
from failsite.errors import Diagnostic, sorted_unique
from failsite.preview.rebuild import Preview
from failsite.privacy.anonymise import anonymise_item
from failsite.privacy.consent import consent_decision
from failsite.privacy.publish import audience_for, why_unpublished
from failsite.site.assemble import assemble_site
from failsite.site.checks import scan_sources, writing_warnings
from failsite.site.lint import load_rules


@dataclass(frozen=True)
class FieldMessage:
    """A diagnostic of the file, placed: the field it concerns ('' : the whole file, 'body': the text), the row of a
    list (None: the field itself) and the subfield of a record row ('' : none)."""

    field: str
    row: int | None
    sub: str
    line: int
    severity: str
    message: str
    hint: str


@dataclass(frozen=True)
class Reach:
    """Whether a build for an audience publishes the story, and why not."""

    audience: str
    published: bool
    reason: str


@dataclass(frozen=True)
class Checked:
    """What checking a file found: its placed messages, its body as the preview's audience reads it, and its reach
    (empty while it has errors)."""

    messages: tuple[FieldMessage, ...]
    body_html: str
    reach: tuple[Reach, ...]

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == "error")


class _ScanMemo:
    """Each file's name scan and flagged phrases, kept between checks in memory (as a build keeps them in its
    cache): a check scans again only the file being written."""

    def __init__(self) -> None:
        self.checks = self
        self.used_checks: dict[str, Any] = {}
        self._kept: dict[str, Any] = {}

    def get_many(self, keys: Any) -> dict[str, Any]:
        self._kept, self.used_checks = self.used_checks or self._kept, {}
        return {key: self._kept[key] for key in keys if key in self._kept}


class SiteChecker:
    """Checks files against the preview's last site; call with the preview's lock held."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self._memo = _ScanMemo()
        self._texts: dict[str, tuple[tuple[int, int], str]] = {}

    def check(self, key: str, text: str, day: dt.date) -> Checked:
        """Every error and warning of the file with this text, placed; its body's preview; its reach."""
        preview = self.preview
        config = preview.config
        source = source_at(config, key)
        raw, diagnostics = parse_source(source, text.encode("utf-8"), preview.schema, strict=True)
        body_html, reach = "", ()
        if raw is not None:
            item, reported = anonymise_item(raw, preview.anonymiser, preview.closed,
                                            config.anonymise.pseudonym_pages)
            diagnostics += reported
            items = [i for k, (i, _) in preview.parsed.items() if k != key and i is not None] + [item]
            audience = audience_for(preview.audience.name, True, day, config.review, preview.audience.owner)
            site, found = assemble_site(items, frozenset(preview.sources) | {key}, config, audience)
            diagnostics += found
            if key in site.by_key:
                body = preview.renderer().body(site, site.by_key[key])
                diagnostics += body.diagnostics
                body_html = body.html
            diagnostics += self._writing(source, text, site, day)
            reach = reach_of(raw, preview, day)
        mine = [d for d in sorted_unique(diagnostics) if d.path == source.shown]
        return Checked(tuple(place(mine, text, preview.schema.fields_by_type)), body_html, reach)

    def _writing(self, source: Source, text: str, site: Any, day: dt.date) -> list[Diagnostic]:
        preview = self.preview
        sources = [s for k, s in preview.sources.items() if k != source.key] + [source]
        texts = {s.key: self._text(s) for s in sources if s.key != source.key}
        texts[source.key] = text.replace("\r\n", "\n")
        rules = load_rules(preview.config)
        registry = preview.anonymiser.registry
        scans, findings = scan_sources(sources, texts, site, registry, rules, self._memo)  # type: ignore[arg-type]
        return writing_warnings([source], texts, site, registry, rules, day, {source.key: scans[source.key]},
                                {source.key: findings[source.key]}, {})

    def _text(self, source: Source) -> str:
        try:
            stat = source.path.stat()
        except OSError:
            return ""
        seen = (stat.st_mtime_ns, stat.st_size)
        kept = self._texts.get(source.key)
        if kept is None or kept[0] != seen:
            kept = (seen, source.path.read_text(encoding="utf-8", errors="replace"))
            self._texts[source.key] = kept
        return kept[1]


def reach_of(item: Item, preview: Preview, day: dt.date) -> tuple[Reach, ...]:
    """For each shared audience, whether its build publishes the item (as written, before anonymisation) today."""
    anonymiser = preview.anonymiser
    withdrawn = consent_decision(item, anonymiser.registry, anonymiser.audience, day, anonymiser.require_record).withdrawn
    item = replace(item, withheld=item.withheld or withdrawn)  # a withdrawal holds for every audience
    reach = []
    for name in SHARED_AUDIENCES:
        why = why_unpublished(item, audience_for(name, False, day, preview.config.review))
        reach.append(Reach(name, not why, why))
    return tuple(reach)


_QUOTED_FIELD = re.compile(r"'([a-z_]+)'")


def place(diagnostics: list[Diagnostic], text: str, fields_by_type: dict[str, dict[str, Any]]) -> list[FieldMessage]:
    """Each diagnostic with the field, row and subfield of the line it names; a diagnostic of the whole file that
    names a field (`missing required talk field 'speaker'`) goes to that field."""
    split, _ = split_front_matter(text, "file")
    anchors: list[tuple[int, str, int | None, str]] = []
    if split is not None:
        root, _ = load_yaml(split.front_matter, "file", line_offset=1)
        if root is not None and root.kind == "map":
            anchors = sorted(_anchors(root), key=lambda a: a[0])
    known = {name: spec for fields in fields_by_type.values() for name, spec in fields.items()}
    written = {a[1] for a in anchors}
    placed = []
    for d in diagnostics:
        field, row, sub = "", None, ""
        quoted = _QUOTED_FIELD.findall(d.message)
        missing = [n for n in quoted if n in known and n not in written]  # `missing required field 'date'`
        before = [a for a in anchors if a[0] <= d.line]
        if split is not None and d.line >= split.body_line:
            field = "body"
        elif missing or not before or d.line <= 1:
            named = missing or [n for n in quoted if n in known]
            field = named[0] if named else ""
        else:
            here = [a for a in before if a[0] == before[-1][0]]  # a row and its first subfield share a line
            _, field, row, sub = next((a for a in here if a[3] and a[3] in quoted),
                                      next((a for a in here if not a[3]), here[-1]))
            subfields = {s.name for s in getattr(known.get(field), "subfields", ())}
            if row is not None and not sub:  # `an entry of 'actions' is missing 'what'`: under `what`
                sub = next((n for n in quoted if n in subfields), "")
        line = d.line - split.body_line + 1 if field == "body" and split is not None else d.line
        placed.append(FieldMessage(field, row, sub, line, d.severity, d.message, d.hint))
    return placed


def _anchors(root: YamlNode) -> list[tuple[int, str, int | None, str]]:
    """(line, field, row, subfield) where each field, each row of a list and each subfield of a row starts."""
    anchors: list[tuple[int, str, int | None, str]] = []
    for key, node in root.items.items():
        anchors.append((root.key_line(key), key, None, ""))
        if node.kind == "seq":
            for row, element in enumerate(node.elements):
                anchors.append((element.line, key, row, ""))
                for sub in element.items:
                    anchors.append((element.key_line(sub), key, row, sub))
        elif node.kind == "map":
            for sub in node.items:
                anchors.append((node.key_line(sub), key, None, sub))
    return anchors

