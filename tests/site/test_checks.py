"""The writing checks only `check` makes, source by source, kept in the build cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CONFIG, REGISTRY, SiteMaker, build, talk
from failsite.build import check_site
from failsite.engine.cache import CACHE_DIR
from failsite.site import checks


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts scanned for names, by their first line of body."""
    texts: list[str] = []
    real = checks.scan_names

    def counting(text, matcher):  # type: ignore[no-untyped-def]
        texts.append(text.rsplit("---\n", 1)[-1].splitlines()[0] if "---\n" in text else text[:20])
        return real(text, matcher)

    monkeypatch.setattr(checks, "scan_names", counting)
    return texts


def warnings_of(site: Path) -> list[str]:
    return [w.format() for w in check_site(site).warnings]


def test_a_check_scans_again_only_the_sources_that_changed_and_finds_the_same(make_site: SiteMaker,
                                                                               scanned: list[str]) -> None:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk("A", body="Told by Marguerite to the team."),
                      "content/talks/b.md": talk("B", body="We simply blamed the depot."),
                      "content/talks/c.md": talk("C", body="Nothing to flag.")}, CONFIG)
    build(site)
    first = warnings_of(site)
    assert any("'Marguerite' looks like a person's name" in w for w in first)
    assert len(scanned) == 3
    scanned.clear()
    assert warnings_of(site) == first and scanned == []  # every source as it was: nothing read again
    build(site)  # a build keeps what the check found
    assert warnings_of(site) == first and scanned == []
    (site / "content/talks/c.md").write_text(talk("C", body="Then Ottilie stepped in."))
    found = warnings_of(site)
    assert scanned == ["Then Ottilie stepped in."]
    assert any("'Ottilie' looks like a person's name" in w for w in found)
    (site / "people.yaml").write_text(REGISTRY.replace("organisations:", "  - name: Marguerite Tolland\n"
                                                      "    aliases: [Marguerite]\norganisations:"))
    scanned.clear()
    found = warnings_of(site)
    assert len(scanned) == 3  # a new registry: every source scanned again
    assert not any("Marguerite" in w for w in found)


def test_the_kept_findings_give_the_warnings_a_check_without_a_cache_gives(make_site: SiteMaker,
                                                                          scanned: list[str]) -> None:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk("A", body="Marguerite said: we simply blamed the depot. Ida agreed."),
                      "content/debriefs/r.md": "---\ntitle: R\ndate: 2026-03-01\nformat: aar\n"
                                               "whys: [Why? Because Ida rushed.]\n---\nHuman error again.\n"}, CONFIG)
    build(site)
    warm = warnings_of(site)
    warnings_of(site)
    cached = warnings_of(site)
    import shutil
    shutil.rmtree(site / CACHE_DIR)
    assert cached == warm == warnings_of(site)
