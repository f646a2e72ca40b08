"""Time the demo site's build with a registry the size of an HR export.

    python bench/registry.py [--people 50000] [--runs 3]

Adds generated, clearly invented people to a copy of the demo registry, then times loading the
registry (pseudonyms included) and a whole cold build of the demo (`--no-cache`). Run by hand;
the figures go in the README's anonymisation section.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_FIRST = ("Ab", "Bel", "Cor", "Dav", "El", "Fen", "Gal", "Hav", "Il", "Jor", "Kel", "Lom", "Mar", "Nor", "Ol", "Per",
          "Quin", "Ros", "Sel", "Tam", "Ul", "Ver", "Wen", "Yor", "Zel")
_SECOND = ("a", "en", "ia", "on", "is", "o", "el", "ir", "ana", "et")
_FAMILY = ("Brandt", "Castell", "Dunmore", "Esterby", "Fairlow", "Garrick", "Holloway", "Ingram", "Jessop", "Kettering",
           "Lowther", "Marlow", "Northcote", "Oakham", "Pendry", "Quarrie", "Redfern", "Stanmore", "Thackery", "Upshaw")


def people(count: int) -> list[str]:
    """Invented, distinct full names (given x family x a numbered suffix where needed)."""
    given = [a + b for a, b in itertools.product(_FIRST, _SECOND)]
    names = [f"{g} {f}" for g, f in itertools.product(given, _FAMILY)]
    return [name if n < len(names) else f"{name}-{n // len(names)}" for n, name in
            ((n, names[n % len(names)]) for n in range(count))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "demo"
        shutil.copytree(REPO / "content", site / "content")
        shutil.copy(REPO / "site.yaml", site / "site.yaml")
        registry = (REPO / "people.yaml").read_text(encoding="utf-8")
        extra = "".join(f"  - name: {name}\n" for name in people(options.people))
        registry = registry.replace("organisations:", extra + "organisations:", 1)
        (site / "people.yaml").write_text(registry, encoding="utf-8")
        sys.path.insert(0, str(REPO))
        from failsite.privacy.registry import load_registry
        started = time.perf_counter()
        loaded = load_registry(site / "people.yaml", "people.yaml")
        load_seconds = time.perf_counter() - started
        pseudonyms = {e.pseudonym for e in loaded.entries}
        builds = []
        for _ in range(options.runs):
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "failsite", "build", str(site), "--no-cache"],
                                    capture_output=True, text=True)
            builds.append(time.perf_counter() - started)
            if result.returncode != 0:
                sys.exit(result.stderr)
        print(f"{platform.machine()}, {platform.python_version()}, {len(loaded.entries):,} registry entries, "
              f"{len(pseudonyms):,} distinct pseudonyms")
        print(f"load registry (parse, check, pseudonyms): {load_seconds:.2f} s")
        print(f"cold build of the demo, median of {options.runs}: {statistics.median(builds):.2f} s")


if __name__ == "__main__":
    main()
