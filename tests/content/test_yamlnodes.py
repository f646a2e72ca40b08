"""YAML keeps the text the author wrote, with line numbers, and flags duplicate keys."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from failsite.content.yamlnodes import MAX_NODES, load_yaml


def test_yaml_1_1_scalars_keep_their_written_text() -> None:
    root, diagnostics = load_yaml("a: no\nb: on\nc: 3.10\nd: 2025-04-10\ne: 010\n", "f.yaml")
    assert diagnostics == []
    assert root is not None
    assert [root.items[k].text for k in "abcde"] == ["no", "on", "3.10", "2025-04-10", "010"]
    assert root.items["a"].tag == "bool" and root.items["d"].tag == "timestamp"


def test_positions_are_one_based_and_offset_for_front_matter() -> None:
    root, _ = load_yaml("title: x\n\nlist:\n  - one\n", "f.md", line_offset=1)
    assert root is not None
    assert root.key_line("title") == 2
    assert root.key_line("list") == 4
    assert root.items["list"].elements[0].line == 5


def test_duplicate_key_is_an_error_naming_the_first() -> None:
    _, diagnostics = load_yaml("title: a\nsummary: b\ntitle: c\n", "f.yaml")
    assert [d.format().splitlines()[0] for d in diagnostics] == [
        "f.yaml:3:1: error: duplicate key 'title' (first on line 1)"]


def test_syntax_error_is_located() -> None:
    root, diagnostics = load_yaml("a: 1\nb: [unclosed\n", "f.yaml", line_offset=1)
    assert root is None
    assert diagnostics[0].line == 3 and "invalid YAML" in diagnostics[0].message  # the line of the [
    assert "noticed on line 4" in diagnostics[0].message


def test_self_referencing_alias_does_not_recurse_forever() -> None:
    root, diagnostics = load_yaml("a: &x [*x]\n", "f.yaml")
    assert any("nested too deeply" in d.message for d in diagnostics)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_quoted_string_reads_back_as_written(value: str) -> None:
    text = yaml.safe_dump({"title": value}, allow_unicode=True, default_style='"')
    root, diagnostics = load_yaml(text, "f.yaml")
    assert diagnostics == []
    assert root is not None and root.items["title"].text == value


def billion_laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_within_the_value_budget() -> None:
    root, diagnostics = load_yaml(billion_laughs(), "people.yaml")
    assert root is None
    assert [d.format().splitlines()[0] for d in diagnostics] == [
        f"people.yaml:1:1: error: the YAML expands to more than {MAX_NODES:,} values through aliases (`*name`)"]


def test_aliases_are_refused_where_asked_and_kept_elsewhere() -> None:
    text = "base: &base [a, b]\nagain: *base\n"
    root, diagnostics = load_yaml(text, "x.md", 1, aliases=False)
    assert [d.format().splitlines()[0] for d in diagnostics] == [
        "x.md:3:8: error: the alias '*base' repeats a value written elsewhere; aliases are not allowed here"]
    root, diagnostics = load_yaml(text, "site.yaml")
    assert diagnostics == [] and root is not None and root.items["again"].to_plain() == ["a", "b"]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    root, diagnostics = load_yaml("[" * 20000 + "]" * 20000, "x.yaml")
    assert root is None or diagnostics
    assert all(d.severity == "error" for d in diagnostics)
