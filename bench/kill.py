"""Kill builds at random moments and check what each leaves: the old output or the new one, whole, and no debris.

    python bench/kill.py [--pages 1000] [--people 600] [--kills 24] [--seed 1]

Generates a corpus and builds it. Then, KILLS times: edits a random talk, starts `failsite build`, and sends it
kill -9 (its whole process group) at a random moment within an edit build's time. After each kill it checks that
the output folder exists with its home page, then builds to completion. At the end it compares the output with a
clean build of a copy of the same sources and looks for leftovers beside the output and for stray processes.
Run by hand; the figures go in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402


def build(site: Path, *options: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "failsite", "build", *options], cwd=site, capture_output=True)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = Path(tempfile.mkdtemp(prefix="failsite-kill-"))
    site = work / "site"
    generate(site, options.pages, options.people, seed=3)
    started = time.monotonic()
    assert build(site).returncode == 0
    cold = time.monotonic() - started
    talks = sorted((site / "content/talks").glob("*.md"))
    talks[0].write_text(talks[0].read_text() + "\nAn edit.\n")
    started = time.monotonic()
    assert build(site).returncode == 0
    edit = time.monotonic() - started  # a kill lands within an edit build's time: most land mid-build
    whole = landed = 0
    for number in range(options.kills):
        target = rng.choice(talks)
        target.write_text(target.read_text().replace("\n---\n", f"\n---\nKill round {number}.\n\n", 1))
        process = subprocess.Popen([sys.executable, "-m", "failsite", "build"], cwd=site, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, edit))
        if process.poll() is None:
            landed += 1
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the build and its workers
        except ProcessLookupError:  # it had ended, and so had its workers
            pass
        process.wait()
        whole += (site / "public/index.html").is_file()
        result = build(site)
        assert result.returncode == 0, result.stderr.decode()
    copy = work / "clean"
    copy.mkdir()
    for name in ("content", "site.yaml", "people.yaml"):  # the sources alone
        (shutil.copytree if (site / name).is_dir() else shutil.copy)(site / name, copy / name)
    assert build(copy, "--no-cache").returncode == 0
    same = digest(site / "public") == digest(copy / "public")
    time.sleep(2)  # the old outputs' detached removals
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".public.")]
    strays = subprocess.run(["pgrep", "-f", str(site)], capture_output=True, text=True).stdout.split()
    print(f"{options.pages} talks, {options.people} people; cold build {cold:.2f} s, an edit {edit:.2f} s; "
          f"{options.kills} kill -9s, "
          f"{landed} while the build ran")
    print(f"output whole after every kill: {whole} of {options.kills}; final output equal to a clean build: "
          f"{'yes' if same else 'NO'}; leftovers beside the output: {leftovers or 'none'}; stray processes: "
          f"{len(strays)}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
