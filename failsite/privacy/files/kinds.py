"""What every reader shares: a file's parts, a refusal, a kind of file, and the door a reader hands the files inside a
file to (given to it, so that no reader imports the door that imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

MAX_DEPTH = 4  # files inside files inside files...: deeper than this is refused
MAX_UNPACKED = 512 * 1024 * 1024  # the bytes a file may unpack to, all its members together


@dataclass(frozen=True)
class Part:
    """A piece of a file's text, and where in the file it is ('' for the file's own text)."""

    place: str
    text: str


class Refused(Exception):
    """A file that cannot be published: no reader understands its kind, or its reader cannot open it."""

    def __init__(self, reason: str, hint: str = "", place: str = ""):
        super().__init__(reason)
        self.reason, self.hint, self.place = reason, hint, place

    def within(self, place: str) -> "Refused":
        """The same refusal, for a file inside another at `place`."""
        return Refused(self.reason, self.hint, f"{place} › {self.place}" if self.place else place)


@dataclass(frozen=True)
class Door:
    """The door as a reader sees it: how to read and clean a file inside the one it reads, at a depth."""

    read: Callable[[bytes, int], list[Part]]
    clean: Callable[[bytes, int], bytes]


@dataclass(frozen=True)
class Kind:
    """A kind of file the door understands: its name for messages, its reader and its cleaner (each given the
    depth of the file inside others, and the door for the files inside it)."""

    name: str
    read: Callable[[bytes, int, Door], list[Part]]
    clean: Callable[[bytes, int, Door], bytes]


def within(place: str, parts: list[Part]) -> list[Part]:
    """A member's parts, placed inside the file that holds it."""
    return [Part(f"{place} › {part.place}" if part.place else place, part.text) for part in parts]
