"""Charts drawn at build time: what is drawn and what the table writes are the same numbers."""

from __future__ import annotations

from bs4 import BeautifulSoup

from failsite.render.charts import bar_chart, heat_map, line_chart, number

QUARTERS = ("2026 Q1", "2026 Q2", "2026 Q3")


def _soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser")


def test_numbers_are_written_alike_everywhere() -> None:
    assert [number(v) for v in (3, 3.0, 2.25, 13.0, None)] == ["3", "3", "2.2", "13", ""]


def test_a_line_breaks_where_a_quarter_has_nothing_to_measure() -> None:
    chart = _soup(line_chart("c", "Completion", QUARTERS, [("a", "Completion (%)", (40.0, None, 20.0))], "Actions"))
    assert chart.find("title").get_text() == "Completion" and chart.find("desc").get_text() == \
        "Completion (%): 2026 Q1 40, 2026 Q2 –, 2026 Q3 20"
    assert chart.find_all("polyline") == []  # two points a gap apart are not joined
    assert [t.get_text() for t in chart.select("text.value")] == ["40", "20"]
    assert [td.get_text() for td in chart.select("table td")] == ["40", "–", "20"]


def test_a_line_chart_draws_the_rows_asked_for_and_tables_them_all() -> None:
    series = [("actions", "Actions", (5.0, 2.0, 1.0)), ("completion", "Completion (%)", (50.0, 50.0, 100.0))]
    chart = _soup(line_chart("c", "Follow-through", QUARTERS, series, "Actions", plotted=("completion",)))
    assert [t.get_text() for t in chart.select("g.series text.row-label")] == ["Completion (%)"]
    assert [th.get_text() for th in chart.select("tbody th")] == ["Actions", "Completion (%)"]
    assert len(chart.find_all("polyline")) == 1


def test_second_and_third_lines_differ_by_dash_and_marker_not_colour_alone() -> None:
    series = [(str(n), f"Line {n}", (1.0, 2.0, 3.0)) for n in range(3)]
    chart = _soup(line_chart("c", "Three", QUARTERS, series, "Measure"))
    dashes = [p["style"] for p in chart.find_all("polyline")]
    assert "dasharray" not in dashes[0] and "7 4" in dashes[1] and "2 3" in dashes[2]
    assert chart.select("g.line-1 circle") and chart.select("g.line-2 rect")
    assert chart.select("g.line-3 rect[transform]")


def test_a_bar_chart_draws_its_first_column_and_tables_every_column() -> None:
    chart = _soup(bar_chart("b", "By team", ("Overdue", "Still open"),
                            [("", "Platform", (2.0, 4.0)), ("", "A team with a very long name", (1.0, 1.0))], "Team"))
    assert [t.get_text() for t in chart.select("text.row-label")] == ["Platform", "A team with a ver…"]
    assert [float(r["width"]) for r in chart.select("rect.bar")] == [160.0, 80.0]
    assert [td.get_text() for td in chart.select("td")] == ["2", "4", "1", "1"]
    assert chart.find("desc").get_text() == "Platform: Overdue 2; A team with a very long name: Overdue 1"


def test_a_heat_map_names_its_rows_and_tables_them_beside_it_when_asked() -> None:
    chart = _soup(heat_map("h", "By result", QUARTERS, [("confirmed", "Confirmed", (1, 0, 2))], str, "Result",
                           "result-", folded=False))
    assert chart.select_one("g.series.result-confirmed") is not None
    assert chart.find("details") is None and chart.select_one("thead th").get_text() == "Result"
    folded = _soup(heat_map("h", "By pattern", QUARTERS, [("concrete", "Concrete", (1, 0, 2))]))
    assert folded.find("details") is not None and folded.select_one("thead th").get_text() == "Pattern"


def test_a_heat_map_makes_room_for_a_long_row_label() -> None:
    short = _soup(heat_map("h", "T", QUARTERS, [("", "Concrete", (1, 0, 2)), ("", "Circumstantial", (0, 1, 0))]))
    assert short.find("svg")["width"] == str(120 + 64 * 3)  # the patterns' chart as it always was
    long = _soup(heat_map("h", "T", QUARTERS, [("", "People Operations", (1, 0, 2))]))
    assert int(long.find("svg")["width"]) > 120 + 64 * 3
    assert float(long.select_one("text.row-label")["x"]) > 7 * len("People Operations")
