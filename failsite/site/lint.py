"""Writing help for `failsite check`: language rules, experiment time boxes, curriculum gaps.

Everything here is a warning: it helps authors and curators, it never stops a build.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from failsite.content.config import SiteConfig
from failsite.content.discover import Source
from failsite.errors import Diagnostic, FailsiteError, error, warning
from failsite.content.frontmatter import split_front_matter
from failsite.content.schema import CONTENT_TYPES
from failsite.site.assemble import Site, resolve_source_key
from failsite.site.insights import log_quarters
from failsite.content.items import quarter_end
from failsite.content.yamlnodes import load_yaml, read_text

TIME_BOX_DAYS = (7, 30)


@dataclass(frozen=True)
class LintRule:
    """A phrase to warn about: where it applies, what it means and what to write instead."""

    id: str
    types: tuple[str, ...]
    pattern: re.Pattern[str]
    message: str
    suggestion: str


@cache
def _builtin_rules_text() -> str:
    return resources.files("failsite.site").joinpath("lint_rules.yaml").read_text(encoding="utf-8")


def load_rules(config: SiteConfig) -> list[LintRule]:
    """The built-in rules plus the site's own, less those the site switched off."""
    rules = _parse_rules(_builtin_rules_text(), "failsite/lint_rules.yaml")
    if config.lint_rules:
        text, found = read_text(config.site_dir / config.lint_rules, config.lint_rules,
                                "create the lint rules file, or fix `lint.rules` in site.yaml")
        if text is None:
            raise FailsiteError(found)
        rules += _parse_rules(text, config.lint_rules)
    known = {r.id for r in rules}
    unknown = [rule_id for rule_id in config.lint_disable if rule_id not in known]
    if unknown:
        raise FailsiteError([error("site.yaml", 1, f"unknown lint rule '{unknown[0]}' in `lint.disable`",
                                   "rules: " + ", ".join(sorted(known)))])
    return [r for r in rules if r.id not in config.lint_disable]


def _parse_rules(text: str, shown: str) -> list[LintRule]:
    root, diagnostics = load_yaml(text, shown)
    if root is None:
        raise FailsiteError(diagnostics)
    try:
        data = root.to_plain() or {}
        return [LintRule(str(r["id"]), tuple(r.get("types") or CONTENT_TYPES), re.compile(r["pattern"], re.IGNORECASE),
                         str(r.get("message") or "matches a lint rule"), str(r.get("suggestion") or ""))
                for r in data.get("rules") or ()]
    except (AttributeError, KeyError, TypeError, re.error) as exc:
        raise FailsiteError([error(shown, 1, f"the lint rules cannot be read: {exc}",
                                   "each rule needs an `id` and a `pattern` (a regular expression)")]) from None


Finding = tuple[int, int, str, str]  # line, column, message, suggestion


def lint_text(text: str, item_type: str, rules: list[LintRule]) -> list[Finding]:
    """Each phrase a rule for this type of story flags in a source's text."""
    applicable = [r for r in rules if item_type in r.types]
    return [(number, m.start() + 1, f'"{m.group()}" {rule.message} ({rule.id})', rule.suggestion)
            for number, line in enumerate(text.splitlines(), 1) for rule in applicable
            for m in rule.pattern.finditer(line)]


def language_warnings(sources: list[Source], texts: dict[str, str], site: Site, rules: list[LintRule],
                      found: dict[str, list[Finding]] | None = None) -> list[Diagnostic]:
    """Each phrase a rule flags, with its file, line and column, in the stories of the rule's types (`found`: each
    source's `lint_text`, when already made)."""
    diagnostics = []
    for source in sources:
        item = site.by_key.get(source.key)
        if item is None:
            continue
        findings = found[source.key] if found is not None else lint_text(texts.get(source.key, ""), item.type, rules)
        diagnostics += [warning(source.shown, number, message, suggestion, column)
                        for number, column, message, suggestion in findings]
    return diagnostics


def experiment_warnings(sources: list[Source], texts: dict[str, str], site: Site) -> list[Diagnostic]:
    """Time boxes outside 7 to 30 days, and signals written down after the start."""
    diagnostics = []
    for source in sources:
        item = site.by_key.get(source.key)
        if item is None or item.type != "experiment":
            continue
        split, _ = split_front_matter(texts[source.key], source.shown)
        root = load_yaml(split.front_matter, source.shown, 1, aliases=False)[0] if split else None
        lines = {key: root.key_line(key) if root is not None else 1 for key in ("end", "signals_defined")}
        start, end, defined = item.fields["start"], item.fields["end"], item.fields.get("signals_defined")
        days = (end - start).days + 1
        if not TIME_BOX_DAYS[0] <= days <= TIME_BOX_DAYS[1]:
            diagnostics.append(warning(source.shown, lines["end"], f"the time box is {days} days",
                                       f"small bets run {TIME_BOX_DAYS[0]} to {TIME_BOX_DAYS[1]} days: long enough "
                                       "to see a signal, short enough to stay a small bet"))
        if defined is not None and defined > start:
            diagnostics.append(warning(source.shown, lines["signals_defined"],
                                       f"the signals were written down on {defined.isoformat()}, after the start "
                                       f"({start.isoformat()})",
                                       "set success and failure signals before the experiment starts, so the "
                                       "result cannot move the goalposts"))
    return diagnostics


