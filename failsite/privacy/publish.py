"""The one predicate that decides whether an item is published, for every output alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from failsite.content.schema import AUDIENCES, REVIEW_STATUSES

if TYPE_CHECKING:
    from failsite.content.items import Item


@dataclass(frozen=True)
class Audience:
    """Who a build is for, and the day it is built (for expiry)."""

    name: str = "internal"
    drafts: bool = False
    today: dt.date = dt.date(1970, 1, 1)
    least_status: str = ""  # the least review status published ('' : what the audience's name implies by default)

    @property
    def accepted_statuses(self) -> tuple[str, ...]:
        least = self.least_status or ("approved" if self.name == "public" else "in-review")
        return REVIEW_STATUSES[REVIEW_STATUSES.index(least):]


def audience_for(name: str, drafts: bool, today: dt.date, review: tuple[tuple[str, str], ...]) -> Audience:
    """A build's audience with the least review status its site accepts for it (site.yaml `review:`)."""
    return Audience(name, drafts, today, dict(review).get(name, ""))


def why_unpublished(item: Item, audience: Audience) -> str:
    """'' when the item is published for this audience, else the reason it is left out."""
    if item.draft and not audience.drafts:
        return "it is a draft"
    if not item.draft and item.status not in audience.accepted_statuses:
        return (f"its review status is {item.status}, and a {audience.name} build publishes only "
                f"{' or '.join(audience.accepted_statuses)} stories")
    if item.withheld:
        return item.withheld
    if AUDIENCES.index(item.visibility) > AUDIENCES.index(audience.name):
        return f"its visibility is {item.visibility}, and this build is for the {audience.name} audience"
    if item.expires is not None and item.expires < audience.today:
        return f"it expired on {item.expires.isoformat()}"
    return ""
