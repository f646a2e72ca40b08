"""The writing checks only `failsite check` makes that read every source (names nobody registered, words the
writing rules flag), found source by source and kept in the build cache: a check reads again only the sources that
changed since it last ran, as a build renders only what changed.

Takes the sources and their texts, the site, the registry and the rules; gives each source's `NameScan` and
writing-rule findings. `build.check_site` turns them into warnings with the name checks and `lint`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from failsite.content.discover import Source
from failsite.engine.fingerprint import code_fingerprint, digest
from failsite.errors import Diagnostic
from failsite.privacy.namecheck import (NameScan, everyday_word_aliases, lowercase_words, registry_matcher, scan_names,
                                        unregistered_names)
from failsite.privacy.registry import Registry
from failsite.site.assemble import Site
from failsite.site.lint import (Finding, LintRule, curriculum_warnings, debrief_warnings, experiment_warnings,
                                image_warnings, language_warnings, lint_text, moved_without_alias, overdue_reviews,
                                unreviewed_quarters)

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache


def scan_sources(sources: list[Source], texts: dict[str, str], site: Site, registry: Registry,
                 rules: list[LintRule], cache: "BuildCache | None" = None
                 ) -> tuple[dict[str, NameScan], dict[str, list[Finding]]]:
    """Each source's name scan and writing-rule findings, by source key: from the cache for a source whose text,
    type, registry and rules are as they were, else found now."""
    matcher = registry_matcher(registry)
    settings = digest(code_fingerprint(), registry.entries,
                      [(r.id, r.types, r.pattern.pattern, r.pattern.flags, r.message, r.suggestion) for r in rules])
    types = {source.key: site.by_key[source.key].type if source.key in site.by_key else "" for source in sources}
    keys = {source.key: digest("check", settings, source.key, types[source.key], texts.get(source.key, ""))
            for source in sources}
    kept = cache.checks.get_many(keys.values()) if cache is not None else {}
    scans, findings = {}, {}
    for source in sources:
        key, text = keys[source.key], texts.get(source.key, "")
        found = kept.get(key)
        if found is None:
            found = (scan_names(text, matcher), lint_text(text, types[source.key], rules) if types[source.key] else [])
        if cache is not None:
            cache.used_checks[key] = found
        scans[source.key], findings[source.key] = found
    return scans, findings


def writing_warnings(sources: list[Source], texts: dict[str, str], site: Site, registry: Registry,
                     rules: list[LintRule], day: dt.date, scans: dict[str, NameScan],
                     findings: dict[str, list[Finding]], last_addresses: dict[str, str]) -> list[Diagnostic]:
    """The warnings only `check` gives, from each source's scan and findings (`scan_sources`): names nobody
    registered, flagged phrases, experiments, curriculum, debriefs and images that need work, reviews overdue, and
    pages moved without an alias from where the last build (`last_addresses`) put them."""
    lowercase = lowercase_words(sources, texts, scans)
    config = site.config
    return (unregistered_names(sources, texts, registry, lowercase, scans) + overdue_reviews(site, day)
            + everyday_word_aliases(registry, config.anonymise.registry, sources, texts, lowercase)
            + language_warnings(sources, texts, site, rules, findings)
            + experiment_warnings(sources, texts, site) + curriculum_warnings(site, config)
            + debrief_warnings(site) + image_warnings(sources, texts, site) + unreviewed_quarters(site, day)
            + moved_without_alias(site, last_addresses))
