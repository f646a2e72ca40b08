"""Plain text out of markup, with the word boundaries a reader sees.

A browser draws an inline tag inside a word (`<b>Da</b>na` reads "Dana") and every other tag
(a paragraph, a table cell, `<br>`) between words (`Kwame<br>Osei` reads "Kwame Osei"). Text
taken out of markup keeps exactly those boundaries, so a name that reads as a name is matched
as one by the anonymiser and the leak audit.
"""

from __future__ import annotations

import re

TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
INLINE_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
                         "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
                         "time", "tt", "u", "var", "wbr"})


def breaks_words(tag: str) -> bool:
    """Whether an HTML tag ends a word where it stands (`<br>`, `<p>`, `</td>`), unlike an inline one (`<b>`)."""
    name = _TAG_NAME.match(tag)
    return name is None or name.group(1).lower() not in INLINE_TAGS


# TAG, with the tag's name as a group: the same matches as TAG (no part of it can hold a `>`).
_TAG_WITH_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)?[^>]*>")


def without_tags(markup: str) -> str:
    """The markup with its tags removed: nothing where an inline tag stood, a space where any other did."""
    # Split at the tags, which leaves each tag's name between the texts; one pass, and no function call per tag.
    parts = _TAG_WITH_NAME.split(markup)
    parts[1::2] = ["" if name is not None and name.lower() in INLINE_TAGS else " " for name in parts[1::2]]
    return "".join(parts)
