"""The output folder: atomic replacement, stale files removed, foreign folders refused, determinism."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import SiteMaker, build, build_errors, talk, tree_digest

COMPLETE = Path(__file__).parents[1] / "fixtures" / "sites" / "complete"


def test_failed_build_leaves_the_previous_output_untouched(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("First version")})
    build(site)
    before = tree_digest(site / "public")
    (site / "content/talks/a.md").write_text(talk("Second version", patterns="[nope]"))
    (site / "content/talks/b.md").write_text(talk("New"))
    build_errors(site)
    assert tree_digest(site / "public") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".public")] == []  # no staging left behind


def test_failing_template_leaves_the_previous_output_untouched(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    build(site)
    before = tree_digest(site / "public")
    (site / "templates").mkdir()
    (site / "templates/talk.html").write_text("{{ page.nonexistent_field }}")
    assert build_errors(site)[0].startswith("templates/talk.html:1:1: error: template error:")
    assert tree_digest(site / "public") == before


def test_files_the_build_did_not_produce_are_removed(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(), "content/talks/b.md": talk("B")})
    build(site)
    (site / "public/leftover.txt").write_text("stale")
    (site / "content/talks/b.md").unlink()
    build(site)
    assert not (site / "public/leftover.txt").exists()
    assert not (site / "public/talks/b").exists()


def test_a_folder_failsite_did_not_make_is_refused(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site({"content/talks/a.md": talk()})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    errors = build_errors(site, out_dir=precious)
    assert errors == [f"{precious}:1:1: error: the output folder exists and was not made by failsite"]
    assert (precious / "thesis.docx").read_text() == "years of work"


def test_output_may_not_contain_the_site_or_sit_inside_content(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    assert "holds the site itself" in build_errors(site, out_dir=site)[0]
    assert "the output folder is inside content/, which the build reads" in build_errors(site, out_dir=site / "content/out")[0]


def test_same_input_builds_byte_identical_output(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    shutil.copytree(COMPLETE, first)
    shutil.copytree(COMPLETE, second)
    build(first)
    build(second)
    build(first)  # a rebuild over an existing output too
    assert tree_digest(first / "public") == tree_digest(second / "public")
    assert len(tree_digest(first / "public")) > 40


def test_an_empty_staging_folder_of_a_dead_build_is_debris(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from failsite.output.lock import debris
    from failsite.output.staging import MARKER

    out = tmp_path / "public"
    out.mkdir()
    dead = tmp_path / ".public.building-999999999-abc"  # killed between making the folder and marking it
    dead.mkdir()
    stranger = tmp_path / ".public.building-999999999-def"  # not ours: it holds files and no marker
    stranger.mkdir()
    (stranger / "notes.txt").write_text("keep me")
    assert debris(out, MARKER) == [dead]


def test_what_an_ended_process_left_is_debris_before_it_is_reaped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A killed build's worker is a zombie until its new parent reaps it, which may take a while: it has ended."""
    from failsite.output.lock import debris
    from failsite.output.staging import MARKER

    out = tmp_path / "public"
    out.mkdir()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":  # ended, not reaped
            assert time.monotonic() < deadline
            time.sleep(0.01)
        left = tmp_path / f".search-{pid}-a1b2c3"  # a search link folder its Pagefind read
        left.mkdir()
        running = tmp_path / f".search-{os.getpid()}-d4e5f6"
        running.mkdir()
        assert debris(out, MARKER) == [left]
    finally:
        os.waitpid(pid, 0)


def test_an_old_output_set_aside_for_removal_is_debris_once_its_build_is_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from failsite.output.lock import debris
    from failsite.output.staging import MARKER

    out = tmp_path / "public"
    out.mkdir()
    cut_short = tmp_path / ".public.trash-999999999-0a1b2c3d"  # its removal was killed half way: no marker left
    (cut_short / "talks").mkdir(parents=True)
    alive = tmp_path / f".public.trash-{os.getpid()}-0a1b2c3d"  # a live build's, still being removed
    alive.mkdir()
    assert debris(out, MARKER) == [cut_short]


def test_the_old_output_a_command_line_build_sets_aside_is_removed_by_a_process_of_its_own(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(COMPLETE, site)
    assert subprocess.run([sys.executable, "-m", "failsite", "build", str(site)], capture_output=True).returncode == 0
    talk = site / "content" / "talks" / "launch.md"
    talk.write_text(talk.read_text() + "\nOne more line.\n")
    (site / "public" / "index.html").write_text("the old output")
    assert subprocess.run([sys.executable, "-m", "failsite", "build", str(site)], capture_output=True).returncode == 0
    deadline = time.monotonic() + 20
    # The old output and the pages' search documents (.search-PID-documents-*), both removed by that process.
    while any(p.name.startswith((".public.", ".search-")) for p in site.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.name for p in site.iterdir() if p.name.startswith((".public", ".search-"))] == []
    assert (site / "public" / "index.html").read_text() != "the old output"
    assert any("One more line." in page.read_text() for page in (site / "public").rglob("*.html"))


def test_a_build_in_process_leaves_nothing_beside_its_output_when_it_returns(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(COMPLETE, site)
    build(site)  # the old output (none the first time) and the search documents removed before it returns
    talk = site / "content" / "talks" / "launch.md"
    talk.write_text(talk.read_text() + "\nOne more line.\n")
    build(site)
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == [".failsite-cache"]
    talk.write_text("---\ntitle: [broken\n---\n")
    assert build_errors(site)  # a failed build removes them too
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == [".failsite-cache"]
