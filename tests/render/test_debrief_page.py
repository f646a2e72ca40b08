"""Debriefs in the shape of real incident reviews: timeline, impact, actions with ids, pre-mortems, prose as
markdown, and a page that reads as a story."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import CONFIG, REGISTRY, SiteMaker, build, build_errors, html, talk, text_of
from failsite.build import check_site

TODAY = dt.date(2026, 11, 23)

REVIEW = """---
title: Checkout outage
date: 2026-11-20
format: postmortem
severity: major
impact: Checkout failed for **12%** of orders on `prod` for forty minutes.
trigger: A config push.
detection: Alerts, then [the launch talk](../talks/launch.md) came to mind.
timeline:
  - at: 2026-11-18 09:00 +00:00
    event: Config pushed.
    kind: impact-start
  - at: 2026-11-18 10:25 +01:00
    event: Alerts fire.
    kind: detection
  - at: 2026-11-18 11:40 Z
    event: Rolled back and verified.
    kind: resolution
went_well: [The rollback worked first time.]
lucky: [It was a quiet Tuesday.]
authors: [Dana Whitfield]
links:
  - title: Incident ticket
    url: https://tracker.example.com/INC-1
  - title: Wiki page
    url: https://intranet.example/wiki/inc-1
actions:
  - id: INC-1-1
    what: Add a canary for config pushes
    owner: Dana Whitfield
    due: 2026-11-21
    status: open
    kind: prevent
    link: https://tracker.example.com/INC-2
  - id: INC-1-2
    what: Write the rollback runbook
    status: done
    kind: process
    completed: 2026-11-19
