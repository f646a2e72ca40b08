"""Faults injected where a build or the preview is weakest: damaged compiled templates, inputs that cannot be read,
a full cache disk, a crash between the swap's two renames, a file torn by an editor, a preview stopped mid-rebuild,
slow clients. Each ends in the correct output or a clear error with the previous output whole, never a traceback,
and a later build equal to a clean one. Permissions do not bind root (CI runs as root), so an unreadable input is
injected where the build reads it; the real `chmod` runs too when the tests do not run as root."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import SiteMaker, build, build_errors, talk, tree_digest
from failsite.engine import reading
from failsite.engine.fingerprint import CACHE_DIR
from failsite.output import lock
from failsite.output.stamp import STAMP_FILE

REGISTRY = "secret: s\npeople:\n  - name: Kwame Osei\n"
CONFIG = "title: T\nanonymise:\n  registry: people.yaml\n"
AS_ROOT = os.geteuid() == 0


def failsite(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "failsite", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    return make_site({"content/talks/a.md": talk("First", body="Kwame Osei told it."),
                      "content/talks/b.md": talk("Second", date="2026-03-02"),
                      "people.yaml": REGISTRY}, config=CONFIG)


def clean_build_of(site: Path, tmp_path: Path) -> dict[str, str]:
    """What a build from nothing makes of the same sources."""
    copy = tmp_path / "clean-copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", CACHE_DIR, ".public.*"))
    build(copy, use_cache=False)
    return tree_digest(copy / "public")


# Compiled templates

def compiled_templates(site: Path) -> list[Path]:
    return sorted((site / CACHE_DIR / "templates").rglob("*.cache"))


@pytest.mark.parametrize("damage", ["flip one byte", "garble", "truncate"])
def test_damaged_compiled_templates_are_compiled_again(site: Path, tmp_path: Path, damage: str) -> None:
    build(site)
    files = compiled_templates(site)
    assert files
    for path in files:
        data = bytearray(path.read_bytes())
        if damage == "flip one byte":
            data[len(data) // 2] ^= 0x04
        elif damage == "garble":
            data = bytearray(os.urandom(len(data)))
        else:
            data = data[: len(data) // 3]
        path.write_bytes(bytes(data))
    (site / "content/talks/b.md").write_text(talk("Second, edited", date="2026-03-02"))
    result = failsite("build", cwd=site)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    built, clean = tree_digest(site / "public"), clean_build_of(site, tmp_path)
    assert built == clean, sorted(path for path in set(built) | set(clean) if built.get(path) != clean.get(path))


def test_no_cache_ignores_compiled_templates(site: Path) -> None:
    build(site)
    marker = compiled_templates(site)[0]
    marker.write_bytes(b"\x00" * 64)
    build(site, use_cache=False)
    assert not marker.exists() or marker.read_bytes() != b"\x00" * 64


# Inputs that cannot be read

def refuse(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """Make `target` unreadable to the build, as chmod 000 would for a user other than root."""
    real_scandir, real_open = os.scandir, open

    def scandir(path: object = ".") -> object:
        if isinstance(path, (str, Path)) and Path(path).resolve() == target.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    def opener(path: object, *args: object, **kwargs: object) -> object:
        if isinstance(path, (str, Path)) and Path(path).resolve() == target.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr("builtins.open", opener)


def test_an_unreadable_folder_under_content_is_an_error(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site)
    before = tree_digest(site / "public")
    refuse(monkeypatch, site / "content/talks")
    errors = build_errors(site)
    assert "content/talks:1:1: error: cannot read the folder: Permission denied" in errors
    assert tree_digest(site / "public") == before


def test_an_unreadable_story_folder_inside_a_bundle_is_an_error(make_site: SiteMaker,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/talks/x/index.md": talk("X"), "content/talks/x/photos/a.txt": "a"})
    refuse(monkeypatch, site / "content/talks/x/photos")
    assert "content/talks/x/photos:1:1: error: cannot read the folder: Permission denied" in build_errors(site)


@pytest.mark.parametrize("relative, said", [
    ("people.yaml", "people.yaml:1:1: error: cannot read the file: Permission denied"),
    ("content/talks/b.md", "content/talks/b.md:1:1: error: cannot read the file: Permission denied"),
    ("templates/item.html", "templates/item.html:1:1: error: cannot read the template: Permission denied"),
])
def test_an_unreadable_file_is_an_error_naming_it(site: Path, monkeypatch: pytest.MonkeyPatch, relative: str,
                                                   said: str) -> None:
    if relative.startswith("templates/"):
        from failsite.render.theme import builtin_themes_dir
        (site / "templates").mkdir()
        shutil.copy(builtin_themes_dir() / "default/templates/item.html", site / relative)
    build(site)
    before = tree_digest(site / "public")
    refuse(monkeypatch, site / relative)
    assert said in build_errors(site, use_cache=False)
    assert tree_digest(site / "public") == before


@pytest.mark.skipif(AS_ROOT, reason="permissions do not bind root: the injected tests above stand in")
@pytest.mark.parametrize("relative", ["content/talks", "people.yaml", "content/talks/b.md"])
def test_a_real_chmod_is_an_error(site: Path, relative: str) -> None:
    build(site)
    os.chmod(site / relative, 0)
    try:
        result = failsite("build", cwd=site)
        assert result.returncode == 1 and "Permission denied" in result.stderr and "Traceback" not in result.stderr
    finally:
        os.chmod(site / relative, 0o755)


def test_a_permission_change_alone_is_not_nothing_changed(site: Path) -> None:
    assert failsite("build", cwd=site).returncode == 0
    assert "nothing changed" in failsite("build", cwd=site).stdout
    os.chmod(site / "people.yaml", 0o600)
    assert "nothing changed" not in failsite("build", cwd=site).stdout


# The cache's disk

def can_mount(tmp_path: Path) -> bool:
    if not AS_ROOT or not shutil.which("mount"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
                             capture_output=True).returncode == 0
    if mounted:
        subprocess.run(["umount", str(probe)], check=True)
    return mounted


def test_a_full_cache_disk_is_a_warning_after_publishing(site: Path, tmp_path: Path) -> None:
    if not can_mount(tmp_path):
        pytest.skip("mounting a small tmpfs needs root")
    cache = site / CACHE_DIR
    cache.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(cache)], check=True)
    try:
        (cache / "filler").write_bytes(b"\0" * (8 * 2**20 - 64 * 2**10))
        for _ in range(2):  # the same on every later build
            result = failsite("build", cwd=site)
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
            assert "could not be saved" in result.stderr
            assert not (cache / f"{STAMP_FILE}.tmp").exists()
            assert (site / "public/talks/a/index.html").is_file()
        (cache / "filler").unlink()
        assert failsite("build", cwd=site).returncode == 0
        assert "nothing changed" in failsite("build", cwd=site).stdout
    finally:
        subprocess.run(["umount", str(cache)], check=True)


# The swap

CRASH_BETWEEN_RENAMES = """
import os, sys
from failsite.output import staging
real = os.rename
calls = []
def rename(source, target):
    real(source, target)
    calls.append(target)
    if ".previous-" in str(target):
        os._exit(9)  # killed after the old output was moved aside, before the new one took its place
