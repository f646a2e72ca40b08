"""The editorial queue (`failsite review`): what waits for a reviewer, what consent runs out, what each audience's
build would publish and why the rest is left out. A report over the items, never a check: it changes nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from failsite.content.items import Item
from failsite.content.schema import AUDIENCES
from failsite.privacy.consent import expiring_records
from failsite.privacy.publish import reason_kind
from failsite.site.assemble import Site

EXPIRY_NOTICE_DAYS = 30


@dataclass(frozen=True)
class QueueEntry:
    """One line of the queue: the file (and line), the item's title, what is due and how many days it concerns."""

    path: str
    line: int
    title: str
    detail: str
    days: int | None = None


@dataclass(frozen=True)
class AudienceCount:
    """What a build for one audience would publish: how many items, and why each of the others is left out."""

    audience: str
    published: int
    left_out: tuple[tuple[str, int], ...]  # (reason, how many), most common first
    items_left_out: tuple[tuple[str, str], ...]  # (path, reason)


@dataclass(frozen=True)
class EditorialQueue:
    """The whole report, as of `day`."""

    day: dt.date
    in_review: tuple[QueueEntry, ...]
    internal_not_public: tuple[QueueEntry, ...]
    expiring_consent: tuple[QueueEntry, ...]
    review_due: tuple[QueueEntry, ...]
    audiences: tuple[AudienceCount, ...]


def entered_review(site_dir: Path, item: Item) -> dt.date | None:
    """The day the item's file last changed its review status, from git when the site is in a repository (git is
    the audit trail), else the day the file was last saved."""
    try:
        found = subprocess.run(["git", "-C", str(site_dir), "log", "-1", "--format=%cs", "-S", "in-review", "--",
                                item.path], capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        if found:
            return dt.date.fromisoformat(found)
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    try:
        return dt.date.fromtimestamp(os.stat(site_dir / item.path).st_mtime)
    except OSError:
        return None


def editorial_queue(site_dir: Path, plans: dict[str, tuple[list[Item], Site]], day: dt.date) -> EditorialQueue:
    """The queue from each audience's plan (every item as anonymised for it, and the site its build would make)."""
    items, internal = plans["internal"]
    public = plans["public"][1]
    in_review = []
    for item in items:
        if item.status == "in-review":
            since = entered_review(site_dir, item)
            in_review.append(QueueEntry(item.path, 1, item.title, f"in review since {since.isoformat()}"
                                        if since else "in review", (day - since).days if since else None))
    internal_not_public = [
        QueueEntry(item.path, 1, item.title, "published internally; a public build needs it approved")
        for item in internal.items
        if item.visibility == "public" and public.left_out.get(item.key, "").startswith("its review status")]
    expiring = [QueueEntry(item.path, record["line"], item.title,
                           f"consent of {record['person']} expires on {record['expires'].isoformat()}",
                           (record["expires"] - day).days)
                for item in items for record in expiring_records(item, day, EXPIRY_NOTICE_DAYS)]
    review_due = [QueueEntry(item.path, 1, item.title, f"was due for review on {item.review_by.isoformat()}",
                             (day - item.review_by).days)
                  for item in items if item.review_by is not None and item.review_by < day and not item.draft]
    counts = []
    for audience in AUDIENCES:
        site = plans[audience][1]
        reasons = Counter(reason_kind(r) for r in site.left_out.values())
        paths = {i.key: i.path for i in plans[audience][0]}
        counts.append(AudienceCount(audience, len(site.items), tuple(sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))),
                                    tuple(sorted((paths.get(k, k), r) for k, r in site.left_out.items()))))
    longest_first = lambda e: (-(e.days or 0), e.path)  # noqa: E731
    return EditorialQueue(day, tuple(sorted(in_review, key=longest_first)), tuple(internal_not_public),
                          tuple(sorted(expiring, key=lambda e: (e.days, e.path))),
                          tuple(sorted(review_due, key=longest_first)), tuple(counts))


def queue_text(queue: EditorialQueue, title: str) -> str:
    """The queue as the terminal shows it."""
    lines = [f"Editorial queue of {title}, as of {queue.day.isoformat()}", ""]
    sections = (("In review", queue.in_review, "days"), ("Published internally, not approved for public",
                queue.internal_not_public, ""), (f"Consent records expiring within {EXPIRY_NOTICE_DAYS} days",
                queue.expiring_consent, "days left"), ("Past their review date", queue.review_due, "days ago"))
    for heading, entries, unit in sections:
        lines.append(f"{heading} ({len(entries)})")
        for entry in entries:
            days = f" ({entry.days} {unit})" if unit and entry.days is not None else ""
            where = f"{entry.path}:{entry.line}" if entry.line > 1 else entry.path
            lines.append(f"  {where}  \"{entry.title}\"  {entry.detail}{days}")
        if not entries:
            lines.append("  none")
        lines.append("")
    lines.append("What each audience's build would publish")
    for count in queue.audiences:
        left = sum(n for _, n in count.left_out)
        why = ": " + ", ".join(f"{n} {kind}" for kind, n in count.left_out) if left else ""
        lines.append(f"  {count.audience:<10} {count.published} published, {left} left out{why}")
    return "\n".join(lines) + "\n"
