"""The cycle collector's policy for a process that builds once and ends (the command line).

Such a process loads millions of objects it keeps until it ends (the cache's items, bodies and page records), and
the collector walked them again and again: 0.3 s of an edit at 10,000 talks, 5.5 s of one at 100,000. There, what
is loaded in bulk is frozen out of the collector's sight for good; a long-lived process (the preview) keeps the
usual collection, since what it no longer needs must be freed. Kept free of heavy imports: the command line tells
it before it knows whether it builds at all.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_one_shot = False


def one_shot_process() -> None:
    """Tell the engine this process builds once and ends."""
    global _one_shot
    _one_shot = True


def one_shot() -> bool:
    return _one_shot


@contextmanager
def loading() -> Iterator[None]:
    """Around a bulk load of what a build keeps until it ends: in a one-shot process nothing is collected meanwhile,
    and everything then alive is frozen, so no later collection walks it."""
    if not _one_shot or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
