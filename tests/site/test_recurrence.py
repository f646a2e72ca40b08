"""Did the fix hold? Stories that look like an earlier review whose preventive action was done."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build, build_errors, built_copy, html, text_of
from failsite.site.recurrence import find_recurrences, tokens

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sites" / "recurrence"
TODAY = dt.date(2026, 6, 1)
FREEZE, TIMETABLE = "debriefs/route-planner-freeze.md", "debriefs/timetable-outage.md"
BADGES, OPEN_DAY, LOG = "debriefs/badge-printer.md", "debriefs/open-day-badges.md", "log/config-in-freeze.md"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(tmp_path_factory.mktemp("recurrence"), FIXTURE, today=TODAY)


def _suggested(root: Path) -> dict[str, tuple[str, ...]]:
    found = find_recurrences(build(root, write=False, today=TODAY).site)  # type: ignore[arg-type]
    return {key: tuple(r.review_key for r in pairs) for key, pairs in found.by_story.items()}


def test_words_are_folded_stemmed_and_stop_words_dropped() -> None:
    assert tokens("The Freeze gates were FREEZING the Überlastung") == ["freez", "gat", "freez", "uberlastung"]


def test_a_review_worded_differently_about_the_same_cause_recurs_on_both_pages(site: Path) -> None:
    later = text_of(html(site, "debriefs/timetable-outage/index.html").select_one(".recurrence"))
    assert "This looks like the review “ Route planner schema change in the holiday freeze ”" in later
    assert "whose action “Add a freeze gate to the deploy pipeline” was completed on 2 April 2025" in later
    earlier = text_of(html(site, "debriefs/route-planner-freeze/index.html").select_one(".recurrence"))
    assert "Timetable outage after the year-end release ” looks like this review" in earlier


def test_the_view_lists_recurrences_and_fixes_that_held_beside_those_that_did_not(site: Path) -> None:
    page = html(site, "insights/recurrence/index.html")
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in page.select(".recurrence-table tbody tr")]
    assert [(r[0].split(" 1")[0].split(" 8")[0], r[1], r[3]) for r in rows] == [
        ("Open day without name tags", "No visitor badges at the depot", "confirmed by its authors"),
        ("Timetable outage after the year-end release", "Route planner schema change in the holiday freeze", "53%")]
    by_team = text_of(page.select_one('[aria-labelledby="by-team"]'))
    assert "Finance Held (1) Name a delegate for every approver before leave" in by_team
    assert "Routing Held (0) None Did not hold (1) Add a freeze gate" in by_team
    by_kind = text_of(page.select_one('[aria-labelledby="by-kind"]'))
    assert "prevent Held (0) None Did not hold (2)" in by_kind and "No kind given Held (1)" in by_kind
    insights = html(site, "insights/index.html")
    assert insights.select_one('main a[href$="/insights/recurrence/"]') is not None
    assert any(a["href"].endswith("/insights/recurrence/") for a in insights.select("nav a"))


def test_a_confirmed_link_shows_below_the_threshold(site: Path) -> None:
    note = text_of(html(site, "debriefs/open-day-badges/index.html").select_one(".recurrence"))
    assert "No visitor badges at the depot" in note and "(confirmed by its authors)" in note


def test_a_dismissed_suggestion_is_not_shown_and_is_one_without_the_dismissal(site: Path, tmp_path: Path) -> None:
    assert html(site, "log/config-in-freeze/index.html").select_one(".recurrence") is None
    root = _copy(tmp_path)
    entry = root / "content" / LOG
    entry.write_text("".join(line for line in entry.read_text().splitlines(True) if "not_recurring" not in line))
    assert _suggested(root)[LOG] == (FREEZE,)


def test_the_threshold_changes_what_is_suggested(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert _suggested(root) == {TIMETABLE: (FREEZE,), OPEN_DAY: (BADGES,)}
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  recurrence_threshold: 60\n")
    assert _suggested(root) == {OPEN_DAY: (BADGES,)}  # the confirmed link stays
    (root / "site.yaml").write_text((root / "site.yaml").read_text().replace("60", "15"))
    entry = root / "content" / LOG
    entry.write_text("".join(line for line in entry.read_text().splitlines(True) if "not_recurring" not in line))
    assert _suggested(root)[LOG] == (FREEZE,)


def test_the_default_threshold_sits_between_unrelated_and_alike_reviews(tmp_path: Path) -> None:
    """Reviews sharing only a pattern score 20; the same cause worded differently scores 33 and more."""
    root = _copy(tmp_path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  recurrence_threshold: 0\n")
    entry = root / "content" / LOG
    entry.write_text("".join(line for line in entry.read_text().splitlines(True) if "not_recurring" not in line))
    found = find_recurrences(build(root, write=False, today=TODAY).site)  # type: ignore[arg-type]
    scores = {(r.story_key, r.review_key): r.score for pairs in found.by_story.values() for r in pairs}
    alike = [scores[(TIMETABLE, FREEZE)], scores[(LOG, FREEZE)]]
    unrelated = [score for pair, score in scores.items() if pair not in ((TIMETABLE, FREEZE), (LOG, FREEZE))
                 and pair != (OPEN_DAY, BADGES)]
    assert min(alike) >= 0.30 > max(unrelated, default=0.0)


def test_drafts_and_later_reviews_are_never_compared(site: Path) -> None:
    page = html(site, "debriefs/route-planner-freeze/index.html").select_one(".recurrence")
    assert "not yet reviewed" not in text_of(page)  # the draft's words are those of the review, but it is not published
    assert html(site, "debriefs/timetable-outage/index.html").select_one(".recurrence li:nth-of-type(2)") is None


def test_the_threshold_is_a_percentage(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "insights:\n  recurrence_threshold: 150\n"
                                    "  recurrence: 3\n")
    errors = build_errors(root, today=TODAY)
    assert any("'recurrence_threshold' is a percentage from 0 to 100, not 150" in e for e in errors)
    assert any("recurrence" in e and "unknown" in e for e in errors)


def test_the_demo_shows_the_scanner_rollout_recurring_the_route_planner_review() -> None:
    demo = Path(__file__).parents[2]
    result = build(demo, write=False)
    assert result.warnings == []
    found = find_recurrences(result.site)  # type: ignore[arg-type]
    assert [(r.review_key, r.confirmed) for r in found.by_story["debriefs/scanner-rollout-aar.md"]] == [
        ("debriefs/route-planner-rollout-aar.md", False)]


def test_a_recurs_link_to_a_later_review_or_a_talk_is_an_error(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "content" / BADGES).write_text((root / "content" / BADGES).read_text().replace(
        "patterns: [concrete]", "patterns: [concrete]\nrecurs: [open-day-badges.md]"))
    errors = build_errors(root, today=TODAY)
    assert "content/debriefs/badge-printer.md:7:1: error: 'recurs' links to content/debriefs/open-day-badges.md, " \
           "which is not an earlier debrief" in errors


def test_only_the_audience_s_stories_are_compared(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    review = root / "content" / FREEZE
    review.write_text(review.read_text().replace("team: Routing", "team: Routing\nvisibility: restricted"))
    assert TIMETABLE not in _suggested(root)
    found = find_recurrences(build(root, write=False, today=TODAY, audience="restricted").site)  # type: ignore[arg-type]
    assert [r.review_key for r in found.by_story[TIMETABLE]] == [FREEZE]


def test_an_edit_to_one_story_changes_the_notes_on_the_pages_it_touches(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    build(root, today=TODAY)
    review, later = root / "content" / FREEZE, root / "content" / TIMETABLE
    review.write_text(review.read_text().replace("title: Route planner schema change", "title: Planner schema change"))
    build(root, today=TODAY)
    assert "Planner schema change in the holiday freeze" in text_of(
        html(root, "debriefs/timetable-outage/index.html").select_one(".recurrence"))
    later.write_text(later.read_text().replace("team: Routing", "team: Routing\nnot_recurring: [route-planner-freeze.md]"))
    build(root, today=TODAY)
    assert html(root, "debriefs/route-planner-freeze/index.html").select_one(".recurrence") is None


def test_failsite_build_shows_the_view_from_inside_the_site(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = subprocess.run(["failsite", "build"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert "Timetable outage after the year-end release" in text_of(html(root, "insights/recurrence/index.html"))
