"""What `--pdf` adds to an edit build: the demo site, one story edited at a time, built with and without `--pdf`.

    python bench/pdf.py [--runs 5]

Copies the demo into a temporary folder and builds it once with `--pdf` (restricted, so facilitator packs are
printed too). Then, RUNS times each, alternating: edits a talk no kit shows and builds with `--pdf`, the same
without `--pdf`, and edits a talk one module's kits show and builds with `--pdf`. Prints the median and range of
each, and how the first compares with the second. Run by hand on a quiet machine; the figures go in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNSHOWN = "content/talks/the-audit-we-passed-on-paper.md"  # in no module: no kit shows it
SHOWN = "content/talks/launch-too-early/index.md"  # in the module "Reading a failure" and its track


def build(site: Path, *options: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "failsite", "build", "--audience", "restricted", *options], cwd=site,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def edit(path: Path, run: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n").rsplit("\n\nEdited for the bench", 1)[0] + f"\n\nEdited for the bench, {run}.\n",
                    encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "demo"
        subprocess.run([sys.executable, "-m", "failsite", "init", "--demo", str(site)], check=True, capture_output=True)
        for name in (UNSHOWN, SHOWN):
            assert (site / name).exists(), name
        build(site, "--pdf")
        times: dict[str, list[float]] = {"edit, no kit shows it, --pdf": [], "edit, no kit shows it": [],
                                         "edit, one module's kits show it, --pdf": []}
        for run in range(runs):
            edit(site / UNSHOWN, run)
            times["edit, no kit shows it, --pdf"].append(build(site, "--pdf"))
            edit(site / UNSHOWN, run + 1000)
            times["edit, no kit shows it"].append(build(site))
            build(site, "--pdf")  # back to a build with PDFs, so the next edit starts from one
            edit(site / SHOWN, run)
            times["edit, one module's kits show it, --pdf"].append(build(site, "--pdf"))
        for name, found in times.items():
            print(f"{name:42} median {statistics.median(found):.2f} s (from {min(found):.2f} to {max(found):.2f})")
        ratio = statistics.median(times["edit, no kit shows it, --pdf"]) / statistics.median(times["edit, no kit shows it"])
        print(f"--pdf on an edit no kit shows: {ratio:.2f}x the same edit without it")


if __name__ == "__main__":
    main()
