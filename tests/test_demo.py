"""The repository's own demo site: what a newcomer sees first builds cleanly and shows every feature."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import build, html, text_of
from failsite.cli import cli
from failsite.content.schema import CONTENT_TYPES

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("demo")
    for name in ("content", "site.yaml", "people.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / name)
    return site


EXPIRING = "content/talks/the-audit-we-passed-on-paper.md"  # its consent record expires on 2028-05-01


def test_demo_builds_without_a_warning(demo: Path) -> None:
    result = build(demo)
    assert result.warnings == []
    assert result.site is not None
    items = result.site.items
    assert len(items) >= 14
    assert {i.type for i in items} == set(CONTENT_TYPES)
    assert any(i.path == EXPIRING for i in items)
    patterns = {t.slug for t in result.site.taxonomy("patterns").terms if t.item_keys}
    assert patterns == {"concrete", "circumstantial", "perceived", "identity", "paralysis"}
    modules = [i for i in items if i.type == "module"]
    assert len({m.fields["track"] for m in modules}) >= 1 and all(result.site.links[m.key]["stories"] for m in modules)


def test_demo_check_has_no_unregistered_names(demo: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(demo), "--today", "2026-11-23"])
    assert result.exit_code == 0 and ": warning: " not in result.output, result.output


def test_demo_replaces_the_names_its_sources_use(demo: Path) -> None:
    build(demo)
    sources = " ".join(p.read_text() for p in (demo / "content").rglob("*.md"))
    assert "Samuel Achterberg" in sources and "Coldline Foods" in sources
    talk = html(demo, "public/talks/inheriting-the-mess/index.html".removeprefix("public/"))
    prose = text_of(talk.select_one(".prose"))
    assert "the former regional director" in prose and "Coldline" not in prose
    assert text_of(talk.select_one(".byline")).startswith("A talk by Marisol Vance")  # named by consent


def test_demo_shows_the_whole_review_and_follow_through_loop(demo: Path, tmp_path: Path) -> None:
    import datetime as dt

    import icalendar

    from conftest import all_output

    day = dt.date(2026, 11, 23)
    outputs = {}
    for audience in ("public", "internal", "restricted"):
        build(demo, audience=audience, today=day, out_dir=tmp_path / audience)
        outputs[audience] = all_output(tmp_path, audience)
    in_review = "cut-over rehearsal lost orders"
    assert in_review not in outputs["public"] and in_review in outputs["internal"]
    assert "audit we passed on paper" in outputs["internal"]
    queue = CliRunner().invoke(cli, ["review", str(demo), "--today", "2028-04-20"]).output
    assert f"{EXPIRING}:14" in queue and "consent of Samuel Achterberg expires on 2028-05-01 (11 days left)" in queue
    assert all("cancelled my own one-to-ones" not in text for text in outputs.values())  # a private log entry
    build(demo, today=day, owner="Ines Barreto", out_dir=tmp_path / "own")
    assert "cancelled my own one-to-ones" in all_output(tmp_path, "own")
    quarter = html(tmp_path, "log/2026-q1/index.html", output="internal")
    assert "Put last year's same month beside every forecast" in text_of(quarter.select_one(".quarter-review"))
    actions = html(tmp_path, "actions/index.html", output="internal")
    assert actions.select_one("form[data-filters]") is not None and actions.select(".team-links a")
    todos = icalendar.Calendar.from_ical((tmp_path / "internal/actions.ics").read_bytes()).walk("VTODO")
    assert len(todos) >= 5
    launch = html(tmp_path, "talks/launch-too-early/index.html", output="internal")
    assert "Priya Okonkwo" in text_of(launch.select_one(".byline"))  # her consent record holds until March 2029
