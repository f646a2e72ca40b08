"""iCalendar files: the programme's events (one per event, and one for them all) and the due days of open actions.

Made with the icalendar package (RFC 5545 folding, escaping and line endings are its business).
Everything in them is what the event's page shows: its published title, host and speakers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from failsite.render.views import ItemView, SiteView

if TYPE_CHECKING:
    import icalendar

DEFAULT_MINUTES = 120


def event_calendar(views: SiteView, events: list[ItemView], name: str) -> bytes:
    """A calendar holding the given events (all-day when an event has no time; its local time otherwise)."""
    import icalendar  # only a build that writes a calendar pays for importing it
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//failsite//events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(views, event))
    return calendar.to_ical()


def actions_calendar(views: SiteView, name: str) -> bytes:
    """Every open action with a due day, as an iCalendar task component due that day, with its debrief's address:
    owners subscribe to it and see what falls due. What each holds is what the actions page shows."""
    import icalendar
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//failsite//actions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = _host(views)
    for action in views.open_actions():
        if action["due"] is None:
            continue
        debrief = action["debrief"]
        url = views.absolute_url(debrief.path)
        todo = icalendar.Todo()
        identity = f"{debrief.key}\n{action['id'] or action['what']}"
        todo.add("uid", f"{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:24]}@{host}")
        todo.add("dtstamp", dt.datetime.combine(views.today, dt.time(0, 0), tzinfo=dt.timezone.utc))
        todo.add("summary", (f"{action['id']}: " if action["id"] else "") + action["text"])
        todo.add("due", action["due"])
        todo.add("status", "IN-PROCESS" if action["status"] == "in-progress" else "NEEDS-ACTION")
        lines = [f"Owner: {action['owner']}" if action["owner"] else "", f"Team: {action['team']}" if action["team"] else "",
                 f"From the debrief: {debrief.title}", url, action["link"]]
        todo.add("description", "\n".join(line for line in lines if line))
        todo.add("url", action["link"] or url)
        calendar.add_component(todo)
    return calendar.to_ical()


def _host(views: SiteView) -> str:
    return urlsplit(views.absolute_url("/")).hostname or "failsite.invalid"


def _vevent(views: SiteView, event: ItemView) -> icalendar.Event:
    import icalendar
    url = views.absolute_url(event.path)
    vevent = icalendar.Event()
    vevent.add("uid", f"{hashlib.sha256(event.key.encode('utf-8')).hexdigest()[:24]}@{_host(views)}")
    vevent.add("dtstamp", dt.datetime.combine(event.date, dt.time(0, 0), tzinfo=dt.timezone.utc))  # stable bytes
    vevent.add("summary", event.title)
    if event.time:
        start = dt.datetime.combine(event.date, dt.time.fromisoformat(event.time))  # the venue's local time
        vevent.add("dtstart", start)
        vevent.add("dtend", start + dt.timedelta(minutes=event.duration or DEFAULT_MINUTES))
    else:
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + dt.timedelta(days=1))
    place = event.venue or (event.online if isinstance(event.online, str) and "://" in event.online else "")
    if place:
        vevent.add("location", place)
    lines = [event.summary] if event.summary else []
    lines += [f"{n}. {e['title']}" + (f", a talk by {e['speaker']}" if e["speaker"] else "")
              for n, e in enumerate(event.lineup_entries, 1)]
    lines.append(url)
    vevent.add("description", "\n".join(lines))
    vevent.add("url", url)
    return vevent
