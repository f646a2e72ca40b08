"""Spread the heavy stages over worker processes: markdown bodies, page templates, the leak audit.

Workers are forked, so they inherit the site, the renderer and the audit instead of receiving
them through pickles; each gets a slice of the work (plain keys, page plans, file paths) and
sends back plain values. Forking a process that runs other threads can deadlock, so a process
with threads (the preview server) works serially; so does a small site, where starting workers
costs more than it saves. FAILSITE_WORKERS sets the number of processes (1: serial).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Generic, Sequence, TypeVar

from failsite.engine import collector

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
             progress: Callable[[int, int], None] | None = None, parallel_from: int | None = None) -> list[Result]:
    """`task(inherited, slice)` over slices of `work`, in forked workers when that pays off; results in order.

    `progress(done, total)` is called after each slice. `parallel_from`: the pieces of work from which workers are
    started (fewer for heavy pieces: a photo to resize, a kit to print; PARALLEL_FROM when None)."""
    workers = worker_count()
    slices = [work[i:i + chunk] for i in range(0, len(work), chunk)]
    results: list[Result] = []
    if _serial(len(work), parallel_from):
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
        if not collector.one_shot():  # a one-shot process keeps it frozen (see engine.collector)
            gc.unfreeze()
        _inherited.clear()


def _serial(work_size: int, parallel_from: int | None = None) -> bool:
    """Whether work of this size runs in this process: small, one worker, threads here, or no fork."""
    least = PARALLEL_FROM if parallel_from is None else parallel_from
    return (work_size < least or worker_count() < 2 or threading.active_count() != 1
            or "fork" not in multiprocessing.get_all_start_methods())


class Meanwhile(Generic[Result]):
    """`task(inherited, work)` in one forked process while this one goes on with other work; where fork_map would
    work serially, the task runs here at once.

    A context manager: `result()` waits for the task and gives its results, or None when its process failed (the
    caller then does the work some other way); leaving the block without asking kills a task still running."""

    def __init__(self, task: Callable[[dict[str, Any], Sequence[Work]], list[Result]], work: Sequence[Work],
                 inherited: dict[str, Any]):
        self._pid = 0
        self._results: list[Result] | None = None
        if _serial(len(work)):
            self._results = task(inherited, work)
            return
        readable, writable = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: its results down the pipe, then gone without the parent's exit handlers
            code = 1
            try:
                os.close(readable)
                _die_with_parent()
                with os.fdopen(writable, "wb") as pipe:
                    pipe.write(pickle.dumps(task(inherited, work), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        self._pipe = os.fdopen(readable, "rb")

    def result(self) -> list[Result] | None:
        if self._pid:
            with self._pipe:
                data = self._pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            try:
                self._results = pickle.loads(data) if status == 0 else None
            except (pickle.UnpicklingError, EOFError):
                self._results = None
        return self._results

    def __enter__(self) -> "Meanwhile[Result]":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            self._pipe.close()
            os.waitpid(self._pid, 0)
            self._pid = 0


def end_with_this_process() -> None:
    """For `subprocess.run(preexec_fn=...)`: the program started (Pagefind) is killed when the build that started
    it dies, so a killed build's indexer cannot go on writing into its staging folder after the next build has
    cleared it away."""
    _killed_when_parent_ends()


def _die_with_parent() -> None:
    """Make this worker end when the build that forked it ends, however it ends (a `kill -9` included):
    otherwise workers of a killed build wait a minute for work that never comes."""
    _killed_when_parent_ends()
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def _killed_when_parent_ends() -> None:
    """Ask Linux to kill this process when its parent ends (PR_SET_PDEATHSIG). prctl is found among the symbols
    already loaded (libc's), not with ctypes.util.find_library, which starts a program to look for libc: in a
    preexec_fn, and in every worker."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown is all there is
        pass


def _run_slice(work: Sequence[Any]) -> list[Any]:
    task = _inherited["task"]
    return task(_inherited, work)  # type: ignore[no-any-return]
