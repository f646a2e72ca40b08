"""The views across stories, on fixture sites: curriculum, log by quarter, actions, chains, trends, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import SiteMaker, build, build_errors, built_copy, html, talk, text_of

COMPLETE = Path(__file__).parents[1] / "fixtures" / "sites" / "complete"
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(tmp_path_factory.mktemp("insights"), COMPLETE, today=TODAY)


def test_a_site_can_build_the_guide_for_its_internal_audience(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(COMPLETE, root)
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "curriculum:\n  guide_audience: internal\n")
    build(root, today=TODAY)
    assert (root / "public/tracks/leading-through-failure/guide/index.html").exists()
    build(root, today=TODAY, audience="public")
    assert not (root / "public/tracks").exists() or not list((root / "public/tracks").rglob("guide"))


def test_track_lists_modules_in_order_with_durations_and_total(site: Path) -> None:
    page = html(site, "tracks/leading-through-failure/index.html")
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in page.select(".track-table tbody tr")]
    assert [(r[0], r[1].split(" ")[0], r[3]) for r in rows] == [("1", "Reading", "90"), ("2", "Second", "30")]
    assert text_of(page.select_one(".track-table tfoot")) == "Total 120"
    index = html(site, "tracks/index.html")
    assert "2 modules, 120 minutes" in text_of(index.select_one(".track-card .meta"))


def test_facilitator_notes_only_for_restricted_and_in_the_guide(site: Path, tmp_path: Path) -> None:
    assert html(site, "modules/reading/index.html").select_one(".facilitator-notes") is None
    # The internal build holds no guide, and links to none.
    assert not (site / "public/tracks/leading-through-failure/guide").exists()
    for page in (site / "public").rglob("*.html"):
        assert "/guide/" not in page.read_text(encoding="utf-8"), page
    restricted = tmp_path / "restricted"
    shutil.copytree(COMPLETE, restricted)
    build(restricted, audience="restricted", today=TODAY)
    track = html(restricted, "tracks/leading-through-failure/index.html")
    assert track.select_one('a[href$="/tracks/leading-through-failure/guide/"]') is not None
    guide = html(restricted, "tracks/leading-through-failure/guide/index.html")
    assert [text_of(h) for h in guide.select(".kit-module > h2")] == ["Module 1: Reading a failure",
                                                                        "Module 2: Second module"]
    assert "SECRET-FACILITATOR-NOTE" in text_of(guide.select(".facilitator-notes")[0])
    assert [text_of(h) for h in guide.select(".kit-module")[0].select(".kit-story > h3")] == [
        "Story: The early launch", "Story: Launch review"]
    assert "Held with the depots." in text_of(guide)  # the stories' full text
    assert guide.select_one(".site-nav") is None and guide.select_one(".site-header") is None
    notes = html(restricted, "modules/reading/index.html").select_one(".facilitator-notes")
    assert notes is not None and "SECRET-FACILITATOR-NOTE" in text_of(notes)


def test_coverage_matrix_marks_gaps(site: Path) -> None:
    page = html(site, "coverage/index.html")
    modules = [text_of(a) for a in page.select(".coverage-matrix thead a")]
    assert modules == ["Reading a failure", "Second module"]
    rows = {text_of(tr.find("th")): [text_of(td) for td in tr.find_all("td")] for tr in page.select("tbody tr")}
    # The gap comes first, beside the pattern, so a phone shows it without scrolling sideways.
    assert [text_of(th) for th in page.select(".coverage-matrix thead th")][:3] == ["Pattern", "Gap", "Stories"]
    assert rows["Concrete"][:4] == ["—", "6", "✓ addressed", "not addressed"]  # the mark is named for a reader
    assert rows["Identity"][0] == "no module" and rows["Circumstantial"][0] == "fewer than two stories"
    assert "gap" in page.find("th", string=lambda s: s and "Identity" in s).find_parent("tr")["class"]


def test_log_by_quarter_with_recurring_root_causes_and_patterns(site: Path) -> None:
    quarters = html(site, "log/quarters/index.html")
    assert [text_of(a) for a in quarters.select(".quarter-card h2 a")] == ["Q1 2026"]
    page = html(site, "log/2026-q1/index.html")
    recurring = [" ".join(li.get_text().split()) for li in page.select(".recurring li")]
    assert recurring == ["root cause: extrapolated from december: The forecast again; Missed the forecast",
                         "tag: forecasting: The forecast again; Missed the forecast"]
    assert [text_of(a) for a in page.select("#quarter-patterns + .chips a")] == ["Concrete: 2"]
    assert [text_of(a) for a in page.select(".card-title a")] == ["The forecast again", "Missed the forecast"]


def test_open_actions_across_debriefs_with_overdue_marked(site: Path) -> None:
    page = html(site, "actions/index.html")
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in page.select(".open-actions tbody tr")]
    assert rows == [["Log corrections", "—", "—", "in progress", "Product", "Launch review"]]
    site2 = COMPLETE  # the done action is not listed; overdue marking is shown on a fixture of its own
    assert site2


def test_overdue_actions_stand_out(make_site: SiteMaker) -> None:
    root = make_site({"content/debriefs/d.md": "---\ntitle: D\ndate: 2026-01-01\nformat: aar\nactions:\n"
                      "  - {what: Late one, owner: Sam, due: 2026-02-01, status: open}\n"
                      "  - {what: Later one, due: 2026-12-01, status: in-progress}\n---\n"})
    build(root, today=TODAY)
    rows = html(root, "actions/index.html").select(".open-actions tbody tr")
    assert rows[0]["class"] == ["overdue"] and "overdue" in text_of(rows[0]) and not rows[1].get("class")
    assert "2 open action items, 1 overdue." in text_of(html(root, "actions/index.html").find("caption"))


def test_experiment_chain_in_order_with_results(site: Path) -> None:
    page = html(site, "chains/index.html")
    steps = [(text_of(li.select_one(".card-title")), text_of(li.select_one(".status")))
             for li in page.select(".chain-steps > li")]
    assert steps == [("First bet", "disproved"), ("Second bet", "confirmed")]


def test_a_cycle_in_next_links_is_an_error_naming_the_files(make_site: SiteMaker) -> None:
    experiment = "---\ntitle: {0}\nhypothesis: H\nstart: 2026-01-01\nend: 2026-01-10\nnext: {1}.md\n---\n"
    root = make_site({"content/experiments/a.md": experiment.format("A", "b"),
                      "content/experiments/b.md": experiment.format("B", "a")})
    assert build_errors(root) == ["content/experiments/a.md:1:1: error: the experiments' `next` links form a cycle: "
                                  "content/experiments/a.md -> content/experiments/b.md -> content/experiments/a.md"]


def test_trend_chart_is_accessible_svg_with_its_numbers(site: Path) -> None:
    home = html(site, "index.html")
    svg = home.select_one("figure.chart-figure svg")
    assert svg["role"] == "img" and svg.find("title").get_text() == "Stories per pattern per quarter"
    assert svg.find("desc").get_text().startswith("Concrete: 2026 Q1 3, 2026 Q2 2, 2026 Q3 1; Circumstantial: ")
    table = {text_of(tr.find("th")): [text_of(td) for td in tr.find_all("td")]
             for tr in home.select("table.chart-data tbody tr")}
    assert table["Concrete"] == ["3", "2", "1"] and table["Paralysis"] == ["1", "0", "0"]
    assert [text_of(th) for th in home.select("table.chart-data thead th")] == ["Pattern", "2026 Q1", "2026 Q2", "2026 Q3"]
    term = html(site, "patterns/paralysis/index.html")
    assert term.select_one("svg title").get_text() == "Paralysis stories per quarter"


def test_related_stories_share_terms(site: Path) -> None:
    page = html(site, "log/entry/index.html")
    related = [text_of(a) for a in page.select(".related .card-title a")]
    assert related[0] == "The forecast again"  # shares a pattern and a rare tag
    assert "Missed the forecast" not in related


def test_index_json_lists_every_published_item(site: Path) -> None:
    data = json.loads((site / "public/index.json").read_text())
    assert data["site"] == {"title": "Complete Fixture", "url": "https://intranet.example/stories/"}
    by_title = {item["title"]: item for item in data["items"]}
    assert "Unfinished talk" not in by_title
    launch = by_title["The early launch"]
    assert set(launch) == {"type", "title", "url", "date", "summary", "terms"}
    assert (launch["type"], launch["url"], launch["date"]) == ("talk", "https://intranet.example/stories/talks/launch/",
                                                               "2026-03-12")
    assert launch["terms"]["patterns"] == ["concrete", "paralysis"]


def test_actions_csv_and_pattern_feeds(site: Path) -> None:
    rows = list(csv.reader(io.StringIO((site / "public/actions.csv").read_text())))
    assert rows[0] == ["what", "owner", "due", "status", "overdue", "debrief", "url"]
    assert rows[1] == ["Write the template", "Blake Example", "2026-05-15", "done", "no", "Launch review",
                       "https://intranet.example/stories/debriefs/review/"]
    feed = ElementTree.parse(site / "public/patterns/paralysis/atom.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{atom}title") == "Complete Fixture: Paralysis"
    assert [e.findtext(f"{atom}title") for e in feed.findall(f"{atom}entry")] == ["The early launch", "Reading a failure"]


def test_every_view_is_reachable_from_the_navigation(site: Path) -> None:
    home = html(site, "index.html")
    insights = next(a["href"] for a in home.select(".site-nav a") if text_of(a) == "Insights")
    assert insights == "/stories/insights/"
    links = {a["href"] for a in html(site, "insights/index.html").select("main a")}
    for view in ("tracks/", "coverage/", "log/quarters/", "actions/", "chains/", "search/", "index.json",
                 "actions.csv", "patterns/concrete/atom.xml"):
        assert f"/stories/{view}" in links, view
    assert home.select_one('form[role="search"]')["action"] == "/stories/search/"


def test_a_story_shows_how_long_it_takes_to_read(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/long.md": talk("Long", body="word " * 590),
                      "content/talks/short.md": talk("Short", "2026-01-01", body="Brief.")})
    build(site)
    assert text_of(html(site, "talks/long/index.html").select_one(".reading-time")) == "3 min read"
    assert text_of(html(site, "talks/short/index.html").select_one(".reading-time")) == "1 min read"
    (site / "content/talks/short.md").write_text(talk("Short", "2026-01-01", body="word " * 1000))
    build(site)
    assert text_of(html(site, "talks/short/index.html").select_one(".reading-time")) == "5 min read"
