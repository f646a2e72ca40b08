"""Post-mortems as real reviews write them: figures measured from the start of impact (and said to be unknown
rather than guessed), estimated times, several causal chains, actions whose status was never published or was
decided against, a review's own status, and archived reviews whose actions are judged as of their day."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SiteMaker, build, build_errors, html, text_of

TODAY = dt.date(2026, 11, 23)


def review(timeline: str = "", extra: str = "") -> str:
    return f"""---
title: Payments outage
date: 2019-06-03
format: postmortem
{timeline}{extra}---
The review.
"""


# A real review's timeline opens with background long before anyone was affected.
BACKGROUND_FIRST = """timeline:
  - at: 2019-06-01 08:00 Z
    event: A certificate renewal is scheduled for the weekend.
  - at: 2019-06-02 22:50 Z
    event: The renewal job replaces the certificate.
  - at: 2019-06-02 23:00 Z
    event: Payments start failing.
    kind: impact-start
    approximate: true
  - at: 2019-06-02 23:03 Z
    event: Alerts fire.
    kind: detection
  - at: 2019-06-03 01:30 Z
    event: Old certificate restored.
    kind: mitigation
  - at: 2019-06-03 17:00 Z
    event: Payments back to normal for every region.
    kind: impact-end
  - at: 2019-06-03 17:20 Z
    event: Incident closed.
    kind: resolution
"""


def glance(site, path: str = "debriefs/outage/index.html") -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = html(site, path)
    return {text_of(d.find("dt")): text_of(d.find("dd")) for d in page.select(".glance > div")}


def test_figures_are_measured_from_the_start_of_impact(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/outage.md": review(BACKGROUND_FIRST)})
    build(site, today=TODAY)
    figures = glance(site)
    assert figures["Time to detect"] == "about 3 min"  # not the 39 hours since the first entry
    assert figures["Time to resolve"] == "about 18 h"  # to the end of impact, not to the ticket's closing
    rows = [text_of(tr) for tr in html(site, "debriefs/outage/index.html").select(".timeline-table tbody tr")]
    assert rows[2].startswith("about 2 June 2019, 23:00 UTC") and "impact starts Payments start failing." in rows[2]


def test_without_a_start_of_impact_the_page_says_the_figure_is_not_known(make_site: SiteMaker) -> None:
    timeline = BACKGROUND_FIRST.replace("    kind: impact-start\n", "")
    site = make_site({"content/debriefs/outage.md": review(timeline)})
    build(site, today=TODAY)
    figures = glance(site)
    assert figures["Time to detect"] == "not known: the timeline marks no start of impact"
    assert "Time to resolve" not in figures


def test_resolution_stands_in_for_the_end_of_impact(make_site: SiteMaker) -> None:
    timeline = BACKGROUND_FIRST.replace("    kind: impact-end\n", "").replace("    approximate: true\n", "")
    site = make_site({"content/debriefs/outage.md": review(timeline)})
    build(site, today=TODAY)
    assert glance(site)["Time to resolve"] == "18 h 20 min"


CHAINS = """chains:
  - title: Why the certificate expired unnoticed
    whys:
      - Why did payments fail? The certificate was replaced by an expired one.
      - Why was it expired? The renewal job took the old file from a cache.
    root_cause: The renewal job trusted a cache it never checked.
  - title: Why recovery took a day
    whys:
      - Why did payments fail? The certificate was replaced by an expired one.
      - Why did restoring it take so long? Only one person could sign a certificate.
"""


def test_two_causal_chains_each_with_its_root_cause(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/outage.md": review(extra=CHAINS)})
    build(site, today=TODAY)
    page = html(site, "debriefs/outage/index.html")
    assert [text_of(h) for h in page.select(".whys .chain-title")] == [
        "Why the certificate expired unnoticed", "Why recovery took a day"]
    ladders = page.select(".whys .why-ladder")
    assert len(ladders) == 2
    assert text_of(ladders[0].select_one(".root-cause")) == "Root cause The renewal job trusted a cache it never checked."
    assert "Only one person could sign a certificate." in text_of(ladders[1].select_one(".root-cause"))
    causes = [text_of(dd) for dd in page.select(".glance .glance-wide dd")]
    assert causes == ["The renewal job trusted a cache it never checked.",
                      "Why did restoring it take so long? Only one person could sign a certificate."]
    assert text_of(page.select_one(".glance .glance-wide dt")) == "Root causes"


ACTIONS = """actions:
  - what: Check the certificate after every renewal
    due: 2019-07-01
    status: open
  - what: Let two people sign certificates
    status: unknown
  - what: Rewrite the renewal job
    status: wont-do
"""


def test_an_archived_reviews_actions_are_judged_as_of_its_day(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/outage.md": review(extra=ACTIONS + "actions_as_of: 2019-06-20\n"
                                                           + "report_status: final\n")})
    build(site, today=TODAY)
    page = html(site, "debriefs/outage/index.html")
    assert not page.select(".overdue-flag")
    assert text_of(page.select_one(".actions-note")) == "Statuses as of 20 June 2019."
    statuses = [text_of(s) for s in page.select(".action-table .status")]
    assert statuses == ["open", "unknown", "won't do"]
    assert glance(site)["Report"] == "final"
    assert glance(site)["Actions"] == "3"
    listed = html(site, "actions/index.html")
    assert "Rewrite the renewal job" not in text_of(listed)  # decided against: not open


def test_actions_tracked_elsewhere_are_never_overdue(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/outage.md": review(extra=ACTIONS + "actions_tracked_in: the ops tracker\n")})
    build(site, today=TODAY)
    page = html(site, "debriefs/outage/index.html")
    assert not page.select(".overdue-flag")
    assert "tracked in the ops tracker" in text_of(page.select_one(".actions-note"))


def test_the_same_review_without_as_of_shows_the_action_overdue(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/outage.md": review(extra=ACTIONS)})
    build(site, today=TODAY)
    assert len(html(site, "debriefs/outage/index.html").select(".overdue-flag")) == 1


@pytest.mark.parametrize("field, value, said", [
    ("report_status", "done", "'report_status' has unknown value 'done'"),
    ("actions_as_of", "2019-06", "'actions_as_of' is not a valid date"),
])
def test_wrong_values_are_errors_naming_the_field(make_site: SiteMaker, field: str, value: str, said: str) -> None:
    site = make_site({"content/debriefs/outage.md": review(extra=f"{field}: {value}\n")})
    assert any(said in e for e in build_errors(site, today=TODAY))
