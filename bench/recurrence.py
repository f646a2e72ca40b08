"""Time "Did the fix hold?" (failsite.site.recurrence) on generated reviews and log entries.

    python bench/recurrence.py [--stories 1000 10000] [--seed 7]

Each story has a root cause and two or three contributing factors of 8 to 16 words drawn from a Zipf-shaped
vocabulary of 5,000 words (so common words are common, as in real writing); a third of the stories are debriefs,
half of those with a done preventive action; one story in ten retells an earlier debrief's cause in half of its
words. Prints, per size, the seconds `find_recurrences` takes (median of the runs), how many pairs it scored (the
index keeps this to a bounded number per story, where every pair would be n²/2), and the recurrences it found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import string
import time
from pathlib import Path
from typing import Any, Callable

from failsite.content.config import SiteConfig
from failsite.content.items import Item
from failsite.site import recurrence
from failsite.site.assemble import Site

PATTERNS = ("concrete", "circumstantial", "perceived", "identity", "paralysis")
TEAMS = ("Routing", "Depots", "Finance", "Platform", "Facilities", "Support")


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Made-up words of 4 to 10 letters, none of them a stop word."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10))))
    return sorted(words)


def stories(count: int, seed: int) -> list[Item]:
    """`count` published debriefs and log entries, a day apart, oldest first."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]

    def phrase() -> str:
        return " ".join(rng.choices(words, weights, k=rng.randint(8, 16)))
    items: list[Item] = []
    debriefs: list[Item] = []
    for number in range(count):
        cause, factors = phrase(), [phrase() for _ in range(rng.randint(2, 3))]
        if debriefs and rng.random() < 0.1:  # a retelling: half its words from an earlier review's cause
            earlier = rng.choice(debriefs).fields["root_cause"].split()
            cause = " ".join(rng.sample(earlier, len(earlier) // 2) + cause.split()[:len(earlier) // 2])
        kind = "debrief" if rng.random() < 1 / 3 else "log"
        fields: dict[str, Any] = {"root_cause": cause, "factors": [{"factor": f, "control": "partially"} for f in factors]}
        if kind == "debrief":
            fields["team"] = rng.choice(TEAMS)
            fields["actions"] = [{"what": phrase(), "kind": "prevent", "status": "done" if rng.random() < 0.5 else
                                  "open", "completed": dt.date(2020, 1, 1)}]
        key = f"{kind}s/story-{number}.md"
        item = Item(key=key, path=f"content/{key}", type=kind, slug=f"story-{number}", url=f"/{kind}s/story-{number}/",
                    title=f"Story {number}", date=dt.date(2000, 1, 1) + dt.timedelta(days=number), summary="",
                    draft=False, fields=fields, terms={"patterns": (rng.choice(PATTERNS),)}, field_links={}, body="",
                    body_line=1)
        items.append(item)
        if kind == "debrief":
            debriefs.append(item)
    return items


def site_of(items: list[Item]) -> Site:
    return Site(SiteConfig(site_dir=Path("."), title="Bench"), tuple(reversed(items)), {i.key: i for i in items}, (),
                {}, {}, frozenset(i.key for i in items), {})


def counted_runs(module: Any, name: str, work: Callable[[], Any], runs: int) -> tuple[float, int, Any]:
    """Run `work` `runs` times, counting the calls it makes to `module.name` (one scoring): the median seconds, the
    calls of one run and the last run's result."""
    scored = 0
    original = getattr(module, name)

    def counting(*args: Any) -> Any:
        nonlocal scored
        scored += 1
        return original(*args)
    times = []
    found = None
    for _ in range(runs):
        scored = 0
        setattr(module, name, counting)
        try:
            started = time.perf_counter()
            found = work()
            times.append(time.perf_counter() - started)
        finally:
            setattr(module, name, original)
    return statistics.median(times), scored, found


def measure(count: int, seed: int, runs: int) -> tuple[float, int, int]:
    """Median seconds, pairs scored and recurrences found for `count` stories."""
    site = site_of(stories(count, seed))
    seconds, scored, found = counted_runs(recurrence, "similarity", lambda: recurrence.find_recurrences(site), runs)
    return seconds, scored, sum(len(v) for v in found.by_story.values())


def bench_options(doc: str) -> argparse.Namespace:
    """The options of a bench of generated stories: --stories (sizes), --seed, --runs."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--stories", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    options = bench_options(__doc__)
    print(f"{'stories':>8} {'seconds':>8} {'pairs scored':>13} {'per story':>10} {'all pairs':>12} {'recurrences':>12}")
    for count in options.stories:
        seconds, scored, found = measure(count, options.seed, options.runs)
        print(f"{count:>8,} {seconds:>8.2f} {scored:>13,} {scored / count:>10.1f} {count * (count - 1) // 2:>12,} "
              f"{found:>12,}")


if __name__ == "__main__":
    main()
