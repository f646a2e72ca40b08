"""Themes across everything: the root causes, factors and barriers many stories share, grouped.

Takes a Site (published, anonymised items); gives Themes: groups of stories whose causes look alike, each with a
label made of its most telling words and the number of distinct people or teams it spans. Resemblance is the one
"Did the fix hold?" uses (site.recurrence: TF-IDF cosine over the words, with the barriers weighed in as the
patterns are there); stories meet only through an index of their rarer words, a bounded number of candidates each,
so the cost grows with the number of stories, never with every pair. A story joins the theme whose stories, taken
together, it is most alike (at or above THRESHOLD).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass

from failsite.content.items import Item
from failsite.content.slugs import slugify
from failsite.site.assemble import Site
from failsite.site.insights import STORY_TYPES
from failsite.site.recurrence import (CANDIDATES_PER_STORY, RARE_LEAST, RARE_SHARE, TELLING_TOKENS, blend,
                                      cause_text, fold, idf_weights, stem, weighted_vector, words)

THRESHOLD = 0.3  # how alike two stories must be to share a theme (as recurrence's default threshold)
LABEL_WORDS = 3  # the words a theme's label is made of
LEAST_STORIES = 2  # a theme is at least two stories
POSTINGS = 20  # the stories of one word a story looks at (the newest): each story costs a bounded amount


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


@dataclass
class _Group:
    """A theme as it grows: its stories, the sum of their vectors (its centroid, unnormalised) and its barriers."""

    keys: list[str]
    total: dict[str, float]
    norm2: float
    barriers: set[str]

    def likeness(self, vector: dict[str, float], barriers: frozenset[str]) -> float:
        """How alike a story is to the theme as a whole: its cosine with the centroid, the barriers weighed in."""
        dot = sum(w * self.total.get(t, 0.0) for t, w in vector.items())
        return blend(dot / math.sqrt(self.norm2) if self.norm2 else 0.0, barriers, frozenset(self.barriers))

    def add(self, key: str, vector: dict[str, float], barriers: frozenset[str]) -> None:
        dot = sum(w * self.total.get(t, 0.0) for t, w in vector.items())
        self.norm2 += 2 * dot + sum(w * w for w in vector.values())
        for token, weight in vector.items():
            self.total[token] = self.total.get(token, 0.0) + weight
        self.keys.append(key)
        self.barriers |= barriers


def group_stories(items: list[Item], least_people: int = 1) -> Themes:
    """The themes of these stories (in site order), those spanning fewer than `least_people` people or teams left
    out; themes with the most people first.

    The stories are taken oldest first; each joins the theme it is most alike (at least THRESHOLD) among those of
    the stories sharing its rarer words, else starts one. Likeness to a theme's centroid, not to its nearest story,
    keeps a theme from drifting story by story into something else."""
    found = {i.key: words(theme_text(i)) for i in items}
    counts = {key: Counter(stem for stem, _ in pairs) for key, pairs in found.items()}
    idf = idf_weights(counts.values())
    df = Counter(t for c in counts.values() for t in c)
    common = max(RARE_LEAST, RARE_SHARE * len(items))
    # Words most stories use say nothing of a theme: left in, they would pull every story towards a large theme.
    vectors = {key: weighted_vector(Counter({t: n for t, n in c.items() if df[t] <= common}), idf)
               for key, c in counts.items()}
    barriers = {i.key: frozenset(i.terms.get("barriers", ())) for i in items}
    index: dict[str, list[str]] = {}  # filled as the stories are placed: the newest placed last
    theme_of: dict[str, _Group] = {}
    groups: list[_Group] = []
    for item in reversed(items):
        key = item.key
        telling = sorted((t for t in counts[key] if t in index), key=lambda t: (df[t], t))[:TELLING_TOKENS]
        shared: Counter[str] = Counter()
        for token in telling:
            shared.update(index[token][-POSTINGS:])
        nearest = heapq.nsmallest(CANDIDATES_PER_STORY, shared, key=lambda k: (-shared[k], k))
        candidates = list({id(theme_of[k]): theme_of[k] for k in nearest}.values())
        scored = [(group.likeness(vectors[key], barriers[key]), -index_of, group)
                  for index_of, group in enumerate(candidates)]
        best = max(scored, key=lambda s: s[:2], default=None)
        if best is not None and best[0] >= THRESHOLD:
            group = best[2]
        else:
            group = _Group([], {}, 0.0, set())
            groups.append(group)
        group.add(key, vectors[key], barriers[key])
        theme_of[key] = group
        for token in counts[key]:
            if df[token] <= common:
                index.setdefault(token, []).append(key)
    return _shown([g.keys for g in groups], items, found, vectors, least_people)


def _shown(groups: list[list[str]], items: list[Item], found: dict[str, list[tuple[str, str]]],
           vectors: dict[str, dict[str, float]], least_people: int) -> Themes:
    """The groups of two or more stories that span `least_people`, labelled and in order, and how many did not."""
    order = {i.key: n for n, i in enumerate(items)}
    themes, hidden = [], 0
    for keys in groups:
        members = sorted((items[order[k]] for k in keys), key=lambda i: order[i.key])  # site order
        if len(members) < LEAST_STORIES:
            continue
        people = len(frozenset().union(*(sources_of(m) for m in members)))
        if people < least_people:
            hidden += 1
            continue
        label = theme_label([found[m.key] for m in members], [vectors[m.key] for m in members],
                            [theme_text(m) for m in members]) or members[0].title  # all its words are names
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


_SENTENCES = re.compile(r"[.!?;:\n]+")
_LETTERS = re.compile(r"[^\W\d_]+")


def named_words(texts: list[str]) -> set[str]:
    """The words (stemmed) these texts write only with a capital inside a sentence: names, a person's, a
    pseudonym's or a product's, which a theme's label never uses."""
    capital: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for sentence in _SENTENCES.split(text):
            for place, word in enumerate(_LETTERS.findall(sentence)):
                if word[0].isupper():
                    if place:  # a sentence's first word is capitalised whatever it is
                        capital.add(stem(fold(word)))
                else:
                    lower.add(stem(fold(word)))
    return capital - lower


def theme_label(found: list[list[tuple[str, str]]], vectors: list[dict[str, float]], texts: list[str]) -> str:
    """A theme's most telling words: those most of its stories use, the rarer first, each as its stories most
    often write it ('freeze, gate, pipeline'); never a name."""
    names = named_words(texts)
    members: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    for vector in vectors:
        members.update(vector.keys())
        for token, value in vector.items():
            weight[token] += value
    best = sorted((t for t in members if members[t] >= LEAST_STORIES and t not in names),
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