staging.os.rename = rename
sys.argv = ["failsite", "build"]
from failsite.cli import main
main()
"""


def test_a_crash_between_the_swaps_renames_leaves_the_old_output_restored(site: Path, tmp_path: Path) -> None:
    assert failsite("build", cwd=site).returncode == 0
    before = tree_digest(site / "public")
    (site / "content/talks/b.md").write_text(talk("Second, edited", date="2026-03-02"))
    crashed = subprocess.run([sys.executable, "-c", CRASH_BETWEEN_RENAMES], cwd=site, capture_output=True, text=True)
    assert crashed.returncode == 9 and not (site / "public").exists()
    (site / "content/talks/c.md").write_text("---\ntitle: [broken\n---\n")
    failed = failsite("build", cwd=site)
    assert failed.returncode == 1 and "the previous output was left as it was" in failed.stderr
    assert tree_digest(site / "public") == before  # put back, whole
    (site / "content/talks/c.md").unlink()
    assert failsite("build", cwd=site).returncode == 0
    assert tree_digest(site / "public") == clean_build_of(site, tmp_path)
    assert not [p.name for p in site.iterdir() if ".previous-" in p.name]


def test_output_inside_static_or_templates_is_refused(site: Path) -> None:
    (site / "static").mkdir()
    for folder in ("static", "content"):
        assert f"the output folder is inside {folder}/, which the build reads" in \
            build_errors(site, out_dir=site / folder / "site")[0]


def test_a_leftover_that_cannot_be_removed_is_reported_once(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site)
    stuck = site / f".public.trash-{2**22 + 7}-abcd1234"
    stuck.mkdir()
    (stuck / "page.html").write_text("old")
    monkeypatch.setattr(lock, "_remove_tree", lambda folder: f"{folder}/page.html: Permission denied")
    first = build(site)
    said = [w.format() for w in first.warnings if "cannot be removed" in w.message]
    assert len(said) == 1 and "chmod -R u+w" in said[0] and "Permission denied" in said[0]
    [kept] = [p for p in site.iterdir() if p.name.startswith(".unremovable.public.trash-")]  # renamed, reported
    assert not stuck.exists() and kept.is_dir() and str(kept) in said[0]
    assert not [w for w in build(site).warnings if "cannot be removed" in w.message]


def test_a_removal_of_debris_cut_short_is_finished_by_the_next_build(site: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed while it removed a dead build's staging folder, after the folder's marker went but before the
    rest did, must not leave a folder no later build takes for debris."""
    from failsite.output.staging import MARKER
    build(site)
    dead = 2**22 + 7
    staging = site / f".public.building-{dead}-x1y2z3"
    (staging / "talks/a").mkdir(parents=True)
    (staging / MARKER).write_bytes(b"")
    (staging / "talks/a/index.html").write_text("half a build")

    def killed_halfway(folder: Path) -> str:
        (folder / MARKER).unlink()  # the marker went first; then the remover died
        raise SystemExit("killed")
    monkeypatch.setattr(lock, "_remove_tree", killed_halfway)
    monkeypatch.setattr(lock.os, "getpid", lambda: dead + 1)  # the remover, gone once it is killed
    with pytest.raises(SystemExit):
        lock.remove_debris(site / "public", MARKER)
    monkeypatch.undo()
    [left] = [p for p in site.iterdir() if p.name.startswith(".public.") and p.name != ".public"]
    assert ".trash-" in left.name and not (left / MARKER).exists()
    build(site)
    assert [p.name for p in site.iterdir() if p.name.startswith(".public.")] == []


