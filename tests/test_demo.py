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


def test_demo_builds_without_warnings(demo: Path) -> None:
    result = build(demo)
    assert result.warnings == []
    assert result.site is not None
    items = result.site.items
    assert len(items) >= 14
    assert {i.type for i in items} == set(CONTENT_TYPES)
    patterns = {t.slug for t in result.site.taxonomy("patterns").terms if t.item_keys}
    assert patterns == {"concrete", "circumstantial", "perceived", "identity", "paralysis"}
    modules = [i for i in items if i.type == "module"]
    assert len({m.fields["track"] for m in modules}) >= 1 and all(result.site.links[m.key]["stories"] for m in modules)


def test_demo_check_has_no_unregistered_names(demo: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(demo)])
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_demo_replaces_the_names_its_sources_use(demo: Path) -> None:
    build(demo)
    sources = " ".join(p.read_text() for p in (demo / "content").rglob("*.md"))
    assert "Samuel Achterberg" in sources and "Coldline Foods" in sources
    talk = html(demo, "public/talks/inheriting-the-mess/index.html".removeprefix("public/"))
    prose = text_of(talk.select_one(".prose"))
    assert "the former regional director" in prose and "Coldline" not in prose
    assert text_of(talk.select_one(".byline")).startswith("A talk by Marisol Vance")  # named by consent
