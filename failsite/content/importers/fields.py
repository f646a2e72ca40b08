"""A post's front matter as failsite's fields for the type it becomes, with what was mapped and what was kept.

`description`/`excerpt` become `summary`; the authors (split: "Alice & Bob") the type's person field
(`authors` of a case or a debrief, `speaker` of a talk, ...); `categories`/`keywords` join `tags`;
`date` keeps its day, and a time of day goes to `extra.published_at` (an event's to `time`);
`expiryDate` becomes `expires`; a featured or cover image is shown first in the body; every other
field is kept under `extra`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from failsite.content.importers.body import IMAGE_SUFFIXES, Conversion
from failsite.content.importers.sources import Post
from failsite.content.schema import ContentType
from failsite.content.slugs import slugify

PERSON_FIELD = {"talk": "speaker", "debrief": "authors", "log": "owner", "event": "host", "case": "authors"}
_SUMMARY = ("description", "excerpt", "summary", "abstract", "subtitle", "lead")
_TAGS = ("tags", "categories", "category", "keywords")
# Fields that only served the old site's layout or address: the address becomes an alias, the layout is failsite's.
_DROPPED = ("permalink", "url", "aliases", "redirect_from", "layout", "type", "weight", "toc", "resources", "slug",
            "title", "date", "draft", "published", "author", "authors", "expirydate", "expiry_date", "gallery",
            "comments", "share", "sidebar", "classes", "read_time", "readtime", "pin", "hidden", "menu", "links")
# Where the tools and their themes name a post's picture, in the order they are preferred.
FEATURED = ("featured_image", "featuredimage", "featured", "feature_image", "cover", "cover_image", "image", "images",
            "header", "hero", "banner", "thumbnail", "og_image", "social_image", "teaser")


@dataclass
class MappedFields:
    """failsite's front matter for the item, and what the report says of it."""

    fields: dict[str, Any]
    mapped: Counter[str] = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    pictures: list[str] = field(default_factory=list)  # the featured image(s) as Markdown, for the top of the body


def map_fields(post: Post, ctype: ContentType, authors: list[str], title: str, conversion: Conversion,
               source: dict[str, str] | None = None) -> MappedFields:
    """The post's fields as failsite's for `ctype` (`source`: the old site's title and address, for a case)."""
    written = {k.lower(): v for k, v in post.fields.items()}
    result = MappedFields({"title": title})
    fields, mapped = result.fields, result.mapped
    if post.date is not None:
        fields["date"] = post.date
    if post.moment is not None:  # failsite's `date` is a day: the time of day is kept where it fits
        if ctype.name == "event":
            fields["time"] = f"{post.moment:%H:%M}"
            mapped["date's time -> time"] += 1
        else:
            fields.setdefault("extra", {})["published_at"] = post.moment.isoformat()
            mapped["date's time -> extra.published_at"] += 1
    for name in _SUMMARY:
        if written.get(name) and "summary" not in fields:
            fields["summary"] = " ".join(str(written[name]).split())
            if name != "summary":
                mapped[f"{name} -> summary"] += 1
    _people(result, ctype, authors)
    tags: list[str] = []
    for name in _TAGS:
        value = written.get(name)
        if value:
            values = value.split() if isinstance(value, str) and name == "category" else value
            tags += [str(v) for v in (values if isinstance(values, list) else [values])]
            if name != "tags":
                mapped[f"{name} -> tags"] += 1
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    if post.draft:
        fields["draft"] = True
    if written.get("slug"):
        fields["slug"] = slugify(str(written["slug"]))
    expires = written.get("expirydate") or written.get("expiry_date")
    if isinstance(expires, (dt.date, str)):
        day = expires.date() if isinstance(expires, dt.datetime) else expires
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day[:10])
            except ValueError:
                day = None
        if day is not None:
            fields["expires"] = day
            mapped["expiryDate -> expires"] += 1
    if ctype.name == "case":
        _case_fields(result, written, source or {})
    used = set(_pictures(result, written, conversion))
    extra = {k: _plain(v) for k, v in post.fields.items() if k.lower() not in _DROPPED + _SUMMARY + _TAGS
             and k.lower() not in used and k.lower() not in ("license", "licence")}
    if extra:
        fields["extra"] = {**fields.get("extra", {}), **extra}
        result.kept += list(extra)
    return result


def _people(result: MappedFields, ctype: ContentType, authors: list[str]) -> None:
    if not authors:
        return
    person = PERSON_FIELD.get(ctype.name)
    result.people += authors
    if person in ("authors",):
        result.fields[person] = authors
    elif person:
        result.fields[person] = " and ".join(authors)
    else:
        result.fields.setdefault("extra", {})["authors"] = authors
        result.kept.append("authors")
        return
    result.mapped[f"author -> {person}" + (" (split)" if len(authors) > 1 else "")] += 1


def _case_fields(result: MappedFields, written: dict[str, Any], source: dict[str, str]) -> None:
    """A case names where it was first published: the old site, unless the post names its own source."""
    original = written.get("canonical_url") or written.get("canonicalurl") or written.get("original_url")
    if isinstance(original, str) and original.startswith(("http://", "https://")):
        result.fields["source"] = {"title": source.get("title") or original, "url": original}
        result.mapped["canonical_url -> source"] += 1
    elif source.get("title"):
        result.fields["source"] = {"title": source["title"], **({"url": source["url"]} if source.get("url") else {})}
    licence = written.get("license") or written.get("licence")
    if isinstance(licence, str) and licence.strip():
        result.fields["licence"] = licence.strip()
        result.mapped["license -> licence"] += 1


def _pictures(result: MappedFields, written: dict[str, Any], conversion: Conversion) -> list[str]:
    """The post's featured image(s) named in front matter, copied and shown first in the body; the keys used."""
    used: list[str] = []
    shown: set[str] = set()
    for key in FEATURED:
        value = written.get(key)
        addresses = _addresses(value)
        if not addresses:
            continue
        for address in addresses:
            local = conversion.local(address)
            if local is None:
                continue
            if key not in used:
                used.append(key)
            if local in shown:
                continue
            shown.add(local)
            if not result.pictures:
                alt = _alt(value) or result.fields["title"]
                result.pictures.append(conversion.image(local, alt, caption=_caption(value)))
                result.mapped[f"{key} -> first image of the body"] += 1
    return used


def _addresses(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.lower().split("?")[0].endswith(IMAGE_SUFFIXES) else []
    if isinstance(value, list):
        return [a for v in value for a in _addresses(v)]
    if isinstance(value, dict):
        return [a for key in ("image", "src", "path", "url", "overlay_image", "teaser", "feature")
                for a in _addresses(value.get(key))]
    return []


def _alt(value: Any) -> str:
    return str(value.get("alt") or "") if isinstance(value, dict) else ""


def _caption(value: Any) -> str:
    return str(value.get("caption") or "") if isinstance(value, dict) else ""


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
