"""The command line end to end: build, check and new, with their exit codes and messages."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SiteMaker, run_cli, talk
from failsite.cli import TerminalProgress
from failsite.content.schema import CONTENT_TYPES


run = run_cli


def test_build_writes_the_site_and_reports_pages(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    code, output = run("build", str(site))
    assert code == 0
    assert output.startswith("built ") and " pages (" in output and "pages/s" in output
    assert (site / "public/talks/a/index.html").exists()


def test_build_to_another_folder(make_site: SiteMaker, tmp_path: Path) -> None:
    site = make_site({"content/talks/a.md": talk()})
    code, _ = run("build", str(site), "-o", str(tmp_path / "out"))
    assert code == 0 and (tmp_path / "out/talks/a/index.html").exists()
    assert not (site / "public").exists()


def test_content_errors_exit_1_with_all_errors_and_no_traceback(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(patterns="[concret]"), "content/talks/b.md": "---\ntitle: B\n---\n"})
    code, output = run("build", str(site))
    assert code == 1
    assert "content/talks/a.md:5:12: error: 'patterns' has unknown value 'concret' (did you mean 'concrete'?)" in output
    assert "content/talks/b.md:2:1: error: missing required talk field 'date'" in output
    assert "build failed: 3 errors, 0 warnings (the previous output was left as it was)" in output
    assert "Traceback" not in output


def test_usage_errors_exit_2() -> None:
    assert run("build", "--no-such-flag")[0] == 2
    assert run("frobnicate")[0] == 2
    code, output = run("new", "talkz", "Title")
    assert code == 2 and "did you mean" in output


def test_missing_site_yaml_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, output = run("build", str(tmp_path))
    assert code == 1 and "no site.yaml in" in output and "Traceback" not in output


def test_check_writes_nothing(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    code, output = run("check", str(site))
    assert code == 0 and output.startswith("checked ")
    assert not (site / "public").exists()


def test_check_prints_warnings_but_succeeds(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="[d](b.md)"), "content/talks/b.md": talk("B", draft="true")})
    code, output = run("check", str(site))
    assert code == 0 and ": warning: link to 'b.md'" in output and "1 warning" in output


@pytest.mark.parametrize("type_name", list(CONTENT_TYPES))
def test_new_writes_an_archetype_that_checks_clean(make_site: SiteMaker, type_name: str) -> None:
    site = make_site({})
    code, output = run("new", type_name, "Ünder the Bridge: a story", str(site))
    assert code == 0
    path = Path(output.strip())
    folder = CONTENT_TYPES[type_name].name
    assert path.name == "under-the-bridge-a-story.md" and path.exists()
    text = path.read_text()
    assert 'title: "Ünder the Bridge: a story"' in text and "draft: true" in text
    for spec in CONTENT_TYPES[type_name].fields:
        assert f"# {spec.name}: " in text, spec.name  # every field is present and explained
    code, output = run("check", str(site), "--drafts")
    assert code == 0, output
    assert folder


def test_new_refuses_to_overwrite(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/same.md": "keep me"})
    code, output = run("new", "talks", "Same", str(site))
    assert code == 1 and "the file already exists" in output
    assert (site / "content/talks/same.md").read_text() == "keep me"


def test_new_uses_the_sites_own_archetype(make_site: SiteMaker) -> None:
    site = make_site({"archetypes/log.md": "---\ntitle: {title}\ndate: {date}\ncontext: Ours\n---\n"})
    code, output = run("new", "log", "Mine", str(site))
    assert code == 0 and "context: Ours" in Path(output.strip()).read_text()


def test_python_dash_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "failsite", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("failsite, version ")


def test_progress_is_quiet_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress.started -= 5  # as if the build had run for five seconds
    progress(100, 100)
    progress.finish()
    assert stream.getvalue() == ""


def test_progress_shows_on_a_terminal_after_a_second() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(20, 100)
    assert stream.getvalue() == ""  # not yet a second
    progress.started -= 5
    progress(40, 100)
    assert "40/100 pages" in stream.getvalue()


def _laughs(indent: str = "") -> str:
    lines = [f"{indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{indent}a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["front matter", "registry", "site.yaml"])
def test_a_billion_laughs_fails_at_once_with_file_and_line(make_site: SiteMaker, where: str) -> None:
    files = {"content/talks/a.md": talk(), "people.yaml": "secret: s\npeople: []\n"}
    config = "title: T\nanonymise:\n  registry: people.yaml\n"
    if where == "front matter":
        files["content/talks/a.md"] = "---\ntitle: Laughs\n" + _laughs() + "---\nBody\n"
    elif where == "registry":
        files["people.yaml"] = "secret: s\n" + _laughs()
    else:
        config += "extra_bomb:\n" + _laughs("  ")
    site = make_site(files, config=config)
    # A run that expanded the aliases would take minutes and gigabytes; the bound only stops a hang.
    result = subprocess.run([sys.executable, "-m", "failsite", "build", str(site)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    expected = {"front matter": "content/talks/a.md:4:", "registry": "people.yaml:1:1: error: the YAML expands",
                "site.yaml": "site.yaml:1:1: error: the YAML expands"}[where]
    assert expected in result.stderr, result.stderr


def _signal_thread(pid: int, tid: int, number: int) -> None:
    """Send a signal to one thread of another process (Linux's tgkill), as the kernel may choose to."""
    import ctypes
    import os
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(234, pid, tid, number) != 0:  # SYS_tgkill on x86_64
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


@pytest.mark.skipif(not sys.platform.startswith("linux") or __import__("platform").machine() != "x86_64",
                    reason="tgkill's number is x86_64 Linux's")
@pytest.mark.parametrize("number", [15, 2], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_on_a_signal_whichever_thread_takes_it(make_site: SiteMaker, tmp_path: Path, number: int) -> None:
    """A signal the kernel gives the server's or the watcher's thread stops the preview and removes its folder."""
    import os
    import time
    site = make_site({"content/talks/a.md": talk()})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen([sys.executable, "-u", "-m", "failsite", "serve", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "TMPDIR": str(temporary)})
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("serving "):
                break
        threads = sorted(int(t) for t in os.listdir(f"/proc/{process.pid}/task") if int(t) != process.pid)
        assert threads, "the server runs threads besides the main one"
        _signal_thread(process.pid, threads[-1], number)
        started = time.monotonic()
        code = process.wait(timeout=10)
        output = process.stdout.read()
        assert time.monotonic() - started < 5
        assert code == 0, output
        assert "Traceback" not in output
        assert [p.name for p in temporary.iterdir() if p.name.startswith("failsite-preview-")] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