---
We were mid-sale when checkout started failing. This is the story of the morning.
"""


def review_site(make_site: SiteMaker, review: str = REVIEW, extra: dict[str, str] | None = None,
                config: str = CONFIG) -> Path:
    return make_site({"people.yaml": REGISTRY, "content/debriefs/outage.md": review,
                      "content/talks/launch.md": talk("The launch"), **(extra or {})}, config=config)


def test_a_review_with_only_real_fields_builds_and_shows_each_block(make_site: SiteMaker) -> None:
    site = review_site(make_site)
    build(site, today=TODAY)
    page = html(site, "debriefs/outage/index.html")
    glance = {text_of(d.find("dt")): text_of(d.find("dd")) for d in page.select(".glance > div")}
    assert glance == {"Severity": "major", "Time to detect": "25 min", "Time to resolve": "2 h 40 min",
                      "Actions": "2, 1 overdue"}
    rows = [[text_of(td) for td in tr.select("td")] for tr in page.select(".timeline-table tbody tr")]
    assert rows[0] == ["18 November 2026, 09:00 UTC", "impact starts Config pushed."]
    assert rows[1] == ["18 November 2026, 10:25 +01:00", "detection Alerts fire."]  # the zone as written
    assert page.select(".timeline-table time")[1]["datetime"] == "2026-11-18T10:25:00+01:00"
    assert [text_of(li) for li in page.select(".went-well li")] == ["The rollback worked first time."]
    assert [text_of(li) for li in page.select(".went-lucky li")] == ["It was a quiet Tuesday."]
    assert text_of(page.select_one(".authors")) == "Written by The Product Lead"
    links = [(text_of(li), li.find("a")["href"] if li.find("a") else None) for li in page.select(".review-links li")]
    assert links == [("Incident ticket", "https://tracker.example.com/INC-1"), ("Wiki page", None)]  # internal: no link
    actions = page.select(".action-table tbody tr")
    assert "overdue" in actions[0]["class"] and text_of(actions[0].select_one(".overdue-flag")) == "overdue"
    assert actions[0].select_one(".action-id a")["href"] == "https://tracker.example.com/INC-2"
    assert text_of(actions[0].select_one(".action-kind")) == "prevent"
    assert "19 November 2026" in text_of(actions[1])


def test_front_matter_prose_is_markdown_with_names_replaced_and_links_resolved(make_site: SiteMaker) -> None:
    site = review_site(make_site, REVIEW.replace("Checkout failed for", "Dana saw checkout fail for"))
    build(site, today=TODAY)
    facts = html(site, "debriefs/outage/index.html").select_one(".incident-facts")
    assert facts.find("code").get_text() == "prod" and facts.find("strong").get_text() == "12%"
    assert "The Product Lead saw checkout fail" in text_of(facts) and "Dana" not in str(facts)
    assert facts.find("a")["href"] == "/talks/launch/"
    assert "`" not in text_of(facts)


def test_the_story_comes_before_the_analysis(make_site: SiteMaker) -> None:
    site = review_site(make_site)
    build(site, today=TODAY)
    article = str(html(site, "debriefs/outage/index.html").select_one("article"))
    order = [article.index(marker) for marker in ('class="prose"', 'id="incident-title"',
                                                  'id="timeline-title"', 'id="actions-title"', 'class="item-footer"')]
    assert order == sorted(order)


def test_a_pre_mortem_and_the_review_that_follows_it_link_both_ways(make_site: SiteMaker) -> None:
    premortem = ("---\ntitle: Sale pre-mortem\ndate: 2026-11-01\nformat: premortem\nactual: Imagine checkout "
                 "fell over on sale day.\n---\nBody.\n")
    site = review_site(make_site, REVIEW.replace("format: postmortem\n", "format: postmortem\npremortem: sale.md\n"),
                       {"content/debriefs/sale.md": premortem})
    build(site, today=TODAY)
    review = html(site, "debriefs/outage/index.html").select_one(".premortem-compare")
    assert review.find("a")["href"] == "/debriefs/sale/" and "checkout fell over on sale day" in text_of(review)
    before = html(site, "debriefs/sale/index.html").select_one(".premortem-followed a")
    assert before["href"] == "/debriefs/outage/"


def test_a_premortem_link_to_something_else_is_an_error(make_site: SiteMaker) -> None:
    site = review_site(make_site, REVIEW.replace("format: postmortem\n", "format: postmortem\npremortem: ../talks/launch.md\n"))
    assert "content/debriefs/outage.md:5:1: error: 'premortem' links to content/talks/launch.md, which is not a " \
           "pre-mortem" in build_errors(site, today=TODAY)


def test_an_action_id_used_twice_is_an_error_naming_both_files(make_site: SiteMaker) -> None:
    other = REVIEW.replace("title: Checkout outage", "title: Another outage").replace("INC-1-2", "OTHER-1")
    site = review_site(make_site, extra={"content/debriefs/another.md": other})
    assert "content/debriefs/outage.md:28:1: error: the action id 'INC-1-1' is already used in " \
           "content/debriefs/another.md (line 28)" in build_errors(site)


def test_dates_with_a_time_are_an_error_where_a_day_is_meant_and_need_a_zone_in_a_timeline(make_site: SiteMaker) -> None:
    broken = REVIEW.replace("    due: 2026-11-21\n", "    due: 2026-11-21 17:00\n").replace(
        "  - at: 2026-11-18 09:00 +00:00\n", "  - at: 2026-11-18 09:00\n")
    errors = build_errors(review_site(make_site, broken))
    assert any("'due' is a date and takes no time of day: '2026-11-21 17:00'" in e for e in errors)
    assert any("'at' has a time but no time zone: '2026-11-18 09:00'" in e for e in errors)


def test_severities_and_action_kinds_are_closed_lists_a_site_can_name(make_site: SiteMaker) -> None:
    errors = build_errors(review_site(make_site, REVIEW.replace("severity: major", "severity: sev2")))
    assert any("'severity' has unknown value 'sev2'" in e for e in errors)
    config = CONFIG + "debriefs:\n  severities: [sev1, sev2, sev3]\n  action_kinds: [prevent, process, learn]\n"
    site = review_site(make_site, REVIEW.replace("severity: major", "severity: sev2"), config=config)
    build(site, today=TODAY)
    assert text_of(html(site, "debriefs/outage/index.html").select_one(".severity")) == "sev2"


def test_a_link_must_be_a_web_address(make_site: SiteMaker) -> None:
    errors = build_errors(review_site(make_site, REVIEW.replace("https://tracker.example.com/INC-1\n",
                                                                "javascript:alert(1)\n")))
    assert any("'url' must be a web address" in e for e in errors)


def test_check_suggests_the_analysis_a_review_lacks(make_site: SiteMaker) -> None:
    site = review_site(make_site)
    warnings = [w.format().splitlines()[0] for w in check_site(site, today=TODAY).warnings]
    assert "content/debriefs/outage.md:1:1: warning: the review could teach more: it has no why-ladder (`whys`, or `chains`) " \
           "down to a root cause; no contributing factors sorted by how far they were in your control (`factors`)" \
           in warnings


def test_the_facilitator_guide_holds_the_review_s_blocks(make_site: SiteMaker) -> None:
    module = "---\ntitle: Outages\nduration: 30\ntrack: Ops\norder: 1\nstories: [../debriefs/outage.md]\n---\nM.\n"
    site = review_site(make_site, extra={"content/modules/outages.md": module})
    build(site, today=TODAY, audience="restricted")
    guide = html(site, "tracks/ops/guide/index.html")
    assert guide.select_one(".kit-story .timeline-table") is not None
    assert guide.select_one(".kit-story .action-table") is not None


def test_an_author_places_a_block_in_the_body_and_the_rest_follow_in_order(make_site: SiteMaker) -> None:
    placed = REVIEW.replace("We were mid-sale when checkout started failing. This is the story of the morning.\n",
                            "We were mid-sale when checkout started failing.\n\n{{< timeline >}}\n\n"
                            "Then we rolled back.\n\n```\n{{< actions >}}\n```\n")
    site = review_site(make_site, placed)
    build(site, today=TODAY)
    article = str(html(site, "debriefs/outage/index.html").select_one("article"))
    order = [article.index(marker) for marker in ("mid-sale", 'id="timeline-title"', "Then we rolled back",
                                                  'id="incident-title"', 'id="actions-title"')]
    assert order == sorted(order)
    assert article.count('id="timeline-title"') == 1  # placed, so not repeated in the default order
    assert "{{&lt; actions &gt;}}" in article  # inside a code fence it is just text


def test_an_unknown_block_is_an_error_with_its_line(make_site: SiteMaker) -> None:
    site = review_site(make_site, REVIEW.replace("This is the story", "\n{{< timelime >}}\n\nThis is the story"))
    assert "content/debriefs/outage.md:42:1: error: '{{< timelime >}}' is not a block a debrief can place " \
           "(did you mean 'timeline'?)" in build_errors(site, today=TODAY)
    site = make_site({"content/talks/a.md": talk(body="{{< timeline >}}")}, name="talk")
    assert any("'{{< timeline >}}' is not a block a talk can place" in e for e in build_errors(site))


def test_a_long_review_lists_its_sections_and_blocks_on_this_page_in_order(make_site: SiteMaker) -> None:
    body = "## The morning\n\nText.\n\n{{< timeline >}}\n\n## Afterwards\n\nMore.\n"
    site = review_site(make_site, REVIEW.replace("We were mid-sale when checkout started failing. This is the story "
                                                 "of the morning.\n", body))
    build(site, today=TODAY)
    page = html(site, "debriefs/outage/index.html")
    contents = [(a["href"], text_of(a)) for a in page.select(".toc a")]
    assert contents == [("#the-morning", "The morning"), ("#timeline-title", "Timeline"),
                        ("#afterwards", "Afterwards"), ("#incident-title", "What happened"),
                        ("#actions-title", "Action items")]
    assert all(page.select_one(href) is not None for href, _ in contents)
