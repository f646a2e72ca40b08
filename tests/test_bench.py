"""The benchmark's corpus generator makes a valid site (a smoke test; no timings are asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus import generate  # noqa: E402


def test_generated_corpus_builds_and_hides_its_registry_names(tmp_path: Path) -> None:
    generate(tmp_path, pages=50, people_count=40, seed=3)
    sources = " ".join(p.read_text() for p in (tmp_path / "content").rglob("*.md"))
    assert "Avery Abara" in sources
    result = build(tmp_path)
    assert result.pages > 50
    assert "Avery Abara" not in (tmp_path / "public/talks/talk-00001/index.html").read_text() + \
        (tmp_path / "public/atom.xml").read_text()
