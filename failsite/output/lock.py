"""One build of a site at a time, and no debris from builds that died.

The lock is an advisory `flock` on `.failsite-cache/build.lock`: the kernel releases it when its
process ends, however it ends, so a killed build never leaves a stale lock. The pid written in
it is only for the message a waiting build prints.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from failsite.engine.fingerprint import CACHE_DIR
from failsite.errors import Diagnostic, FailsiteError, error, warning

LOCK_FILE = "build.lock"


@contextmanager
def site_lock(cache_dir: Path, wait: bool = True, waiting: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold the site's build lock; a second build waits (telling `waiting` why), or with `wait=False` fails."""
    path = cache_dir / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            message = f"another build of this site is running (pid {holder})"
            if not wait:
                raise FailsiteError([error(f"{CACHE_DIR}/{LOCK_FILE}", 1, message,
                                           "wait for it to finish, or leave out --no-wait to wait for it")]) from None
            waiting(message + "; waiting")
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(handle)  # releases the lock


def process_alive(pid: int) -> bool:
    """Whether a process runs: one that has ended but was not yet reaped (a zombie: a killed build's worker, whose
    new parent may take its time) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rpartition(b")")[2].split()[0]  # after the command name, which may hold spaces
    except (OSError, IndexError):
        return True  # not Linux, or gone since: the signal said it ran
    return state not in (b"Z", b"X")


def debris(out_dir: Path, marker: str) -> list[Path]:
    """What builds that died left beside (or, for a mount point, inside) the output folder: their staging and
    previous folders (only those carrying failsite's marker), old outputs set aside for removal (a removal cut
    short), and their search link folders, each named with the
    pid of the build that made it, and only while that process is gone (an empty staging folder too: the build
    died before it could mark it)."""
    name = re.escape(out_dir.name)
    patterns = ((out_dir.parent, re.compile(rf"\.{name}\.(?:building|previous)-(\d+)(?:-.*)?"), True),
                (out_dir.parent, re.compile(rf"\.{name}\.trash-(\d+)-[0-9a-f]+"), False),
                (out_dir.parent, re.compile(r"\.search-(\d+)-.*"), False),
                (out_dir, re.compile(r"\.failsite-(?:building|previous|trash)-(\d+)(?:-.*)?"), False))
    found = []
    for folder, pattern, needs_marker in patterns:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match is None or not entry.is_dir() or entry.is_symlink() or process_alive(int(match.group(1))):
                continue
            if not needs_marker or (entry / marker).exists() or not any(entry.iterdir()):
                found.append(entry)  # an empty one: the build died between making it and marking it
    return found


def is_trash(folder: Path) -> bool:
    """An old output set aside for removal (a detached process may still be removing it): never part of the output,
    so its presence does not call for a build."""
    return ".trash-" in folder.name


def remove_debris(out_dir: Path, marker: str) -> list[Diagnostic]:
    """Clear what builds that died left (see `debris`); call it holding the lock. A build killed between the two
    renames of its swap left no output folder and the old output aside: that is put back, not removed. Returns a
    warning for each leftover that cannot be removed (a read-only tree), renamed so that it is reported only once."""
    found = debris(out_dir, marker)
    if not out_dir.exists():
        previous = [entry for entry in found if PREVIOUS in entry.name and (entry / marker).exists()]
        if previous:
            os.rename(previous[0], out_dir)  # the old output, whole, where it was
            found.remove(previous[0])
    problems = []
    for entry in found:
        # Renamed first, to a name found again without a marker: a removal cut short (this build killed too) leaves
        # a folder the next build still knows as debris, not a staging folder whose marker went first.
        entry = set_aside(entry, trash_name(out_dir, inside=entry.parent != out_dir.parent))
        failure = _remove_tree(entry)
        if failure and entry.exists():
            problems.append(_unremovable(entry, failure))
    return problems


def trash_name(out_dir: Path, inside: bool = False) -> Path:
    """A name for a folder of this build's to be removed, beside the output folder (or inside it, when it is a mount
    point): found as debris by later builds, by its name alone, once this process is gone."""
    token = f"trash-{os.getpid()}-{secrets.token_hex(4)}"
    return out_dir / f".failsite-{token}" if inside else out_dir.with_name(f".{out_dir.name}.{token}")


def set_aside(folder: Path, trash: Path) -> Path:
    """The folder renamed to its trash name, or where it was when it cannot be renamed."""
    try:
        os.rename(folder, trash)
    except OSError:
        return folder
    return trash


PREVIOUS = ".previous-"


def _remove_tree(folder: Path) -> str:
    """Remove a folder and everything below it as far as possible; the first failure, or '' when there was none."""
    failures: list[str] = []

    def failed(_function: object, path: str, error_info: object) -> None:
        problem = error_info[1] if isinstance(error_info, tuple) else error_info
        failures.append(f"{path}: {getattr(problem, 'strerror', None) or problem}")

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=failed)
    else:
        shutil.rmtree(folder, onerror=failed)
    return failures[0] if failures else ""


def _unremovable(entry: Path, reason: str) -> Diagnostic:
    """Set a leftover that cannot be removed aside under a name no build looks for, and say how to remove it."""
    kept = entry.with_name(f".unremovable{entry.name}")
    try:
        os.rename(entry, kept)
    except OSError:
        kept = entry
    return warning(str(kept), 1, f"a folder left by an earlier build cannot be removed ({reason})",
                   f"remove it by hand: chmod -R u+w '{kept}' && rm -rf '{kept}'; it is reported only once")
