"""Render markdown bodies in worker processes: plain data in, HTML out.

Workers are forked, so they inherit the Site and the Renderer instead of receiving them through
pickles; each gets a slice of item keys and sends back RenderedBody values. Forking a process
that runs other threads can deadlock, so a process with threads (the preview server) renders
serially; so do small sites, where starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from failsite.render import RenderedBody, Renderer
    from failsite.site import Site

PARALLEL_FROM_ITEMS = 200  # FAILSITE_WORKERS sets the number of processes (1: render serially)
_CHUNK = 50

# What a forked worker renders from: set in the parent just before the fork, read in the child.
_inherited: dict[str, object] = {}


def render_bodies(renderer: "Renderer", site: "Site", keys: list[str]) -> dict[str, "RenderedBody"]:
    """Each item's rendered body, in worker processes when that pays off."""
    workers = int(os.environ.get("FAILSITE_WORKERS") or min(os.cpu_count() or 1, 8))
    parallel = (len(keys) >= PARALLEL_FROM_ITEMS and workers > 1 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods())
    if not parallel:
        return {key: renderer.body(site, site.by_key[key]) for key in keys}
    _inherited.update(renderer=renderer, site=site)
    try:
        chunks = [keys[i:i + _CHUNK] for i in range(0, len(keys), _CHUNK)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results: dict[str, RenderedBody] = {}
            for rendered in pool.map(_render_chunk, chunks):
                results.update(rendered)
        return {key: results[key] for key in keys}
    finally:
        _inherited.clear()


def _render_chunk(keys: list[str]) -> dict[str, "RenderedBody"]:
    renderer: Renderer = _inherited["renderer"]  # type: ignore[assignment]
    site: Site = _inherited["site"]  # type: ignore[assignment]
    return {key: renderer.body(site, site.by_key[key]) for key in keys}
