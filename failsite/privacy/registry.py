"""The private registry of real people and organisations, and their stable pseudonyms."""

from __future__ import annotations

import hmac
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from failsite.content.items import BIDI_CONTROLS
from failsite.content.schema import SHARED_AUDIENCES, Field, naming_audience, read_mapping
from failsite.content.yamlnodes import YamlNode, load_yaml_file
from failsite.errors import Diagnostic, FailsiteError, error
from failsite.privacy.emails import EmailOwners
from failsite.privacy.matcher import NameMatcher, fold, name_words

CONSENTS = ("named", "pseudonym", "withheld")
# Where `consent: named` shows the real name unless the entry says otherwise: in front of colleagues.
# Agreeing to be named on the intranet is not agreeing to be named on the open web.
NAMED_BY_DEFAULT = ("internal", "restricted")
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PHONE_DIGITS = 7
SECRET_ENV = "FAILSITE_SECRET"

# Generated pseudonyms: a given name and a nature word, clearly invented, 2,400 combinations.
_GIVEN = ("Alex", "Ari", "Bailey", "Blair", "Cam", "Casey", "Charlie", "Dakota", "Drew", "Eden", "Ellis", "Emery",
          "Finley", "Frankie", "Gray", "Harper", "Hayden", "Indigo", "Jamie", "Jesse", "Jordan", "Jules", "Kai",
          "Kendall", "Lane", "Lee", "Logan", "Marley", "Micah", "Morgan", "Noel", "Oakley", "Parker", "Peyton",
          "Quinn", "Reese", "Remy", "Riley", "Robin", "Rowan", "Sage", "Sam", "Sasha", "Shay", "Skyler", "Sol",
          "Tatum", "Teagan", "Toby", "Val", "Wren", "Yael", "Zion", "Ash", "Bo", "Carey", "Devon", "Emerson",
          "Hollis", "Jody")
_FAMILY = ("Alder", "Aspen", "Bay", "Birch", "Brook", "Cedar", "Clay", "Cove", "Dale", "Elm", "Fern", "Field",
           "Finch", "Flint", "Ford", "Glen", "Hale", "Hawthorn", "Heath", "Holt", "Lark", "Lea", "Linden", "Marsh",
           "Moss", "North", "Oak", "Pike", "Reed", "Ridge", "Rook", "Rush", "Shaw", "Sparrow", "Stone", "Vale",
           "Wade", "Willow", "Wood", "Yarrow")

_PERSON_FIELDS = (
    Field("name", "string", "the person's real name", required=True),
    Field("aliases", "strings", "other ways the text may name them: first name, surname, initials"),
    Field("emails", "strings", "their email addresses"),
    Field("phones", "strings", "their phone numbers"),
    Field("consent", "choice", "named, pseudonym or withheld (default pseudonym)", choices=CONSENTS),
    Field("named_in", "strings", "with consent: named, the audiences that see the real name "
          "(default internal, restricted; add public only with consent to be named on the open web)"),
    Field("pseudonym", "string", "the name to publish instead (default: a generated one)"),
    Field("role", "string", "their role, for your own notes"),
)
_ORG_FIELDS = (
    Field("name", "string", "the organisation's real name", required=True),
    Field("aliases", "strings", "other names for it"),
    Field("emails", "strings", "email addresses that identify it"),
    Field("consent", "choice", "named or pseudonym (default pseudonym)", choices=CONSENTS),
    Field("named_in", "strings", "with consent: named, the audiences that see the real name (default internal, restricted)"),
    Field("pseudonym", "string", "the phrase to publish instead, e.g. 'a retail client'"),
)
_REGISTRY_FIELDS = (
    Field("secret", "string", "private text that keys generated pseudonyms (or set FAILSITE_SECRET)"),
    Field("people", "raw", "the people, a list of entries"),
    Field("organisations", "raw", "the organisations, a list of entries"),
)


