"""Front matter against the schema: YAML surprises, types, overrides and summaries."""

from __future__ import annotations

from pathlib import Path

from failsite.content.config import SiteConfig, taxonomy_defs
from failsite.content.items import derive_summary, item_schema, parse_item
from failsite.content.discover import Source
from failsite.content.schema import TYPE_BY_FOLDER


def parse(text: str, key: str = "log/entry.md"):  # type: ignore[no-untyped-def]
    config = SiteConfig(site_dir=Path("."), title="T", taxonomies=taxonomy_defs(None, "site.yaml", []))
    source = Source(key, Path(key), f"content/{key}", TYPE_BY_FOLDER.get(key.split("/")[0]))
    item, diagnostics = parse_item(source, text, item_schema(config))
    return item, [d.format().splitlines()[0] for d in diagnostics]


def test_yaml_1_1_words_stay_text_where_text_is_expected() -> None:
    item, errors = parse("---\ntitle: no\ndate: 2026-01-01\ncontext: on\nlesson: 3.10\nroot_cause: 2025-04-10\n---\n")
    assert errors == []
    assert (item.title, item.fields["context"], item.fields["lesson"], item.fields["root_cause"]) == \
        ("no", "on", "3.10", "2025-04-10")


def test_quoted_date_is_still_a_date_and_bad_dates_are_errors() -> None:
    item, errors = parse('---\ntitle: T\ndate: "2026-01-05"\n---\n')
    assert errors == [] and item.date.isoformat() == "2026-01-05"
    _, errors = parse("---\ntitle: T\ndate: 05/01/2026\n---\n")
    assert errors == ["content/log/entry.md:3:7: error: 'date' is not a valid date: '05/01/2026'"]


def test_booleans_must_be_booleans() -> None:
    _, errors = parse("---\ntitle: T\ndate: 2026-01-01\ndraft: maybe\n---\n")
    assert errors == ["content/log/entry.md:4:8: error: 'draft' must be true or false, not 'maybe'"]


def test_terms_accept_titles_or_slugs_and_are_normalised() -> None:
    item, errors = parse("---\ntitle: T\ndate: 2026-01-01\nbarriers: [Hindsight Bias, premature-closure]\n"
                         "patterns: CONCRETE\n---\n")
    assert errors == []
    assert item.terms["barriers"] == ("hindsight-bias", "premature-closure")
    assert item.terms["patterns"] == ("concrete",)
    assert item.terms["practices"] == ("failure-log",)


def test_unknown_pattern_lists_the_valid_ones() -> None:
    _, errors = parse("---\ntitle: T\ndate: 2026-01-01\npatterns: [bogus]\n---\n")
    assert errors == ["content/log/entry.md:4:12: error: 'patterns' has unknown value 'bogus'"]


def test_type_key_overrides_the_folder() -> None:
    item, errors = parse("---\ntitle: T\ntype: talk\ndate: 2026-01-01\nspeaker: S\n---\n", key="pages/odd.md")
    assert errors == [] and item.type == "talk" and item.url == "/talks/odd/"


def test_missing_front_matter() -> None:
    _, errors = parse("Just text\n")
    assert errors == ["content/log/entry.md:1:1: error: the file does not start with front matter"]


def test_lists_take_a_single_value_and_reject_mappings() -> None:
    item, errors = parse("---\ntitle: T\ndate: 2026-01-01\ntags: solo\n---\n")
    assert errors == [] and item.terms["tags"] == ("solo",)
    _, errors = parse("---\ntitle: T\ndate: 2026-01-01\ntags: {a: b}\n---\n")
    assert errors == ["content/log/entry.md:4:7: error: 'tags' must be a list, not a mapping"]


def test_extra_keeps_free_form_data() -> None:
    item, errors = parse("---\ntitle: T\ndate: 2026-01-01\nextra:\n  cover: x.png\n  rating: 4\n---\n")
    assert errors == [] and item.extra == {"cover": "x.png", "rating": 4}


def test_summary_is_derived_from_the_first_paragraph() -> None:
    body = "## Heading\n\nThe **first** paragraph with a [link](x.md)\ncontinues here.\n\nSecond one."
    assert derive_summary(body) == "The first paragraph with a link continues here."
    long = "word " * 100
    summary = derive_summary(long)
    assert summary.endswith("…") and len(summary) <= 221


def test_a_derived_summary_keeps_words_apart_where_tags_stood() -> None:
    assert derive_summary("Kwame<br>Osei and<br/>Ines <span>Barreto</span> met Da<b>na</b>.") == \
        "Kwame Osei and Ines Barreto met Dana."


def test_a_draft_with_errors_is_left_out_with_warnings_and_never_stops_a_build(make_site) -> None:  # type: ignore[no-untyped-def]
    from conftest import build, build_errors

    site = make_site({"content/talks/ok.md": "---\ntitle: Ok\ndate: 2026-03-01\nspeaker: A\n---\nBody\n",
                      "content/talks/unfinished.md": "---\ntitle: Unfinished\ndate: 2026-02-30\ndraft: true\n---\nx\n",
                      "content/talks/in-review.md": "---\ntitle: Half\nstatus: draft\nduration: long\n---\nx\n"})
    result = build(site)
    messages = sorted(d.format().splitlines()[0] for d in result.warnings if "left out of every build" in d.message)
    note = "warning: a draft, left out of every build until this is fixed:"
    assert messages == [
        f"content/talks/in-review.md:2:1: {note} missing required talk field 'date'",
        f"content/talks/in-review.md:2:1: {note} missing required talk field 'speaker'",
        f"content/talks/in-review.md:4:11: {note} 'duration' must be a whole number, not 'long'",
        f"content/talks/unfinished.md:2:1: {note} missing required talk field 'speaker'",
        f"content/talks/unfinished.md:3:7: {note} 'date' is not a valid date: '2026-02-30' (February 2026 has no day 30)"]
    assert (site / "public/talks/ok/index.html").is_file() and not (site / "public/talks/unfinished").exists()
    (site / "content/talks/unfinished.md").write_text("---\ntitle: Unfinished\ndate: 2026-02-30\nspeaker: A\n---\nx\n")
    assert [m for m in build_errors(site) if ": error: " in m] == ["content/talks/unfinished.md:3:7: error: 'date' is not a valid date: '2026-02-30' "
                                  "(February 2026 has no day 30)"]
