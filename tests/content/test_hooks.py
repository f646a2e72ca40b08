"""Site hooks: a site's own module adds a filter, a template global, a markdown plugin, a field and a content type;
what it prints and what its type holds still pass the anonymisation and the leak audit; a failing hook is an error
with its module and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CONFIG, REGISTRY, assert_no_protected, build, build_errors, html, run_cli, text_of

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


def test_a_hook_adds_a_content_type_with_its_pages_list_and_menu_entry(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    build(site)
    page = html(site, "playbooks/handover/index.html")
    assert [text_of(li) for li in page.select(".playbook-steps li")] == [
        "Read the exception board aloud", "Name an owner for each open exception"]
    assert [text_of(a) for a in page.select(".breadcrumbs a")] == ["Home", "Stories", "Playbooks"]
    listing = html(site, "playbooks/index.html")
    assert text_of(listing.select_one("h1")) == "Playbooks"
    assert [text_of(a) for a in listing.select(".item-list h2 a, .item-list h3 a")] == ["The shift handover"]
    assert ("Playbooks", "/playbooks/") in [(text_of(a), a["href"]) for a in html(site, "index.html").select("header nav a")]


def test_a_hook_type_without_a_template_of_its_own_takes_the_item_page(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    (site / "templates" / "playbook.html").unlink()
    build(site)
    page = html(site, "playbooks/handover/index.html")
    assert text_of(page.select_one("h1")) == "The shift handover"
    assert "Written after the handover experiments" in text_of(page.select_one(".prose"))


def test_a_hook_types_fields_are_checked_and_its_text_anonymised(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    (site / "people.yaml").write_text(REGISTRY)
    (site / "site.yaml").write_text(CONFIG + "hooks: [sitehooks]\n")
    playbook = site / "content" / "playbooks" / "handover.md"
    playbook.write_text(playbook.read_text().replace("Read the exception board aloud",
                                                     "Ask Dana Whitfield to read the board aloud"))
    build(site)
    assert "The Product Lead" in text_of(html(site, "playbooks/handover/index.html").select_one(".playbook-steps"))
    assert_no_protected(site)
    playbook.write_text("---\ntitle: No steps\n---\nBody.\n")
    assert build_errors(site) == ["content/playbooks/handover.md:2:1: error: missing required playbook field 'steps'"]


def test_a_hook_type_may_not_take_a_name_or_address_the_site_already_uses(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    hooks = site / "sitehooks.py"
    original = hooks.read_text()
    hooks.write_text(original.replace('"playbook", "playbooks"', '"playbook", "talks"'))
    assert build_errors(site)[0].startswith("sitehooks.py:12:1: error: the hook failed: ValueError: folder 'talks' of "
                                            "type 'playbook' must be new")
    hooks.write_text(original.replace('"playbook", "playbooks"', '"playbook", "tags"'))
    assert build_errors(site) == ["site.yaml:1:1: error: the hook type 'playbook' has the folder 'tags', which is the "
                                  "address of the taxonomy 'tags'"]


def test_new_and_fields_know_the_sites_own_types_and_fields(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path)
    code, output = run_cli("fields", "playbook", str(site))
    assert code == 0 and "steps (required): the steps to follow, in order" in output
    code, output = run_cli("fields", "talk", str(site))
    assert "mood: how the room felt" in output
    code, output = run_cli("new", "playbook", "Night shift start", str(site))
    assert code == 0
    written = (site / "content" / "playbooks" / "night-shift-start.md").read_text()
    assert "# steps: the steps to follow, in order (required)" in written
    assert run_cli("fields", "playbook", str(tmp_path))[0] == 2  # a folder without those hooks has no such type


def test_a_site_without_the_hook_does_not_inherit_its_type(tmp_path: Path, make_site) -> None:  # type: ignore[no-untyped-def]
    build(copy_fixture(tmp_path))
    plain = make_site({"content/playbooks/x.md": "---\ntitle: X\ndate: 2026-01-01\n---\nText.\n"})
    assert any("playbooks" in e and "error" in e for e in build_errors(plain))
