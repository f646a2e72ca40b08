"""Is the programme working? The programme page's figures against counts made here from the fixture's files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import build, built_copy, html, text_of

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sites" / "programme"
TODAY = dt.date(2026, 6, 15)
TYPES = {"talks": "Talk", "cases": "Case", "debriefs": "Debrief", "experiments": "Experiment", "log": "Log entry"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(tmp_path_factory.mktemp("programme"), FIXTURE, today=TODAY)


def _stories(audience: str = "internal") -> list[tuple[str, dict[str, Any]]]:
    """(folder, front matter) of every story the audience's build publishes, read straight from the files."""
    seen = ("public", "internal") if audience == "internal" else ("public", "internal", "restricted")
    found = []
    for path in sorted((FIXTURE / "content").rglob("*.md")):
        front = yaml.safe_load(path.read_text().split("---")[1])
        if front.get("draft") or front.get("visibility", "internal") not in seen:
            continue
        found.append((path.parent.name, front))
    return found


def _quarter(front: dict[str, Any]) -> str:
    """'2026 Q1', or '' for a date given as a year alone."""
    date = front.get("date", front.get("start"))
    return f"{date.year} Q{(date.month - 1) // 3 + 1}" if isinstance(date, dt.date) else ""


def _table(page: Any, figure: str) -> dict[str, list[str]]:
    table = page.select_one(f"section#{figure} table.chart-data")
    rows = {text_of(tr.find("th")): [text_of(td) for td in tr.find_all("td")] for tr in table.select("tbody tr")}
    rows[""] = [text_of(th) for th in table.select("thead th")][1:]
    return rows


