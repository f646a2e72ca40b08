"""The desk's one door to the content folder: which file a request means, its version, and the one write.

A request names an item by its key under content/ (`talks/launch.md`), never by a path on disk:
a key is taken only when it names a markdown file inside the content folder, through no link that
leads out of it. A new item's file name comes from its title's slug. Every write says which
version of the file it changes (the SHA-256 of the bytes it was read from); when the file on
disk is another version, the write is refused as a conflict, never made over it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from failsite.content.schema import ContentType
from failsite.content.slugs import slugify

CHANGED_SINCE_OPENED = ("this file was changed since you opened it (in an editor or another window): your changes "
                        "were not saved. Copy what you wrote, reload the page to see the file as it is now, and make "
                        "your changes again")
_WRITES = threading.Lock()  # a version check and its write are one step for every request of this process


class Refused(ValueError):
    """A request the store will not carry out: `status` is the HTTP status it answers with, the message says why
    to the person at the desk."""

    def __init__(self, status: int, message: str, field: str = ""):
        """`field`: the form's field the refusal concerns, where there is one."""
        super().__init__(message)
        self.status, self.field = status, field


@dataclass(frozen=True)
class StoredFile:
    """A content file as read: its key, its text and the version it was read at."""

    key: str
    text: str
    version: str


def version_of(data: bytes) -> str:
    """The version of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def content_file(content_dir: Path, key: str) -> Path:
    """The file a key names inside the content folder; Refused (400) for anything else: an absolute path, '..', a
    backslash or NUL, a name that is not markdown, or a link that leads out of the folder."""
    if not key or "\x00" in key or "\\" in key or key.startswith("/") or ":" in key.split("/")[0]:
        raise Refused(400, "that is not the name of a file in the content folder")
    parts = PurePosixPath(key).parts
    if any(part in ("..", ".") or part.startswith(".") for part in parts) or not key.endswith(".md"):
        raise Refused(400, "that is not the name of a markdown file in the content folder")
    root = content_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root):
        raise Refused(400, "that file is outside the content folder")
    return path


def read_file(content_dir: Path, key: str) -> StoredFile:
    """A content file's text and version; Refused (404) when there is no such file."""
    path = content_file(content_dir, key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Refused(404, f"there is no file content/{key} (was it moved or removed?)") from None
    except OSError as exc:
        raise Refused(404, f"cannot read content/{key}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(422, f"content/{key} is not UTF-8 text; open it in an editor and save it as UTF-8") from None
    return StoredFile(key, text, version_of(data))


def current_version(content_dir: Path, key: str) -> str:
    """The version of the file on disk now ('' when it is gone)."""
    try:
        return version_of(content_file(content_dir, key).read_bytes())
    except (OSError, Refused):
        return ""


def new_key(ctype: ContentType, title: str) -> str:
    """The key of a new item: its type's folder and its title's slug; Refused (422) for a title without letters or
    digits."""
    slug = slugify(title)
    if not slug:
        raise Refused(422, "give the story a title with letters or digits in it: its file is named after it", "title")
    return f"{ctype.folder}/{slug}.md"


def write_file(content_dir: Path, key: str, text: str, version: str) -> str:
    """Write a content file that is at `version` ('' : must not exist yet), atomically; the new version. Refused
    (409) when the file on disk is another version: changed in an editor or in another browser since it was read."""
    path = content_file(content_dir, key)
    data = text.encode("utf-8")
    with _WRITES:
        on_disk = current_version(content_dir, key)
        if on_disk != version:
            if not version:
                raise Refused(409, f"content/{key} exists already: give the story another title, or open that file",
                              "title")
            raise Refused(409, CHANGED_SINCE_OPENED)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.resolve().is_relative_to(content_dir.resolve()):
            raise Refused(400, "that file is outside the content folder")
        handle, temporary = tempfile.mkstemp(prefix=".desk-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            if path.exists():
                os.chmod(temporary, path.stat().st_mode & 0o7777)
            else:
                os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return version_of(data)
