"""Replace protected names and addresses before anything is indexed or rendered.

An Anonymiser is an ordered list of named rules (STYLE.md habit 7). Each rule proposes edits
to a text; earlier rules win where edits overlap. The same edits can be applied across several
segments of text (the pieces of one paragraph split by markup), which is how a name split by
`**Dana** Whitfield` or by a line break is still replaced as one name.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from urllib.parse import unquote

from failsite.content.config import RULE_ORDER, SiteConfig
from failsite.content.items import Item, first_paragraph, item_url, shortened
from failsite.content.schema import LinkRef
from failsite.content.slugs import slugify
from failsite.errors import Diagnostic, warning
from failsite.privacy.consent import consent_decision
from failsite.privacy.emails import may_hold_written_email, written_emails
from failsite.privacy.matcher import MatchText, fold, match_text
from failsite.privacy.registry import EMPTY_REGISTRY, Entry, Registry, load_registry, phone_key

EMAIL_PLACEHOLDER = "[email removed]"
PHONE_PLACEHOLDER = "[phone removed]"
INTERNAL_URL_PLACEHOLDER = "[internal link removed]"
LINK_PLACEHOLDER = "[link removed]"  # an address that named a protected person or organisation

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?![\w])"
                   r"|(?<![\w+])\+\d{9,15}(?![\w])")
# Any run of digits with the separators a phone number is written with: checked against registered numbers.
# Underscores too: markdown leaves `+4_4_1614960718` as written, and a reader reads the number.
DIGIT_RUN = re.compile(r"(?<![\w])\+?\(?\d[\d\s().\-/_]{5,24}\d(?![\w])")
URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
# What reads as a web address, with or without its scheme: checked whole for protected names.
ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]]+|[\w.-]+\.[a-z]{2,}/[^\s<>\"'\]]*", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Nine digits with nothing but PHONE's separators between them: in every phone number is_phone_number accepts.
_NINE_DIGITS = re.compile(r"\d(?:[\s.()+\-]*+\d){8}")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*\n\s*)$")




@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `replacement` (None keeps the text); `entry` is the registry entry it names."""

    start: int
    end: int
    replacement: str | None
    entry: str | None = None


@dataclass(frozen=True)
class Policy:
    """How names are shown in one item: `anonymous` pseudonymises even people who consented to be named; the item's
    consent records may name only `recorded` (when not None) and never `denied` (privacy.consent)."""

    anonymous: bool = False
    recorded: frozenset[str] | None = None
    denied: frozenset[str] = frozenset()


def item_policy(item: Item) -> Policy:
    """How names are shown in an anonymised item's body and fields."""
    return Policy(item.anonymous, item.recorded, item.denied)


Rule = Callable[[str, Policy], Iterable[Edit]]


def registered_phones(form: MatchText, owners: dict[str, str]) -> Iterable[tuple[int, int, str]]:
    """(start, end, entry) of every registered phone number in a text, however its digits are grouped."""
    if not owners:
        return
    for m in DIGIT_RUN.finditer(form.folded):
        owner = owners.get(phone_key(m.group()))
        if owner is not None:
            yield (*form.span(m.start(), m.end()), owner)


def registered_emails(form: MatchText, owners: dict[str, str]) -> Iterable[tuple[int, int, str | None]]:
    """(start, end, entry or None) of every email address in a text, in any Unicode form, and of those written out
    (`j.vale at example dot org`: privacy.emails)."""
    yield from written_emails(form, owners)
    if "@" not in form.folded:
        return
    for m in EMAIL.finditer(form.folded):
        yield (*form.span(m.start(), m.end()), owners.get(m.group()))


def is_phone_number(candidate: str) -> bool:
    """A run of digits and separators long enough to be a phone number, and not a date."""
    digits = sum(c.isdigit() for c in candidate)
    return 9 <= digits <= 15 and not _ISO_DATE.fullmatch(candidate.strip())


