"""The one predicate that decides whether an item is published, for every output alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from failsite.content.schema import AUDIENCES

if TYPE_CHECKING:
    from failsite.content.items import Item


@dataclass(frozen=True)
class Audience:
    """Who a build is for, and the day it is built (for expiry)."""

    name: str = "internal"
    drafts: bool = False
    today: dt.date = dt.date(1970, 1, 1)


def why_unpublished(item: Item, audience: Audience) -> str:
    """'' when the item is published for this audience, else the reason it is left out."""
    if item.draft and not audience.drafts:
        return "it is a draft"
    if item.withheld:
        return item.withheld
    if AUDIENCES.index(item.visibility) > AUDIENCES.index(audience.name):
        return f"its visibility is {item.visibility}, and this build is for the {audience.name} audience"
    if item.expires is not None and item.expires < audience.today:
        return f"it expired on {item.expires.isoformat()}"
    return ""
