"""The one predicate that decides whether an item is published, for every output alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from failsite.content.items import owner_key
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
    owner: str = ""  # a private build for one owner (`--owner`, as `owner_key` gives it): only their private entries

    @property
    def accepted_statuses(self) -> tuple[str, ...]:
        least = self.least_status or ("approved" if self.name == "public" else "in-review")
        return REVIEW_STATUSES[REVIEW_STATUSES.index(least):]


def audience_for(name: str, drafts: bool, today: dt.date, review: tuple[tuple[str, str], ...],
                 owner: str = "") -> Audience:
    """A build's audience with the least review status its site accepts for it (site.yaml `review:`); a build for
    one owner is a private build holding only that owner's private entries."""
    return Audience("private" if owner else name, drafts, today, dict(review).get("private" if owner else name, ""),
                    owner_key(owner))


def reason_kind(reason: str) -> str:
    """A reason `why_unpublished` gave, without what is particular to one item, for counting: 'draft', 'review
    status in-review', 'visibility restricted', 'another owner', 'expired', 'consent withdrawn', 'consent
    withheld'."""
    if reason == "it is a draft":
        return "draft"
    if reason.startswith("its review status is "):
        return "review status " + reason.split()[4].rstrip(",")
    if reason.startswith("its visibility is "):
        return "visibility " + reason.split()[3].rstrip(",")
    if reason.startswith("it is a private entry of another owner"):
        return "another owner"
    if reason.startswith("it expired"):
        return "expired"
    if reason.startswith("consent was withdrawn"):
        return "consent withdrawn"
    return "consent withheld"


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
    if item.visibility == "private" and audience.owner and item.owner_key != audience.owner:
        return "it is a private entry of another owner (or of none), and this build is for one owner's log"
    if item.expires is not None and item.expires < audience.today:
        return f"it expired on {item.expires.isoformat()}"
    return ""
