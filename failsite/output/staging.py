"""The only module that touches the output folder: build beside it, then swap it in whole.

The swap is two renames, so a build that fails or is killed at any moment leaves the old output
or the new one whole. An output folder that is a mount point (a Docker volume, a network share)
cannot be renamed: the build is staged inside it and its entries are swapped one by one, each
step undone if a later one fails. Published files and folders get the user's umask
(0644/0755 by default), so a web server running as another user can read them."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable

from failsite.engine.parallel import end_with_this_process
from failsite.output.lock import set_aside, trash_name
from failsite.errors import Diagnostic, FailsiteError, error, warning

# Left in every output folder so that a later build knows the folder is ours to replace.
MARKER = ".failsite-output"


def check_output_dir(out_dir: Path, site_dir: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output folder whose replacement would destroy sources or someone else's files, or that lies inside
    a folder the build reads (content, static files, templates, themes, data): the next build would read its own
    output as input."""
    out_dir, site_dir = out_dir.resolve(), site_dir.resolve()
    if site_dir.is_relative_to(out_dir):
        raise FailsiteError([error(str(out_dir), 1, "the output folder holds the site itself and would be replaced",
                                   "choose an output folder inside or beside the site, e.g. -o public")])
    for folder in (p.resolve() for p in inputs):
        if out_dir.is_relative_to(folder) and folder != site_dir:
            shown = folder.relative_to(site_dir).as_posix() + "/" if folder.is_relative_to(site_dir) else str(folder)
            raise FailsiteError([error(str(out_dir), 1, f"the output folder is inside {shown}, which the build reads",
                                       f"choose an output folder outside {shown}, e.g. -o public")])
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise FailsiteError([error(str(out_dir), 1, "the output folder exists and was not made by failsite",
                                   "failsite replaces its output folder whole: remove it, or choose another with -o")])


def open_staging(out_dir: Path | None) -> Path:
    """A fresh, empty folder to build into: beside `out_dir` (so the swap is a rename), inside it when it is a
    mount point, or a temporary one when nothing will be published (`failsite check`). Its name carries this
    process's id, so a later build can tell a dead build's folder from a running one's."""
    if out_dir is None:
        return Path(tempfile.mkdtemp(prefix="failsite-check-"))
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if is_mount_point(out_dir):
            staging = Path(tempfile.mkdtemp(prefix=f".failsite-building-{os.getpid()}-", dir=out_dir))
        else:
            staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.building-{os.getpid()}-", dir=out_dir.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it 0700; the published folder follows the umask
        (staging / MARKER).write_bytes(b"")
    except OSError as exc:
        raise FailsiteError([_unwritable(out_dir, exc)]) from None
    return staging


def is_mount_point(folder: Path) -> bool:
    """Whether a folder is a mount point (it cannot be renamed away)."""
    return folder.is_dir() and os.path.ismount(folder)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(staging: Path, relative: str, content: bytes) -> None:
    """Write one output into a staging folder."""
    target = os.path.join(staging, relative)
    try:
        _make_folder(os.path.dirname(target))
        with open(target, "wb") as handle:
            handle.write(content)
    except OSError as exc:
        raise FailsiteError([_unwritable(staging, exc, relative)]) from None


def link_file(staging: Path, relative: str, origin: str | Path) -> bool:
    """Hard-link a file of the previous output into the staging folder; False where that cannot be done."""
    target = os.path.join(staging, relative)
    try:
        _make_folder(os.path.dirname(target))
    except OSError as exc:
        raise FailsiteError([_unwritable(staging, exc)]) from None
    return _linked(origin, target)


def link_published(staging: Path, relative: str, previous: Path | None, recorded: list[int] | None) -> bool:
    """Hard-link the previous output's file at `relative` into the staging folder when it still has the size and
    time (`recorded`) the last build recorded when it published it, as the up-to-date check trusts; False when it
    has not, or cannot be linked."""
    if previous is None or recorded is None:
        return False
    origin = os.path.join(previous, relative)
    try:
        stat = os.stat(origin)
    except OSError:
        return False
    return recorded == [stat.st_size, stat.st_mtime_ns] and link_file(staging, relative, origin)


_made_folders: set[str] = set()  # folders this process made in staging folders (each has a unique name)


def _make_folder(folder: str) -> None:
    if folder not in _made_folders:
        os.makedirs(folder, exist_ok=True)
        if len(_made_folders) > 200_000:
            _made_folders.clear()
        _made_folders.add(folder)


