"""The failure log: private entries built only for their owner, quarterly reviews beside the quarter, a warning for
a past quarter nobody reviewed, and "on this day" on the home page."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SiteMaker, all_output, build, build_errors, html, talk, text_of
from failsite.build import check_site
from failsite.site.insights import on_this_day


def entry(title: str, date: str, **fields: str) -> str:
    lines = ["---", f"title: {title}", f"date: {date}", "root_cause: Trusting the latest number."]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n---\nWhat happened.\n"


REVIEW = """\
---
title: First quarter review
quarter: 2026-Q1
recurred:
  - Trusting the **latest** number.
last_change: A list of commitments.
stuck: partly
next_focus: Last year's same month beside every forecast.
---
The quarter in a sentence.
"""


@pytest.mark.parametrize("audience", ["public", "internal", "restricted"])
def test_a_private_entry_is_in_no_shared_build(make_site: SiteMaker, audience: str) -> None:
    site = make_site({"content/log/mine.md": entry("Zebra-private entry", "2026-02-01", owner="Avery Example",
                                                    visibility="private"),
                      "content/log/shared.md": entry("Shared entry", "2026-02-02", visibility="public")})
    build(site, audience=audience)
    text = all_output(site)
    assert "shared entry" in text and "zebra-private" not in text


def test_a_private_build_holds_private_entries_and_says_never_to_deploy_it(make_site: SiteMaker) -> None:
    site = make_site({"content/log/mine.md": entry("Zebra-private entry", "2026-02-01", owner="Avery Example",
                                                    visibility="private"),
                      "content/log/theirs.md": entry("Yak-private entry", "2026-02-03", owner="Blake Example",
                                                     visibility="private")})
    result = build(site, audience="private")
    assert "zebra-private" in all_output(site) and "yak-private" in all_output(site)
    assert any("this is a private build" in w.message for w in result.warnings)
    build(site, owner="avery  EXAMPLE")  # any case and spacing
    text = all_output(site)
    assert "zebra-private" in text and "yak-private" not in text


def test_the_quarter_page_shows_its_review_and_the_review_its_entries(make_site: SiteMaker) -> None:
    site = make_site({"content/log/a.md": entry("January entry", "2026-01-20", tags="[forecasting]"),
                      "content/log/b.md": entry("February entry", "2026-02-20", tags="[forecasting]"),
                      "content/log/c.md": entry("April entry", "2026-04-20"),
                      "content/reviews/q1.md": REVIEW})
    build(site, today=dt.date(2026, 5, 1))
    quarter = html(site, "log/2026-q1/index.html")
    review = quarter.select_one(".quarter-review")
    assert "Trusting the latest number." in text_of(review) and review.find("strong").get_text() == "latest"
    assert "Partly" in text_of(review) and review.find("a", string="The whole review")["href"] == "/reviews/q1/"
    assert "recurring" in str(quarter) and "tag: forecasting" in text_of(quarter)
    page = html(site, "reviews/q1/index.html")
    covered = [text_of(h) for h in page.select(".item-list h3, .card h3")]
    assert covered == ["February entry", "January entry"]
    assert page.select_one(".byline a")["href"] == "/log/2026-q1/"
    assert quarter.select_one(".quarter-unreviewed") is None
    assert html(site, "log/2026-q2/index.html").select_one(".quarter-unreviewed") is not None


def test_a_review_names_its_entries_or_its_owner_picks_them(make_site: SiteMaker) -> None:
    site = make_site({"content/log/a.md": entry("Mine", "2026-01-20", owner="Avery Example"),
                      "content/log/b.md": entry("Theirs", "2026-02-20", owner="Blake Example"),
                      "content/reviews/q1.md": REVIEW.replace("quarter: 2026-Q1", "quarter: 2026-Q1\nowner: Avery Example")})
    build(site)
    assert [text_of(h) for h in html(site, "reviews/q1/index.html").select(".card h3")] == ["Mine"]


def test_a_quarter_written_wrong_is_an_error_with_its_line(make_site: SiteMaker) -> None:
    site = make_site({"content/reviews/q1.md": REVIEW.replace("2026-Q1", "Q1 2026")})
    assert build_errors(site) == ["content/reviews/q1.md:3:1: error: 'quarter' must be a year and a quarter such as "
                                  "2026-Q1, not 'Q1 2026'"]


def test_check_warns_of_a_past_quarter_with_entries_and_no_review(make_site: SiteMaker) -> None:
    site = make_site({"content/log/a.md": entry("January entry", "2026-01-20"),
                      "content/log/c.md": entry("April entry", "2026-04-20"),
                      "content/reviews/q1.md": REVIEW})
    warnings = [w.format() for w in check_site(site, today=dt.date(2026, 7, 2)).warnings]
    assert any(w.startswith("content/log/c.md:1:1: warning: Q2 2026 of the failure log has 1 entry and no quarterly "
                            "review") for w in warnings)
    assert not any("Q1 2026" in w for w in warnings)
    assert not any("no quarterly review" in w for w in (x.format() for x in check_site(
        site, today=dt.date(2026, 6, 30)).warnings))  # the quarter is not over yet


def test_on_this_day_shows_stories_within_a_week_in_earlier_years(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A year ago", date="2025-06-05"),
                      "content/talks/b.md": talk("Two years ago", date="2024-05-28"),
                      "content/talks/c.md": talk("Too far", date="2025-06-12"),
                      "content/talks/d.md": talk("This year", date="2026-06-01"),
                      "content/talks/e.md": talk("New year", date="2024-01-02")})
    result = build(site, today=dt.date(2026, 6, 1))
    section = html(site, "index.html").select_one(".on-this-day")
    assert [text_of(li) for li in section.select("li")] == [
        "1 year ago A year ago Talk, 5 June 2025", "2 years ago Two years ago Talk, 28 May 2024"]
    assert result.site is not None
    assert [k for k, _ in on_this_day(result.site, dt.date(2025, 12, 29))] == ["talks/e.md"]  # across the new year
    build(site, today=dt.date(2026, 9, 1))
    assert html(site, "index.html").select_one(".on-this-day") is None
