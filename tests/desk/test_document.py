"""The desk's field-by-field editing of a content file: every line it does not change is kept byte for byte."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from failsite.content.schema import CONTENT_TYPES, fields_of
from failsite.desk.document import NotEditable, read_document, with_body, with_field
from failsite.desk.values import field_lines, form_value, same_value
from failsite.content.yamlnodes import load_yaml

REPO = Path(__file__).resolve().parents[2]
DEMO_FILES = sorted((REPO / "content").rglob("*.md"))
ORDER = ["title", "date", "speaker", "event", "learned", "summary", "patterns", "tags", "visibility"]

HAND_WRITTEN = """---
# The talk from the spring season.
title: The launch we announced too early  # as the speaker titled it
date: 2026-03-01
speaker: Jordan Example
# learned: what the speaker learned
# learned:
patterns: [concrete]

# Our own data, for the intranet's widget:
extra:
  widget: {colour: teal, size: 3}
  unknown_key: kept
visibility: internal
---
The body, with  two spaces and a trailing line.

"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_demo_file_reads_back_to_the_same_bytes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read_document(text).text() == text


def test_changing_a_field_changes_only_its_lines() -> None:
    document = read_document(HAND_WRITTEN)
    changed = with_field(document, "speaker", ("speaker: Sam Example",), ORDER)
    assert changed_lines(HAND_WRITTEN, changed.text()) == ["-speaker: Jordan Example", "+speaker: Sam Example"]


def test_a_new_field_takes_the_place_of_its_commented_out_line() -> None:
    document = read_document(HAND_WRITTEN)
    changed = with_field(document, "learned", ("learned: |", "  To say less, later."), ORDER)
    assert changed_lines(HAND_WRITTEN, changed.text()) == ["-# learned:", "+learned: |", "+  To say less, later."]
    assert "# learned: what the speaker learned" in changed.text()


def test_a_new_field_without_a_placeholder_follows_the_field_before_it_in_the_archetype() -> None:
    document = read_document(HAND_WRITTEN)
    changed = with_field(document, "event", ("event: FailLab Spring 2026",), ORDER)
    lines = changed.text().splitlines()
    assert lines[lines.index("speaker: Jordan Example") + 1] == "event: FailLab Spring 2026"
    first = with_field(document, "summary", ("summary: Short.",), ORDER).text().splitlines()
    assert first.index("summary: Short.") < first.index("# Our own data, for the intranet's widget:")


def test_removing_a_field_keeps_the_comments_around_it() -> None:
    document = read_document(HAND_WRITTEN)
    changed = with_field(document, "patterns", None, ORDER)
    assert changed_lines(HAND_WRITTEN, changed.text()) == ["-patterns: [concrete]"]


def test_the_body_is_kept_exactly_and_changed_alone() -> None:
    document = read_document(HAND_WRITTEN)
    assert document.body == "The body, with  two spaces and a trailing line.\n\n"
    changed = with_body(document, "Another body.\n")
    assert changed.text().endswith("---\nAnother body.\n")
    assert changed.front_matter() == document.front_matter()


def test_windows_line_ends_are_kept() -> None:
    text = HAND_WRITTEN.replace("\n", "\r\n")
    document = read_document(text)
    assert document.text() == text
    assert "\r\nspeaker: Sam Example\r\n" in with_field(document, "speaker", ("speaker: Sam Example",), ORDER).text()


@pytest.mark.parametrize("text, says", [
    ("Just a body.\n", "does not start with front matter"),
    ("---\ntitle: x\n", "never closed"),
    ("---\ntitle: [unclosed\n---\n", "not valid YAML"),
    ("---\n  indented: first\n---\n", "not a field"),
])
def test_a_file_the_desk_cannot_split_says_why(text: str, says: str) -> None:
    with pytest.raises(NotEditable, match=says):
        read_document(text)


TALK_FIELDS = fields_of(CONTENT_TYPES["talk"])
DEBRIEF_FIELDS = fields_of(CONTENT_TYPES["debrief"])
pieces = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85\u2028\u2029"),
                 max_size=8) | st.sampled_from(["\n", ": ", " #", "- ", "'", '"', "|", ">", "*", "&", "!", "%", "@", "`",
                                                "{", "[", "  ", "\t", "no", "~", "2026-03-01", "1:30"])
texts = st.lists(pieces, max_size=6).map("".join)


def read_back(field_name: str, lines: tuple[str, ...], fields: dict) -> object:  # type: ignore[type-arg]
    root, diagnostics = load_yaml("\n".join(lines) + "\n", "test")
    assert root is not None and not diagnostics, lines
    return form_value(fields[field_name], root.items[field_name])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_any_text_is_written_so_that_yaml_reads_it_back(text: str) -> None:
    lines = field_lines(TALK_FIELDS["learned"], text)
    if lines is None:
        assert not text.strip()
        return
    assert same_value(TALK_FIELDS["learned"], read_back("learned", lines, TALK_FIELDS), text)
    assert yaml.safe_load("\n".join(lines))["learned"].rstrip() == text.replace("\r\n", "\n").rstrip()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"what": texts, "owner": texts, "due": st.sampled_from(["", "2026-04-01"])}),
                max_size=4), st.lists(texts, max_size=4))
def test_records_and_lists_are_written_so_that_yaml_reads_them_back(actions: list, whys: list) -> None:  # type: ignore[type-arg]
    for name, value in (("actions", actions), ("whys", whys)):
        lines = field_lines(DEBRIEF_FIELDS[name], value)
        if lines is not None:
            assert same_value(DEBRIEF_FIELDS[name], read_back(name, lines, DEBRIEF_FIELDS), value)


@pytest.mark.parametrize("text, written", [
    ("no", 'title: "no"'), ("Q: why", 'title: "Q: why"'), ("18:30", 'title: "18:30"'), ("~", 'title: "~"'),
    ("A plain title", "title: A plain title"), ("#1 mistake", 'title: "#1 mistake"'),
])
def test_a_text_yaml_would_read_as_something_else_is_quoted(text: str, written: str) -> None:
    assert field_lines(TALK_FIELDS["title"], text) == (written,)


def test_a_true_and_a_number_are_written_plain_where_the_field_wants_them() -> None:
    assert field_lines(TALK_FIELDS["anonymous"], "true") == ("anonymous: true",)
    assert field_lines(TALK_FIELDS["duration"], "45") == ("duration: 45",)
    assert field_lines(TALK_FIELDS["patterns"], ["concrete", "perceived"]) == ("patterns: [concrete, perceived]",)
