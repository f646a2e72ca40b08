"""Reading a source file whole: never a version cut in the middle by an editor saving it meanwhile."""

from __future__ import annotations

import os
import time
from pathlib import Path

TRIES = 5
PAUSE_SECONDS = 0.05


class FileChanging(OSError):
    """The file kept changing while it was read: its size or modification time moved under every try."""

    def __init__(self, path: Path):
        message = f"the file changed while it was read ({TRIES} tries): an editor may still be saving it"
        super().__init__(message)
        self.filename, self.strerror, self.message = str(path), message, message

    def __str__(self) -> str:
        return self.message


def read_settled(path: Path) -> bytes:
    """A file's bytes, read again while its size or modification time moves during the read (an editor writing it
    in place); raise FileChanging when it does not settle, OSError when it cannot be read."""
    for attempt in range(TRIES):
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            data = handle.read()
            after = os.fstat(handle.fileno())
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) and len(data) == after.st_size:
            return data
        if attempt < TRIES - 1:
            time.sleep(PAUSE_SECONDS)
    raise FileChanging(path)
