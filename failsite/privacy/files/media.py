"""MP4, QuickTime (.mov) and M4A files: ISO media, a tree of boxes.

A phone's video keeps where it was filmed (`©xyz`), the phone's owner, title, comments and XMP in
its user-data (`udta`) and metadata (`meta`, `uuid`, `XMP_`) boxes. Cleaning turns each of those
boxes into a `free` box of the same size with nothing in it, so no offset into the media data
moves and the video plays as before. Reading gives the text of those boxes (nothing, once
cleaned) and of the handlers' names. A text or subtitle track is not read (its words are in the
media data), so a file with one is refused.
"""

from __future__ import annotations

import struct
from typing import Iterator

from failsite.privacy.files.kinds import Door, Kind, Part, Refused
from failsite.privacy.files.strings import readings

_CONTAINERS = frozenset((b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"moof", b"traf", b"mvex",
                         b"sinf", b"schi", b"udta", b"ilst", b"stsd"))
_METADATA = frozenset((b"udta", b"meta", b"uuid", b"XMP_", b"ilst", b"keys"))
_TEXT_TRACKS = frozenset((b"text", b"sbtl", b"subt", b"clcp", b"tx3g"))
_TOP = frozenset((b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid", b"meta", b"moof", b"mfra",
                  b"sidx", b"styp", b"pdin", b"prft", b"emsg"))


def is_iso_media(head: bytes) -> bool:
    """An MP4, QuickTime or other ISO media file (HEIC and AVIF photos are ISO media too)."""
    return len(head) >= 8 and head[4:8] in _TOP and head[4:8] != b"uuid"


def brand_name(head: bytes) -> str:
    brand = head[8:12].decode("latin-1").strip() if head[4:8] == b"ftyp" else "QuickTime"
    return f"ISO media, brand {brand}"


def _boxes(data: bytes | memoryview, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, content start, box end) of each box between start and end."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        header = 8
        if size == 1:
            if at + 16 > end:
                raise Refused("its boxes run past its end", "replace it with a readable copy")
            size, header = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise Refused("its boxes run past its end", "replace it with a readable copy")
        yield bytes(kind), at, at + header, at + size
        at += size


def _walk(data: bytes) -> Iterator[tuple[bytes, int, int, int, tuple[bytes, ...]]]:
    """Every box, depth first, with the types of the boxes around it."""
    pending: list[tuple[int, int, tuple[bytes, ...]]] = [(0, len(data), ())]
    while pending:
        start, end, path = pending.pop()
        for kind, box, content, box_end in _boxes(data, start, end):
            yield kind, box, content, box_end, path
            if kind == b"meta":
                full = data[content:content + 4] == b"\x00\x00\x00\x00"  # a full box (MP4), or not (QuickTime)
                pending.append((content + (4 if full else 0), box_end, path + (kind,)))
            elif kind == b"stsd":
                pending.append((content + 8, box_end, path + (kind,)))
            elif kind in _CONTAINERS:
                pending.append((content, box_end, path + (kind,)))


def _text_track(data: bytes) -> None:
    for kind, _, content, _, path in _walk(data):
        if kind == b"hdlr" and data[content + 8:content + 12] in _TEXT_TRACKS and b"meta" not in path:
            raise Refused("it has a text or subtitle track, which failsite does not read",
                          "publish the video without it, and the subtitles as a text file (.vtt) beside it")


def _read_media(data: bytes, depth: int, door: Door) -> list[Part]:
    _text_track(data)
    parts = []
    for kind, box, content, box_end, path in _walk(data):
        if kind in _METADATA and not (set(path) & _METADATA):
            parts.append(Part(f"its {kind.decode('latin-1')} box", readings(data[content:box_end])))
        elif kind == b"hdlr":
            parts.append(Part("a handler's name", readings(data[content + 24:box_end])))
    return parts


def _clean_media(data: bytes, depth: int, door: Door) -> bytes:
    _text_track(data)
    cleaned = bytearray(data)
    for kind, box, content, box_end, path in _walk(data):
        if kind in _METADATA and not (set(path) & _METADATA) and not (kind == b"meta" and path == () and
                                                                       _is_primary_item(data, content, box_end)):
            cleaned[box + 4:box + 8] = b"free"
            cleaned[content:box_end] = bytes(box_end - content)
    return bytes(cleaned)


def _is_primary_item(data: bytes, content: int, end: int) -> bool:
    """A top-level `meta` box that holds the file's images (HEIF), not tags."""
    return any(kind == b"pitm" for kind, *_ in _boxes(data, content + 4, end))


ISO_MEDIA = Kind("MP4 or QuickTime file", _read_media, _clean_media)
