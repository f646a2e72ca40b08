"""Find protected names in text: whole words, in any case, accent, Unicode form or disguise.

Text is compared in one canonical *match form*: compatibility-decomposed (NFKD, so fullwidth
letters, ligatures and mathematical letters become plain ones), accents and other combining marks
removed (so a decomposed `o` + U+0308 reads as `o`), case-folded, characters that editors insert
invisibly inside words removed (soft hyphens, zero-width spaces and joiners, bidirectional
controls, variation selectors), every kind of space made a space, and letters that look the same
in Cyrillic or Greek read as the Latin letter, and so do letters Unicode does not decompose although a
reader reads them as a plain letter with a stroke or without its dot (the Turkish `ı`, `ł`, `ø`, `đ`;
`æ` and `œ` as two letters), so `Sıla Işık`, `SILA IŞIK`, `Sila Isik` and `sıla ışık` are one name.
The registry's names go through the same function, so a name matches whatever form either side was
written in.

Names are matched word by word, so `Dana Whitfield`, `dana-whitfield`, `DANA\\nWhitfield`,
`Dana's` and `Dr. (Dana) [Whitfield]` all match the name "Dana Whitfield". A text is also read as a
reader reads markdown emphasis or escapes inside a word (`Jo*r*dan V_a_le`, `Jor\\dan`, `Jo~r~dan`):
with those characters left out between two letters, so the name is found wherever it is written,
rendered as markdown or not. Positions found in
the match form are mapped back to the original text, so a replacement covers exactly what was
written (combining marks after the last letter included).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

import ahocorasick

_WORD = re.compile(r"[^\W_]+")  # letters and digits: `_Zoë_` is the word Zoë
# What may stand between two words of one name: anything that is not a letter or digit (spaces, line
# breaks, punctuation, symbols, inline markup, an emoji), a dozen characters at most.
_GAP = re.compile(r"[\W_]{1,12}")

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties): invisible, so never part of what a reader sees.
_IGNORABLE_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
                     (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))

# Letters of other scripts drawn exactly like a Latin letter (Unicode's confusables for the common cases).
_LOOKALIKES = {
    # Cyrillic, lower-case (text is lower-cased first, so these cover the capitals too)
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
    "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y",
    # Greek, lower-case
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
}

# Letters drawn as a Latin letter with a stroke or bar, or without its dot, that NFKD leaves whole: read as the plain
# letter (lower-case only: text is lower-cased first). `İ` needs no entry: it decomposes to `i` and a dot.
_PLAIN_LETTERS = {
    "ı": "i", "ȷ": "j", "ł": "l", "ƚ": "l", "ø": "o", "ǿ": "o", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t", "ɨ": "i",
    "ƀ": "b", "ȼ": "c", "ɇ": "e", "ɉ": "j", "ɍ": "r", "ɏ": "y", "ƶ": "z", "ǥ": "g", "ȥ": "z", "ᵻ": "i", "ꞁ": "l",
    "æ": "ae", "œ": "oe", "þ": "th", "ĸ": "k",
}
# Markdown's emphasis, strikethrough and code characters and its escape, between two letters or digits: left out
# when a text is read as a reader reads it (`Jo*r*dan` is Jordan). The underscore also joins words (`dana_whitfield`),
# so a text is read both with it left out and with it kept.
_MARKUP_RUN = re.compile(r"[*_~`\\]+")
_MARKUP_RUN_BUT_UNDERSCORE = re.compile(r"[*~`\\]+")
_MARKUP_CHARS = "*_~`\\"


def is_ignorable(char: str) -> bool:
    """True for a character that displays as nothing (a soft hyphen, a zero-width or bidirectional control)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


class _FormTable(dict[str, str]):
    """Each non-ASCII character's match form (possibly empty or several characters), worked out the first time
    the character is seen."""

    def __missing__(self, char: str) -> str:
        result = _char_form(char)
        self[char] = result
        return result


def _char_form(char: str) -> str:
    if is_ignorable(char):
        return ""
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return ""
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    if char in _PLAIN_LETTERS:
        return _PLAIN_LETTERS[char]
    decomposed = unicodedata.normalize("NFKD", char).casefold()
    # Case folding can add a combining mark ('İ' -> 'i' + U+0307); lookalikes may appear after decomposition.
    return "".join(_LOOKALIKES.get(c, _PLAIN_LETTERS.get(c, c)) for c in unicodedata.normalize("NFKD", decomposed)
                   if not unicodedata.combining(c) and not is_ignorable(c))