@dataclass(frozen=True)
class Entry:
    """A protected person or organisation: every way the text may name them, and what to publish."""

    id: str  # "people[0]", "organisations[1]": how findings refer to the entry
    kind: str  # person or organisation
    name: str
    aliases: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    consent: str
    pseudonym: str
    line: int
    named_in: tuple[str, ...] = NAMED_BY_DEFAULT

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def named_for(self, audience: str) -> bool:
        """Whether this entry's real name may be shown to the audience (consent named, and that audience agreed)."""
        return self.consent == "named" and naming_audience(audience) in self.named_in


def names_matcher(entries: Iterable[Entry]) -> NameMatcher:
    """A matcher of the entries' names and aliases, each found as its entry's id."""
    return NameMatcher((name, e.id) for e in entries for name in e.names)


@dataclass(frozen=True)
class Registry:
    """Every protected entry, by id; empty when the site has no registry."""

    entries: tuple[Entry, ...]
    path: Path | None = None

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def named(self, text: str) -> str | None:
        """The entry whose id is `text`, or one of whose names it is (in any Unicode form and spacing)."""
        return text.strip() if text.strip() in self._by_id else self._by_name.get(fold(" ".join(text.split())))

    @cached_property
    def matcher(self) -> NameMatcher:
        """Finds every entry's names and aliases in a text (made once: the anonymiser and each audit share it)."""
        return names_matcher(self.entries)

    @cached_property
    def _by_name(self) -> dict[str, str]:
        return {fold(" ".join(name.split())): e.id for e in reversed(self.entries) for name in e.names}

    def email_owner(self) -> EmailOwners:
        """Registered email addresses in match form, each with its entry's id."""
        return EmailOwners({fold(email): e.id for e in self.entries for email in e.emails})

    def phone_owner(self) -> dict[str, str]:
        """Registered phone numbers by their significant digits (see `phone_key`)."""
        return {phone_key(phone): e.id for e in self.entries for phone in e.phones if phone_key(phone)}


EMPTY_REGISTRY = Registry(())


def phone_key(text: str) -> str:
    """The digits that identify a phone number however it is written: the last nine (so +44 161 496 0718,
    0044 161 4960718, (0161) 496-0718 and +441614960718 are one number); fewer when it has fewer."""
    digits = "".join(c for c in fold(text) if c.isdigit())
    return digits[-9:]


def load_registry(path: Path, shown: str) -> Registry:
    """Read and validate the registry file; every problem is reported at once."""
    root, diagnostics = load_yaml_file(path, shown, "create the registry, or fix `anonymise.registry` in site.yaml")
    if root is None:
        raise FailsiteError(diagnostics)
    top = read_mapping(root, _REGISTRY_FIELDS, shown, {}, diagnostics, "registry key")
    entries: list[Entry] = []
    for kind, key, fields in (("person", "people", _PERSON_FIELDS), ("organisation", "organisations", _ORG_FIELDS)):
        node = root.items.get(key)
        for index, element in enumerate(_elements(node, key, shown, diagnostics)):
            values = read_mapping(element, fields, shown, {}, diagnostics, f"key of a {kind}")
            if not values.get("name"):
                continue
            named_in = tuple(values.get("named_in") or NAMED_BY_DEFAULT)
            for audience in named_in:
                if audience not in SHARED_AUDIENCES:
                    diagnostics.append(error(shown, element.key_line("named_in"), f"'named_in' has unknown audience "
                                             f"'{audience}'", "audiences: " + ", ".join(SHARED_AUDIENCES)))
            entries.append(Entry(f"{key}[{index}]", kind, values["name"], tuple(values.get("aliases") or ()),
                                 tuple(values.get("emails") or ()), tuple(values.get("phones") or ()),
                                 values.get("consent") or "pseudonym", values.get("pseudonym") or "", element.line,
                                 named_in))
            diagnostics += _unmatchable(entries[-1], element, shown) + _comma_lists(element, shown)
    secret = os.environ.get(SECRET_ENV) or top.get("secret") or ""
    diagnostics += _ambiguities(entries, shown)
    if any(d.severity == "error" for d in diagnostics):
        raise FailsiteError(diagnostics)
    return Registry(_with_pseudonyms(entries, secret, shown), path)


