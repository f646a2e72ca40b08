"""The cycle collector's policy: a one-shot process (the command line) freezes what it loads in bulk; any other
process (the preview, these tests) keeps the usual collection. Each case runs in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_a_one_shot_process_freezes_what_it_loads_and_collects_what_comes_after() -> None:
    assert _run("""
        import gc
        from failsite.engine import collector
        collector.one_shot_process()
        with collector.loading():
            during = gc.isenabled()
            kept = [{"item": n} for n in range(10_000)]
        frozen = gc.get_freeze_count()
        cycle = []; cycle.append(cycle); del cycle  # made after the load: still collected
        print(during, gc.isenabled(), frozen > 10_000, gc.collect() >= 1)
    """) == "False True True True"


def test_another_process_loads_without_freezing_anything() -> None:
    assert _run("""
        import gc
        from failsite.engine import collector
        with collector.loading():
            during = gc.isenabled()
            kept = [{"item": n} for n in range(10_000)]
        print(during, gc.get_freeze_count())
    """) == "True 0"


def test_forked_workers_leave_the_parents_objects_frozen_only_in_a_one_shot_process() -> None:
    code = """
        import gc, os
        os.environ["FAILSITE_WORKERS"] = "2"
        from failsite.engine import collector, parallel
        parallel.PARALLEL_FROM = 1
        {one_shot}
        def double(inherited, work):
            return [n * 2 for n in work]
        print(parallel.fork_map(double, list(range(300)), {{}}) == [n * 2 for n in range(300)], gc.get_freeze_count() > 0)
    """
    assert _run(code.format(one_shot="collector.one_shot_process()")) == "True True"
    assert _run(code.format(one_shot="")) == "True False"
