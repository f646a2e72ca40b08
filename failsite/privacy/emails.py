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
_BRACKETED = re.compile(_BRACKETED_AT)
# The @ of an address written out, right before its domain: found from a registered domain's first word.
_AT_BEFORE = re.compile(rf"(?:{_BRACKETED_AT}|\s+at\s+|\s*@\s*)\Z")
_DOT = rf"(?:\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*|\s+dot\s+|\s*[-_]dot[-_]\s*|\s?\.\s?)"
_LABEL = r"[^\W_](?:[\w+-]{0,62}[^\W_])?"
_LOCAL = re.compile(rf"(?<![\w.+-])({_LABEL}(?:{_DOT}{_LABEL}){{0,6}})\Z")
_DOMAIN = re.compile(rf"{_LABEL}(?:{_DOT}{_LABEL}){{1,6}}(?![\w-])")
_SEPARATOR = re.compile(_DOT)
_REACH = 120  # how far before its @ an address's first letter may be
_BRACKET_SIGNS = ("(at", "[at", "{at", "<at", "( at", "[ at", "{ at", "< at", "-at-", "_at_")


class EmailOwners(dict[str, str]):
    """Registered email addresses in match form, each with the registry entry it belongs to."""

    @cached_property
    def domain_words(self) -> re.Pattern[str] | None:
        """The first word of every registered address's domain, as a whole word: a text without one holds no
        registered address written out."""
        words = sorted({address.rpartition("@")[2].split(".")[0] for address in self if "@" in address} - {""})
        return re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])") if words else None


def may_hold_written_email(form: MatchText, owners: EmailOwners | dict[str, str]) -> bool:
    """Cheap test before the search: a bracketed or joined `at`, or the first word of a registered domain."""
    folded = form.folded
    if any(sign in folded for sign in _BRACKET_SIGNS):
        return True
    domains = owners.domain_words if isinstance(owners, EmailOwners) else None
    return domains is not None and domains.search(folded) is not None


def written_emails(form: MatchText, owners: EmailOwners | dict[str, str]) -> Iterable[tuple[int, int, str | None]]:
    """(start, end, entry or None) of every address written out in a text: registered ones in any form, others only
    with a bracketed or joined `at`."""
    folded = form.folded
    ats: set[tuple[int, int]] = set()
    if any(sign in folded for sign in _BRACKET_SIGNS):
        ats.update(at.span() for at in _BRACKETED.finditer(folded))
    domains = owners.domain_words if isinstance(owners, EmailOwners) else None
    for word in domains.finditer(folded) if domains is not None else ():
        if word.start() and not folded[word.start() - 1].isalnum():
            at = _AT_BEFORE.search(folded, max(0, word.start() - 16), word.start())
            if at is not None:
                ats.add(at.span())
    for at_start, at_end in sorted(ats):
        local = _LOCAL.search(folded, max(0, at_start - _REACH), at_start)
        domain = _DOMAIN.match(folded, at_end)
        if local is None or domain is None:
            continue
        address = "@".join(".".join(_SEPARATOR.split(part)) for part in (local.group(1), domain.group()))
        if address == folded[local.start():domain.end()]:
            continue  # a plain address: the email rule finds it
        owner = owners.get(address)
        if owner is not None or _BRACKETED.fullmatch(folded, at_start, at_end):
            yield (*form.span(local.start(), domain.end()), owner)
