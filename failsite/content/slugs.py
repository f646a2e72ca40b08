"""Slugs: lower-case ASCII words joined by hyphens, safe as one URL path segment."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Longer slugs are cut, with a short hash of the whole so two long titles still differ: every slug is a
# folder or file name, and file systems refuse names over 255 bytes.
MAX_SLUG = 80


@lru_cache(maxsize=1 << 16)  # term labels and names repeat across thousands of items
def slugify(text: str) -> str:
    """'Launch too early!' -> 'launch-too-early'; never contains '/', '.' or anything outside [a-z0-9-], and never
    longer than MAX_SLUG characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) <= MAX_SLUG:
        return slug
    return slug[: MAX_SLUG - 9].rstrip("-") + "-" + hashlib.sha256(slug.encode("ascii")).hexdigest()[:8]
