"""`failsite check` helper: likely person names that nobody registered.

The first-name list is the data file of the gender-guesser package (about 40,000 names from
many countries); we read only its names and how common each is.
"""

from __future__ import annotations

import calendar
import re
from functools import cache, lru_cache
from importlib import resources
from collections.abc import Set
from dataclasses import dataclass
from typing import Iterable

from failsite.content.discover import Source
from failsite.errors import Diagnostic, warning
from failsite.privacy.matcher import NameMatcher, fold
from failsite.privacy.registry import Registry

# How common a name must be, on the list's 1 (rare) to 13 (very common) scale, in at least one country.
_COMMON = 4
# A word of letters in any script (`Kowalczyć`, `O'Neill`), and (looked at, not consumed) the word after it;
# which of them are capitalised is decided in code, since `re` has no class for upper-case letters.
_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)?"
# A first word starting with anything but an ASCII lower-case letter: most words are skipped by the pattern itself.
_FIRST_WORD = r"[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)?"  # as _WORD, but not starting with a to z
_CAPITALISED = re.compile(rf"(?<![^\W_])({_FIRST_WORD})(?![^\W_])(?=(?:[ ]({_WORD})(?![^\W_]))?)")
_LOWER_WORD = re.compile(r"(?<![^\W_])[^\W\d_]+(?![^\W_])")
_LINE_START = re.compile(r"^\s*(?:[-*+>#]+\s*|\d+[.)]\s*|[\w-]+:\s*(?:-\s*)?|\|\s*)*")
_SENTENCE_END = re.compile(r"[.!?:;\"“(|]\s*$")


@cache
def common_first_names() -> frozenset[str]:
    """Folded first names common enough in some country to be worth a warning."""
    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    names = set()
    for line in data.splitlines():
        if line.startswith("#") or len(line) < 31:
            continue
        name = line[3:29].strip()
        frequencies = [int(c, 16) for c in line[30:] if c in "0123456789ABCDEF"]
        if name and "+" not in name and frequencies and max(frequencies) >= _COMMON:
            names.add(fold(name))
    return frozenset(names)


@dataclass(frozen=True)
class NameScan:
    """What the name checks need of one source, found once for its text and the registry: each word it writes in
    lower case (folded) with the first line it is on, in the order first written, and each common first name it
    writes capitalised outside a YAML comment: (line, start, end, the name, the capitalised word after it or '',
    whether a registered name covers it, whether it opens a sentence)."""

    lower: tuple[tuple[str, int], ...]
    capitals: tuple[tuple[int, int, int, str, str, bool, bool], ...]


def registry_matcher(registry: Registry) -> NameMatcher:
    """The registry's names and pseudonyms, to tell a registered name from one nobody registered."""
    return NameMatcher([(n, e.id) for e in registry.entries for n in (*e.names, e.pseudonym)])


def scan_names(text: str, matcher: NameMatcher) -> NameScan:
    """One source's `NameScan`."""
    names = common_first_names()
    capitals = []
    lines = text.splitlines()
    comments = _front_matter_comments(lines)
    for number, line in enumerate(lines, 1):
        if number in comments:
            continue  # a YAML comment is never published
        covered: list[tuple[int, int]] | None = None  # the registered names on the line, found once a name is
        prefix = _LINE_START.match(line)
        body_start = prefix.end() if prefix else 0
        for m in _CAPITALISED.finditer(line):
            first, second = m.group(1), m.group(2)
            if not _is_capitalised(first) or _fold_word(first) not in names:
                continue
            if covered is None:
                covered = [(found.start, found.end) for found in matcher.find(line)]
            capitals.append((number, m.start(), m.end(), first, second if second and _is_capitalised(second) else "",
                             any(start <= m.start() < end for start, end in covered),
                             m.start() <= body_start or _SENTENCE_END.search(line[:m.start()]) is not None))
    return NameScan(tuple(_lower_words(text).items()), tuple(capitals))


def _lower_words(text: str) -> dict[str, int]:
    """Each word a text writes in lower case, folded, with the first line it is on; words in addresses left out,
    where a name is written in lower case (marguerite.tolland@example.org)."""
    found: dict[str, int] = {}
    for number, line in enumerate(_ADDRESSES.sub(" ", text).splitlines(), 1):
        for word in _LOWER_WORD.findall(line):
            if word.islower():
                found.setdefault(_fold_word(word), number)
    return found


def lowercase_words(sources: list[Source], texts: dict[str, str],
                    scans: dict[str, NameScan] | None = None) -> dict[str, tuple[str, int]]:
    """Every word the sources write in lower case, folded, with the first place it is written (shown path, line)
    (from their `scans`, when already made)."""
    found: dict[str, tuple[str, int]] = {}
    for source in sources:
        words = scans[source.key].lower if scans is not None else _lower_words(texts.get(source.key, "")).items()
        for word, number in words:
            found.setdefault(word, (source.shown, number))
    return found


