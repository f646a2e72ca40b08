"""The desk's forms: made from the schema, they give back every file unchanged when nothing is changed, and write
only what was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from failsite.content.config import load_config
from failsite.content.items import item_schema
from failsite.content.schema import CONTENT_TYPES, TYPE_BY_FOLDER
from failsite.desk.document import read_document
from failsite.desk.forms import apply_form, field_order, item_form, new_document

REPO = Path(__file__).resolve().parents[2]
CONFIG = load_config(REPO)
SCHEMA = item_schema(CONFIG)
DEMO_KEYS = sorted(p.relative_to(REPO / "content").as_posix() for p in (REPO / "content").rglob("*.md"))


def type_of(key: str):  # type: ignore[no-untyped-def]
    return TYPE_BY_FOLDER.get(key.split("/")[0]) if "/" in key else TYPE_BY_FOLDER["pages"]


def form_values(form) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {f.field.name: f.value for section in form.sections for f in section.fields}


@pytest.mark.parametrize("key", DEMO_KEYS)
def test_a_form_saved_unchanged_gives_back_the_same_file(key: str) -> None:
    text = (REPO / "content" / key).read_text(encoding="utf-8")
    document = read_document(text)
    ctype = type_of(key)
    form = item_form(ctype, key, document, SCHEMA, CONFIG, (), {})
    assert apply_form(document, ctype, SCHEMA, form_values(form), form.body).text() == text


def test_the_form_has_every_field_of_the_schema_but_the_hidden_ones() -> None:
    ctype = CONTENT_TYPES["debrief"]
    form = item_form(ctype, "", new_document(ctype, CONFIG, (), dt.date(2026, 3, 1)), SCHEMA, CONFIG, (), {})
    shown = set(form.fields())
    assert shown == set(SCHEMA.fields_by_type["debrief"]) - {"type", "extra", "draft"}
    patterns = next(f for s in form.sections for f in s.fields if f.field.name == "patterns")
    assert ("concrete", "Concrete") in patterns.choices  # a closed taxonomy's terms, as checkboxes
    assert [s.title for s in form.sections] == ["The story", "Patterns and terms", "Review, consent and publishing"]


def test_a_new_item_starts_from_the_archetype_without_its_examples() -> None:
    ctype = CONTENT_TYPES["talk"]
    document = new_document(ctype, CONFIG, (), dt.date(2026, 3, 1))
    form = item_form(ctype, "", document, SCHEMA, CONFIG, (), {})
    values = form_values(form)
    assert values["speaker"] == "" and values["learned"] == "" and values["patterns"] == []
    assert form.status == "draft" and form.body == ""
    written = apply_form(document, ctype, SCHEMA, {**values, "title": "The launch", "speaker": "Sam Example",
                                                   "date": "2026-03-01"}, "The story.\n").text()
    assert written.startswith("---\n# title: the title shown on the page and in lists (required)\ntitle: The launch\n")
    assert "# speaker: who gave the talk (required)\nspeaker: Sam Example\n" in written
    assert "\nstatus: draft\n" in written and "\ndraft: true" not in written and written.endswith("---\nThe story.\n")


def test_the_status_is_written_as_the_file_writes_drafts() -> None:
    ctype = CONTENT_TYPES["talk"]
    document = read_document("---\ntitle: T\ndraft: true\n---\nBody\n")
    sent = apply_form(document, ctype, SCHEMA, {"status": "in-review"}, None).text()
    assert sent == "---\ntitle: T\nstatus: in-review\n---\nBody\n"
    still = apply_form(document, ctype, SCHEMA, {"status": "draft"}, None).text()
    assert still == "---\ntitle: T\ndraft: true\n---\nBody\n"
    approved = apply_form(read_document(sent), ctype, SCHEMA, {"status": "approved"}, None).text()
    assert approved == "---\ntitle: T\nstatus: approved\n---\nBody\n"


def test_field_order_is_the_archetypes() -> None:
    order = field_order(CONTENT_TYPES["talk"], SCHEMA)
    assert order[:3] == ["title", "date", "speaker"] and order.index("summary") > order.index("transcript")