def curriculum_warnings(site: Site, config: SiteConfig) -> list[Diagnostic]:
    """Modules citing no story, cited stories left out of this audience, patterns no module covers."""
    diagnostics = []
    modules = [i for i in site.items if i.type == "module"]
    for module in modules:
        refs = module.field_links.get("stories", ())
        if not refs:
            diagnostics.append(warning(module.path, 1, "the module cites no story",
                                       "add `stories:` with links to the talks, debriefs or experiments it uses"))
        for ref in refs:
            target = resolve_source_key(module.key, ref.target)
            reason = site.left_out.get(target or "")
            if reason and reason != "it is a draft":
                diagnostics.append(warning(module.path, ref.line, f"the story '{ref.target}' is left out of this "
                                           f"build ({reason})", f"the {site.audience.name} audience will not see it "
                                           "in the module; cite another story or change its visibility"))
    if modules:  # one warning for the curriculum, naming every pattern it leaves out
        covered = {p for m in modules for p in m.terms.get("patterns", ())}
        missing = [t.slug for t in site.taxonomy("patterns").terms if t.slug not in covered]
        if missing:
            named = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
            diagnostics.append(warning(f"{config.content}/modules", 1, f"no module addresses the {named} pattern"
                                       + ("" if len(missing) == 1 else "s"),
                                       f"when the curriculum should cover {'it' if len(missing) == 1 else 'them'}, "
                                       f"give a module `patterns: [{missing[0]}]`; the site's Coverage page "
                                       "(/coverage/) shows each pattern's intervention"))
    return diagnostics


def overdue_reviews(site: Site, today: dt.date) -> list[Diagnostic]:
    """Warnings for published items whose `review_by` date has passed."""
    return [warning(item.path, 1, f"review was due on {item.review_by.isoformat()}",
                    "review the item and move `review_by:` on, or set `expires:` to withdraw it")
            for item in site.items if item.review_by is not None and item.review_by < today]


def moved_without_alias(site: Site, last_addresses: dict[str, str]) -> list[Diagnostic]:
    """A warning for each item whose address changed since the last build (a new slug, a new folder) and that
    keeps no alias for the old one: links to it from elsewhere would break."""
    found = []
    for item in site.items:
        old = last_addresses.get(item.key)
        if old and old != item.url and old not in item.aliases:
            found.append(warning(item.path, 1, f"its address changed from {old} to {item.url} since the last build",
                                 f"add `aliases: [{old}]` so links to the old address keep working"))
    return found


def unreviewed_quarters(site: Site, today: dt.date) -> list[Diagnostic]:
    """A warning for each quarter of the failure log that is over, has entries, and has no quarterly review."""
    found = []
    for quarter in log_quarters(site):
        if quarter.entry_keys and not quarter.review_keys and quarter_end(quarter.slug) < today:
            first = site.by_key[quarter.entry_keys[-1]]
            found.append(warning(first.path, 1, f"{quarter.title} of the failure log has {len(quarter.entry_keys)} "
                                 f"entr{'ies' if len(quarter.entry_keys) != 1 else 'y'} and no quarterly review",
                                 f"run `failsite new review \"{quarter.title} review\"` and set `quarter: "
                                 f"{quarter.slug.upper()}`: what recurred, whether last quarter's change stuck, "
                                 "the next focus"))
    return found


def debrief_warnings(site: Site) -> list[Diagnostic]:
    """Writing help for reviews that record what happened but not yet why: the analysis that makes a review teach
    (a why-ladder to a root cause, factors sorted by control) is suggested, never required."""
    diagnostics = []
    for item in site.items:
        if item.type != "debrief" or item.fields.get("format") == "premortem":
            continue
        fields = item.fields
        missing = [what for what, present in (
            ("why-ladder (`whys`, or `chains`) down to a root cause",
             fields.get("whys") or fields.get("root_cause") or fields.get("chains")),
            ("contributing factors sorted by how far they were in your control (`factors`)", fields.get("factors")),
            ("account of what you will do differently (`differently`) or action items (`actions`)",
             fields.get("differently") or fields.get("actions"))) if not present]
        if missing:
            diagnostics.append(warning(item.path, 1, "the review could teach more: it has no " + "; no ".join(missing),
                                       "these are optional; they are what turns a record of an incident into a "
                                       "lesson others can use"))
    return diagnostics


_IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")


def image_warnings(sources: list[Source], texts: dict[str, str], site: Site) -> list[Diagnostic]:
    """Images in stories with no alt text: a reader who cannot see the photo is told nothing of it."""
    diagnostics = []
    for source in sources:
        if source.key not in site.by_key:
            continue
        for number, line in enumerate(texts.get(source.key, "").splitlines(), 1):
            for m in _IMAGE_WITHOUT_ALT.finditer(line):
                diagnostics.append(warning(source.shown, number, "an image without alt text",
                                           "describe what the image shows inside the brackets: ![The whiteboard "
                                           "after the review](photo.jpg)", m.start() + 1))
    return diagnostics
