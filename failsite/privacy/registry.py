"""The private registry of real people and organisations, and their stable pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from failsite.errors import Diagnostic, FailsiteError, error
from failsite.privacy.matcher import NameMatcher, fold, name_words
from failsite.content.schema import Field, read_mapping
from failsite.content.yamlnodes import YamlNode, load_yaml

CONSENTS = ("named", "pseudonym", "withheld")
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
    Field("pseudonym", "string", "the name to publish instead (default: a generated one)"),
    Field("role", "string", "their role, for your own notes"),
)
_ORG_FIELDS = (
    Field("name", "string", "the organisation's real name", required=True),
    Field("aliases", "strings", "other names for it"),
    Field("emails", "strings", "email addresses that identify it"),
    Field("consent", "choice", "named or pseudonym (default pseudonym)", choices=CONSENTS),
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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


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

    def email_owner(self) -> dict[str, str]:
        return {fold(email): e.id for e in self.entries for email in e.emails}

    def phone_owner(self) -> dict[str, str]:
        return {_digits(phone): e.id for e in self.entries for phone in e.phones if _digits(phone)}


EMPTY_REGISTRY = Registry(())


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def load_registry(path: Path, shown: str) -> Registry:
    """Read and validate the registry file; every problem is reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FailsiteError([error(shown, 1, "the registry file does not exist",
                                   "create it, or fix `anonymise.registry` in site.yaml")]) from None
    root, diagnostics = load_yaml(text, shown)
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
            entries.append(Entry(f"{key}[{index}]", kind, values["name"], tuple(values.get("aliases") or ()),
                                 tuple(values.get("emails") or ()), tuple(values.get("phones") or ()),
                                 values.get("consent") or "pseudonym", values.get("pseudonym") or "", element.line))
    secret = os.environ.get(SECRET_ENV) or top.get("secret") or ""
    diagnostics += _ambiguities(entries, shown)
    if any(d.severity == "error" for d in diagnostics):
        raise FailsiteError(diagnostics)
    return Registry(_with_pseudonyms(entries, secret, shown), path)


def _elements(node: YamlNode | None, key: str, shown: str, diagnostics: list[Diagnostic]) -> list[YamlNode]:
    if node is None:
        return []
    if node.kind != "seq":
        diagnostics.append(error(shown, node.line, f"'{key}' must be a list of entries, each starting with `- name:`",
                                 f"write `{key}:` then one `- name: ...` per entry"))
        return []
    return node.elements


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
    matcher = NameMatcher((name, e.id) for e in entries for name in e.names)
    for entry in entries:
        for found in matcher.find(entry.pseudonym):
            diagnostics.append(error(shown, entry.line, f"the pseudonym '{entry.pseudonym}' contains the protected name "
                                     f"'{entry.pseudonym[found.start:found.end]}' ({found.entry})",
                                     "choose a pseudonym that shares no word with a registered name"))
    return diagnostics


def _with_pseudonyms(entries: list[Entry], secret: str, shown: str) -> tuple[Entry, ...]:
    """Give every entry without a pseudonym a generated one: stable, unique, and not a registered name."""
    taken = {name_words(e.pseudonym) for e in entries if e.pseudonym}
    protected_words = {w for e in entries for name in e.names for w in name_words(name)}
    needs = [e for e in entries if not e.pseudonym and e.kind == "person"]
    if needs and not secret:
        raise FailsiteError([error(shown, 1, "the registry needs a `secret:` to generate pseudonyms",
                                   f"add `secret: <long random text>` to the registry (keep it private) or set "
                                   f"{SECRET_ENV}; or give every person a `pseudonym:`")])
    key = secret.encode("utf-8")
    generated: dict[str, str] = {}
    # Assign in the order of the keyed hash, not the file's order, so that reordering the file changes nothing.
    for entry in sorted(needs, key=lambda e: _keyed(key, fold(e.name), 0)):
        for attempt in range(10_000):
            digest = _keyed(key, fold(entry.name), attempt)
            candidate = f"{_GIVEN[digest % len(_GIVEN)]} {_FAMILY[(digest // len(_GIVEN)) % len(_FAMILY)]}"
            words = name_words(candidate)
            if attempt >= 2000:
                candidate, words = f"Person {digest % 100_000:05d}", name_words(f"Person {digest % 100_000:05d}")
            if words not in taken and not (set(words) & protected_words):
                taken.add(words)
                generated[entry.id] = candidate
                break
    result = []
    for entry in entries:
        pseudonym = entry.pseudonym or generated.get(entry.id) or "an organisation"
        result.append(Entry(entry.id, entry.kind, entry.name, entry.aliases, entry.emails, entry.phones,
                            entry.consent, pseudonym, entry.line))
    return tuple(result)


def _keyed(key: bytes, name: str, attempt: int) -> int:
    digest = hmac.new(key, f"{name}\x00{attempt}".encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")
