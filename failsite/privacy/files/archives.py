"""Archives: zip, tar, gzip, bzip2 and xz. Every member goes through the same door as any file.

A member's name is read too (a folder named after someone is a leak). Cleaning rewrites the
archive with each member cleaned, without the archive's and members' comments, and a gzip
without the original file name and time its header keeps. A member of a kind no reader
understands refuses the whole archive, naming the member; so does an encrypted member, an
archive that unpacks to more than `MAX_UNPACKED` bytes, or one nested too deep.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from typing import Callable, Iterator

from failsite.privacy.files.kinds import Door, Kind, MAX_UNPACKED, Part, Refused, within

MAX_MEMBERS = 20_000


def zip_members(data: bytes) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """Each file in a zip with its bytes (folders left out); raises Refused for what cannot be unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused(f"failsite cannot open this zip file ({exc})", "replace it with a readable copy") from None
    if len(infos) > MAX_MEMBERS:
        raise Refused(f"it holds {len(infos)} files, more than the {MAX_MEMBERS} failsite reads in one archive")
    unpacked = 0
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Refused("it holds an encrypted file, which failsite cannot read", "publish it without a password",
                          info.filename)
        try:
            with archive.open(info) as member:
                content = member.read(MAX_UNPACKED - unpacked + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError, zlib.error) as exc:
            raise Refused(f"failsite cannot unpack this file ({exc})", "replace the archive with a readable copy",
                          info.filename) from None
        unpacked += len(content)
        if unpacked > MAX_UNPACKED:
            raise Refused(f"it unpacks to more than {MAX_UNPACKED // 2 ** 20} MB", "publish its files themselves")
        yield info, content


def read_zip(data: bytes, depth: int, door: Door,
             member_parts: Callable[[str, bytes, int, Door], list[Part]] | None = None) -> list[Part]:
    """Every member's name and text; `member_parts` reads a member its own way (an Office document's XML)."""
    parts = [Part("its comment", zip_comment(data))] if zip_comment(data) else []
    names = []
    for info, content in zip_members(data):
        names.append(info.filename)
        if info.comment:
            parts.append(Part(f"{info.filename} (its comment)", info.comment.decode("utf-8", "replace")))
        try:
            found = member_parts(info.filename, content, depth, door) if member_parts is not None else \
                door.read(content, depth + 1)
        except Refused as refusal:
            raise refusal.within(info.filename) from None
        parts += within(info.filename, found)
    return [Part("the names of its files", "\n".join(names))] + parts


def zip_comment(data: bytes) -> str:
    try:
        return zipfile.ZipFile(io.BytesIO(data)).comment.decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ""


