"""The floor of a cold build: read, front matter, markdown-it-py, Jinja and write, and nothing else.

    python bench/floor.py SITE_DIR [--workers 2]

Reads every `content/talks/*.md` of a generated corpus (bench/corpus.py), parses its YAML front
matter, renders its body with markdown-it-py (CommonMark with tables, as failsite configures it),
puts it in a small Jinja page and writes it, in forked workers over both cores. No taxonomy, no
anonymisation, no audit, no search index: what any Python generator using these libraries must
spend. bench/anchors.py runs it on the same corpus in the same run, so failsite's cold build can be
compared with it (the target: within 1.3x).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

PAGE = jinja2.Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><article><h1>{{ title }}</h1><p><time>{{ date }}</time></p>
{{ body }}
<ul>{% for tag in tags %}<li><a href="/tags/{{ tag }}/">{{ tag }}</a></li>{% endfor %}</ul>
</article></main></body></html>
""", autoescape=True)


def render_pages(paths: list[Path], out_dir: Path) -> int:
    """Render and write each page; the number written."""
    md = MarkdownIt("commonmark").enable("table")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        fields = yaml.safe_load(front)
        html = PAGE.render(title=fields["title"], date=fields["date"], tags=fields.get("tags") or [],
                           body=jinja2.utils.markupsafe.Markup(md.render(body)))
        target = out_dir / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    started = time.perf_counter()
    paths = sorted((args.site_dir / "content" / "talks").glob("*.md"))
    out_dir = args.site_dir / "floor-public"
    slices = [paths[i::args.workers] for i in range(args.workers)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        written = sum(pool.starmap(render_pages, [(s, out_dir) for s in slices]))
    print(f"{written} pages in {time.perf_counter() - started:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