_FORMS = _FormTable()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class MatchText:
    """A text in match form, with the way back from a position in the form to one in the original."""

    def __init__(self, original: str, folded: str, lowered: str | None = None):
        self.original = original
        self.folded = folded
        self._lowered = lowered  # set when forms change lengths: the positions are worked out from it if asked

    @cached_property
    def positions(self) -> tuple[int, ...] | None:
        """The original index of each folded character; None when they are the same. Only a text with a match
        needs them, so they are worked out the first time they are asked for."""
        if self._lowered is None:
            return None
        positions: list[int] = []
        for index, char in enumerate(self._lowered):
            if char.isascii():
                positions.append(index)
            else:
                positions.extend(itertools.repeat(index, len(_FORMS[char])))
        return tuple(positions)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded[start:end], widened over marks and invisible characters that
        belong to its last letter."""
        positions = self.positions
        if positions is None:
            return start, end
        original_start = positions[start] if start < len(positions) else len(self.original)
        original_end = positions[end - 1] + 1 if end > 0 else 0
        while original_end < len(self.original) and self.original[original_end] not in " \n" \
                and _FORMS[self.original[original_end]] == "" and not self.original[original_end].isascii():
            original_end += 1
        return original_start, original_end


def match_text(text: str) -> MatchText:
    """The text in match form (see the module's docstring), with its positions."""
    if text.isascii():
        return MatchText(text, text.lower())
    # 'İ' is the one character whose lower() is two characters; its match form is 'i' all the same.
    lowered = text.replace("\u0130", "I").lower()
    # Most non-ASCII characters of a page are their own match form (dashes, quotes, arrows, emoji): only runs of
    # the others are translated, which on a page of prose and markup is a handful instead of one run per dash.
    forms = {c: form for c in set(_NON_ASCII.findall(lowered)) if (form := _FORMS[c]) != c}
    if not forms:
        return MatchText(text, lowered)
    changing = re.compile("[" + "".join(sorted(forms)) + "]+")  # no ASCII, so nothing to escape in the class
    table = {ord(c): form for c, form in forms.items()}
    folded = changing.sub(lambda run: run.group().translate(table), lowered)
    singles = all(len(form) == 1 for form in forms.values())
    return MatchText(text, folded, None if singles else lowered)


class JoinedText(MatchText):
    """A text in match form with markdown's characters inside words left out (`jo*r*dan` read as `jordan`), with
    the way back to the original through the form it was made from."""

    def __init__(self, form: MatchText, folded: str, removals: list[tuple[int, int]]):
        super().__init__(form.original, folded)
        self.form = form
        # Where, in the joined text, characters were left out, and how many had been left out up to there.
        self._at = [at for at, _ in removals]
        self._removed = [removed for _, removed in removals]

    def _in_form(self, index: int) -> int:
        place = bisect.bisect_right(self._at, index) - 1
        return index + (self._removed[place] if place >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.form.span(self._in_form(start), self._in_form(end - 1) + 1 if end > start else self._in_form(start))


def without_intraword_markup(form: MatchText) -> list[JoinedText]:
    """The text as a reader reads `Jo*r*dan V_a_le` or `Jor\\dan`: markdown's emphasis, code and escape characters
    between two letters left out (with underscores left out, and kept); none when it has no such characters."""
    folded = form.folded
    if not any(char in folded for char in _MARKUP_CHARS):
        return []
    readings = [joined for pattern in (_MARKUP_RUN_BUT_UNDERSCORE, _MARKUP_RUN)
                if (joined := _joined(form, pattern)) is not None]
    return readings[1:] if len(readings) == 2 and readings[0].folded == readings[1].folded else readings


def _joined(form: MatchText, pattern: re.Pattern[str]) -> JoinedText | None:
    """The text with each run of `pattern` that stands between two letters or digits left out (None: there is none)."""
    folded = form.folded
    pieces: list[str] = []
    removals: list[tuple[int, int]] = []
    cursor = removed = 0
    for run in pattern.finditer(folded):
        if not (run.start() and run.end() < len(folded) and folded[run.start() - 1].isalnum()
                and folded[run.end()].isalnum()):
            continue
        pieces.append(form.folded[cursor:run.start()])
        removed += run.end() - run.start()
        removals.append((run.end() - removed, removed))  # where the text after the run starts, once joined
        cursor = run.end()
    if not removals:
        return None
    pieces.append(form.folded[cursor:])
    return JoinedText(form, "".join(pieces), removals)


def fold(text: str) -> str:
    """The match form of a text: 'Zoë' -> 'zoe', 'ＤＡＮＡ' -> 'dana', 'Bjo\\u0308rn' -> 'bjorn'."""
    return match_text(text).folded


def name_words(name: str) -> tuple[str, ...]:
    """The folded words of a name, the unit of matching."""
    return tuple(_WORD.findall(fold(name)))


@dataclass(frozen=True)
class Match:
    """A protected name found in a text: where, and which registry entry it belongs to."""

    start: int
    end: int
    entry: str  # registry entry id
    name: str = ""  # the registered name or alias that matched


class NameMatcher:
    """Finds every occurrence of a set of names, longest first, as whole words."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        """`names` are (name or alias, entry id) pairs."""
        # Each name by its words (the first entry given a name keeps it), looked up longest first from a first word.
        self._by_words: dict[tuple[str, ...], tuple[str, str]] = {}
        for name, entry in names:
            words = name_words(name)
            if words:
                self._by_words.setdefault(words, (entry, name))
        first_words = {words[0] for words in self._by_words}
        self._longest = max((len(words) for words in self._by_words), default=0)
        # Aho-Corasick finds every first word in one pass over the text, whatever the number of names.
        self._first_words: Any = None
        self._last: tuple[str, list[tuple[MatchText, list[int]]]] | None = None
        if first_words:
            self._first_words = ahocorasick.Automaton()
            for word in sorted(first_words):
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

    def _readings(self, text: str) -> list[tuple[MatchText, list[int]]]:
        """The text in match form and, when it has markdown characters inside words, as a reader reads them, each
        with its first-word starts; the last text's are kept, since a caller that asked `might_contain` goes on to
        `find` in the same text."""
        last = self._last  # read once: a matcher may be shared, and another thread may replace it meanwhile
        if last is None or last[0] != text:
            form = match_text(text)
            readings: list[tuple[MatchText, list[int]]] = [(form, self._starts(form.folded))]
            readings += [(joined, self._starts(joined.folded)) for joined in without_intraword_markup(form)]
            last = self._last = (text, readings)
        return last[1]

    def might_contain(self, text: str) -> bool:
        """Cheap test: does any first word of any name occur in the text?"""
        return self._first_words is not None and any(starts for _, starts in self._readings(text))

    def find(self, text: str) -> list[Match]:
        """Every non-overlapping match, left to right, as spans of the original text."""
        if self._first_words is None:
            return []
        found: list[Match] = []
        readings = self._readings(text)
        for form, starts in readings:
            folded_end = -1
            for start in starts:
                if start < folded_end:
                    continue
                match = self._match_from(form.folded, start)
                if match is not None:
                    folded_end = match.end
                    original_start, original_end = form.span(match.start, match.end)
                    found.append(Match(original_start, original_end, match.entry, match.name))
        if len(readings) == 1 or len(found) < 2:
            return found
        matches: list[Match] = []  # both readings: the longest of those that overlap, left to right
        for match in sorted(found, key=lambda m: (m.start, m.start - m.end)):
            if not matches or match.start >= matches[-1].end:
                matches.append(match)
        return matches

    def _match_from(self, folded: str, start: int) -> Match | None:
        """The longest name whose words follow one another from `start`, each gap a short run of non-letters."""
        words: list[str] = []
        ends: list[int] = []
        for word in _WORD.finditer(folded, start):
            if ends and not _GAP.fullmatch(folded, ends[-1], word.start()):
                break
            words.append(word.group())
            ends.append(word.end())
            if len(words) == self._longest:
                break
        for length in range(len(words), 0, -1):
            found = self._by_words.get(tuple(words[:length]))
            if found is not None:
                return Match(start, ends[length - 1], *found)
        return None
