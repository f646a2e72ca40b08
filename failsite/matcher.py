"""Find protected names in text: whole words, any case, any accents, across line breaks and markup.

Names are matched word by word, so `Dana Whitfield`, `dana-whitfield`, `DANA\nWhitfield` and
`Dana's` all match the name "Dana Whitfield". A quick pre-filter (one regex of every first
word) keeps the common case, text with no protected name in it, to a single scan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

_WORD = re.compile(r"[^\W_]+")  # letters and digits: `_Zoë_` is the word Zoë
# What may stand between two words of one name: spaces and line breaks, hyphens, dots,
# apostrophes and inline markup characters (`**Dana** Whitfield`).
_GAP = re.compile(r"[\s\-.'’*_~`]{1,6}")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a word: 'Zoë' -> 'zoe'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(name: str) -> tuple[str, ...]:
    """The folded words of a name, the unit of matching."""
    return tuple(fold(w) for w in _WORD.findall(name))


@dataclass(frozen=True)
class Match:
    """A protected name found in a text: where, and which registry entry it belongs to."""

    start: int
    end: int
    entry: str  # registry entry id


class NameMatcher:
    """Finds every occurrence of a set of names, longest first, as whole words."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        """`names` are (name or alias, entry id) pairs."""
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, entry in names:
            words = name_words(name)
            if words:
                self._by_first.setdefault(words[0], []).append((words, entry))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))  # the longest alias wins
        firsts = sorted(self._by_first, key=len, reverse=True)
        self._prefilter = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, firsts)) + r")(?![^\W_])") if firsts else None

    def might_contain(self, text: str) -> bool:
        """Cheap test: does any first word of any name occur in the text?"""
        return self._prefilter is not None and self._prefilter.search(fold(text)) is not None

    def find(self, text: str) -> list[Match]:
        """Every non-overlapping match, left to right."""
        if not self.might_contain(text):
            return []
        words = list(_WORD.finditer(text))
        folded = [fold(w.group()) for w in words]
        matches: list[Match] = []
        index = 0
        while index < len(words):
            found = self._match_at(text, words, folded, index)
            if found is None:
                index += 1
                continue
            length, entry = found
            matches.append(Match(words[index].start(), words[index + length - 1].end(), entry))
            index += length
        return matches

    def _match_at(self, text: str, words: list[re.Match[str]], folded: list[str],
                  index: int) -> tuple[int, str] | None:
        for name, entry in self._by_first.get(folded[index], ()):
            if index + len(name) > len(words):
                continue
            if all(folded[index + k] == name[k] and _joined(text, words[index + k - 1], words[index + k])
                   for k in range(1, len(name))):
                return len(name), entry
        return None


def _joined(text: str, before: re.Match[str], after: re.Match[str]) -> bool:
    gap = text[before.end():after.start()]
    return _GAP.fullmatch(gap) is not None
