"""Front matter written for Hugo, Jekyll or MkDocs: errors that say what failsite calls a field, or does instead."""

from __future__ import annotations

from conftest import SiteMaker, build_errors, run_cli


def test_fields_from_other_tools_are_named_by_meaning(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": "---\ntitle: A\ndate: 2026-01-01\nauthor: Jordan Example\n"
                                            "description: One line.\nlayout: post\ncategories: [x]\n---\nBody\n"})
    errors = build_errors(site)
    assert "content/talks/a.md:4:1: error: unknown talk field 'author': failsite calls it 'speaker'" in errors
    assert "content/talks/a.md:5:1: error: unknown talk field 'description': failsite calls it 'summary'" in errors
    assert "content/talks/a.md:6:1: error: unknown talk field 'layout'" in errors
    assert "content/talks/a.md:7:1: error: unknown talk field 'categories': failsite calls it 'tags'" in errors
    debrief = make_site({"content/debriefs/d.md": "---\ntitle: D\ndate: 2026-01-01\nformat: aar\nauthor: J\n---\n"},
                        name="debrief")
    assert "content/debriefs/d.md:5:1: error: unknown debrief field 'author': failsite calls it 'authors'" in \
        build_errors(debrief)


def test_toml_and_json_front_matter_are_named(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": '+++\ntitle = "A"\n+++\nBody\n',
                      "content/talks/b.md": '{"title": "B"}\nBody\n'})
    errors = build_errors(site)
    assert any(e.startswith("content/talks/a.md:1:1: error: the front matter is TOML") for e in errors)
    assert any(e.startswith("content/talks/b.md:1:1: error: the front matter is JSON") for e in errors)


def test_failsite_fields_lists_a_types_fields() -> None:
    code, output = run_cli("fields", "talk")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "title (required): the title shown on the page and in lists"
    assert any(line.startswith("speaker (required): who gave the talk") for line in lines)
    assert run_cli("fields", "talks")[0] == 0
    assert run_cli("fields", "blog")[0] == 2
