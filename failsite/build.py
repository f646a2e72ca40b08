"""The whole pipeline: config, sources, items, site, theme, outputs, then the one write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from failsite.config import load_config
from failsite.content import item_schema, parse_sources
from failsite.discover import discover_sources
from failsite.errors import BuildFailed, Diagnostic, has_errors, sorted_unique
from failsite.render import Output, Progress, render_site
from failsite.site import assemble_site
from failsite.theme import load_theme
from failsite.write import check_output_dir, discard, publish, stage_outputs


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made, and the warnings it found."""

    outputs: list[Output]
    warnings: list[Diagnostic]
    pages: int
    seconds: float
    out_dir: Path | None


def build_site(site_dir: Path, out_dir: Path | None = None, drafts: bool = False, write: bool = True,
               progress: Progress | None = None) -> BuildResult:
    """Build the site in `site_dir`; raise BuildFailed with every error, leaving the old output untouched."""
    started = time.perf_counter()
    config = load_config(site_dir)
    target = (out_dir if out_dir is not None else site_dir / config.output)
    if write:
        check_output_dir(target, site_dir, config.content_dir)
    sources, diagnostics = discover_sources(config)
    items, found = parse_sources(sources, item_schema(config))
    diagnostics += found
    site, found = assemble_site(items, frozenset(s.key for s in sources), config, drafts)
    diagnostics += found
    theme, found = load_theme(config)
    diagnostics += found
    outputs: list[Output] = []
    if theme is not None:
        outputs, found = render_site(site, theme, progress)
        diagnostics += found
    if has_errors(diagnostics):
        raise BuildFailed(sorted_unique(diagnostics))
    if write:
        staging = stage_outputs(((o.path, o.content) for o in outputs), target)
        try:
            publish(staging, target)
        finally:
            discard(staging)
    pages = sum(1 for o in outputs if o.path.endswith(".html"))
    return BuildResult(outputs, sorted_unique(diagnostics), pages, time.perf_counter() - started,
                       target if write else None)
