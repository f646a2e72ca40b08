"""Spread the heavy stages over worker processes: markdown bodies, page templates, the leak audit.

Workers are forked, so they inherit the site, the renderer and the audit instead of receiving
them through pickles; each gets a slice of the work (plain keys, page plans, file paths) and
sends back plain values. Forking a process that runs other threads can deadlock, so a process
with threads (the preview server) works serially; so does a small site, where starting workers
costs more than it saves. FAILSITE_WORKERS sets the number of processes (1: serial).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence, TypeVar

Work = TypeVar("Work")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1
PARALLEL_FROM = 200  # pieces of work below which everything runs in this process

# What a forked worker works from: set in the parent just before the fork, read in the child.
_inherited: dict[str, Any] = {}


def worker_count() -> int:
    return int(os.environ.get("FAILSITE_WORKERS") or min(os.cpu_count() or 1, 8))


def fork_map(task: Callable[[dict[str, Any], Sequence[Work]], list[Result]], work: Sequence[Work],
             inherited: dict[str, Any], chunk: int = 50,
             progress: Callable[[int, int], None] | None = None) -> list[Result]:
    """`task(inherited, slice)` over slices of `work`, in forked workers when that pays off; results in order.

    `progress(done, total)` is called after each slice."""
    workers = worker_count()
    slices = [work[i:i + chunk] for i in range(0, len(work), chunk)]
    results: list[Result] = []
    if (len(work) < PARALLEL_FROM or workers < 2 or threading.active_count() != 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        for piece in slices:
            results += task(inherited, piece)
            if progress:
                progress(len(results), len(work))
        return results
    _inherited.update(inherited, task=task)
    # What the workers inherit is never collected by them: frozen, their collector does not walk it (each walk
    # wrote to every inherited object, copying the parent's memory page by page into each worker).
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent) as pool:
            for piece_results in pool.map(_run_slice, slices):
                results += piece_results
                if progress:
                    progress(len(results), len(work))
        return results
    finally:
        gc.unfreeze()
        _inherited.clear()


def end_with_this_process() -> None:
    """For `subprocess.run(preexec_fn=...)`: the program started (Pagefind) is killed when the build that started
    it dies, so a killed build's indexer cannot go on writing into its staging folder after the next build has
    cleared it away."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _die_with_parent() -> None:
    """Make this worker end when the build that forked it ends, however it ends (a `kill -9` included):
    otherwise workers of a killed build wait a minute for work that never comes."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown is all there is
        pass
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def _run_slice(work: Sequence[Any]) -> list[Any]:
    task = _inherited["task"]
    return task(_inherited, work)  # type: ignore[no-any-return]