def _unwritable(folder: Path, exc: OSError, relative: str = "") -> Diagnostic:
    """The error for an output that cannot be written, naming the output path and a hint that fits the cause."""
    where = relative or str(folder)
    hints = {errno.ENOSPC: "the disk is full: free some space; nothing was published",
             errno.EDQUOT: "your disk quota is used up: free some space; nothing was published",
             errno.ENAMETOOLONG: "the path is too long for the file system: shorten the slug or title it comes from",
             errno.EACCES: "check the folder's permissions", errno.EROFS: "the output's file system is read-only"}
    return error(where, 1, f"cannot write the output: {exc.strerror or exc}",
                 hints.get(exc.errno or 0, "check the disk space and the folder's permissions"))


def _linked(origin: str | Path, target: str | Path) -> bool:
    try:
        os.link(origin, target)
        return True
    except OSError:  # gone meanwhile, another file system, or no hard links here
        return False


def _link_or_copy(origin: Path, target: Path) -> None:
    if not _linked(origin, target):
        shutil.copyfile(origin, target)


def publish(staging: Path, out_dir: Path) -> Path | None:
    """Swap the staged folder in for the output folder, and return the old output, moved aside under a name that
    marks it for removal (`remove_in_thread`, `remove_detached`; the next build removes it too if that was cut
    short), or None when there was none."""
    try:
        return _swap(staging, out_dir)
    except OSError as exc:
        raise FailsiteError([error(str(out_dir), 1, f"cannot publish the output: {exc.strerror or exc}",
                                   "the previous output was left as it was; check the folder and its disk")]) from None


def _swap(staging: Path, out_dir: Path) -> Path | None:
    if staging.parent == out_dir:
        return _publish_into_mount(staging, out_dir)
    previous = None
    if out_dir.exists():
        previous = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
        if previous.exists():
            shutil.rmtree(previous)
        os.rename(out_dir, previous)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if previous is not None:
            os.rename(previous, out_dir)
        raise
    if previous is None:
        return None
    # Renamed to its trash name: from here it is only ever removed, never restored. (Should the rename fail, it is
    # removed where it is: the new output is in place either way.)
    return set_aside(previous, trash_name(out_dir))


def remove_in_thread(*folders: Path) -> threading.Thread:
    """Start removing folders in a thread (join it before the process ends)."""
    def remove() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    removal = threading.Thread(target=remove)
    removal.start()
    return removal


def remove_detached(*folders: Path) -> None:
    """Remove folders in a process of its own that outlives this one, so a build returns as soon as its output is
    published (at 10,000 pages removing the old output takes longer than an edit's build)."""
    if not folders:
        return
    # The shell starts the removal in the background and ends at once, so nothing of it is left to this process to
    # wait for; a session of its own keeps it going when the terminal's Ctrl-C ends the build's process group.
    subprocess.run(["sh", "-c", 'rm -rf -- "$@" </dev/null >/dev/null 2>&1 &', "sh", *map(str, folders)],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                   check=False)


def _publish_into_mount(staging: Path, out_dir: Path) -> Path:
    """Swap a build staged inside a mount point in, entry by entry: the old entries move into a folder of their
    own, the new ones out of the staging folder; if any rename fails, every one done so far is undone."""
    previous = out_dir / f".failsite-previous-{os.getpid()}"
    shutil.rmtree(previous, ignore_errors=True)
    previous.mkdir()
    ours = {staging.name, previous.name, MARKER}
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in sorted(os.listdir(out_dir)):
            if name not in ours and not name.startswith((".failsite-building-", ".failsite-previous-")):
                os.rename(out_dir / name, previous / name)
                moved_out.append(name)
        for name in sorted(os.listdir(staging)):
            if name != MARKER:
                os.rename(staging / name, out_dir / name)
                moved_in.append(name)
    except OSError:
        for name in reversed(moved_in):
            os.rename(out_dir / name, staging / name)
        for name in reversed(moved_out):
            os.rename(previous / name, out_dir / name)
        raise
    (out_dir / MARKER).touch()
    return set_aside(previous, trash_name(out_dir, inside=True))


def discard(staging: Path) -> None:
    """Remove a staged folder that will not be published."""
    shutil.rmtree(staging, ignore_errors=True)


def write_changes(out_dir: Path, changed: dict[str, bytes], removed: Iterable[str]) -> None:
    """Update a preview folder in place: each file replaced whole (never half-written), stale ones removed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for relative, content in changed.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, target)
    for relative in removed:
        target = out_dir / relative
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


@dataclass
class RunningIndex:
    """A Pagefind run under way: its process, the folder of links it reads, and where its messages go."""

    process: subprocess.Popen  # type: ignore[type-arg]
    linked: Path
    messages: IO[bytes]
    pages: int
    shown_bundle: str

    def stop(self, discard: Callable[[Path], None] | None = None) -> None:
        """End the run early (the build failed meanwhile) and remove what it read, or hand that folder to `discard`
        (which removes it when it has the time)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.messages.close()
        _remove(self.linked, discard)


