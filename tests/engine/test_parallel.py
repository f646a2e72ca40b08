"""Bodies rendered in worker processes give the same site, byte for byte, as rendering on one core."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tree_digest
from failsite.engine import parallel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from corpus import generate  # noqa: E402


def test_parallel_and_serial_builds_are_identical(tmp_path: Path) -> None:
    generate(tmp_path / "site", pages=240, people_count=50, seed=5)
    for workers in ("1", "2"):
        # A process of its own: forking is only used in a process without other threads.
        env = {**os.environ, "FAILSITE_WORKERS": workers}
        subprocess.run([sys.executable, "-m", "failsite", "build", str(tmp_path / "site"), "-o",
                        str(tmp_path / f"out-{workers}"), "--today", "2026-06-01"], check=True, env=env,
                       capture_output=True)
    assert tree_digest(tmp_path / "out-1") == tree_digest(tmp_path / "out-2")
    assert len(tree_digest(tmp_path / "out-1")) > 240


def test_the_audit_in_workers_still_fails_a_leak(tmp_path: Path) -> None:
    generate(tmp_path / "site", pages=240, people_count=50, seed=5)
    (tmp_path / "site/templates").mkdir()
    (tmp_path / "site/templates/404.html").write_text("<p>Ask Avery Abara</p>")
    env = {**os.environ, "FAILSITE_WORKERS": "2"}
    result = subprocess.run([sys.executable, "-m", "failsite", "build", str(tmp_path / "site")], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert 'public/404.html:1:1: error: protected name of "Avery Abara" found' in result.stderr
    assert not (tmp_path / "site/public").exists()


def _squares(inherited: dict[str, object], work: list[int]) -> list[int]:
    if inherited.get("fail"):
        raise RuntimeError("the task failed")
    if inherited.get("slow"):
        import time
        time.sleep(60)
    return [n * n + int(inherited.get("plus", 0)) for n in work]  # type: ignore[call-overload]


def test_a_task_meanwhile_runs_in_a_process_of_its_own_and_gives_its_results(forking: None) -> None:
    with parallel.Meanwhile(_squares, [1, 2, 3], {"plus": 1}) as task:
        assert task._pid not in (0, os.getpid())
        assert task.result() == [2, 5, 10]
        assert task.result() == [2, 5, 10]  # asked again: the same, not waited for again


def test_a_task_meanwhile_that_fails_gives_none_for_the_caller_to_do_the_work(forking: None) -> None:
    with parallel.Meanwhile(_squares, [1, 2], {"fail": True}) as task:
        assert task.result() is None


def test_a_task_meanwhile_not_waited_for_is_ended_with_the_block(forking: None) -> None:
    with parallel.Meanwhile(_squares, [1], {"slow": True}) as task:
        pid = task._pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # gone and reaped: no process left waiting a minute


def test_a_small_task_meanwhile_runs_here_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with parallel.Meanwhile(_squares, [4], {}) as task:
        assert task._pid == 0
        assert task.result() == [16]
