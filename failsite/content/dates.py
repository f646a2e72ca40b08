"""Dates known only to the year or the month: a published case from 2011, a story from May 2011.

A `date` written `2011` or `2011-05` (on the types whose date is not a required day) is read as
its first day, so lists, feeds, the sitemap and quarters sort and count it like any other date,
and the item remembers how much of it was written (its precision). Pages show it as written:
"2011", "May 2011".
"""

from __future__ import annotations

import datetime as dt
import re

PRECISIONS = ("year", "month", "day")
_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?")


def partial_date(text: str) -> tuple[dt.date, str] | None:
    """`2011` -> (2011-01-01, 'year'), `2011-05` -> (2011-05-01, 'month'); None for anything else (a whole day is
    read as a date, never here)."""
    found = _PARTIAL.fullmatch(text.strip())
    if found is None or int(found.group(1)) < 1:
        return None
    month = int(found.group(2) or 1)
    if not 1 <= month <= 12:
        return None
    return dt.date(int(found.group(1)), month, 1), "month" if found.group(2) else "year"


class PartialDay(dt.date):
    """A date known only to its year or month, as templates see it: it compares, sorts, subtracts and formats (feeds,
    the sitemap) as its first day; `written_iso` and the `date` filter give what was written."""

    precision: str

    def __new__(cls, day: dt.date, precision: str) -> "PartialDay":
        made = super().__new__(cls, day.year, day.month, day.day)
        made.precision = precision
        return made

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return PartialDay, (dt.date(self.year, self.month, self.day), self.precision)


def as_written(day: dt.date | None, precision: str) -> dt.date | None:
    """A date as templates should show it: the day itself, or a PartialDay when only its year or month is known."""
    if day is None or precision == "day":
        return day
    return PartialDay(day, precision)


def written_iso(value: dt.date | None) -> str:
    """A date in ISO form as far as it is known: '2011', '2011-05' or '2011-05-12' (each valid in <time datetime>)."""
    if value is None:
        return ""
    precision = precision_of(value)
    if precision == "year":
        return f"{value.year:04d}"
    return f"{value.year:04d}-{value.month:02d}" if precision == "month" else value.isoformat()


def precision_of(value: object) -> str:
    """How much of a date a template was given: 'year', 'month' or 'day'."""
    return getattr(value, "precision", "day")