def _remove(folder: Path, discard: Callable[[Path], None] | None) -> None:
    """Remove a folder now, or hand it to `discard` to remove later."""
    if discard is None:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        discard(folder)


def index_bundle(folder: Path, pages: list[str], bundle: str, shown: str,
                 interrupted: Callable[[], bool] | None = None,
                 discard: Callable[[Path], None] | None = None) -> list[Diagnostic]:
    """Build a Pagefind search bundle of `pages` (paths of HTML already written in `folder`: a staged build or
    the preview) into `folder/bundle/`; `shown` names the output folder in warnings. `interrupted`, `discard`:
    see `finish_index`."""
    return finish_index(start_index(folder, pages, bundle, shown, None, interrupted, discard), interrupted, discard)


def open_search_documents(staging: Path) -> Path:
    """A folder beside the staging folder for what Pagefind is given of each page in place of the whole page (see
    render.search.search_document); named as the search link folders are, so a killed build's is cleared."""
    return Path(tempfile.mkdtemp(prefix=f".search-{os.getpid()}-documents-", dir=staging.parent))


class IndexInterrupted(Exception):
    """A Pagefind run was ended before it finished because its bundle is no longer wanted (the preview has a newer
    change to render first)."""


def start_index(folder: Path, pages: list[str], bundle: str, shown: str, documents: Path | None = None,
                interrupted: Callable[[], bool] | None = None,
                discard: Callable[[Path], None] | None = None) -> RunningIndex:
    """Start Pagefind on `pages` and return at once, so the build can go on meanwhile; `finish_index` waits for it.

    Pagefind reads only pages we wrote (which the leak audit reads too), so nothing that was not
    audited goes into its compressed index. It is shown a folder of hard links to these pages
    alone: list and taxonomy pages repeat the stories' titles and summaries, would crowd the
    results, and would cost Pagefind as much time again to read. A page with a search document in
    `documents` is shown that instead. `interrupted`, `discard`: see `finish_index` (asked while the links are
    made).
    """
    import pagefind_bin

    linked = Path(tempfile.mkdtemp(prefix=f".search-{os.getpid()}-", dir=folder.parent))
    messages = tempfile.TemporaryFile()  # a file, not a pipe: nobody reads while it runs
    try:
        for number, relative in enumerate(pages):
            if interrupted is not None and number % 50 == 49 and interrupted():
                raise IndexInterrupted(f"{shown}/{bundle}")
            target = linked / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            document = documents / relative if documents is not None else None
            if document is None or not _linked(document, target):
                _link_or_copy(folder / relative, target)
        # A build's single thread may set the indexer to die with it (preexec_fn is unsafe beside other threads:
        # the preview's indexer is stopped by the preview itself).
        process = subprocess.Popen([str(pagefind_bin.get_executable()), "--site", str(linked), "--silent",
                                    "--output-path", str((folder / bundle).resolve()),
                                    "--exclude-selectors", ".header-anchor"],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=messages,
                                   preexec_fn=end_with_this_process if threading.active_count() == 1 else None)
    except BaseException:
        messages.close()
        _remove(linked, discard)
        raise
    return RunningIndex(process, linked, messages, len(pages), f"{shown}/{bundle}")


def finish_index(run: RunningIndex, interrupted: Callable[[], bool] | None = None,
                 discard: Callable[[Path], None] | None = None) -> list[Diagnostic]:
    """Wait for a Pagefind run; a warning when it found nothing to index, an error when it failed. With
    `interrupted`, asked every few milliseconds meanwhile: when it says so, the run is ended and IndexInterrupted
    raised. `discard`: see RunningIndex.stop."""
    try:
        while interrupted is not None:
            try:
                run.process.wait(timeout=0.01)
                break
            except subprocess.TimeoutExpired:
                if interrupted():
                    raise IndexInterrupted(run.shown_bundle) from None
        returncode = run.process.wait()
        run.messages.seek(0)
        stderr = run.messages.read().decode("utf-8", errors="replace")
    finally:
        run.stop(discard)
    if returncode != 0 and "not able to build an index" in stderr:
        return [warning(run.shown_bundle, 1, "the search index is empty: Pagefind found no HTML document among the "
                        f"{run.pages} item pages", "item templates must write whole HTML documents (<html>...</html>)")]
    if returncode != 0:
        raise FailsiteError([error(run.shown_bundle, 1, f"the search index could not be built: {stderr.strip()}",
                                   "check that the pagefind package is installed (pip install 'pagefind[bin]')")])
    return []
