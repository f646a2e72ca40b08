"""Did the fix hold? Stories that look like an earlier review whose preventive action is done.

Takes a Site (published, anonymised items); gives Recurrences: for each story, the earlier reviews it resembles,
and for each review with a done fix, the stories that came back after it. Resemblance is TF-IDF cosine over the
root causes and contributing factors (tokenised, lower-cased, folded, stop words out), plus a weight for shared
patterns. An inverted index of rare-ish tokens means a story is compared only with reviews sharing one of them:
the cost grows with the number of stories times a bounded number of candidates, never with every pair.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from failsite.content.items import Item
from failsite.site.assemble import Site

RECURRING_TYPES = ("debrief", "log")  # the stories that give a root cause
PATTERN_WEIGHT = 0.2  # the share of the score that shared patterns make
RARE_SHARE = 0.05  # a token in more than this share of the reviews (and more than RARE_LEAST) is not indexed
RARE_LEAST = 20
CANDIDATES_PER_TOKEN = 50  # the newest earlier reviews of one token looked at, so one story costs a bounded amount
TELLING_TOKENS = 12  # a story's rarest indexed tokens that find its candidates
CANDIDATES_PER_STORY = 20  # the candidates sharing most of those tokens that are scored
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
over own same she should so some such than that the their them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your yours itself
one two three nobody anyone someone something nothing every everyone was were got get gets getting
""".split())
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "ed", "es", "er", "ly", "s")


