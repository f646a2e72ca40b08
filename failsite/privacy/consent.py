"""What a story's consent records (`consent_given`) decide for one build: whether it may be published at all, and
whose real names it may show.

A record says that a person agreed, on a day, to be named in this story for some audiences, perhaps until a last
day. A withdrawn record takes the story out of every build. Where a site requires records
(`consent.require_record`), a person whom the registry lets be named is named in a story only when one of its
records holds for the build's audience on the build's day; where a person has records that do not hold (expired,
not yet given, another audience), they are shown by pseudonym whatever the site requires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from failsite.content.items import Item
from failsite.content.schema import SHARED_AUDIENCES, naming_audience
from failsite.errors import Diagnostic, error
from failsite.privacy.registry import Registry


@dataclass(frozen=True)
class ConsentDecision:
    """One item's consent for one build: why it is withdrawn ('' when it is not), the entries it may name
    (None: the registry decides), the entries it may not, and the days [from, until) for which that holds."""

    withdrawn: str
    recorded: frozenset[str] | None
    denied: frozenset[str]
    decided: tuple[str, str]
    diagnostics: tuple[Diagnostic, ...]


def record_holds(record: dict, audience: str, day: dt.date) -> bool:
    """Whether a consent record lets its person be named for `audience` on `day`."""
    return (record.get("withdrawn") is None and naming_audience(audience) in (record.get("audiences") or SHARED_AUDIENCES)
            and record["date"] <= day and (record.get("expires") is None or day <= record["expires"]))


def consent_decision(item: Item, registry: Registry, audience: str, day: dt.date,
                     require_record: bool) -> ConsentDecision:
    """What the item's consent records decide for a build for `audience` on `day`."""
    diagnostics: list[Diagnostic] = []
    withdrawn = ""
    holding: set[str] = set()
    recorded: set[str] = set()
    changes: list[dt.date] = []  # the days on which some record starts or stops holding
    for record in item.consents:
        if record.get("withdrawn") is not None and not withdrawn:
            withdrawn = (f"consent was withdrawn on {record['withdrawn'].isoformat()} (the consent record at line "
                         f"{record['line']})")
        entry = registry.named(record["person"]) if registry.entries else None
        if entry is None:
            if registry.entries:
                diagnostics.append(error(item.path, record["line"], f"a consent record names '{record['person']}', "
                                         "who is not in the registry",
                                         "write the person's name or id as the registry has it"))
            continue
        recorded.add(entry)
        changes += [record["date"]] + ([record["expires"] + dt.timedelta(days=1)] if record.get("expires") else [])
        if record_holds(record, audience, day):
            holding.add(entry)
    start = max((d for d in changes if d <= day), default=None)
    until = min((d for d in changes if d > day), default=None)
    return ConsentDecision(withdrawn, frozenset(holding) if require_record else None,
                           frozenset(recorded - holding),
                           (start.isoformat() if start else "", until.isoformat() if until else ""),
                           tuple(diagnostics))


def expiring_records(item: Item, day: dt.date, within_days: int = 30) -> list[dict]:
    """The item's consent records that are not withdrawn and whose last day falls within `within_days` of `day`."""
    horizon = day + dt.timedelta(days=within_days)
    return [r for r in item.consents
            if r.get("withdrawn") is None and r.get("expires") is not None and day <= r["expires"] <= horizon]
