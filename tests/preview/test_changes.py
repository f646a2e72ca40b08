"""Classifying changed files: each kind of source maps to the smallest rebuild that covers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SiteMaker
from failsite.preview.changes import classify
from failsite.content.config import load_config
from failsite.render.theme import builtin_themes_dir, load_theme


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    return make_site({"people.yaml": "secret: s\n"},
                     config="title: T\nanonymise:\n  registry: people.yaml\n")


def changes(site: Path, *relative: str):  # type: ignore[no-untyped-def]
    config = load_config(site)
    theme, _ = load_theme(config)
    return classify([site / r if not r.startswith("/") else Path(r) for r in relative], config, theme)


def test_content_edit_is_a_content_change(site: Path) -> None:
    change = changes(site, "content/talks/a.md", "content/log/2026/b.md")
    assert (change.full, change.content) == (False, frozenset({"talks/a.md", "log/2026/b.md"}))
    assert change.paths == ("content/log/2026/b.md", "content/talks/a.md")


def test_config_registry_and_theme_yaml_rebuild_everything(site: Path) -> None:
    assert changes(site, "site.yaml").full
    assert changes(site, "people.yaml").full
    assert changes(site, "themes/brand/theme.yaml").full


def test_site_and_theme_templates_are_template_changes(site: Path) -> None:
    (site / "templates").mkdir()
    change = changes(site, "templates/partials/terms.html", str(builtin_themes_dir() / "default/templates/talk.html"))
    assert change.templates == frozenset({"partials/terms.html", "talk.html"}) and not change.full


def test_static_files_are_static_changes(site: Path) -> None:
    (site / "static").mkdir()
    change = changes(site, "static/css/site.css", str(builtin_themes_dir() / "default/static/css/failsite.css"))
    assert change.static == frozenset({"css/site.css", "css/failsite.css"})


def test_editor_files_output_and_unrelated_files_are_ignored(site: Path) -> None:
    change = changes(site, "content/talks/.a.md.swp", "content/talks/a.md~", "content/talks/#a.md#",
                     "public/index.html", "notes.txt", "content/talks/image.png", "content/_drafts/x.md")
    assert change.empty


def test_a_new_override_folder_starts_again(site: Path) -> None:
    assert changes(site, "templates/talk.html").full  # templates/ did not exist when the theme was loaded