def _elements(node: YamlNode | None, key: str, shown: str, diagnostics: list[Diagnostic]) -> list[YamlNode]:
    if node is None or (node.kind == "scalar" and node.tag == "null"):  # `people:` with every entry commented out
        return []
    if node.kind != "seq":
        diagnostics.append(error(shown, node.line, f"'{key}' must be a list of entries, each starting with `- name:`",
                                 f"write `{key}:` then one `- name: ...` per entry"))
        return []
    return node.elements


def _comma_lists(node: YamlNode, shown: str) -> list[Diagnostic]:
    """An error for `aliases: Marguerite, Tolland` written without brackets: YAML reads one alias with a comma in it,
    which no story writes, so neither name would ever be replaced."""
    found = []
    for field in ("aliases", "emails", "phones"):
        value = node.items.get(field)
        if value is not None and value.kind == "scalar" and "," in value.text:
            parts = ", ".join(p.strip() for p in value.text.split(",") if p.strip())
            found.append(error(shown, value.line, f"'{field}' is one text with commas in it, not a list: "
                               f"'{value.text}'", f"write a list in brackets: `{field}: [{parts}]`", value.col))
    return found


def _unmatchable(entry: Entry, node: YamlNode, shown: str) -> list[Diagnostic]:
    """What in an entry cannot be matched reliably in text: an error, never a silent miss."""
    found = []
    for field, values in (("name", (entry.name,)), ("aliases", entry.aliases), ("emails", entry.emails),
                          ("phones", entry.phones), ("pseudonym", (entry.pseudonym,))):
        line = node.key_line(field)
        for value in values:
            if BIDI_CONTROLS.search(value):
                found.append(error(shown, line, f"'{field}' of {entry.id} holds a bidirectional control character, "
                                   "which makes text display differently from how it reads",
                                   "retype the value without it"))
    for name in entry.names:
        words = name_words(name)
        if len(words) == 1 and len(words[0]) < 2:
            found.append(error(shown, node.key_line("aliases"), f"the alias '{name}' of {entry.id} is a single letter, "
                               "which would be replaced wherever that letter stands as a word",
                               "write the alias with the surname, e.g. 'D. Whitfield'"))
    for email in entry.emails:
        if not _EMAIL_SHAPE.match(fold(email)):
            found.append(error(shown, node.key_line("emails"), f"'{email}' of {entry.id} is not an email address",
                               "write the whole address, e.g. name@example.com"))
    for phone in entry.phones:
        if len(phone_key(phone)) < MIN_PHONE_DIGITS:
            found.append(error(shown, node.key_line("phones"), f"'{phone}' of {entry.id} has fewer than "
                               f"{MIN_PHONE_DIGITS} digits, too few to tell it from other numbers",
                               "write the whole number with its area code"))
    return found


def _ambiguities(entries: list[Entry], shown: str) -> list[Diagnostic]:
    """An alias that names two entries cannot be replaced safely: which pseudonym would it get?"""
    owner: dict[tuple[str, ...], Entry] = {}
    diagnostics = []
    for entry in entries:
        for name in entry.names:
            words = name_words(name)
            if not words:
                diagnostics.append(error(shown, entry.line, f"'{name}' has no letters or digits to match",
                                         "remove it or write the name in letters"))
                continue
            other = owner.get(words)
            if other is not None and other.id != entry.id:
                diagnostics.append(error(shown, entry.line, f"'{name}' names both {other.name} ({other.id}) "
                                         f"and {entry.name} ({entry.id})",
                                         "make the alias longer (e.g. add the surname) so it names one entry"))
            owner.setdefault(words, entry)
    matcher = names_matcher(entries)
    for entry in entries:
        for found in matcher.find(entry.pseudonym):
            diagnostics.append(error(shown, entry.line, f"the pseudonym '{entry.pseudonym}' contains the protected name "
                                     f"'{entry.pseudonym[found.start:found.end]}' ({found.entry})",
                                     "choose a pseudonym that shares no word with a registered name"))
    return diagnostics