def test_stories_per_quarter_by_type_and_pattern_match_the_files(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    stories = [(folder, front) for folder, front in _stories() if folder in TYPES and _quarter(front)]
    quarters = sorted({_quarter(front) for _, front in stories})
    by_type = _table(page, "stories-by-type")
    assert by_type.pop("") == quarters == ["2026 Q1", "2026 Q2"]
    counts = Counter((TYPES[folder], _quarter(front)) for folder, front in stories)
    assert by_type == {name: [str(counts[(name, q)]) for q in quarters] for name in TYPES.values()
                       if any(n == name for n, _ in counts)}
    by_pattern = _table(page, "stories-by-pattern")
    by_pattern.pop("")
    patterns = Counter((p, _quarter(front)) for _, front in stories for p in front.get("patterns", ()))
    assert by_pattern == {p.capitalize(): [str(patterns[(p, q)]) for q in quarters]
                          for p in ("concrete", "circumstantial", "perceived", "identity", "paralysis")}


def test_action_follow_through_and_overdue_by_team_match_the_files(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    reviews = [front for folder, front in _stories() if folder == "debriefs"]
    expected: dict[str, list[str]] = {}
    for quarter in ("2026 Q1", "2026 Q2"):
        held = [r for r in reviews if _quarter(r) == quarter]
        actions = [(r, a) for r in held for a in r["actions"]]
        done = sum(1 for _, a in actions if a["status"] == "done")
        still = [(r, a) for r, a in actions if a["status"] in ("open", "in-progress")]
        dropped = sum(1 for _, a in actions if a["status"] in ("dropped", "wont-do"))
        ages = [(TODAY - r["date"]).days for r, _ in still]
        overdue = sum(1 for _, a in still if a.get("due") and a["due"] < TODAY)
        for row, value in (("Actions agreed", len(actions)), ("Done", done),
                           ("Completion (%)", round(100 * done / (len(actions) - dropped))), ("Still open", len(still)),
                           ("Median age of open actions (days)", statistics.median(ages)), ("Overdue", overdue)):
            expected.setdefault(row, []).append(f"{value:g}")
    table = _table(page, "follow-through")
    table.pop("")
    assert table == expected
    assert expected["Completion (%)"] == ["50", "50"] and expected["Overdue"] == ["1", "1"]
    teams: dict[str, list[int]] = {}
    for review in reviews:
        for action in review["actions"]:
            if action["status"] in ("open", "in-progress"):
                team = teams.setdefault(review["team"], [0, 0])
                team[0] += bool(action.get("due") and action["due"] < TODAY)
                team[1] += 1
    by_team = _table(page, "overdue-by-team")
    assert by_team.pop("") == ["Still open", "Overdue"]
    assert by_team == {team: [str(n), str(late)] for team, (late, n) in teams.items()}
    assert list(by_team) == ["Platform", "Product"]  # the most overdue first
    late = Counter((r["team"], _quarter(r)) for r in reviews for a in r["actions"]
                   if a["status"] in ("open", "in-progress") and a.get("due") and a["due"] < TODAY)
    by_quarter = _table(page, "overdue-by-quarter")
    assert by_quarter.pop("") == ["2026 Q1", "2026 Q2"]
    assert by_quarter == {team: [str(late[(team, q)]) for q in ("2026 Q1", "2026 Q2")] for team in by_team}
    assert by_quarter["Platform"] == ["1", "1"]


def test_time_to_detect_and_resolve_is_the_median_of_the_reviews_timelines(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    detect: dict[str, list[float]] = {}
    resolve: dict[str, list[float]] = {}
    for folder, front in _stories():
        marks = {e["kind"]: dt.datetime.strptime(e["at"], "%Y-%m-%d %H:%M %z") for e in front.get("timeline", ())
                 if e.get("kind")}
        if "impact-start" in marks:
            detect.setdefault(_quarter(front), []).append((marks["detection"] - marks["impact-start"]).total_seconds()
                                                          / 3600)
            end = marks.get("impact-end", marks.get("resolution"))
            resolve.setdefault(_quarter(front), []).append((end - marks["impact-start"]).total_seconds() / 3600)
    table = _table(page, "time-to")
    table.pop("")

    def medians(found: dict[str, list[float]]) -> list[str]:
        return [f"{round(statistics.median(found[q]), 1):g}" if q in found else "–" for q in ("2026 Q1", "2026 Q2")]
    assert table == {"Median time to detect (hours)": medians(detect),
                     "Median time to resolve (hours)": medians(resolve)}
    assert table["Median time to resolve (hours)"] == ["13", "–"]  # 2 h and 24 h: the same figures as each review's


def test_experiments_by_result_and_coverage_over_time_match_the_files(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    results = Counter((front["result"], _quarter(front)) for folder, front in _stories() if folder == "experiments")
    table = _table(page, "experiments")
    table.pop("")
    assert table == {result.capitalize(): [str(results[(result, q)]) for q in ("2026 Q1", "2026 Q2")]
                     for result in ("confirmed", "disproved", "inconclusive")}
    # The one module (revised 1 April 2026) addresses concrete; by then concrete had its two stories.
    coverage = _table(page, "coverage")
    coverage.pop("")
    assert coverage == {"Patterns covered": ["0", "1"], "Patterns with a gap": ["5", "4"]}


def test_each_figure_has_a_chart_with_a_title_and_description_and_its_table(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    sections = page.select("section.programme-figure")
    assert [s["id"] for s in sections] == ["stories-by-type", "stories-by-pattern", "follow-through",
                                           "overdue-by-team", "overdue-by-quarter", "time-to", "experiments",
                                           "coverage"]
    for section in sections:
        svg = section.find("svg")
        assert svg["role"] == "img" and svg.find("title").get_text() == text_of(section.find("h2"))
        assert svg.find("desc").get_text()
        assert section.select_one("table.chart-data") is not None
        assert section.select_one("details") is None  # the numbers stand beside the chart, and print with it
    assert "Completion (%): 2026 Q1 50, 2026 Q2 50" == page.select_one("#programme-follow-through-desc").get_text()
    insights = html(site, "insights/index.html")
    assert insights.select_one('main a[href$="/insights/programme/"]') is not None
    assert insights.select_one('main a[href$="/insights/programme.csv"]') is not None


def test_the_csv_holds_the_numbers_of_every_table(site: Path) -> None:
    page = html(site, "insights/programme/index.html")
    assert page.select_one('a[href$="/insights/programme.csv"]') is not None
    rows = list(csv.DictReader(io.StringIO((site / "public" / "insights" / "programme.csv").read_text())))
    for section in page.select("section.programme-figure"):
        table = _table(page, section["id"])
        columns = table.pop("")
        written = {(r["row"], r["column"]): r["value"] or "–" for r in rows if r["figure"] == section["id"]}
        assert written == {(row, column): value for row, values in table.items()
                           for column, value in zip(columns, values)}, section["id"]


def test_the_page_and_the_csv_are_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    made = []
    for _ in range(2):
        build(root, today=TODAY, use_cache=False)
        made.append([(root / "public" / "insights" / name).read_bytes()
                     for name in ("programme/index.html", "programme.csv")])
    assert made[0] == made[1]


def test_a_restricted_build_counts_what_it_publishes_and_no_more(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    build(root, today=TODAY, audience="restricted")
    by_type = _table(html(root, "insights/programme/index.html"), "stories-by-type")
    assert by_type["Talk"] == ["1", "2"]  # the restricted talk joins the second quarter
    assert sum(1 for folder, _ in _stories("restricted") if folder == "talks") == 3
    csv_text = (root / "public" / "insights" / "programme.csv").read_text()
    assert "stories-by-type,Talk,2026 Q2,2" in csv_text