class Anonymiser:
    """Applies the site's anonymisation rules, in the configured order, to any text."""

    def __init__(self, registry: Registry, rule_names: Iterable[str] = RULE_ORDER,
                 internal_domains: Iterable[str] = (), patterns: Iterable[tuple[str, str]] = (),
                 audience: str = "public", public_addresses: Iterable[str] = (), today: dt.date | None = None,
                 require_record: bool = False):
        """`audience` decides where consent to be named applies, `today` which consent records hold, and
        `require_record` whether naming needs one; `public_addresses` are emails (or `name@` for any domain) and URL
        prefixes meant to be published (a security contact, a help desk)."""
        self.registry = registry
        self.audience = audience
        self.today = today or dt.date.today()
        self.require_record = require_record
        self._public = tuple(fold(a) for a in public_addresses)
        self._last_form: MatchText | None = None
        self.matcher = registry.matcher
        self._entries = {e.id: e for e in registry.entries}
        self._emails = registry.email_owner()
        self._phones = registry.phone_owner()
        self._domains = tuple(d.lower().lstrip(".") for d in internal_domains)
        self._patterns = tuple((re.compile(p), r) for p, r in patterns)
        available: dict[str, Rule] = {"emails": self._email_edits, "phones": self._phone_edits,
                                      "internal_urls": self._url_edits, "patterns": self._pattern_edits,
                                      "registry": self._registry_edits}
        self.rules: tuple[tuple[str, Rule], ...] = tuple((name, available[name]) for name in rule_names)

    @property
    def settings(self) -> tuple[object, ...]:
        """Everything that decides what it writes (for cache keys): the registry, rules, domains and patterns."""
        return (self.registry.entries, tuple(name for name, _ in self.rules), self._domains,
                tuple((p.pattern, r) for p, r in self._patterns), self.audience, self._public,
                self.require_record)  # not `today`: an item's consent decision says for which days it holds

    def published_name(self, entry: Entry, policy: Policy) -> str | None:
        """What to print for an entry: None keeps the real name (consent given for this build's audience),
        else the pseudonym."""
        if not entry.named_for(self.audience) or policy.anonymous or entry.id in policy.denied:
            return entry.pseudonym
        if policy.recorded is not None and entry.kind == "person" and entry.id not in policy.recorded:
            return entry.pseudonym  # the site requires a consent record to name a person, and this story has none
        return None

    def _is_public_address(self, address: str) -> bool:
        folded = fold(address)
        return any(folded == a or (a.endswith("@") and folded.startswith(a)) or
                   (not a.endswith("@") and "@" not in a and folded.startswith(a)) for a in self._public)

    def _form(self, text: str) -> MatchText:
        """The text in match form; the last one is kept, since every rule asks for the same text in turn."""
        last = self._last_form
        if last is None or last.original != text:
            last = self._last_form = match_text(text)
        return last

    def edits(self, text: str, policy: Policy) -> list[Edit]:
        """Every edit the rules make to a text, left to right, earlier rules first where they overlap."""
        accepted: list[Edit] = []
        for _, rule in self.rules:
            for edit in rule(text, policy):
                if not any(edit.start < a.end and a.start < edit.end for a in accepted):
                    accepted.append(edit)
        return sorted(accepted, key=lambda e: e.start)

    def text(self, text: str, policy: Policy = Policy(), mentions: set[str] | None = None) -> str:
        """The text with every rule applied."""
        return self.segments([text], policy, mentions)[0]

    def segments(self, segments: list[str], policy: Policy, mentions: set[str] | None = None) -> list[str]:
        """Apply the rules to pieces of one text as if joined; a replacement lands in the piece where its match starts."""
        joined = "".join(segments)
        if not joined or (not self.might_change(joined)):
            return segments
        edits = self.edits(joined, policy)
        if mentions is not None:
            mentions.update(e.entry for e in edits if e.entry)
        edits = [e for e in edits if e.replacement is not None]
        if not edits:
            return segments
        starts = [0]
        for segment in segments[:-1]:
            starts.append(starts[-1] + len(segment))
        pieces: list[list[str]] = [[] for _ in segments]

        def copy(a: int, b: int) -> None:
            for index, start in enumerate(starts):
                end = start + len(segments[index])
                if a < end and start < b:
                    pieces[index].append(joined[max(a, start):min(b, end)])

        cursor = 0
        for edit in edits:
            copy(cursor, edit.start)
            # The last piece starting at or before the match; zero-length markup pieces hold no text.
            owner = bisect.bisect_right(starts, edit.start) - 1
            while owner > 0 and len(segments[owner]) == 0:
                owner -= 1
            pieces[owner].append(edit.replacement or "")
            cursor = edit.end
        copy(cursor, len(joined))
        return ["".join(p) for p in pieces]

    def might_change(self, text: str) -> bool:
        """Quick test before the full rules: is there anything any rule could match?"""
        if self.matcher.might_contain(text):
            return True
        return bool(self._patterns) or _OTHER_RULES_SIGN.search(text) is not None or \
            may_hold_written_email(self._form(text), self._emails)

    def mentions(self, text: str) -> set[str]:
        """Registry entries a text names, including by email or phone (for consent decisions)."""
        found: set[str] = set()
        self.segments([text], Policy(), found)
        return found

    def _email_edits(self, text: str, policy: Policy) -> Iterable[Edit]:
        for start, end, owner in registered_emails(self._form(text), self._emails):
            if owner is not None or not self._is_public_address(text[start:end]):
                yield Edit(start, end, EMAIL_PLACEHOLDER, owner)

    def _phone_edits(self, text: str, policy: Policy) -> Iterable[Edit]:
        form = self._form(text)
        if not _NINE_DIGITS.search(form.folded):
            return  # PHONE tries every position of a text; a number needs nine digits, which this finds far faster
        for m in PHONE.finditer(form.folded):
            if is_phone_number(m.group()):
                yield Edit(*form.span(m.start(), m.end()), PHONE_PLACEHOLDER, self._phones.get(phone_key(m.group())))

    def _url_edits(self, text: str, policy: Policy) -> Iterable[Edit]:
        if not self._domains:
            return
        for m in URL.finditer(text):
            host = m.group().split("://", 1)[1].split("/", 1)[0].split(":", 1)[0].lower()
            if any(host == d or host.endswith("." + d) for d in self._domains) and not self._is_public_address(m.group()):
                yield Edit(m.start(), m.end(), INTERNAL_URL_PLACEHOLDER)

    def _pattern_edits(self, text: str, policy: Policy) -> Iterable[Edit]:
        for pattern, replacement in self._patterns:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    yield Edit(m.start(), m.end(), replacement)

    def _registry_edits(self, text: str, policy: Policy) -> Iterable[Edit]:
        """Registered names (a web address that names someone goes whole), and registered emails and phone numbers,
        whichever other rules a site has switched off."""
        form = self._form(text)
        for start, end, owner in registered_emails(form, self._emails):
            if owner is not None:
                yield Edit(start, end, EMAIL_PLACEHOLDER, owner)
        for start, end, owner in registered_phones(form, self._phones):
            yield Edit(start, end, PHONE_PLACEHOLDER, owner)
        addresses = []
        # ADDRESS tries every word of a text; an address holds a slash or "www.", which a plain search finds at once.
        for m in ADDRESS.finditer(text) if "/" in text or "www." in form.folded else ():
            found = self.matcher.find(unquote(m.group()))
            if found:
                addresses.append((m.start(), m.end(), found[0].entry))
        for match in self.matcher.find(text):
            address = next(((s, e, o) for s, e, o in addresses if s <= match.start < e or match.start <= s < match.end), None)
            if address is not None:
                yield Edit(min(address[0], match.start), max(address[1], match.end), LINK_PLACEHOLDER, match.entry)
                continue
            entry = self._entries[match.entry]
            name = self.published_name(entry, policy)
            if name and name[0].islower() and _SENTENCE_START.search(text, 0, match.start):
                name = name[0].upper() + name[1:]  # "Coldline said" -> "Our largest client said"
            yield Edit(match.start, match.end, name, entry.id)
        for start, end, owner in addresses:  # named only once its escapes are decoded (%20, %C3%AB)
            yield Edit(start, end, LINK_PLACEHOLDER, owner)


