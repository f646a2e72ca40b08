"""Time the themes across stories (failsite.site.themes) on generated reviews and log entries.

    python bench/themes.py [--stories 1000 10000] [--seed 7] [--runs 3]

The stories are bench/recurrence.py's (a root cause and two or three factors from a Zipf-shaped vocabulary, one in
ten retelling an earlier review's cause), each with one of four barriers, each debrief counting its team and each
log entry one of 200 owners. Prints, per size, the seconds the grouping takes (median of the runs), how many
story-to-theme likenesses it scored (every pair of stories would be n²/2), the themes shown (at the default of three
people or teams) and the stories of the largest.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from recurrence import bench_options, counted_runs, site_of, stories  # noqa: E402

from failsite.content.items import Item  # noqa: E402
from failsite.site import themes  # noqa: E402

OWNERS = 200
BARRIERS = ("shame", "confirmation-bias", "hindsight-bias", "premature-closure")


def with_people(items: list[Item], seed: int) -> list[Item]:
    """The stories with a barrier each, a debrief's team among its terms and a log entry's owner."""
    rng = random.Random(seed)
    return [replace(i, owner_key=f"owner {n % OWNERS}" if i.type == "log" else "",
                    terms={**i.terms, "barriers": (rng.choice(BARRIERS),),
                           "teams": (i.fields["team"],) if i.type == "debrief" else ()})
            for n, i in enumerate(items)]


def measure(count: int, seed: int, runs: int) -> tuple[float, int, int, int]:
    """Median seconds, likenesses scored, themes shown and the largest theme's stories for `count` stories."""
    site = site_of(with_people(stories(count, seed), seed))
    seconds, scored, found = counted_runs(themes, "blend", lambda: themes.site_themes(site), runs)
    return seconds, scored, len(found.shown), max((len(t.story_keys) for t in found.shown), default=0)


def main() -> None:
    options = bench_options(__doc__)
    print(f"{'stories':>8} {'seconds':>8} {'scored':>13} {'per story':>10} {'all pairs':>12} {'themes':>7} "
          f"{'largest':>8}")
    for count in options.stories:
        seconds, scored, shown, largest = measure(count, options.seed, options.runs)
        print(f"{count:>8,} {seconds:>8.2f} {scored:>13,} {scored / count:>10.1f} {count * (count - 1) // 2:>12,} "
              f"{shown:>7,} {largest:>8,}")


if __name__ == "__main__":
    main()
