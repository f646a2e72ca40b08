"""Email addresses written out so that programs do not read them: `j.vale at example dot org`,
`j.vale [at] example [dot] org`, `j.vale(at)example(dot)org`, `J.VALE AT EXAMPLE.ORG`, `j.vale @ example . org`.

A registered address is found in any of these forms, since a reader writes it down all the same.
Any other address is found only when its `at` is bracketed (`[at]`, `(at)`, `{at}`, `<at>`) or
joined (`-at-`, `_at_`): "we met at home dot com" is a sentence, not an address.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Iterable

from failsite.privacy.matcher import MatchText

_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
_BRACKETED_AT = rf"\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*|\s*[-_]at[-_]\s*"
_AT = rf"(?:{_BRACKETED_AT}|\s+at\s+|\s*@\s*)"
_DOT = rf"(?:\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*|\s+dot\s+|\s*[-_]dot[-_]\s*|\s?\.\s?)"
_LABEL = r"[^\W_](?:[\w+-]{0,62}[^\W_])?"
WRITTEN_EMAIL = re.compile(rf"(?<![\w.+-])(?P<local>{_LABEL}(?:{_DOT}{_LABEL}){{0,6}})(?P<at>{_AT})"
                           rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{1,6}})(?![\w-])")
_SEPARATOR = re.compile(rf"{_DOT}")
_BRACKETS = re.compile(_BRACKETED_AT)
# What a written-out address needs besides plain words: a bracket, a spelled-out dot, a joined at, or @ with a space.
_SIGNS = ("dot", "(at", "[at", "{at", "<at", "( at", "[ at", "-at-", "_at_", " @", "@ ")


class EmailOwners(dict[str, str]):
    """Registered email addresses in match form, each with the registry entry it belongs to."""

    @cached_property
    def domain_words(self) -> re.Pattern[str] | None:
        """The first word of every registered address's domain, as a whole word: a text without one holds no
        registered address written out."""
        words = sorted({address.rpartition("@")[2].split(".")[0] for address in self if "@" in address} - {""})
        return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])") if words else None


def may_hold_written_email(form: MatchText, owners: EmailOwners | dict[str, str]) -> bool:
    """Cheap test before the search: a bracket, a spelled-out dot, a joined `at`, an @ beside a space, or ` at `
    with the first word of a registered domain."""
    folded = form.folded
    if any(sign in folded for sign in _SIGNS):
        return True
    domains = owners.domain_words if isinstance(owners, EmailOwners) else None
    return domains is not None and " at " in folded and domains.search(folded) is not None


def written_emails(form: MatchText, owners: EmailOwners | dict[str, str]) -> Iterable[tuple[int, int, str | None]]:
    """(start, end, entry or None) of every address written out in a text: registered ones in any form, others only
    with a bracketed or joined `at`."""
    if not may_hold_written_email(form, owners):
        return
    for m in WRITTEN_EMAIL.finditer(form.folded):
        address = "@".join(".".join(_SEPARATOR.split(part)) for part in (m.group("local"), m.group("domain")))
        if address == m.group():
            continue  # a plain address: the email rule finds it
        owner = owners.get(address)
        if owner is not None or _BRACKETS.fullmatch(m.group("at")):
            yield (*form.span(m.start(), m.end()), owner)
