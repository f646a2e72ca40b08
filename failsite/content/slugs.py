"""Slugs: lower-case ASCII words joined by hyphens, safe as one URL path segment."""

from __future__ import annotations

import re
from functools import lru_cache
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)  # term labels and names repeat across thousands of items
def slugify(text: str) -> str:
    """'Launch too early!' -> 'launch-too-early'; never contains '/', '.' or anything outside [a-z0-9-]."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub("-", ascii_text.lower()).strip("-")
