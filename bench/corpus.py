"""Generate a seeded corpus of talk pages like the demo's, with a registry of people named in the text.

    python bench/corpus.py OUT_DIR --pages 1000 [--people 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
from pathlib import Path

WORDS = ("launch pilot depot route planner board quarter team forecast review decision budget client driver "
         "shift handover signal risk data measure failure lesson change owner deadline rollout trust customer "
         "warehouse volume target promise pressure evidence meeting plan test feedback recovery").split()
GIVEN = ("Avery Blake Casey Dana Eli Farah Gita Hugo Ines Jonas Kemal Lena Mateo Nadia Omar Priya Quentin Rosa "
         "Soren Tala Umar Vera Wendell Ximena Yusuf Zora").split()
FAMILY = ("Abara Bergstrom Castillo Dimitrov Eklund Fontaine Gallo Halvorsen Ibarra Jovanovic Kowalczyk Lindahl "
          "Moreau Nakamura Okafor Petrov Quintero Rasmussen Sorensen Takahashi Ulloa Varga Whitaker Yilmaz").split()
PATTERNS = ("concrete", "circumstantial", "perceived", "identity", "paralysis")
TAGS = ("launches", "deadlines", "leadership", "clients", "operations", "forecasting", "hiring", "meetings")


def byte_compiled() -> None:
    """Run failsite as a pip install leaves it: byte-compiled, and free to write .pyc files. With
    PYTHONDONTWRITEBYTECODE set (as on some CI machines) an editable checkout would compile every module again on
    every run (0.15 s a build), which no installed tool, and none of the anchors, pays."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import failsite

    compileall.compile_dir(Path(failsite.__file__).parent, quiet=1)


def sentence(rng: random.Random, people: list[str]) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    if people and rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(people))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, people: list[str]) -> str:
    return " ".join(sentence(rng, people) for _ in range(rng.randint(3, 6)))


def page(rng: random.Random, n: int, people: list[str]) -> str:
    """About 720 words: headings, lists, a table, links and emphasis."""
    patterns = rng.sample(PATTERNS, rng.randint(1, 3))
    tags = rng.sample(TAGS, rng.randint(2, 4))
    body = [paragraph(rng, people), f"## What happened\n\n{paragraph(rng, people)} *{rng.choice(WORDS)}* matters.",
            "\n".join(f"- {sentence(rng, people)}" for _ in range(5)), paragraph(rng, people),
            "| Month | Rate |\n|---|---:|\n" + "\n".join(f"| M{i} | {rng.randint(70, 99)}% |" for i in range(4)),
            f"## The turning point\n\n{paragraph(rng, people)} See [an earlier talk](talk-{max(n - 1, 0):05d}.md).",
            paragraph(rng, people), paragraph(rng, people), f"## Lessons\n\n**{paragraph(rng, people)}**",
            paragraph(rng, people), paragraph(rng, people)]
    return (f"---\ntitle: Talk {n} about the {rng.choice(WORDS)} {rng.choice(WORDS)}\n"
            f"date: 20{rng.randint(20, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
            f"speaker: {rng.choice(people) if people else 'Avery Example'}\nevent: FailLab {rng.randint(2020, 2026)}\n"
            f"patterns: [{', '.join(patterns)}]\ntags: [{', '.join(tags)}]\n---\n" + "\n\n".join(body) + "\n")


def generate(out: Path, pages: int, people_count: int, seed: int) -> None:
    """Write site.yaml, people.yaml and `pages` talks into `out`."""
    rng = random.Random(seed)
    people = sorted({f"{g} {f}" for g in GIVEN for f in FAMILY})[:people_count]
    talks = out / "content" / "talks"
    talks.mkdir(parents=True, exist_ok=True)
    registry = "secret: bench\npeople:\n" + "".join(f"  - name: {p}\n" for p in people)
    (out / "people.yaml").write_text(registry, encoding="utf-8")
    config = "title: Bench\nbase_url: https://bench.example/\n"
    if people:
        config += "anonymise:\n  registry: people.yaml\n"
    (out / "site.yaml").write_text(config, encoding="utf-8")
    for n in range(pages):
        (talks / f"talk-{n:05d}.md").write_text(page(rng, n, people), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.pages, args.people, args.seed)
