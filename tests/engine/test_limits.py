"""The time bound on a page's template: it ends endless work, in the main thread and in any other."""

from __future__ import annotations

import threading

import pytest

from failsite.engine.limits import TimeLimitExceeded, time_limit


def endless_work_that_swallows_exceptions() -> None:
    while True:
        try:
            sum(range(1000))
        except Exception:  # what library code does; the bound must get through it
            pass


def test_the_bound_ends_endless_work_in_the_main_thread() -> None:
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            endless_work_that_swallows_exceptions()


def test_the_bound_ends_endless_work_in_another_thread() -> None:
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.2):
                endless_work_that_swallows_exceptions()
        except TimeLimitExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=10)
    assert outcome == ["stopped"]


def test_work_within_the_bound_is_untouched() -> None:
    with time_limit(5):
        assert sum(range(10)) == 45
    with time_limit(0):  # no bound
        assert True
