"""The review queue in the browser: what waits for a reviewer and since when, what was sent back, every consent
record; and the reviewer's actions, each a change to a few fields of one file.

Approving sets `status: approved`, `reviewed_by` and `approved_on`; sending back sets the status
to draft with the reviewer's `review_note`; a consent record is withdrawn (`withdrawn:` a day),
given a last day (`expires:`), or added. The file is changed through the desk's form writer,
so every other line stays as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from failsite.content.discover import source_at
from failsite.content.frontmatter import split_front_matter
from failsite.content.items import Item, ItemSchema, parse_source, read_source
from failsite.content.schema import SHARED_AUDIENCES, ContentType
from failsite.desk.checking import Reach, reach_of
from failsite.desk.document import Document
from failsite.desk.forms import apply_form, front_matter_root
from failsite.desk.store import Refused
from failsite.desk.values import form_value
from failsite.content.yamlnodes import load_yaml
from failsite.preview.rebuild import Preview
from failsite.site.editorial import entered_review


@dataclass(frozen=True)
class QueueAction:
    """A reviewer's action on one file: approve, send-back, withdraw, expire or add-consent, with what it needs."""

    kind: str
    reviewer: str = ""
    note: str = ""
    record: int = 0  # which consent record (0-based), for withdraw and expire
    date: str = ""  # the day it takes effect (default: today)
    person: str = ""  # add-consent: who agreed
    audiences: tuple[str, ...] = ()  # add-consent: for which audiences (default: all three)


@dataclass(frozen=True)
class ConsentRow:
    """A consent record as the queue shows it."""

    index: int
    person: str
    audiences: tuple[str, ...]
    date: str
    expires: str
    withdrawn: str


@dataclass(frozen=True)
class QueueEntry:
    """One story in the queue: its file, title, type and status, how long it has waited, who reviews it, the
    reviewer's note, its consent records and which audiences it reaches."""

    key: str
    title: str
    type: str
    status: str
    days: int | None
    reviewer: str
    note: str
    consents: tuple[ConsentRow, ...]
    reach: tuple[Reach, ...]


@dataclass(frozen=True)
class ReviewQueue:
    """The queue's sections: in review (longest waiting first), sent back, and the other stories with consent
    records."""

    in_review: tuple[QueueEntry, ...]
    sent_back: tuple[QueueEntry, ...]
    with_consent: tuple[QueueEntry, ...]


def review_queue(preview: Preview, day: dt.date) -> ReviewQueue:
    """The queue of the preview's site as of `day`, from every file as written (before anonymisation: the reviewer
    sees whom a story names)."""
    entries = []
    for key in sorted(preview.sources):
        source = source_at(preview.config, key)
        data, _ = read_source(source)
        if data is None:
            continue
        item, _ = parse_source(source, data, preview.schema)
        if item is not None:
            entries.append(_entry(preview, item, _review_fields(data), day))
    longest_first = sorted((e for e in entries if e.status == "in-review"), key=lambda e: (-(e.days or 0), e.key))
    return ReviewQueue(tuple(longest_first), tuple(e for e in entries if e.status == "draft" and e.note),
                       tuple(e for e in entries if e.consents and e.status != "in-review"))  # each story once


def _review_fields(data: bytes) -> tuple[str, str]:
    """`reviewed_by` and `review_note` as a parsed file's front matter writes them (its item keeps neither)."""
    split, _ = split_front_matter(data.decode("utf-8"), "file")
    root = load_yaml(split.front_matter, "file")[0] if split is not None else None
    written = root.items if root is not None else {}
    reviewer, note = (written.get(name) for name in ("reviewed_by", "review_note"))
    return reviewer.text if reviewer is not None else "", note.text if note is not None else ""


def _entry(preview: Preview, item: Item, review_fields: tuple[str, str], day: dt.date) -> QueueEntry:
    since = entered_review(preview.site_dir, item) if item.status == "in-review" else None
    rows = tuple(ConsentRow(n, str(r.get("person") or ""), tuple(r.get("audiences") or SHARED_AUDIENCES),
                            _day(r.get("date")), _day(r.get("expires")), _day(r.get("withdrawn")))
                 for n, r in enumerate(item.consents))
    reviewer, note = review_fields
    return QueueEntry(item.key, item.title, item.type, item.status, max(0, (day - since).days) if since else None,
                      reviewer, note.strip(), rows, reach_of(item, preview, day))


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def apply_action(document: Document, ctype: ContentType, schema: ItemSchema, action: QueueAction,
                 today: dt.date) -> Document:
    """The document with a reviewer's action made; Refused (422) when the action lacks what it needs."""
    day = action.date or today.isoformat()
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise Refused(422, f"'{day}' is not a day: write it as YYYY-MM-DD") from None
    known = schema.fields_by_type[ctype.name]
    root = front_matter_root(document)
    if action.kind == "approve":
        if not action.reviewer.strip():
            raise Refused(422, "give your name as the reviewer: it is written as `reviewed_by`")
        values = {"status": "approved", "reviewed_by": action.reviewer.strip(), "approved_on": day, "review_note": ""}
    elif action.kind == "send-back":
        if not action.note.strip():
            raise Refused(422, "say what the author should change: the note is written as `review_note`")
        values = {"status": "draft", "review_note": action.note.strip()}
    elif action.kind in ("withdraw", "expire", "add-consent"):
        records = form_value(known["consent_given"], root.items.get("consent_given"))
        if action.kind == "add-consent":
            if not action.person.strip():
                raise Refused(422, "name the person who gave consent, as the registry has them")
            unknown = [a for a in action.audiences if a not in SHARED_AUDIENCES]
            if unknown:
                raise Refused(422, f"'{unknown[0]}' is not an audience: public, internal or restricted")
            records.append({"person": action.person.strip(), "audiences": list(action.audiences), "date": day,
                            "expires": "", "withdrawn": ""})
        else:
            if not 0 <= action.record < len(records):
                raise Refused(422, "there is no such consent record in the file (was it changed meanwhile?)")
            records[action.record] = {**records[action.record],
                                      ("withdrawn" if action.kind == "withdraw" else "expires"): day}
        values = {"consent_given": records}
    else:
        raise Refused(400, f"there is no action '{action.kind}'")
    return apply_form(document, ctype, schema, values, None)