# Torn reads

def test_a_file_changing_under_the_read_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "story.md"
    path.write_text("whole text")
    real_fstat, calls = os.fstat, []

    def fstat(descriptor: int) -> os.stat_result:
        calls.append(descriptor)
        result = real_fstat(descriptor)
        if len(calls) <= 2:  # the first read sees the file grow under it
            return os.stat_result((*result[:6], result[6] + len(calls), *result[7:]))
        return result

    monkeypatch.setattr(reading.os, "fstat", fstat)
    assert reading.read_settled(path) == b"whole text" and len(calls) == 4


def test_a_file_that_never_settles_is_an_error_naming_it(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fstat, counter = os.fstat, iter(range(10**6))
    monkeypatch.setattr(reading, "PAUSE_SECONDS", 0)

    def fstat(descriptor: int) -> os.stat_result:  # the story grows under every read
        result = real_fstat(descriptor)
        if not os.readlink(f"/proc/self/fd/{descriptor}").endswith("content/talks/a.md"):
            return result
        return os.stat_result((*result[:6], result[6] + next(counter), *result[7:]))

    monkeypatch.setattr(reading.os, "fstat", fstat)
    errors = build_errors(site, use_cache=False)
    assert any(re.match(r"content/talks/a\.md:1:1: error: the file changed while it was read", e) for e in errors), \
        errors


# The damaged-cache warning

def test_a_damaged_cache_is_reported_once(site: Path) -> None:
    assert failsite("build", cwd=site).returncode == 0
    (site / CACHE_DIR / "cache.sqlite3").write_bytes(b"not a database" * 100)
    (site / "content/talks/b.md").write_text(talk("Second, edited", date="2026-03-02"))
    assert "cache was discarded" in failsite("build", cwd=site).stderr
    again = failsite("build", cwd=site)
    assert "nothing changed" in again.stdout and "cache was discarded" not in again.stderr


# The preview

def many_talks(make_site: SiteMaker, count: int) -> Path:
    files = {f"content/talks/t{n:04d}.md": talk(f"Talk {n}", body="A story. " * 200) for n in range(count)}
    return make_site(files)


def test_the_preview_stops_within_a_second_during_a_rebuild(make_site: SiteMaker) -> None:
    site = many_talks(make_site, 400)
    process = subprocess.Popen([sys.executable, "-u", "-m", "failsite", "serve", "--port", "0"], cwd=site,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("serving "):
            break
    folders = list(Path(tempfile.gettempdir()).glob(f"failsite-preview-{process.pid}-*"))
    assert len(folders) == 1
    (site / "site.yaml").write_text("title: Changed\n")  # a full rebuild of 400 pages
    time.sleep(0.6)
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    took = time.monotonic() - asked
    process.stdout.close()
    assert took < 1.5, f"stopping took {took:.2f} s"
    from failsite.preview.server import remove_abandoned_previews
    remove_abandoned_previews()  # what the next preview does first: a rebuild abandoned mid-write left nothing
    assert not folders[0].exists()


def test_a_preview_folder_left_by_a_killed_preview_is_removed_by_the_next(tmp_path: Path) -> None:
    from failsite.preview.server import PREVIEW_PREFIX, remove_abandoned_previews
    dead = tmp_path / f"{PREVIEW_PREFIX}{2**22 + 99}-abc"
    alive = tmp_path / f"{PREVIEW_PREFIX}{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "talks").mkdir(parents=True)
    assert remove_abandoned_previews(tmp_path) == [dead]
    assert not dead.exists() and alive.exists()


def test_a_slow_client_is_cut_off_at_the_whole_request_deadline(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from failsite.preview import server as preview_server
    monkeypatch.setattr(preview_server, "REQUEST_TIMEOUT_SECONDS", 2)
    site = make_site({"content/talks/a.md": talk()})
    running = preview_server.start_preview(site, "127.0.0.1", 0)
    try:
        connection = socket.create_connection(running.server.server_address[:2], timeout=10)
        started = time.monotonic()
        closed = False
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            connection.settimeout(0.25)
            try:
                if connection.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
        connection.close()
        assert closed and time.monotonic() - started < 5
    finally:
        running.stop()


def test_an_event_stream_ends_soon_after_its_browser_leaves(make_site: SiteMaker) -> None:
    import http.client

    from failsite.preview.server import start_preview
    site = make_site({"content/talks/a.md": talk()})
    running = start_preview(site, "127.0.0.1", 0)
    try:
        connection = http.client.HTTPConnection(*running.server.server_address[:2], timeout=5)
        connection.request("GET", "/__failsite/events?page=/talks/a/")
        response = connection.getresponse()
        response.read1(64)
        assert running.state.viewers
        response.close()
        connection.close()
        deadline = time.monotonic() + 3
        while running.state.viewers and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running.state.viewers
    finally:
        running.stop()
