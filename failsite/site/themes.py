"""Themes across everything: the root causes, factors and barriers many stories share, grouped.

Takes a Site (published, anonymised items); gives Themes: groups of stories whose causes look alike, each with a
label made of its most telling words and the number of distinct people or teams it spans. Resemblance is the one
"Did the fix hold?" uses (site.recurrence: TF-IDF cosine over the words, with the barriers weighed in as the
patterns are there); stories meet only through an index of their rarer words, a bounded number of candidates each,
so the cost grows with the number of stories, never with every pair. A theme is the stories linked, directly or
through others, by a likeness at or above THRESHOLD.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from failsite.content.items import Item
from failsite.content.slugs import slugify
from failsite.site.assemble import Site
from failsite.site.insights import STORY_TYPES
from failsite.site.recurrence import (CANDIDATES_PER_STORY, CANDIDATES_PER_TOKEN, RARE_LEAST, RARE_SHARE,
                                      TELLING_TOKENS, cause_text, idf_weights, similarity, weighted_vector, words)

THRESHOLD = 0.3  # how alike two stories must be to share a theme (as recurrence's default threshold)
LABEL_WORDS = 3  # the words a theme's label is made of
LEAST_STORIES = 2  # a theme is at least two stories


@dataclass(frozen=True)
class Theme:
    """Stories whose causes look alike, with a label made of the words they share most."""

    slug: str
    label: str
    story_keys: tuple[str, ...]  # in site order (newest first)
    people: int  # the distinct people or teams the stories come from


@dataclass(frozen=True)
class Themes:
    """The themes shown, and how many were left out for spanning too few people or teams."""

    shown: tuple[Theme, ...]
    hidden: int


def theme_text(item: Item) -> str:
    """What a story says went wrong: its root causes and factors, a talk's or case's lesson, what an experiment
    revealed."""
    fields = item.fields
    extra = fields.get("learned") if item.type in ("talk", "case") else fields.get("revealed")
    return "\n".join(p for p in (cause_text(item), str(extra or "")) if p)


def sources_of(item: Item) -> frozenset[str]:
    """Who a story comes from, for counting: its teams, else its speaker, owner or authors (none when it names
    nobody). Compared only, never shown."""
    teams = item.terms.get("teams", ())
    if teams:
        return frozenset(f"team:{t.casefold()}" for t in teams)
    fields = item.fields
    people = [fields.get("speaker") or "", item.owner_key, *(fields.get("authors") or ())]
    return frozenset(f"person:{' '.join(str(p).split()).casefold()}" for p in people if str(p).strip())


def group_stories(items: list[Item], least_people: int = 1) -> Themes:
    """The themes of these stories (in site order), those spanning fewer than `least_people` people or teams left
    out; themes with the most people first."""
    found = {i.key: words(theme_text(i)) for i in items}
    counts = {key: Counter(stem for stem, _ in pairs) for key, pairs in found.items()}
    idf = idf_weights(counts.values())
    vectors = {key: weighted_vector(c, idf) for key, c in counts.items()}
    barriers = {i.key: frozenset(i.terms.get("barriers", ())) for i in items}
    df = Counter(t for c in counts.values() for t in c)
    common = max(RARE_LEAST, RARE_SHARE * len(items))
    index: dict[str, list[str]] = {}
    for item in items:
        for token in counts[item.key]:
            if df[token] <= common:
                index.setdefault(token, []).append(item.key)
    parent = {i.key: i.key for i in items}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key
    for item in items:
        telling = sorted((t for t in counts[item.key] if t in index), key=lambda t: (df[t], t))[:TELLING_TOKENS]
        shared: Counter[str] = Counter()
        for token in telling:
            shared.update(k for k in index[token][:CANDIDATES_PER_TOKEN] if k != item.key)
        for other in sorted(shared, key=lambda k: (-shared[k], k))[:CANDIDATES_PER_STORY]:
            if similarity(vectors[item.key], vectors[other], barriers[item.key], barriers[other]) >= THRESHOLD:
                parent[root(other)] = root(item.key)
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(root(item.key), []).append(item)
    themes, hidden = [], 0
    for members in groups.values():
        if len(members) < LEAST_STORIES:
            continue
        people = len(frozenset().union(*(sources_of(m) for m in members)))
        if people < least_people:
            hidden += 1
            continue
        label = theme_label([found[m.key] for m in members], [vectors[m.key] for m in members])
        themes.append(Theme("", label, tuple(m.key for m in members), people))
    themes.sort(key=lambda t: (-t.people, -len(t.story_keys), t.label, t.story_keys))
    slugs: Counter[str] = Counter()
    named = []
    for theme in themes:
        slug = slugify(theme.label) or "theme"
        slugs[slug] += 1
        named.append(Theme(slug if slugs[slug] == 1 else f"{slug}-{slugs[slug]}", theme.label, theme.story_keys,
                           theme.people))
    return Themes(tuple(named), hidden)


def theme_label(found: list[list[tuple[str, str]]], vectors: list[dict[str, float]]) -> str:
    """A theme's most telling words: those most of its stories use, the rarer first, each as its stories most
    often write it ('freeze, gate, pipeline')."""
    members: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    for vector in vectors:
        members.update(vector.keys())
        for token, value in vector.items():
            weight[token] += value
    best = sorted((t for t in members if members[t] >= LEAST_STORIES),
                  key=lambda t: (-members[t], -round(weight[t], 9), t))[:LABEL_WORDS]
    written: Counter[tuple[str, str]] = Counter(pair for pairs in found for pair in pairs if pair[0] in best)
    return ", ".join(min((w for s, w in written if s == token), key=lambda w: (-written[(token, w)], w))
                     for token in best)


def site_themes(site: Site) -> Themes:
    """The themes of every published story that span at least the site's `insights.min_people` people or teams."""
    return group_stories([i for i in site.items if i.type in STORY_TYPES], site.config.min_people)


def coach_themes(site: Site) -> Themes:
    """For a build for one owner (`--owner`), the themes of that owner's own log entries: their private coach.
    None shown in any other build."""
    owner = site.audience.owner
    if not owner:
        return Themes((), 0)
    return group_stories([i for i in site.items if i.type == "log" and i.owner_key == owner])