_MARKUP_CHARS = re.compile(r"[*_~`]")
# What the email, phone and address rules need in a text before they can match: an @, a colon or a digit, which
# is whatever str.isdigit says (\d, and the superscript, circled and other digits \d leaves out).
_OTHER_RULES_SIGN = re.compile(r"[@:\d\u00b2-\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089"
                               r"\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e"
                               r"\u2780-\u2788\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68"
                               r"\U00011052-\U0001105a\U0001f100-\U0001f10a]")


def anonymise_item(item: Item, anonymiser: Anonymiser, closed: frozenset[str],
                   pseudonym_pages: bool = False) -> tuple[Item, list[Diagnostic]]:
    """The item with protected names replaced in every front-matter value, its slug and URL, and its open terms,
    and a warning for each web address removed because it named someone.

    The body stays markdown; it is anonymised token by token when rendered. Its mentions are
    counted here, so that consent decisions are made before anything is indexed. The people
    taxonomy collects only people shown by their real name for this build's audience, unless the
    site opts in to pages of pseudonyms (`pseudonym_pages`): a page gathering every story about
    one pseudonym identifies them more easily than any one story.
    """
    decision = consent_decision(item, anonymiser.registry, anonymiser.audience, anonymiser.today,
                                anonymiser.require_record)
    item = replace(item, recorded=decision.recorded, denied=decision.denied, decided=decision.decided,
                   withheld=item.withheld or decision.withdrawn)
    policy = item_policy(item)
    mentions: set[str] = set()
    removed: list[str] = []

    def clean(value: Any, field: str) -> Any:
        if isinstance(value, str):
            # An entity-encoded name ("D&#97;na") would read as the name wherever the value is shown as HTML.
            text = html.unescape(value) if "&" in value else value
            result = anonymiser.text(text, policy, mentions)
            if result.count(LINK_PLACEHOLDER) > text.count(LINK_PLACEHOLDER):
                removed.append(field)
            return result
        if isinstance(value, (LinkRef, int, float, bool)) or value is None or not isinstance(value, (tuple, list, dict)):
            return value
        if isinstance(value, dict):
            return {(clean(k, field) if isinstance(k, str) else k): (v if k == "line" else clean(v, field))
                    for k, v in value.items()}
        return type(value)(clean(v, field) for v in value)

    title = clean(item.title, "title")
    # A summary taken from the body is made again from the whole paragraph anonymised, then cut: cut first, it
    # could end inside a phone number or a name ("+44 20 7946…") that no longer reads as the whole.
    summary = shortened(clean(first_paragraph(item.body), "summary")) if item.summary_derived \
        else clean(item.summary, "summary")
    fields = {name: clean(value, name) for name, value in item.fields.items()}
    extra = clean(item.extra, "extra")
    terms = {name: (labels if name in closed else tuple(clean(label, name) for label in labels))
             for name, labels in item.terms.items()}
    slug = slugify(clean(item.slug.replace("-", " "), "slug")) or "item"
    plain_body = html.unescape(_MARKUP_CHARS.sub("", item.body))
    anonymiser.segments([plain_body], policy, mentions)
    people = []
    for entry_id in sorted(mentions):
        entry = anonymiser.registry.entry(entry_id)
        shown = anonymiser.published_name(entry, policy)
        if entry.kind == "person" and (shown is None or pseudonym_pages):
            people.append(shown or entry.name)
    named = frozenset(e for e in mentions if anonymiser.published_name(anonymiser.registry.entry(e), policy) is None)
    withheld = [anonymiser.registry.entry(e) for e in sorted(mentions)
                if anonymiser.registry.entry(e).consent == "withheld"]
    reason = item.withheld or (f"it mentions {withheld[0].name} ({withheld[0].id}), who has withheld consent"
                               if withheld else "")
    if "people" in terms:
        terms["people"] = tuple(dict.fromkeys(people))
    warnings = [warning(item.path, 1, f"a web address in '{field}' named a protected person or organisation and "
                        f"was removed", "link to a page that does not name them, or leave the address out")
                for field in dict.fromkeys(removed)] + list(decision.diagnostics)
    warnings += _unrecorded(item, mentions, anonymiser, policy)
    return replace(item, title=title, summary=summary, fields=fields, extra=extra, terms=terms, slug=slug,
                   url=item_url(item.type, slug), mentions=frozenset(mentions), named=named, withheld=reason), warnings


