"""Items -> taxonomies. Terms hold item keys, newest first, never item objects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from failsite.content.config import CONFIG_FILE, SiteConfig, TaxonomyDef
from failsite.content.items import Item
from failsite.content.schema import ContentType
from failsite.content.slugs import slugify
from failsite.errors import Diagnostic, error


# Where a taxonomy's pages live when its name is a content type's folder: the events taxonomy (talk seasons,
# as free text) leaves /events/ to the event items.
_PATHS = {"events": "seasons"}


def folder_clashes(config: SiteConfig, types: tuple[ContentType, ...]) -> list[Diagnostic]:
    """An error for each content type from a hook whose folder is the address of one of the site's taxonomies."""
    taxonomies = {taxonomy_path(t.name): t.name for t in config.taxonomies}
    return [error(CONFIG_FILE, 1, f"the hook type '{t.name}' has the folder '{t.folder}', which is the address of "
                  f"the taxonomy '{taxonomies[t.folder]}'", "give the type another folder in site.content_type")
            for t in types if t.folder in taxonomies]


def taxonomy_path(name: str) -> str:
    """The URL folder of a taxonomy's index and term pages."""
    return _PATHS.get(name, name)


@dataclass(frozen=True)
class Term:
    """A term of a taxonomy with the keys of its items, newest first."""

    taxonomy: str
    slug: str
    title: str
    description: str
    intervention: str
    item_keys: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/{taxonomy_path(self.taxonomy)}/{self.slug}/"


@dataclass(frozen=True)
class Taxonomy:
    """A taxonomy and its terms: every defined term of a closed taxonomy, the used terms of an open one."""

    name: str
    title: str
    description: str
    closed: bool
    terms: tuple[Term, ...]

    def term(self, slug: str) -> Term:
        """The term with this slug (a table lookup: a page per term must not scan them all)."""
        return self._terms_by_slug[slug]

    def has_term(self, slug: str) -> bool:
        return slug in self._terms_by_slug

    @cached_property
    def _terms_by_slug(self) -> dict[str, Term]:
        return {term.slug: term for term in self.terms}

    @property
    def url(self) -> str:
        return f"/{taxonomy_path(self.name)}/"


def build_taxonomies(items: list[Item], config: SiteConfig) -> tuple[Taxonomy, ...]:
    """Group the (already sorted) items by the terms they carry, one pass over the items for every taxonomy."""
    members: dict[str, dict[str, list[str]]] = {d.name: {} for d in config.taxonomies}
    spellings: dict[str, dict[str, Counter[str]]] = {d.name: {} for d in config.taxonomies}
    for item in items:
        for name, labels in item.terms.items():
            by_slug = members.get(name)
            if by_slug is None or not labels:
                continue
            for label in labels:
                slug = slugify(label)
                keys = by_slug.get(slug)
                if keys is None:
                    keys = by_slug[slug] = []
                    spellings[name][slug] = Counter()
                if not keys or keys[-1] != item.key:
                    keys.append(item.key)
                spellings[name][slug][label] += 1
    return tuple(_build_one(definition, members[definition.name], spellings[definition.name])
                 for definition in config.taxonomies)


def _build_one(definition: TaxonomyDef, members: dict[str, list[str]], spellings: dict[str, Counter[str]]) -> Taxonomy:
    defined = {t.slug: t for t in definition.terms}
    terms: list[Term] = []
    for slug in list(defined) + sorted(s for s in members if s not in defined):
        known = defined.get(slug)
        if known is None:
            counts = spellings[slug]
            # The most used spelling names the term; ties go to the alphabetically first for stable output.
            title = min(counts, key=lambda s: (-counts[s], s))
            terms.append(Term(definition.name, slug, title, "", "", tuple(members[slug])))
        else:
            terms.append(Term(definition.name, slug, known.title, known.description, known.intervention,
                              tuple(members.get(slug, ()))))
    if not definition.closed:
        terms = [t for t in terms if t.item_keys]
    return Taxonomy(definition.name, definition.title, definition.description, definition.closed, tuple(terms))
