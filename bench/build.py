"""Time failsite builds of a generated corpus: cold, nothing changed, one page edited, and `failsite check` (once
with nothing changed, then of that edit before it is built).

    python bench/build.py [--pages 1000] [--runs 3]

Prints median wall time and pages/s for each, with the machine it ran on. Run by hand; the
figures go in the README's performance section.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import byte_compiled, generate  # noqa: E402


def timed_build(site: Path, command: str = "build") -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "failsite", command, str(site)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return elapsed, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    byte_compiled()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        generate(site, args.pages, args.people, seed=7)
        cold, warm, edit, check, checked = [], [], [], [], []
        for _ in range(args.runs):
            shutil.rmtree(site / "public", ignore_errors=True)
            shutil.rmtree(site / ".failsite-cache", ignore_errors=True)  # cold: no output, no cache
            seconds, summary = timed_build(site)
            cold.append(seconds)
            warm.append(timed_build(site)[0])
            checked.append(timed_build(site, "check")[0])  # the author checks once before editing
            page = site / "content" / "talks" / "talk-00000.md"
            page.write_text(page.read_text() + "\nOne more sentence.\n")
            check.append(timed_build(site, "check")[0])  # the edit checked first, as an author does
            edit.append(timed_build(site)[0])
        pages = int(summary.split()[1])
        for label, times in (("cold", cold), ("nothing changed", warm), ("one page edited", edit),
                             ("check, nothing changed", checked), ("check of that edit", check)):
            median = statistics.median(times)
            print(f"{label:>16}: {median:6.2f} s  ({pages / median:5.0f} pages/s, {args.pages} talks, {pages} pages)")


if __name__ == "__main__":
    main()