def _with_pseudonyms(entries: list[Entry], secret: str, shown: str) -> tuple[Entry, ...]:
    """Give every entry without a pseudonym a generated one: stable, unique, and sharing no word with a registered name.

    Each person's candidates are drawn from a keyed hash of their name, so nothing reverses them without the
    secret: first a few tries among given x family names, then given x family-family (96,000 more), then a
    numbered `Person` with as many digits as the registry needs. A registry of tens of thousands of people
    (an HR export) is named in about a second; a small one gets the names it always had."""
    taken = {name_words(e.pseudonym) for e in entries if e.pseudonym}
    protected_words = {w for e in entries for name in e.names for w in name_words(name)}
    needs = [e for e in entries if not e.pseudonym and e.kind == "person"]
    if needs and not secret:
        raise FailsiteError([error(shown, 1, "the registry needs a `secret:` to generate pseudonyms",
                                   f"add `secret: <long random text>` to the registry (keep it private) or set "
                                   f"{SECRET_ENV}; or give every person a `pseudonym:`")])
    # The second tier draws only from words no registered name uses, so a registry that holds most common
    # given names (an HR export) still gets readable pseudonyms there.
    given = [g for g in _GIVEN if fold(g) not in protected_words]
    family = [f for f in _FAMILY if fold(f) not in protected_words]
    numbered = 10 ** max(5, len(str(len(needs) * 10)))
    capacity = [len(_GIVEN) * len(_FAMILY), len(given) * len(family) * max(len(family) - 1, 0), numbered]
    used = [0, 0, 0]
    key = secret.encode("utf-8")
    generated: dict[str, str] = {}
    words_of: dict[str, tuple[str, ...]] = {}
    # Assign in the order of the keyed hash, not the file's order, so that reordering the file changes nothing.
    for entry in sorted(needs, key=lambda e: _keyed(key, fold(e.name), 0)):
        # A tier three-quarters full is passed over: most of its tries would collide.
        open_tiers = tuple(used[n] < capacity[n] * 3 // 4 for n in range(2))
        for tier, candidate in _candidates(key, fold(entry.name), given, family, numbered, open_tiers):
            words = words_of.get(candidate) or words_of.setdefault(candidate, name_words(candidate))
            if words not in taken and not (set(words) & protected_words):
                taken.add(words)
                used[tier] += 1
                generated[entry.id] = candidate
                break
    result = []
    for entry in entries:
        pseudonym = entry.pseudonym or generated.get(entry.id) or "an organisation"
        result.append(Entry(entry.id, entry.kind, entry.name, entry.aliases, entry.emails, entry.phones,
                            entry.consent, pseudonym, entry.line, entry.named_in))
    return tuple(result)


_TRIES = 8  # candidates a person draws from each of the named tiers before the next


def _candidates(key: bytes, name: str, given: list[str], family: list[str], numbered: int,
                open_tiers: tuple[bool, bool]) -> Iterator[tuple[int, str]]:
    """A person's pseudonym candidates with their tier, in order; the last tier never runs out."""
    if open_tiers[0]:
        for attempt in range(_TRIES):
            digest = _keyed(key, name, attempt)
            yield 0, f"{_GIVEN[digest % len(_GIVEN)]} {_FAMILY[(digest // len(_GIVEN)) % len(_FAMILY)]}"
    if open_tiers[1] and given and len(family) > 1:
        for attempt in range(_TRIES):
            digest = _keyed(key, name, 1000 + attempt)
            first = family[(digest // len(given)) % len(family)]
            second = family[(digest // len(given) // len(family)) % len(family)]
            if first != second:
                yield 1, f"{given[digest % len(given)]} {first}-{second}"
    digest = _keyed(key, name, 2000)
    width = len(str(numbered - 1))
    for step in range(numbered):
        yield 2, f"Person {(digest + step) % numbered:0{width}d}"


def _keyed(key: bytes, name: str, attempt: int) -> int:
    return int.from_bytes(hmac.digest(key, f"{name}\x00{attempt}".encode("utf-8"), "sha256")[:8], "big")
