"""Open actions: `failsite actions` in the terminal, the actions pages with filters and teams, the calendar feed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import icalendar

from conftest import CONFIG, REGISTRY, SiteMaker, build, html, run_cli, text_of

DEBRIEF = """\
---
title: {title}
date: 2026-03-01
format: postmortem
team: {team}
actions:
  - id: {prefix}-1
    what: Fix the **alerting** threshold
    owner: {owner}
    due: 2026-05-01
    status: open
    kind: prevent
    link: https://tracker.example/{prefix}-1
  - what: Write the runbook
    owner: Jordan Example
    due: 2026-07-01
    status: in-progress
  - what: Already done
    due: 2026-01-01
    status: done
---
Body.
"""


def _site(make_site: SiteMaker):  # type: ignore[no-untyped-def]
    return make_site({
        "people.yaml": REGISTRY,
        "content/debriefs/a.md": DEBRIEF.format(title="Checkout outage", team="Platform", prefix="PLAT",
                                                owner="Namey"),
        "content/debriefs/b.md": DEBRIEF.format(title="Launch review", team="Product", prefix="PROD",
                                                owner="Dana Whitfield"),
    }, CONFIG)


def test_the_table_lists_open_actions_soonest_first_with_overdue_marked(make_site: SiteMaker) -> None:
    code, output = run_cli("actions", str(_site(make_site)), "--today", "2026-06-01")
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == ["ID", "ACTION", "OWNER", "DUE", "STATUS", "DEBRIEF"]
    assert [line.split()[0] for line in lines[1:5]] == ["PLAT-1", "PROD-1", "-", "-"]
    assert "2026-05-01 OVERDUE" in lines[1] and "OVERDUE" not in lines[3]
    assert "Fix the alerting threshold" in lines[1]  # markdown as plain text
    assert lines[-1] == "4 open actions, 2 overdue, as of 2026-06-01"
    assert "Already done" not in output


def test_names_are_those_the_audience_sees(make_site: SiteMaker) -> None:
    site = _site(make_site)
    _, restricted = run_cli("actions", str(site), "--today", "2026-06-01")
    assert "Named Person" in restricted or "Namey" in restricted  # consent: named, for internal and restricted
    assert "Dana" not in restricted and "Whitfield" not in restricted  # no consent: never a real name
    _, public = run_cli("actions", str(site), "--today", "2026-06-01", "--audience", "public")
    assert "Namey" not in public and "no open actions match" in public  # internal debriefs: nothing for the public


def test_overdue_and_owner_filters_and_csv_json(make_site: SiteMaker) -> None:
    site = _site(make_site)
    _, output = run_cli("actions", str(site), "--today", "2026-06-01", "--overdue", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["id"] for r in rows] == ["PLAT-1", "PROD-1"] and all(r["overdue"] == "yes" for r in rows)
    _, output = run_cli("actions", str(site), "--today", "2026-06-01", "--owner", "jordan", "--format", "json")
    data = json.loads(output)
    assert data["as_of"] == "2026-06-01"
    assert [a["what"] for a in data["actions"]] == ["Write the runbook", "Write the runbook"]
    assert {a["source"] for a in data["actions"]} == {"content/debriefs/a.md", "content/debriefs/b.md"}
    code, output = run_cli("actions", str(site), "--owner", "nobody-like-this")
    assert code == 0 and output.startswith("no open actions match")


def test_the_actions_page_has_filters_team_pages_and_its_date(make_site: SiteMaker) -> None:
    site = _site(make_site)
    build(site, today=dt.date(2026, 6, 1))
    page = html(site, "actions/index.html")
    assert "As of the build of 1 June 2026" in text_of(page.select_one(".as-of"))
    form = page.select_one("form[data-filters=open-actions]")
    assert form.has_attr("hidden")  # shown by its script; without JavaScript the table is all there is
    assert {s["name"] for s in form.select("select")} == {"owner", "team", "status", "kind"}
    assert [o["value"] for o in form.select("select[name=team] option")] == ["", "platform", "product"]
    rows = page.select("#open-actions tbody tr")
    assert len(rows) == 4 and rows[0]["data-overdue"] == "yes" and rows[0]["data-team"] == "platform"
    assert [a.get_text() for a in page.select(".team-links a")] == ["Platform", "Product"]
    team = html(site, "actions/platform/index.html")
    assert text_of(team.select_one("h1")) == "Open actions of Platform"
    assert [r["data-team"] for r in team.select("#open-actions tbody tr")] == ["platform", "platform"]
    debrief = html(site, "debriefs/a/index.html")
    assert "1 overdue" in text_of(debrief)


def test_the_calendar_feed_has_a_todo_per_dated_open_action(make_site: SiteMaker) -> None:
    site = _site(make_site)
    build(site, today=dt.date(2026, 6, 1))
    calendar = icalendar.Calendar.from_ical((site / "public/actions.ics").read_bytes())
    todos = calendar.walk("VTODO")
    assert len(todos) == 4
    first = todos[0]
    assert str(first["summary"]) == "PLAT-1: Fix the alerting threshold"
    assert first.decoded("due") == dt.date(2026, 5, 1)
    assert str(first["url"]) == "https://tracker.example/PLAT-1"
    assert "https://x.example/debriefs/a/" in str(first["description"])
    assert {str(t["status"]) for t in todos} == {"NEEDS-ACTION", "IN-PROCESS"}
    assert len({str(t["uid"]) for t in todos}) == 4
    assert "whitfield" not in (site / "public/actions.ics").read_text().lower()
