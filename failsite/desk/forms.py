"""The form of a content type, made from the schema that validates builds, and a form's values applied to a file.

Takes the site's item schema (the types' fields with the site's taxonomies, severities and the
fields its hooks add), the closed taxonomies' terms and the site's items; gives the form's
sections of fields with their values, choices and suggestions. `apply_form` writes the values
a person changed into the file's `Document` and leaves every other line as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from failsite.content.archetypes import archetype_text
from failsite.content.config import SiteConfig
from failsite.content.items import DERIVED_TAXONOMIES, ItemSchema, says_draft
from failsite.content.schema import (COMMON_FIELDS, REVIEW_STATUSES, SHARED_AUDIENCES, ContentType,
                                     Field)
from failsite.desk.document import Document, read_document, with_body, with_field
from failsite.desk.values import FormValue, field_lines, form_value, same_value
from failsite.content.yamlnodes import YamlNode, load_yaml, says_true

# Fields the form does not show: the type is the folder's, `extra` is the site's own data (kept as written), and
# `draft` is shown as the status `draft`.
HIDDEN = frozenset({"type", "extra", "draft"})
PUBLISHING = ("status", "review_note", "reviewed_by", "approved_on", "visibility", "consent", "anonymous", "consent_given",
              "review_by", "expires", "slug", "aliases")
# Subfields whose entries come from a fixed list, shown as checkboxes.
FIXED_ENTRIES = {("consent_given", "audiences"): SHARED_AUDIENCES}
# Fields and subfields that name a person: the registry's people are suggested.
PERSON_FIELDS = frozenset({"speaker", "authors", "owner", "host", "reviewed_by", "person"})
LINK_KINDS = ("link", "links")


@dataclass(frozen=True)
class FormField:
    """One field of the form: the schema's field, its value, the choices a select or checkboxes offer (value,
    label), and suggestions for free text (terms used before, files to link to)."""

    field: Field
    value: FormValue
    choices: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSection:
    """A titled group of fields: the story, its terms, its publishing."""

    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class ItemForm:
    """A content file as a form: its type, its key under content/ ('' for a new one), the sections, the body."""

    ctype: ContentType
    key: str
    sections: tuple[FormSection, ...]
    body: str
    status: str  # draft, in-review or approved, as the file says

    def fields(self) -> dict[str, Field]:
        return {f.field.name: f.field for section in self.sections for f in section.fields}


def field_order(ctype: ContentType, schema: ItemSchema) -> list[str]:
    """The type's fields in the order its archetype writes them: the title, the type's own fields, the fields the
    site adds (its taxonomies, its hooks'), then the fields every type has."""
    known = schema.fields_by_type[ctype.name]
    common = [f.name for f in COMMON_FIELDS]
    own = ["title"] + [f.name for f in ctype.fields]
    return own + [name for name in known if name not in own and name not in common] + \
        [name for name in common if name != "title"]


def item_form(ctype: ContentType, key: str, document: Document, schema: ItemSchema, config: SiteConfig,
              link_targets: tuple[str, ...], terms_used: dict[str, tuple[str, ...]],
              people: tuple[str, ...] = ()) -> ItemForm:
    """The form of a file: each field the form shows, with the file's value; `link_targets` are the keys of the
    site's files under content/, `terms_used` the terms of each open taxonomy the site uses, `people` the names of
    the registry's people (suggested wherever a field names a person)."""
    known = schema.fields_by_type[ctype.name]
    root = front_matter_root(document)
    closed = {t.name: t for t in config.taxonomies if t.closed}
    folder = os.path.dirname(key) if key else ctype.folder
    links = tuple(sorted(os.path.relpath(target, folder) for target in link_targets if target != key))

    def shown(name: str) -> FormField:
        spec = known[name]
        value = form_value(spec, root.items.get(name))
        if name == "status" and says_draft(root):
            value = "draft"
        choices: tuple[tuple[str, str], ...] = tuple((c, c) for c in spec.choices)
        suggestions: tuple[str, ...] = ()
        if spec.kind == "terms" and spec.taxonomy in closed:
            choices = tuple((t.slug, t.title) for t in closed[spec.taxonomy].terms)
        elif spec.kind == "terms":
            suggestions = terms_used.get(spec.taxonomy, ())
        elif spec.kind in LINK_KINDS or any(s.kind in LINK_KINDS for s in spec.subfields):
            suggestions = links
        elif name in PERSON_FIELDS or any(s.name in PERSON_FIELDS for s in spec.subfields):
            suggestions = people
        return FormField(spec, value, choices, suggestions)

    order = [name for name in field_order(ctype, schema) if name in known and name not in HIDDEN
             and name not in DERIVED_TAXONOMIES]
    terms = [n for n in order if known[n].kind == "terms"]
    story = [n for n in order if n not in terms and n not in PUBLISHING]
    sections = (FormSection("The story", tuple(shown(n) for n in story)),
                FormSection("Patterns and terms", tuple(shown(n) for n in terms)),
                FormSection("Review, consent and publishing", tuple(shown(n) for n in order if n in PUBLISHING)))
    status = "draft" if says_draft(root) else form_value(known["status"], root.items.get("status")) or "approved"
    return ItemForm(ctype, key, sections, document.body, status if status in REVIEW_STATUSES else "draft")


def new_document(ctype: ContentType, config: SiteConfig, extra: tuple[Field, ...], today: dt.date) -> Document:
    """The document a new item starts from: the site's archetype of the type (archetypes/<type>.md), or the
    default one, with an empty title."""
    custom = config.site_dir / "archetypes" / f"{ctype.name}.md"
    if custom.is_file():
        text = custom.read_text(encoding="utf-8").replace("{title}", '""').replace("{date}", today.isoformat())
    else:
        text = archetype_text(ctype, "", today, extra, examples=False)
    return read_document(text)


def apply_form(document: Document, ctype: ContentType, schema: ItemSchema, values: dict[str, FormValue],
               body: str | None) -> Document:
    """The document with the values that differ from the file's written in (a field emptied is removed), every
    other line as it was; `status` 'draft' is written as the file writes drafts (`draft: true`, or `status:`)."""
    known = schema.fields_by_type[ctype.name]
    order = field_order(ctype, schema)
    root = front_matter_root(document)
    values = dict(values)
    if "status" in values:
        document, values["status"] = _status(document, root, values["status"], order)
        root = front_matter_root(document)
    for name, value in values.items():
        spec = known.get(name)
        if spec is None or name in HIDDEN:
            continue
        if same_value(spec, form_value(spec, root.items.get(name)), value):
            continue
        document = with_field(document, name, field_lines(spec, value), order)
    if body is not None and body.replace("\r\n", "\n") != document.body:
        document = with_body(document, body.replace("\r\n", "\n"))
    return document


def _status(document: Document, root: YamlNode, status: str, order: list[str]) -> tuple[Document, str]:
    """The document with `draft:` as the status needs it, and the value to write as `status:` then ('' : none)."""
    written = form_value(Field("status", "choice", ""), root.items.get("status"))
    if status == "draft":
        if says_draft(root):
            return document, written  # a draft already: as written
        return document, "draft"
    if says_true(root.items.get("draft")):
        document = with_field(document, "draft", None, order)
    return document, status if (status != "approved" or written) else ""


def front_matter_root(document: Document) -> YamlNode:
    """The front matter as located nodes (an empty mapping when it is not a mapping)."""
    root, _ = load_yaml(document.front_matter(), "front matter")
    return root if root is not None and root.kind == "map" else YamlNode("map", {}, "map", 1, 1)