def unregistered_names(sources: list[Source], texts: dict[str, str], registry: Registry,
                       lowercase: dict[str, tuple[str, int]] | None = None,
                       scans: dict[str, NameScan] | None = None) -> list[Diagnostic]:
    """Warnings for capitalised common first names in the sources that the registry does not cover (`lowercase`:
    the sources' `lowercase_words`, and `scans` their `NameScan`s, when already found)."""
    matcher = registry_matcher(registry)
    if scans is None:
        scans = {s.key: scan_names(texts.get(s.key, ""), matcher) for s in sources}
    # A word written in lower case elsewhere is most often not a name.
    lowercase = lowercase if lowercase is not None else lowercase_words(sources, texts, scans)
    not_names = lowercase.keys() | {fold(m) for m in (*calendar.month_name, *calendar.day_name) if m}
    diagnostics = _names_in_paths(sources, common_first_names(), not_names, matcher)
    for source in sources:
        reported: set[str] = set()
        for number, name, column in _names_found(scans[source.key], not_names):
            if name not in reported:
                reported.add(name)
                diagnostics.append(warning(
                    source.shown, number, f"'{name}' looks like a person's name that is not in the registry",
                    "register them (consent: named if they agreed to be named), or ignore this if it is not a person",
                    column))
    return diagnostics


def _names_found(scan: NameScan, not_names: Set[str]) -> Iterable[tuple[int, str, int]]:
    """The names of a source's scan that look like a person's: (line, name, column)."""
    line, taken_until = 0, 0  # the end of the last name found on the line: its surname is not a name of its own
    for number, start, end, first, second, covered, opens_sentence in scan.capitals:
        if number != line:
            line, taken_until = number, 0
        if start < taken_until or _fold_word(first) in not_names or covered:
            continue
        if opens_sentence and not second:
            continue  # a capitalised word opening a sentence is most often not a name
        taken_until = end + (1 + len(second) if second else 0)
        yield number, (f"{first} {second}" if second else first), start + 1


def _names_in_paths(sources: list[Source], names: frozenset[str], not_names: set[str],
                    matcher: NameMatcher) -> list[Diagnostic]:
    """Warnings for common first names in file and folder names under content/: a story's address is made from
    them (`marguerite-tolland-review.md`), and nothing in its text may show the name capitalised."""
    found, reported = [], set()
    for source in sources:
        parts = source.key.split("/")[1:]  # the type's folder itself names no one
        for part in parts:
            stem = part.removesuffix(".md")
            words = [w for w in re.split(r"[-_.\s]+", stem) if w]
            spaced = " ".join(words)
            covered = {fold(w) for m in matcher.find(spaced) for w in spaced[m.start:m.end].split()}
            # A first name followed by a word the stories never write in lower case (a surname): `long.md` or
            # `will-it-ship.md` are no one's name.
            for word, following in zip(words, words[1:]):
                folded = fold(word)
                if folded in names and folded not in not_names and folded not in covered and \
                        fold(following) not in not_names and (part, word) not in reported:
                    reported.add((part, word))
                    shown = f"{word} {following}"
                    found.append(warning(source.shown, 1, f"the file or folder name '{part}' holds '{shown}', which "
                                         "looks like a person's name that is not in the registry: the page's address "
                                         "is made from it", "register them (the address is then made with their "
                                         "pseudonym), or rename the file"))
    return found


def everyday_word_aliases(registry: Registry, shown: str, sources: list[Source], texts: dict[str, str],
                          lowercase: dict[str, tuple[str, int]] | None = None) -> list[Diagnostic]:
    """Warnings for registered one-word names and aliases that the stories also use as ordinary words ('Teller' and
    'the bank teller'): names are matched whatever their case, so each of those words is replaced too (`lowercase`:
    the sources' `lowercase_words`, when already found)."""
    lowercase = lowercase if lowercase is not None else lowercase_words(sources, texts)
    found = []
    for entry in registry.entries:
        for name in entry.names:
            if " " in name.strip() or fold(name) not in lowercase:
                continue
            key, number = lowercase[fold(name)]
            found.append(warning(shown, entry.line, f"'{name}' ({entry.id}) is also an everyday word the "
                                 f"stories use ('{name.lower()}' in {key}, line {number}): every such word is replaced "
                                 "by the person's published name", "register a longer form of the name (a first and "
                                 "last name) instead of this one word, or rewrite the sentences that use the word"))
    return found


_ADDRESSES = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+")
_fold_word = lru_cache(maxsize=1 << 16)(fold)  # a site's stories use few distinct words, each many times


def _front_matter_comments(lines: list[str]) -> set[int]:
    """The numbers of the lines of a file's front matter that are YAML comments."""
    if not lines or lines[0].strip() != "---":
        return set()
    found = set()
    for number, line in enumerate(lines[1:], 2):
        if line.strip() == "---":
            break
        if line.lstrip().startswith("#"):
            found.add(number)
    return found


def _is_capitalised(word: str) -> bool:
    """`Ida`, `Żaneta`: an upper-case letter, then lower-case ones (not `NASA`, not `ida`)."""
    return word[0].isupper() and any(c.islower() for c in word[1:])
