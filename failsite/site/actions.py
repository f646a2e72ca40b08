"""Open action items for the terminal (`failsite actions`): a table for a stand-up, CSV or JSON for scripts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
import datetime as dt

from failsite.site.assemble import Site
from failsite.site.insights import open_actions


@dataclass(frozen=True)
class ActionRow:
    """One open action as an audience's build publishes it, with the debrief it comes from."""

    id: str
    what: str
    owner: str
    due: str
    status: str
    overdue: bool
    kind: str
    debrief: str  # the debrief's title
    source: str  # its file
    link: str


def action_rows(site: Site, overdue_only: bool = False, owner: str | None = None) -> list[ActionRow]:
    """The site's open actions, soonest due first; only overdue ones, or one owner's (matched in any case, in part)."""
    wanted = " ".join((owner or "").casefold().split())
    rows = []
    for action in open_actions(site):
        if overdue_only and not action.overdue:
            continue
        if wanted and wanted not in " ".join(action.owner.casefold().split()):
            continue
        debrief = site.by_key[action.debrief_key]
        rows.append(ActionRow(action.id, action.text, action.owner,
                              action.due.isoformat() if action.due else "", action.status, action.overdue,
                              action.kind, debrief.title, debrief.path, action.link))
    return rows


def rows_table(rows: list[ActionRow], day: dt.date) -> str:
    """Aligned columns, with a count and the day the overdue marks are computed for."""
    if not rows:
        return f"no open actions match (as of {day.isoformat()})\n"
    header = ("ID", "ACTION", "OWNER", "DUE", "STATUS", "DEBRIEF")
    cells = [(r.id or "-", _cut(r.what, 48), r.owner or "-", (r.due or "-") + (" OVERDUE" if r.overdue else ""),
              r.status, r.source) for r in rows]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *cells]]
    overdue = sum(r.overdue for r in rows)
    lines.append(f"{len(rows)} open action{'s' if len(rows) != 1 else ''}, {overdue} overdue, as of {day.isoformat()}")
    return "\n".join(lines) + "\n"


def rows_csv(rows: list[ActionRow], day: dt.date) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "what", "owner", "due", "status", "overdue", "kind", "debrief", "source", "link"])
    for r in rows:
        writer.writerow([r.id, r.what, r.owner, r.due, r.status, "yes" if r.overdue else "no", r.kind, r.debrief,
                         r.source, r.link])
    return buffer.getvalue()


def rows_json(rows: list[ActionRow], day: dt.date) -> str:
    return json.dumps({"as_of": day.isoformat(), "actions": [r.__dict__ for r in rows]}, indent=2,
                      ensure_ascii=False) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
