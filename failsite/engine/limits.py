"""A bound on how long one piece of work may run, for the site's own code (templates) that could run forever.

In a process's main thread (a build, and every worker it forks) the bound is a SIGALRM timer; in
any other thread (the live preview rebuilds in one) it is an exception raised asynchronously in
that thread once the time is up. Either way the work stops at its next Python instruction.
"""

from __future__ import annotations

import ctypes
import gc
import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterator


_AGAIN = 0.5  # seconds between further raises once the bound has passed


class TimeLimitExceeded(BaseException):
    """The work ran longer than its bound. A BaseException, like KeyboardInterrupt, so that no `except Exception`
    in the code it interrupts swallows it; and raised again every half second until the block ends, in case
    something swallows it all the same."""


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Whether the interrupted code is a garbage-collector callback (an exception raised there is never seen)."""
    callbacks = {getattr(c, "__code__", None) for c in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks:
            return True
        frame = frame.f_back
    return False


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded inside the block once it has run `seconds` (0: no bound)."""
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread():
        def expire(signum: int, frame: FrameType | None) -> None:
            if not _in_gc_callback(frame):  # raised there it would be lost; the timer fires again soon
                raise TimeLimitExceeded(f"ran longer than {seconds:g} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds, _AGAIN)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    target = threading.get_ident()
    done = threading.Event()

    def expire_thread() -> None:
        delay = seconds
        while not done.wait(delay):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(TimeLimitExceeded))
            delay = _AGAIN

    watcher = threading.Thread(target=expire_thread, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
