"""Slugs: lower-case ASCII words joined by hyphens, safe as one URL path segment."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """'Launch too early!' -> 'launch-too-early'; never contains '/', '.' or anything outside [a-z0-9-]."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub("-", ascii_text.lower()).strip("-")
