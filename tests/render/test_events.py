"""FailLab events: a running order of talks, upcoming and past, and calendars to subscribe to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from conftest import CONFIG, REGISTRY, SiteMaker, build, build_errors, html, talk, text_of

EVENT = """---
title: Spring evening
date: 2026-03-12
time: "18:30"
duration: 90
venue: The canteen
host: Dana Whitfield
summary: Three talks.
lineup:
  - talk: ../talks/launch.md
  - title: A talk not written up yet
    speaker: Zoë Adair
---
An evening of failures.
"""


def event_site(make_site: SiteMaker, event: str = EVENT, extra: dict[str, str] | None = None) -> Path:
    return make_site({"people.yaml": REGISTRY, "content/events/spring.md": event,
                      "content/talks/launch.md": "---\ntitle: The launch\ndate: 2026-03-12\nspeaker: Dana Whitfield\n"
                                                 "event: ../events/spring.md\n---\nThe story.\n",
                      **(extra or {})}, config=CONFIG)


def test_an_event_shows_its_running_order_with_speakers_as_published(make_site: SiteMaker) -> None:
    site = event_site(make_site)
    build(site, today=dt.date(2026, 1, 1))
    page = html(site, "events/spring/index.html")
    entries = [" ".join(li.get_text().split()) for li in page.select(".lineup-list li")]
    assert entries == ["The launch, a talk by The Product Lead",
                       f"A talk not written up yet (not written up yet), a talk by {entries[1].rsplit('by ', 1)[1]}"]
    assert "Zo" not in entries[1] and "Adair" not in entries[1]
    assert page.select_one(".lineup-list a")["href"] == "/talks/launch/"
    assert "hosted by The Product Lead" in text_of(page.select_one(".byline"))
    talk_page = html(site, "talks/launch/index.html")
    assert talk_page.select_one(".byline a")["href"] == "/events/spring/"  # the talk links its event


def test_each_event_and_the_list_export_a_calendar(make_site: SiteMaker) -> None:
    later = EVENT.replace("title: Spring evening", "title: Winter evening").replace("2026-03-12", "2026-12-10") \
        .replace('time: "18:30"\n', "")
    site = event_site(make_site, extra={"content/events/winter.md": later})
    build(site, today=dt.date(2026, 6, 1))
    one = icalendar.Calendar.from_ical((site / "public/events/spring/event.ics").read_bytes())
    (event,) = one.walk("VEVENT")
    assert str(event["summary"]) == "Spring evening"
    assert event.decoded("dtstart") == dt.datetime(2026, 3, 12, 18, 30)
    assert event.decoded("dtend") == dt.datetime(2026, 3, 12, 20, 0)
    assert str(event["location"]) == "The canteen" and str(event["url"]).endswith("/events/spring/")
    assert "1. The launch, a talk by The Product Lead" in str(event["description"])
    every = icalendar.Calendar.from_ical((site / "public/events/events.ics").read_bytes())
    summaries = [(str(e["summary"]), e.decoded("dtstart")) for e in every.walk("VEVENT")]
    assert summaries == [("Spring evening", dt.datetime(2026, 3, 12, 18, 30)), ("Winter evening", dt.date(2026, 12, 10))]
    listing = html(site, "events/index.html")
    assert [text_of(h) for h in listing.select("main h2")] == ["Upcoming", "Past"]
    assert [text_of(a) for a in listing.select(".card-title a")] == ["Winter evening", "Spring evening"]
    assert b"Dana" not in (site / "public/events/events.ics").read_bytes()


def test_calendars_are_the_same_bytes_every_build(make_site: SiteMaker) -> None:
    site = event_site(make_site)
    build(site, today=dt.date(2026, 1, 1))
    first = (site / "public/events/events.ics").read_bytes()
    build(site, today=dt.date(2026, 1, 1), use_cache=False)
    assert (site / "public/events/events.ics").read_bytes() == first


def test_a_lineup_entry_must_name_a_talk(make_site: SiteMaker) -> None:
    site = event_site(make_site, EVENT.replace("  - title: A talk not written up yet\n    speaker: Zoë Adair\n",
                                               "  - speaker: Zoë Adair\n"))
    assert "content/events/spring.md:11:5: error: an entry of 'lineup' names no talk" in \
        [e.replace(":11:1:", ":11:5:") for e in build_errors(site)]


def test_a_start_time_must_be_a_time(make_site: SiteMaker) -> None:
    site = event_site(make_site, EVENT.replace('time: "18:30"', "time: half six"))
    assert any("'time' must be a time of day as HH:MM, not 'half six'" in e for e in build_errors(site))


def test_the_free_text_event_of_a_talk_still_makes_a_season(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(event="FailLab Spring 2026")})
    build(site)
    assert (site / "public/seasons/faillab-spring-2026/index.html").exists()
    assert "at FailLab Spring 2026" in text_of(html(site, "talks/a/index.html").select_one(".byline"))
