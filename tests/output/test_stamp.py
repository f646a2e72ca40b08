"""A build with nothing to do is not built again; any change to an input, an option or the output is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from conftest import SiteMaker, talk
from failsite.cli import cli
from failsite.engine.fingerprint import CACHE_DIR
from failsite.output.stamp import STAMP_FILE, output_files

UNCHANGED = "(nothing changed since the last build)"
REGISTRY = "people:\n  - name: Dana Whitfield\n    pseudonym: The Product Lead\n"
CONFIG = "title: Test Site\nanonymise:\n  registry: people.yaml\n"


def built(site: Path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["build", str(site), *options])
    assert result.exit_code == 0, result.output
    return result.output


def output_times(site: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (site / "public").rglob("*")}


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    made = make_site({"content/talks/a.md": talk(body="Dana Whitfield said no."), "people.yaml": REGISTRY},
                     config=CONFIG)
    assert UNCHANGED not in built(made)
    return made


def test_nothing_changed_is_not_built_again_and_the_output_is_left_alone(site: Path) -> None:
    before = output_times(site)
    output = built(site)
    assert output.startswith("built ") and UNCHANGED in output
    assert output_times(site) == before


def test_an_old_output_still_being_removed_is_no_reason_to_build_but_a_killed_build_s_leftovers_are(
        site: Path) -> None:
    removing = site / ".public.trash-999999999-0a1b2c3d"  # its build is gone; a detached rm is still at it
    (removing / "talks").mkdir(parents=True)
    assert UNCHANGED in built(site)
    killed = site / ".public.building-999999999-x"
    killed.mkdir()
    assert UNCHANGED not in built(site)
    assert not killed.exists() and not removing.exists()


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(site: Path) -> None:
        path = site / relative
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return change


def _write(relative: str, text: str) -> Callable[[Path], None]:
    def change(site: Path) -> None:
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    return change


CHANGES = {
    "a story edited, same size": _edit("content/talks/a.md", "said no.", "said ok."),
    "a story added": _write("content/talks/b.md", talk(title="B")),
    "a story removed": lambda site: (site / "content/talks/a.md").unlink(),
    "site.yaml": _edit("site.yaml", "Test Site", "Test Sites"),
    "the registry": _edit("people.yaml", "The Product Lead", "The Product Head"),
    "a template override in a new folder": _write("templates/partials/footer.html", "<footer>ours</footer>"),
    "a static file in a new folder": _write("static/extra.css", "body { color: black; }"),
    "a theme of the site's own": _write("themes/mine/templates/base.html", "{% block content %}{% endblock %}"),
    "an output file removed": lambda site: (site / "public/talks/a/index.html").unlink(),
    "an output file edited": _edit("public/index.html", "<", "< "),
    "an output file added": _write("public/stray.html", "<p>stray</p>"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_to_an_input_or_the_output_builds_again(site: Path, change: Callable[[Path], None]) -> None:
    change(site)
    assert UNCHANGED not in built(site)
    assert UNCHANGED in built(site)  # and the next build has nothing to do again


def test_the_rebuilt_output_is_what_the_change_asks_for(site: Path) -> None:
    (site / "public/talks/a/index.html").unlink()
    _edit("people.yaml", "The Product Lead", "The Product Head")(site)
    built(site)
    assert "The Product Head said no." in (site / "public/talks/a/index.html").read_text(encoding="utf-8")


OPTIONS = {"--audience": ["--audience", "public"], "--today": ["--today", "2001-01-01"], "--drafts": ["--drafts"],
           "--no-cache": ["--no-cache"]}


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_other_options_build_again(site: Path, options: list[str]) -> None:
    assert UNCHANGED not in built(site, *options)


def test_another_output_folder_builds_again(site: Path, tmp_path: Path) -> None:
    assert UNCHANGED not in built(site, "-o", str(tmp_path / "elsewhere"))
    assert UNCHANGED in built(site, "-o", str(tmp_path / "elsewhere"))
    assert UNCHANGED not in built(site)  # the stamp is of the last build only


def test_an_edit_that_keeps_size_and_time_is_found_by_its_bytes(site: Path) -> None:
    """A file changed within the clock's resolution of the last build keeps its size and time; its bytes differ."""
    path = site / "content/talks/a.md"
    before = path.stat()
    _edit("content/talks/a.md", "said no.", "said ok.")(site)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert UNCHANGED not in built(site)
    assert "said ok." in (site / "public/talks/a/index.html").read_text(encoding="utf-8")


def test_warnings_are_printed_again_when_nothing_changed(make_site: SiteMaker) -> None:
    site = make_site({})
    first = built(site)
    again = built(site)
    warning = "public/pagefind:1:1: warning: nothing is published yet, so the site has no search index"
    assert warning in first and warning in again
    assert UNCHANGED in again and ", 1 warning" in again


def test_a_failed_build_leaves_the_stamp_of_the_last_good_one_and_fails_again(site: Path) -> None:
    _write("content/talks/b.md", "---\ntitle: [unclosed\n---\n")(site)
    for _ in range(2):
        result = CliRunner().invoke(cli, ["build", str(site)])
        assert result.exit_code == 1 and "content/talks/b.md:2:8: error: invalid YAML" in result.output
    (site / "content/talks/b.md").unlink()
    assert UNCHANGED in built(site)  # the output is still the last good build's, of these very inputs


@pytest.mark.parametrize("damage", [b"not json", b'{"format": 99}', b'{"format": 1, "key": 3}', b"[]"])
def test_a_damaged_stamp_means_build(site: Path, damage: bytes) -> None:
    (site / CACHE_DIR / STAMP_FILE).write_bytes(damage)
    assert UNCHANGED not in built(site)
    assert UNCHANGED in built(site)


def test_output_files_lists_every_file_or_those_of_some_folders_or_all_but_those(tmp_path: Path) -> None:
    for relative in ("index.html", "talks/a/index.html", "pagefind/index/x.pf_index", "pagefind-1/y.json",
                     "pagefinder/z.html"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x" * len(relative))
    everything = output_files(tmp_path)
    assert list(everything) == sorted(everything) and len(everything) == 5
    assert everything["talks/a/index.html"][0] == len("talks/a/index.html")
    assert list(output_files(tmp_path, ["pagefind", "pagefind-1"])) == ["pagefind-1/y.json", "pagefind/index/x.pf_index"]
    assert list(output_files(tmp_path, besides=["pagefind", "pagefind-1"])) == [
        "index.html", "pagefinder/z.html", "talks/a/index.html"]
