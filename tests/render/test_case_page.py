"""A case: a failure story told in writing (a published source, an imported post), with its authors, a date known
only to its year or month, its source, attribution and licence on the page, and a place in the curriculum."""

from __future__ import annotations

from conftest import SiteMaker, build, build_errors, html, talk, text_of

CASE = """\
---
title: A CV of failures
date: 2011
authors: [Jordan Example, Avery Example]
source:
  title: The Example Review
  url: https://example.org/cv-of-failures
  publisher: Example Press
attribution: First published in The Example Review; shared with the author's permission.
licence: CC BY 4.0
licence_url: https://creativecommons.org/licenses/by/4.0/
patterns: [perceived]
learned: Listing the rejections made them ordinary.
---
Every rejection, in one list.
"""
MODULE = """\
---
title: Reading a failure
duration: 60
patterns: [perceived]
stories: [../cases/a-cv-of-failures.md]
---
What participants take away.
"""


def test_a_published_case_shows_its_year_source_attribution_and_licence(make_site: SiteMaker) -> None:
    site = make_site({"content/cases/a-cv-of-failures.md": CASE, "content/modules/reading.md": MODULE,
                      "content/cases/in-may.md": "---\ntitle: In May\ndate: 2011-05\n---\nText.\n",
                      "content/talks/later.md": talk("Later", date="2011-01-02")})
    build(site)
    page = html(site, "cases/a-cv-of-failures/index.html")
    header = page.select_one(".item-header")
    assert header.select_one("time")["datetime"] == "2011" and text_of(header.select_one("time")) == "2011"
    assert text_of(header.select_one(".byline")) == "A story by Jordan Example and Avery Example"
    source = page.select_one(".case-source")
    assert source.find("a", string="The Example Review")["href"] == "https://example.org/cv-of-failures"
    assert "(Example Press)" in text_of(source)
    assert source.find("a", rel="license")["href"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "shared with the author's permission" in text_of(page.select_one(".attribution"))
    assert "Listing the rejections made them ordinary." in text_of(page.select_one(".lessons"))
    assert [text_of(a) for a in page.select(".used-in a")] == ["Reading a failure"]
    month = html(site, "cases/in-may/index.html").select_one(".item-header time")
    assert (month["datetime"], text_of(month)) == ("2011-05", "May 2011")
    # Sorted as its first day: after a talk of 2 January 2011 comes May, and the year-only case is oldest.
    listed = [text_of(a) for a in html(site, "stories/index.html").select(".card h2 a, .card h3 a")]
    assert listed.index("In May") < listed.index("Later") < listed.index("A CV of failures")
    picker = text_of(html(site, "curriculum/stories/index.html").select_one("main"))
    assert "A CV of failures" in picker
    assert "<updated>2011-01-01T00:00:00Z</updated>" in (site / "public/atom.xml").read_text()


def test_a_german_site_writes_a_month_as_german_does(make_site: SiteMaker) -> None:
    site = make_site({"content/cases/in-may.md": "---\ntitle: Im Mai\ndate: 2011-05\n---\nText.\n"},
                     config="title: T\nlanguage: de\n")
    build(site)
    assert text_of(html(site, "cases/in-may/index.html").select_one(".item-header time")) == "Mai 2011"


def test_a_talk_needs_its_day_and_the_error_points_to_a_case(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/old.md": talk("Old", date="2011")})
    assert any("'date' is not a valid date: '2011' names only a year, and this field needs the day" in line for line in build_errors(site))