def _unrecorded(item: Item, mentions: set[str], anonymiser: Anonymiser, policy: Policy) -> list[Diagnostic]:
    """A warning for each person the registry lets be named for this audience who is shown by pseudonym in this item
    because its consent records do not hold for them."""
    found = []
    for entry_id in sorted(mentions):
        entry = anonymiser.registry.entry(entry_id)
        if not entry.named_for(anonymiser.audience) or item.anonymous or anonymiser.published_name(entry, policy) is None:
            continue
        line = next((r["line"] for r in item.consents if anonymiser.registry.named(r["person"]) == entry_id), 1)
        held = "has a consent record for them that does not hold" if entry_id in policy.denied else \
            "has no consent record for them"
        found.append(warning(item.path, line, f"{entry.name} ({entry.id}) may be named for the {anonymiser.audience} "
                             f"audience, but this story {held} on {anonymiser.today.isoformat()}: shown as "
                             f"{entry.pseudonym}", "add or renew a record under `consent_given:` (person, audiences, "
                             "date), or leave them pseudonymised"))
    return found


def anonymise_data(value: Any, anonymiser: Anonymiser) -> Any:
    """Data files' contents with every text anonymised (keys too: a key can be a name)."""
    if isinstance(value, str):
        return anonymiser.text(html.unescape(value) if "&" in value else value)
    if isinstance(value, dict):
        return {anonymise_data(k, anonymiser): anonymise_data(v, anonymiser) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [anonymise_data(v, anonymiser) for v in value]
    return value


def make_anonymiser(config: SiteConfig, audience: str = "public", today: dt.date | None = None) -> Anonymiser:
    """The site's anonymisation rules for a build's audience on its day, with its registry loaded (an empty one when
    it has none). The audience decides where consent to be named applies; the default is the safest."""
    options = config.anonymise
    registry = load_registry(config.site_dir / options.registry, options.registry) if options.registry \
        else EMPTY_REGISTRY
    return Anonymiser(registry, options.rules, options.internal_domains, options.patterns, audience,
                      options.public_addresses, today, config.consent_record_required)
