"""Find protected names in text: whole words, any case, any accents, across line breaks and markup.

Names are matched word by word, so `Dana Whitfield`, `dana-whitfield`, `DANA\nWhitfield` and
`Dana's` all match the name "Dana Whitfield". Text is folded character by character (case and
accents removed, length kept), so one regex of every name's first word finds the few places
worth a closer look, and positions in the folded text are positions in the original.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

import ahocorasick

_WORD = re.compile(r"[^\W_]+")  # letters and digits: `_Zoë_` is the word Zoë
# What may stand between two words of one name: spaces and line breaks, hyphens, dots,
# apostrophes and inline markup characters (`**Dana** Whitfield`).
_GAP = re.compile(r"[\s\-.'’*_~`]{1,6}")


class _FoldTable(dict[int, str]):
    """Each character's case- and accent-free form when that is one other character ('É' -> 'e'), else the
    character itself; worked out the first time a character is seen (the whole table would take 0.4 s)."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
        result = folded if len(folded) == 1 and codepoint < 0x30000 else char
        self[codepoint] = result
        return result


_FOLD_TABLE = _FoldTable()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text, of the same length: 'Zoë' -> 'zoe'."""
    if text.isascii():
        return text.lower()
    # lower() keeps the length for every character but one; the rest go through the table.
    lowered = text.replace("\u0130", "i").lower()
    return _NON_ASCII.sub(lambda run: run.group().translate(_FOLD_TABLE), lowered)


def name_words(name: str) -> tuple[str, ...]:
    """The folded words of a name, the unit of matching."""
    return tuple(_WORD.findall(fold(name)))


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
        self._longest = max((len(w) for c in self._by_first.values() for w, _ in c), default=0)
        # Aho-Corasick finds every first word in one pass over the text, whatever the number of names.
        self._first_words: Any = None
        self._last: tuple[str, str, list[int]] | None = None
        if self._by_first:
            self._first_words = ahocorasick.Automaton()
            for word in self._by_first:
                self._first_words.add_word(word, len(word))
            self._first_words.make_automaton()

    def _starts(self, folded: str) -> list[int]:
        """Where a first word of some name stands as a whole word, in order."""
        starts = set()
        for end, length in self._first_words.iter(folded):
            start = end - length + 1
            if (start == 0 or not folded[start - 1].isalnum()) and (end + 1 == len(folded) or not folded[end + 1].isalnum()):
                starts.add(start)
        return sorted(starts)

    def _folded_starts(self, text: str) -> tuple[str, list[int]]:
        """The folded text and its first-word starts; the last text's are kept, since a caller that asked
        `might_contain` goes on to `find` in the same text."""
        if self._last is None or self._last[0] != text:
            folded = fold(text)
            self._last = (text, folded, self._starts(folded))
        return self._last[1], self._last[2]

    def might_contain(self, text: str) -> bool:
        """Cheap test: does any first word of any name occur in the text?"""
        return self._first_words is not None and bool(self._folded_starts(text)[1])

    def find(self, text: str) -> list[Match]:
        """Every non-overlapping match, left to right."""
        if self._first_words is None:
            return []
        folded, starts = self._folded_starts(text)
        matches: list[Match] = []
        for start in starts:
            if matches and start < matches[-1].end:
                continue
            found = self._match_from(folded, start)
            if found is not None:
                matches.append(found)
        return matches

    def _match_from(self, folded: str, start: int) -> Match | None:
        words = list(itertools.islice(_WORD.finditer(folded, start), self._longest))
        for name, entry in self._by_first.get(words[0].group(), ()):
            if len(name) > len(words):
                continue
            if all(words[k].group() == name[k] and _GAP.fullmatch(folded, words[k - 1].end(), words[k].start())
                   for k in range(1, len(name))):
                return Match(start, words[len(name) - 1].end(), entry)
        return None
