"""Did the fix hold? Recurrences as templates see them: a note on each page, and the Insights view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from failsite.site.recurrence import Fix, OutcomeGroup, Recurrence, fix_outcomes, grouped_outcomes

# `views` below is a render.views.SiteView, and a note's `other` an ItemView: named, not imported, since views
# imports this module.

RECURRENCE_URL = "/insights/recurrence/"


@dataclass(frozen=True)
class RecurrenceNote:
    """One line on a page: this story looks like an earlier review (or a later story looks like this review)."""

    other: Any  # ItemView
    earlier: bool  # the other is the earlier review whose fix was done
    fix: Fix | None  # the review's first done preventive action (None for a link confirmed to a review without one)
    confirmed: bool
    percent: int


def recurrence_notes(views: Any, key: str) -> list[RecurrenceNote]:
    """The recurrences an item's page shows, earlier reviews first."""
    found = views.recurrences
    notes = []
    for pair in found.of(key):
        earlier = pair.story_key == key
        other = pair.review_key if earlier else pair.story_key
        fixes = found.fixes.get(pair.review_key, ())
        notes.append(RecurrenceNote(views.item(other), earlier, fixes[0] if fixes else None, pair.confirmed,
                                    round(pair.score * 100)))
    return notes


def recurrence_view(views: Any) -> dict[str, Any]:
    """The Insights view: every recurrence, newest story first, and the done fixes by team and by action kind,
    those that held beside those that did not."""
    found = views.recurrences
    outcomes = fix_outcomes(views.site, found)
    pairs: list[Recurrence] = [r for key in views.site.by_key for r in found.by_story.get(key, ())]

    def shown(group: OutcomeGroup) -> dict[str, Any]:
        return {"name": group.name,
                "held": [_outcome(views, o) for o in group.held],
                "recurred": [_outcome(views, o) for o in group.recurred]}
    return {"pairs": [{"story": views.item(r.story_key), "review": views.item(r.review_key),
                       "fix": (found.fixes.get(r.review_key) or (None,))[0], "confirmed": r.confirmed,
                       "percent": round(r.score * 100)} for r in pairs],
            "by_team": [shown(g) for g in grouped_outcomes(outcomes, "team")],
            "by_kind": [shown(g) for g in grouped_outcomes(outcomes, "kind")],
            "held": sum(1 for o in outcomes if o.held), "recurred": sum(1 for o in outcomes if not o.held),
            "threshold": views.site.config.recurrence_threshold}


def _outcome(views: Any, outcome: Any) -> dict[str, Any]:
    return {"fix": outcome.fix, "review": views.item(outcome.fix.review_key),
            "stories": [views.item(k) for k in outcome.recurred_in]}