def clean_zip(data: bytes, depth: int, door: Door,
              replace: Callable[[str, bytes], bytes | None] | None = None) -> bytes:
    """The zip with every member cleaned and no comments; `replace(name, bytes)` gives a member's new bytes, or None
    to clean it through the door."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as cleaned:
        for info, content in zip_members(data):
            try:
                new = replace(info.filename, content) if replace is not None else None
                new = door.clean(content, depth + 1) if new is None else new
            except Refused as refusal:
                raise refusal.within(info.filename) from None
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.compress_type = info.compress_type if info.compress_type in (zipfile.ZIP_STORED,
                                                                                 zipfile.ZIP_DEFLATED) \
                else zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr & 0xFFFF0000
            cleaned.writestr(member, new)
    return out.getvalue()


def _read_tar(data: bytes, depth: int, door: Door) -> list[Part]:
    parts, names = [], []
    for info, content in _tar_members(data):
        names.append(info.name)
        owner = " ".join(x for x in (info.uname, info.gname) if x)
        if owner:
            parts.append(Part(f"{info.name} (its owner)", owner))
        if content is not None:
            try:
                parts += within(info.name, door.read(content, depth + 1))
            except Refused as refusal:
                raise refusal.within(info.name) from None
    return [Part("the names of its files", "\n".join(names))] + parts


def _tar_members(data: bytes) -> Iterator[tuple[tarfile.TarInfo, bytes | None]]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data))
        members = archive.getmembers()
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        raise Refused(f"failsite cannot open this tar file ({exc})", "replace it with a readable copy") from None
    if len(members) > MAX_MEMBERS:
        raise Refused(f"it holds {len(members)} files, more than the {MAX_MEMBERS} failsite reads in one archive")
    for info in members:
        handle = archive.extractfile(info) if info.isfile() else None
        yield info, handle.read() if handle is not None else None


def _clean_tar(data: bytes, depth: int, door: Door) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as cleaned:
        for info, content in _tar_members(data):
            member = tarfile.TarInfo(info.name)
            member.type, member.mode, member.mtime, member.linkname = info.type, info.mode, info.mtime, info.linkname
            if content is not None:
                try:
                    content = door.clean(content, depth + 1)
                except Refused as refusal:
                    raise refusal.within(info.name) from None
                member.size = len(content)
            cleaned.addfile(member, io.BytesIO(content) if content is not None else None)
    return out.getvalue()


def unpacked(data: bytes) -> bytes:
    """A gzip, bzip2 or xz file's content, at most MAX_UNPACKED bytes; raises Refused."""
    try:
        if data.startswith(b"\x1f\x8b"):
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            content = decompressor.decompress(data, MAX_UNPACKED + 1)
        elif _is_bzip2(data):
            content = bz2.BZ2Decompressor().decompress(data, MAX_UNPACKED + 1)
        else:
            content = lzma.LZMADecompressor().decompress(data, MAX_UNPACKED + 1)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise Refused(f"failsite cannot unpack this compressed file ({exc})", "replace it with a readable copy") \
            from None
    if len(content) > MAX_UNPACKED:
        raise Refused(f"it unpacks to more than {MAX_UNPACKED // 2 ** 20} MB", "publish what it holds instead")
    return content


def _gzip_name(data: bytes) -> str:
    """The original file name and comment a gzip header may keep."""
    flags, at, found = data[3], 10, []
    if flags & 4:
        at += 2 + int.from_bytes(data[10:12], "little")
    for flag in (8, 16):  # FNAME, then FCOMMENT: zero-terminated Latin-1
        if flags & flag:
            end = data.find(b"\x00", at)
            found.append(data[at:end].decode("latin-1"))
            at = end + 1
    return "\n".join(found)


def _read_compressed(data: bytes, depth: int, door: Door) -> list[Part]:
    header = [Part("its header", _gzip_name(data))] if data.startswith(b"\x1f\x8b") and _gzip_name(data) else []
    try:
        return header + door.read(unpacked(data), depth + 1)
    except Refused as refusal:
        raise refusal.within("what it unpacks to") from None


def _clean_compressed(data: bytes, depth: int, door: Door) -> bytes:
    try:
        content = door.clean(unpacked(data), depth + 1)
    except Refused as refusal:
        raise refusal.within("what it unpacks to") from None
    if data.startswith(b"\x1f\x8b"):
        return gzip.compress(content, mtime=0)  # no file name, no time
    return bz2.compress(content) if _is_bzip2(data) else lzma.compress(content)


ZIP = Kind("zip archive", read_zip, clean_zip)
TAR = Kind("tar archive", _read_tar, _clean_tar)
COMPRESSED = Kind("compressed file", _read_compressed, _clean_compressed)


def compressed_kind(head: bytes) -> Kind | None:
    """gzip (an SVGZ is one), bzip2 or xz."""
    return COMPRESSED if head.startswith((b"\x1f\x8b\x08", b"\xfd7zXZ\x00")) or _is_bzip2(head) else None


def _is_bzip2(head: bytes) -> bool:
    return head[:3] == b"BZh" and head[4:10] == b"1AY&SY"
