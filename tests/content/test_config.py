"""site.yaml: defaults, every validation, taxonomies and types."""

from __future__ import annotations

from pathlib import Path

import pytest

from failsite.content.config import load_config
from failsite.errors import FailsiteError


def config_errors(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FailsiteError) as caught:
        load_config(tmp_path)
    return [d.format().splitlines()[0] for d in caught.value.diagnostics]


def test_a_title_alone_is_a_complete_config(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Just a title\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.title, config.base_url, config.output, config.theme, config.public) == \
        ("Just a title", "/", "public", "default", False)
    assert [t.name for t in config.taxonomies][:5] == ["patterns", "responses", "barriers", "practices", "control"]
    patterns = config.taxonomy("patterns")
    assert patterns.closed and [t.slug for t in patterns.terms] == \
        ["concrete", "circumstantial", "perceived", "identity", "paralysis"]
    assert "debrief" in patterns.terms[0].intervention


def test_misspelled_key_suggests_the_right_one(tmp_path: Path) -> None:
    assert "site.yaml:2:1: error: unknown site.yaml key 'themee' (did you mean 'theme'?)" in \
        config_errors(tmp_path, "title: T\nthemee: default\n")


def test_wrong_types_name_the_key_and_line(tmp_path: Path) -> None:
    errors = config_errors(tmp_path, "title: T\npublic: sometimes\npagination:\n  per_page: many\n")
    assert errors == ["site.yaml:2:9: error: 'public' must be true or false, not 'sometimes'",
                      "site.yaml:4:13: error: 'per_page' must be a whole number, not 'many'"]


def test_missing_title(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "description: no title\n") == \
        ["site.yaml:1:1: error: missing required site.yaml key 'title'"]


def test_unknown_feed_type_and_content_type(tmp_path: Path) -> None:
    errors = config_errors(tmp_path, "title: T\nfeed:\n  types: [talk, blog]\ntypes:\n  talkz: {title: X}\n")
    assert "site.yaml:3:3: error: feed type 'blog' is not a content type" in errors
    assert "site.yaml:5:3: error: unknown content type 'talkz' (did you mean 'talk'?)" in errors


def test_output_may_not_escape_the_site(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "title: T\noutput: ../elsewhere\n") == \
        ["site.yaml:2:1: error: 'output' must be a folder inside the site folder, not '../elsewhere'"]


def test_missing_config_file_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FailsiteError) as caught:
        load_config(tmp_path)
    assert "no site.yaml in" in caught.value.diagnostics[0].message


def test_invalid_yaml_in_config(tmp_path: Path) -> None:
    errors = config_errors(tmp_path, "title: [T\n")
    assert errors[0].startswith("site.yaml:1:8: error: invalid YAML")  # where the [ was opened


def test_taxonomy_descriptions_can_be_overridden_and_new_taxonomies_added(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "title: T\ntaxonomies:\n  patterns:\n    terms:\n      concrete: {description: Our own words.}\n"
        "  moods: {title: Moods}\n", encoding="utf-8")
    config = load_config(tmp_path)
    concrete = config.taxonomy("patterns").terms[0]
    assert concrete.description == "Our own words." and concrete.intervention  # the rest stays
    moods = config.taxonomy("moods")
    assert (moods.title, moods.closed) == ("Moods", False)


def test_unknown_key_in_taxonomy_term(tmp_path: Path) -> None:
    errors = config_errors(tmp_path, "title: T\ntaxonomies:\n  patterns:\n    terms:\n      concrete: {descripton: x}\n")
    assert errors == ["site.yaml:5:18: error: unknown key in term 'concrete' 'descripton' (did you mean 'description'?)"]


def test_base_path_comes_from_base_url(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\nbase_url: https://intranet.example/fail\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.base_url, config.base_path) == ("https://intranet.example/fail/", "/fail/")


def test_the_registry_is_refused_where_files_are_published(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from failsite.content.config import load_config
    from failsite.errors import FailsiteError

    for place in ("static/people.yaml", "themes/mine/people.yaml", "../people.yaml"):
        (tmp_path / "site.yaml").write_text(f"title: T\nanonymise:\n  registry: {place}\n")
        with pytest.raises(FailsiteError) as caught:
            load_config(tmp_path)
        assert "is in a folder whose files are published or outside the site folder" in caught.value.diagnostics[0].message