def fold(text: str) -> str:
    """Lower-cased, accents and case folded away: 'Überlastung' and 'uberlastung' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A word without its commonest English ending, so 'freezes', 'freezing' and 'freeze' meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)].rstrip("e")
    return word.rstrip("e") if len(word) > 4 else word


def words(text: str) -> list[tuple[str, str]]:
    """(stem, word as folded) of each word of a text that carries meaning: stop words and short words out."""
    plain = re.sub(r"<[^>]+>|[*_`#>\[\]()]", " ", text)  # markup of markdown or HTML is not words
    return [(stem(w), w) for w in _WORD.findall(fold(plain)) if len(w) > 2 and w not in STOP_WORDS and not w.isdigit()]


def tokens(text: str) -> list[str]:
    """The words of a text that carry meaning: folded, stemmed, stop words and short words out."""
    return [token for token, _ in words(text)]


def cause_text(item: Item) -> str:
    """What a story says caused it: its root causes (each chain's, or the last why) and contributing factors."""
    fields = item.fields
    parts = [str(fields.get("root_cause") or "")]
    if not fields.get("root_cause") and fields.get("whys"):
        parts.append(str(fields["whys"][-1]))
    for chain in fields.get("chains") or ():
        parts.append(str(chain.get("root_cause") or (chain.get("whys") or [""])[-1]))
    parts += [str(f.get("factor") or "") for f in fields.get("factors") or ()]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Fix:
    """An earlier review's preventive action that was done: what was meant to stop it happening again."""

    review_key: str
    what: str
    kind: str  # the action's kind ('' when the review gives its actions none)
    completed: dt.date | None
    team: str


@dataclass(frozen=True)
class Recurrence:
    """A story that looks like an earlier review whose fix was done."""

    story_key: str
    review_key: str
    score: float  # 0 to 1
    confirmed: bool  # the story's `recurs:` says so


@dataclass(frozen=True)
class Recurrences:
    """Every recurrence of a build, by story and by review, and every done fix."""

    by_story: dict[str, tuple[Recurrence, ...]]
    by_review: dict[str, tuple[Recurrence, ...]]
    fixes: dict[str, tuple[Fix, ...]]  # review key -> its done preventive actions, for every review that has one

    def of(self, key: str) -> tuple[Recurrence, ...]:
        """The recurrences a page shows: the earlier reviews a story looks like, then the later stories like it."""
        return self.by_story.get(key, ()) + self.by_review.get(key, ())


def done_fixes(item: Item) -> tuple[Fix, ...]:
    """A review's preventive actions that are done (`kind: prevent`, or every action when none has a kind)."""
    actions = [a for a in item.fields.get("actions") or () if isinstance(a, dict)]
    kinded = any(a.get("kind") for a in actions)
    team = str(item.fields.get("team") or next(iter(item.terms.get("teams", ())), ""))
    return tuple(Fix(item.key, str(a.get("what") or ""), str(a.get("kind") or ""), a.get("completed"), team)
                 for a in actions if a.get("status") == "done" and (a.get("kind") == "prevent" or not kinded))


def idf_weights(counts: Iterable[Counter[str]]) -> dict[str, float]:
    """Each token's weight across texts (smoothed inverse document frequency): the rarer, the heavier."""
    frequency: Counter[str] = Counter()
    total = 0
    for found in counts:
        frequency.update(found.keys())
        total += 1
    return {t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in frequency.items()}


def weighted_vector(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """A text's tokens weighed by TF-IDF, of unit length (so two vectors' dot product is their cosine)."""
    weights = {t: n * idf[t] for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def similarity(a: dict[str, float], b: dict[str, float], patterns_a: frozenset[str],
               patterns_b: frozenset[str]) -> float:
    """How alike two stories are, 0 to 1: the cosine of their cause texts, with shared patterns weighed in."""
    return blend(sum(a[t] * b[t] for t in a.keys() & b.keys()), patterns_a, patterns_b)


def blend(cosine: float, patterns_a: frozenset[str], patterns_b: frozenset[str]) -> float:
    """A likeness, 0 to 1, from two texts' cosine and the terms (patterns, barriers) the two share."""
    shared = len(patterns_a & patterns_b) / len(patterns_a | patterns_b) if patterns_a | patterns_b else 0.0
    return (1 - PATTERN_WEIGHT) * cosine + PATTERN_WEIGHT * shared


def find_recurrences(site: Site) -> Recurrences:
    """Each published story that looks like an earlier published review with a done fix (at or above the site's
    `insights.recurrence_threshold`, or confirmed by `recurs:`), less those its `not_recurring:` dismisses."""
    stories = sorted((i for i in site.items if i.type in RECURRING_TYPES and i.date), key=lambda i: (i.date, i.key))
    fixes = {i.key: f for i in stories if i.type == "debrief" and (f := done_fixes(i))}
    counts = {i.key: Counter(tokens(cause_text(i))) for i in stories}
    idf = idf_weights(counts.values())
    vectors = {key: weighted_vector(found, idf) for key, found in counts.items()}
    patterns = {i.key: frozenset(i.terms.get("patterns", ())) for i in stories}
    reviews = [i for i in stories if i.key in fixes]
    common = max(RARE_LEAST, RARE_SHARE * len(reviews))
    review_df = Counter(t for r in reviews for t in counts[r.key])
    # Reviews by rare-ish token, filled in date order as the stories are passed: a story meets only earlier reviews.
    index: dict[str, list[str]] = {}
    threshold = site.config.recurrence_threshold / 100
    found_pairs: dict[tuple[str, str], Recurrence] = {}
    for story in stories:
        links = site.links.get(story.key, {})
        dismissed = set(links.get("not_recurring", ()))
        telling = sorted((t for t in counts[story.key] if t in index), key=lambda t: (review_df[t], t))
        shared: Counter[str] = Counter()
        for token in telling[:TELLING_TOKENS]:
            shared.update(index[token][-CANDIDATES_PER_TOKEN:])  # the reviews nearest in time
        for review_key in sorted(shared, key=lambda k: (-shared[k], k))[:CANDIDATES_PER_STORY]:
            review = site.by_key[review_key]
            if review_key in dismissed or not review.date < story.date:  # type: ignore[operator]
                continue
            score = similarity(vectors[story.key], vectors[review_key], patterns[story.key], patterns[review_key])
            if score >= threshold:
                found_pairs[(story.key, review_key)] = Recurrence(story.key, review_key, round(score, 3), False)
        if story.key in fixes:
            for token in counts[story.key]:
                if review_df[token] <= common:
                    index.setdefault(token, []).append(story.key)
        for review_key in links.get("recurs", ()):
            if review_key != story.key:
                score = similarity(vectors[story.key], vectors[review_key], patterns[story.key],
                                   patterns[review_key]) if review_key in vectors else 0.0
                found_pairs[(story.key, review_key)] = Recurrence(story.key, review_key, round(score, 3), True)
    by_story: dict[str, list[Recurrence]] = {}
    by_review: dict[str, list[Recurrence]] = {}
    for pair in sorted(found_pairs.values(), key=lambda r: (-r.confirmed, -r.score, r.story_key, r.review_key)):
        by_story.setdefault(pair.story_key, []).append(pair)
        by_review.setdefault(pair.review_key, []).append(pair)
    return Recurrences({k: tuple(v) for k, v in by_story.items()}, {k: tuple(v) for k, v in by_review.items()},
                       fixes)


def recurrence_inputs(recurrences: Recurrences, key: str) -> tuple[Any, ...]:
    """What an item's page shows of recurrences, for its signature: a page changes when these change."""
    return tuple((r.story_key, r.review_key, r.confirmed) for r in recurrences.of(key))


@dataclass(frozen=True)
class FixOutcome:
    """A done fix and the later stories that look like its review: it held when there are none."""

    fix: Fix
    recurred_in: tuple[str, ...]  # keys of the stories, oldest first

    @property
    def held(self) -> bool:
        return not self.recurred_in


@dataclass(frozen=True)
class OutcomeGroup:
    """The fixes of one team or one action kind: those that held and those that did not."""

    name: str  # the team or the kind ('' when it gives none)
    held: tuple[FixOutcome, ...]
    recurred: tuple[FixOutcome, ...]


def fix_outcomes(site: Site, recurrences: Recurrences) -> tuple[FixOutcome, ...]:
    """Every done fix, oldest review first, with the stories that recurred after it."""
    def oldest_first(key: str) -> tuple[dt.date, str]:
        return (site.by_key[key].date or dt.date.min, key)
    return tuple(FixOutcome(fix, tuple(sorted((r.story_key for r in recurrences.by_review.get(review, ())),
                                              key=oldest_first)))
                 for review in sorted(recurrences.fixes, key=oldest_first) for fix in recurrences.fixes[review])


def grouped_outcomes(outcomes: tuple[FixOutcome, ...], by: str) -> tuple[OutcomeGroup, ...]:
    """The outcomes by `team` or by `kind`, groups in alphabetical order (the unnamed last)."""
    groups: dict[str, list[FixOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(getattr(outcome.fix, by), []).append(outcome)
    return tuple(OutcomeGroup(name, tuple(o for o in members if o.held), tuple(o for o in members if not o.held))
                 for name, members in sorted(groups.items(), key=lambda pair: (not pair[0], pair[0].lower())))
