"""Faults around a build: kills, two builds at once, debris, a full disk, a mount point, permissions, templates
that never end. Tests that mount file systems need root (CI runs as root) and are skipped without it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SiteMaker, build, build_errors, talk, tree_digest
from failsite.engine.fingerprint import CACHE_DIR
from failsite.errors import FailsiteError
from failsite.output import staging
from failsite.output.lock import site_lock
from failsite.output.staging import MARKER

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from corpus import generate  # noqa: E402

DEAD_PID = 2**22 + 12345  # above Linux's default pid_max: never a live process


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "failsite", *args], capture_output=True, text=True, timeout=timeout)


def can_mount(tmp_path: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    return ok


def leftovers(site: Path) -> list[str]:
    """What a build may leave beside the output besides the output itself, once the old output that the last build
    set aside is gone (a process of its own removes it after the build has returned)."""
    deadline = time.monotonic() + 20
    while True:
        found = sorted(p.name for p in site.iterdir() if p.name.startswith(".") and p.name != CACHE_DIR)
        if not any(".trash-" in name for name in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_killed_builds_leave_the_old_or_the_new_output_whole_and_no_debris(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, pages=150, people_count=20, seed=3)
    assert cli("build", str(site)).returncode == 0
    old = tree_digest(site / "public")
    talk_file = sorted((site / "content/talks").iterdir())[0]
    talk_file.write_text(talk_file.read_text().replace("\n---\n", "\n---\nAn edit that changes the page.\n", 1))
    new_site = tmp_path / "fresh"
    # Not the output, the cache, nor what the last build's detached process may still be removing (.search-*, .public.*)
    shutil.copytree(site, new_site, ignore=shutil.ignore_patterns("public", CACHE_DIR, ".*"))
    assert cli("build", str(new_site)).returncode == 0
    new = tree_digest(new_site / "public")
    rng = random.Random(7)
    for _ in range(6):
        process = subprocess.Popen([sys.executable, "-m", "failsite", "build", str(site), "--no-cache"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.1, 2.5))
        process.send_signal(signal.SIGKILL)  # the main process only: its workers must end by themselves
        process.wait()
        assert tree_digest(site / "public") in (old, new)
    time.sleep(0.5)
    assert cli("build", str(site)).returncode == 0
    assert tree_digest(site / "public") == new
    assert leftovers(site) == []
    assert running_builds(site) == []  # the killed builds' workers ended with them


def running_builds(site: Path) -> list[int]:
    """Processes whose command line builds this site with --no-cache (the killed builds and their workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if proc.name.isdigit() and str(site).encode() in command and b"--no-cache" in command:
            found.append(int(proc.name))
    return found


def test_two_builds_at_once_both_succeed_one_after_the_other(make_site: SiteMaker) -> None:
    site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}") for n in range(30)})
    first = subprocess.Popen([sys.executable, "-m", "failsite", "build", str(site), "--no-cache"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([sys.executable, "-m", "failsite", "build", str(site), "--no-cache"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=120) + (p.returncode,) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    assert all("Traceback" not in err for _, err, _ in results)
    assert leftovers(site) == [] and (site / "public/talks/t0/index.html").exists()


def test_a_second_build_waits_with_a_message_or_exits_at_once(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    build(site)
    with site_lock(site / CACHE_DIR):
        result = cli("build", str(site), "--no-cache", "--no-wait")
        assert result.returncode == 1
        assert f"error: another build of this site is running (pid {os.getpid()})" in result.stderr
        waiting = subprocess.Popen([sys.executable, "-m", "failsite", "build", str(site), "--no-cache"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None  # still waiting for the lock
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and f"another build of this site is running (pid {os.getpid()}); waiting" in err


def test_debris_of_dead_builds_is_removed_and_a_live_build_s_is_kept(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    build(site)
    dead_staging = site / f".public.building-{DEAD_PID}-abc"
    dead_previous = site / f".public.previous-{DEAD_PID}"
    dead_search = site / f".search-{DEAD_PID}-xyz"
    live_staging = site / f".public.building-{os.getpid()}-def"
    unmarked = site / f".public.building-{DEAD_PID}-notours"
    for folder in (dead_staging, dead_previous, dead_search, live_staging, unmarked):
        folder.mkdir()
        (folder / "page.html").write_text("old")
    for folder in (dead_staging, dead_previous, live_staging):
        (folder / MARKER).write_text("")
    (site / "content/talks/a.md").write_text(talk("Edited"))
    build(site)
    assert not dead_staging.exists() and not dead_previous.exists() and not dead_search.exists()
    assert live_staging.exists()  # its build may still be running
    assert unmarked.exists()  # not marked as failsite's: never removed


def test_published_files_follow_the_umask(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()})
    previous = os.umask(0o022)
    try:
        build(site)
    finally:
        os.umask(previous)
    public = site / "public"
    assert stat.S_IMODE(public.stat().st_mode) == 0o755
    assert stat.S_IMODE((public / "talks/a/index.html").stat().st_mode) == 0o644
    assert all(stat.S_IMODE(p.stat().st_mode) in (0o755, 0o644) for p in public.rglob("*"))


def test_a_swap_into_a_mount_point_is_undone_when_a_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("index.html", "a", "b"):
        (out / name).write_text("old " + name) if name.endswith(".html") else (out / name).mkdir()
    (out / MARKER).write_text("")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    monkeypatch.setattr(staging, "is_mount_point", lambda folder: folder == out)
    staged = staging.open_staging(out)
    assert staged.parent == out
    (staged / "index.html").write_text("new")
    (staged / "c").mkdir()
    real_rename, calls = os.rename, []

    def failing_rename(source: object, target: object) -> None:
        calls.append(source)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(staging.os, "rename", failing_rename)
    with pytest.raises(FailsiteError) as caught:
        staging.publish(staged, out)
    assert "cannot publish the output" in caught.value.diagnostics[0].message
    monkeypatch.setattr(staging.os, "rename", real_rename)
    staging.discard(staged)
    shutil.rmtree(next(out.glob(".failsite-previous-*")), ignore_errors=True) if list(out.glob(".failsite-previous-*")) else None
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert (out / "index.html").read_text() == "old index.html"


def test_an_output_folder_that_is_a_mount_point_is_published_in_place(make_site: SiteMaker, tmp_path: Path) -> None:
    if not can_mount(tmp_path):
        pytest.skip("needs root and mount (CI runs as root)")
    site = make_site({"content/talks/a.md": talk("First")})
    (site / "public").mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(site / "public")], check=True)
    try:
        build(site)
        assert "First" in (site / "public/talks/a/index.html").read_text()
        (site / "content/talks/a.md").write_text(talk("Second"))
        build(site)
        assert "Second" in (site / "public/talks/a/index.html").read_text()
        assert os.path.ismount(site / "public")
        assert sorted(p.name for p in (site / "public").iterdir() if p.name.startswith(".")) == [MARKER]
    finally:
        subprocess.run(["umount", str(site / "public")], check=True)


def test_a_full_disk_fails_the_build_and_keeps_the_old_output(make_site: SiteMaker, tmp_path: Path) -> None:
    if not can_mount(tmp_path):
        pytest.skip("needs root and mount (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=True)
    try:
        site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}", body="Words. " * 200) for n in range(20)})
        out = disk / "public"
        build(site, out_dir=out)
        old = tree_digest(out)
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(free - 300_000, 0))  # room for a little, not for a whole build
        for n in range(20):
            (site / f"content/talks/t{n}.md").write_text(talk(f"Talk {n} again", body="Other words. " * 200))
        result = cli("build", str(site), "-o", str(out))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "cannot write the output" in result.stderr or "search index was not written whole" in result.stderr
        assert tree_digest(out) == old
        (disk / "filler").unlink()
        assert cli("build", str(site), "-o", str(out)).returncode == 0
        assert "Talk 0 again" in (out / "talks/t0/index.html").read_text()
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_an_unfinished_search_bundle_is_refused(tmp_path: Path) -> None:
    from failsite.render.search import check_bundle
    bundle = tmp_path / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    for name in ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "x.pf_meta"):
        (bundle / name).write_text("{}")
    (bundle / "fragment/a.pf_fragment").write_bytes(b"")
    with pytest.raises(FailsiteError) as caught:
        check_bundle(bundle, "public/pagefind", merged=False)
    assert "fragment/a.pf_fragment is empty" in caught.value.diagnostics[0].message


@pytest.mark.parametrize("template, expected", [
    ("{% for i in range(10**12) %}{{ i }}{% endfor %}", "took longer than 1 s"),
    ("{{ 'x' * 3000000 }}", "came to 3 MB, more than 1 MB"),
])
def test_a_template_that_never_ends_is_an_error_naming_template_and_page(make_site: SiteMaker, template: str,
                                                                          expected: str) -> None:
    site = make_site({"content/talks/a.md": talk(), "templates/talk.html": template},
                     config="title: T\nlimits:\n  render_seconds: 1\n  page_megabytes: 1\n")
    errors = build_errors(site)
    assert any(e.startswith("templates/talk.html:1:1: error:") and "/talks/a/" in e and expected in e
               for e in errors), errors


def test_a_registry_that_is_not_utf8_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()}, config="title: T\nanonymise:\n  registry: people.yaml\n")
    (site / "people.yaml").write_bytes("secret: s\npeople:\n  - name: Zo\xeb\n".encode("latin-1"))
    assert build_errors(site) == ["people.yaml:1:1: error: the file is not UTF-8 text (invalid continuation byte at byte 30)"]


def test_a_very_long_slug_and_term_are_cut_with_a_stable_suffix(make_site: SiteMaker) -> None:
    long = "word " * 60
    site = make_site({"content/talks/a.md": talk(slug=long.strip(), tags=f"[{'x' * 255}]")})
    build(site)
    pages = [p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("index.html")]
    assert any(p.startswith("talks/word-word") and len(p.split("/")[1]) == 80 for p in pages)
    assert any(p.startswith("tags/xxx") and len(p.split("/")[1]) == 80 for p in pages)
