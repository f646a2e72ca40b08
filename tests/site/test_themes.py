"""Themes across everything: what keeps coming back across people and teams, and an owner's private coach."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import all_output, build, build_errors, html, text_of
from failsite.content.config import SiteConfig
from failsite.content.items import Item
from failsite.site import themes
from failsite.site.assemble import Site
from failsite.site.recurrence import CANDIDATES_PER_STORY, words

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sites" / "themes"
TODAY = dt.date(2026, 6, 1)
THIRD = """\
---
title: The handover notes went missing again
date: 2026-05-20
owner: Kit Third
root_cause: Delivery notes went missing again at the night shift handover, since the handover checklist was still not written.
---
Third time.
"""


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    return root


def _themes(root: Path, output: str = "public") -> list[tuple[str, list[str]]]:
    page = html(root, "insights/themes/index.html", output)
    return [(text_of(section.find("h2")), [text_of(a) for a in section.select("li a")])
            for section in page.select("section.theme")]


def test_a_theme_spanning_two_people_is_hidden_until_a_third_person_s_story_joins_it(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    build(root, today=TODAY)
    assert _themes(root) == []
    page = text_of(html(root, "insights/themes/index.html"))
    assert "1 more theme spans fewer people or teams and is not shown." in page
    (root / "content" / "log" / "handover-again.md").write_text(THIRD)
    build(root, today=TODAY)
    assert _themes(root) == [("handover, checklist, night", [
        "The handover notes went missing again", "Depot handover lost the overnight deliveries",
        "The night the delivery notes vanished"])]
    assert "3 stories, from 3 people or teams" in text_of(html(root, "insights/themes/index.html"))


def test_min_people_sets_how_many_people_or_teams_a_theme_spans(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  min_people: 2\n")
    build(root, today=TODAY)
    assert [label for label, _ in _themes(root)] == ["handover, checklist, night"]


def test_min_people_below_one_is_an_error_naming_the_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  min_people: 0\n")
    errors = build_errors(root, today=TODAY)
    line = (root / "site.yaml").read_text().splitlines().index("  min_people: 0") + 1
    assert f"site.yaml:{line}:1: error: 'min_people' is how many people or teams a theme must span, at least 1, " \
           "not 0" in errors


def test_a_registered_name_in_the_root_causes_never_reaches_a_label(tmp_path: Path) -> None:
    """The fixture's handover stories both name Zephyrine Quillfeather twice in their causes: her name would be the
    words the theme's stories share most, were the stories not anonymised before they are grouped, and her
    pseudonym would be, were names not kept out of labels."""
    root = _copy(tmp_path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  min_people: 2\n")
    build(root, today=TODAY)
    assert [label for label, _ in _themes(root)] == ["handover, checklist, night"]
    text = all_output(root)
    assert "zephyrine" not in text and "quillfeather" not in text


def test_a_label_leaves_out_the_words_written_as_names() -> None:
    texts = ["The handover failed, and Peyton Rook kept the notes.", "Peyton Rook lost the handover notes again."]
    found = [words(t) for t in texts]
    vectors = [{stem: 1.0 for stem, _ in pairs} for pairs in found]
    assert themes.theme_label(found, vectors, texts) == "handover, notes"
    lower = [t.replace("Peyton Rook", "peyton rook") for t in texts]  # a word written in lower case is no name
    assert "peyton" in themes.theme_label([words(t) for t in lower], vectors, lower)


def test_a_theme_whose_shared_words_are_all_names_is_called_by_its_newest_story() -> None:
    rng = random.Random(1)
    items = [_story(n, ["filler"], rng) for n in range(2)]
    items = [replace(i, title=title, fields={"root_cause": "It was Peyton Rook."})
             for title, i in zip(("The newer one", "The older one"), reversed(items))]  # site order: newest first
    assert [(t.label, t.story_keys) for t in themes.group_stories(items).shown] == [
        ("The newer one", ("log/story-1.md", "log/story-0.md"))]


def test_an_owner_build_shows_their_private_coach_and_no_other_build_holds_it(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    build(root, today=TODAY, owner="jo doe", out_dir=root / "jo")
    coach = html(root, "insights/coach/index.html", "jo")
    assert text_of(coach.find("h1")) == "Your private coach"
    found = [(text_of(s.find("h2")), [text_of(a) for a in s.select("li a")]) for s in coach.select("section.theme")]
    assert found == [("capacity, checking, extra", ["I said yes to every request again", "Yes to the extra region"])]
    assert "Another owner's entry" not in text_of(coach)
    assert html(root, "insights/index.html", "jo").select_one('a[href$="/insights/coach/"]') is not None
    for name, options in (("public", {"audience": "public"}), ("internal", {}),
                          ("restricted", {"audience": "restricted"}), ("private", {"audience": "private"})):
        build(root, today=TODAY, out_dir=root / name, **options)
        text = all_output(root, name)
        assert not (root / name / "insights" / "coach").exists(), name
        assert "insights/coach" not in text and "private coach" not in text, name
    build(root, today=TODAY, out_dir=root / "other", owner="Sam Other")  # another owner's coach is their own
    other = all_output(root, "other")
    assert "i said yes to every request again" not in other and "yes to the extra region" not in other


def test_the_themes_page_is_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "content" / "log" / "handover-again.md").write_text(THIRD)
    build(root, today=TODAY, use_cache=False)
    first = (root / "public" / "insights" / "themes" / "index.html").read_bytes()
    build(root, today=TODAY, use_cache=False)
    assert (root / "public" / "insights" / "themes" / "index.html").read_bytes() == first


def _story(number: int, words: list[str], rng: random.Random) -> Item:
    key = f"log/story-{number}.md"
    return Item(key=key, path=f"content/{key}", type="log", slug=f"story-{number}", url=f"/log/story-{number}/",
                title=f"Story {number}", date=dt.date(2020, 1, 1) + dt.timedelta(days=number), summary="",
                draft=False, fields={"root_cause": " ".join(rng.choices(words, k=12))}, terms={}, field_links={},
                body="", body_line=1, owner_key=f"person {number % 7}")


def test_each_story_is_scored_against_a_bounded_number_of_others(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(400)]
    items = [_story(n, words, rng) for n in range(1500)]
    scored = 0
    blend = themes.blend

    def counting(*args: object) -> float:
        nonlocal scored
        scored += 1
        return blend(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(themes, "blend", counting)
    themes.group_stories(items)
    assert 0 < scored <= CANDIDATES_PER_STORY * len(items)  # every pair would be 1,124,250


def test_a_story_counts_its_teams_else_its_speaker_owner_or_authors() -> None:
    def item(type_name: str, fields: dict[str, object], teams: tuple[str, ...] = (), owner: str = "") -> Item:
        return Item(key="k", path="p", type=type_name, slug="s", url="/s/", title="T", date=None, summary="",
                    draft=False, fields=fields, terms={"teams": teams}, field_links={}, body="", body_line=1,
                    owner_key=owner)
    assert themes.sources_of(item("debrief", {"authors": ("A",)}, ("Routing", "Depots"))) == {"team:routing",
                                                                                            "team:depots"}
    assert themes.sources_of(item("talk", {"speaker": "Avery  Example"})) == {"person:avery example"}
    assert themes.sources_of(item("log", {}, owner="jo doe")) == {"person:jo doe"}
    assert themes.sources_of(item("experiment", {})) == frozenset()


def test_a_site_with_no_owner_has_no_coach() -> None:
    site = Site(SiteConfig(site_dir=Path("."), title="T"), (), {}, (), {}, {}, frozenset(), {})
    assert themes.coach_themes(site) == themes.Themes((), 0)



def test_failsite_build_for_an_owner_writes_their_coach_from_inside_the_site(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = subprocess.run(["failsite", "build", "--owner", "Jo Doe", "-o", "jo-site"], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "this is a private build" in done.stdout + done.stderr
    coach = html(root, "insights/coach/index.html", "jo-site")
    assert [text_of(a) for a in coach.select("section.theme li a")] == ["I said yes to every request again",
                                                                        "Yes to the extra region"]
