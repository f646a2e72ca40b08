"""Site hooks: a site's own module adds a filter, a template global, a markdown plugin and a field; what it prints
still passes the leak audit; a failing hook is an error with its module and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONFIG, REGISTRY, build, build_errors, html, text_of

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hooks"


def copy_fixture(tmp_path: Path) -> Path:
    site = tmp_path / "hooked"
    shutil.copytree(FIXTURE, site)
    return site


def test_a_hook_adds_a_filter_a_global_a_markdown_plugin_and_a_field(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    build(site)
    page = html(site, "talks/a/index.html")
    assert text_of(page.select_one(".byline")) == "AVERY EXAMPLE! · hopeful · the learning team"
    assert page.select_one(".prose mark").get_text() == "mattered most"


def test_what_a_hook_prints_is_audited(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    (site / "people.yaml").write_text(REGISTRY)
    (site / "site.yaml").write_text(CONFIG + "hooks: [sitehooks]\n")
    hooks = site / "sitehooks.py"
    hooks.write_text(hooks.read_text().replace('"the learning team"', '"Dana Whitfield"'))
    errors = build_errors(site)
    assert any("talks/a/index.html" in e and "protected" in e for e in errors), errors
    assert not (site / "public").exists()


def test_a_failing_hook_is_an_error_with_its_module_and_line(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    (site / "sitehooks.py").write_text("def register(site):\n    site.field('talk', 'mood', 'colour')\n")
    assert build_errors(site) == [
        "sitehooks.py:2:1: error: the hook failed: ValueError: field kind 'colour' is not one of string, strings, "
        "date, int, bool, url, mapping"]
    (site / "site.yaml").write_text("title: T\nhooks: [missing]\n")
    assert build_errors(site) == ["site.yaml:1:1: error: the hook module 'missing' is not in the site folder"]
