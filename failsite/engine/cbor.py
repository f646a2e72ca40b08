"""The small CBOR codec (RFC 8949) Pagefind's index files need: maps kept in the order read, shortest lengths.

Pagefind writes each index file gzip-compressed behind a signature (`pagefind_content` reads it): its
filter and metadata indexes as CBOR, its page fragments as JSON. render.pagefind_order rewrites the
filter indexes in a stable order; the leak audit reads the fragments and the filter values.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from typing import Any

PAGEFIND_SIGNATURE = b"pagefind_dcd"


def pagefind_content(data: bytes) -> bytes:
    """A Pagefind index file's content: its bytes decompressed, without the signature. Raises ValueError for a file
    that is not one."""
    try:
        content = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    if not content.startswith(PAGEFIND_SIGNATURE):
        raise ValueError("not a Pagefind index file")
    return content[len(PAGEFIND_SIGNATURE):]


class CborMap(list):  # type: ignore[type-arg]
    """A CBOR map kept as its (key, value) pairs, in the order read."""


def cbor_decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    """The CBOR value starting at `at`, and where it ends."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        argument = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if major == 7 and info >= 25:  # a float
            value = struct.unpack({2: ">e", 4: ">f", 8: ">d"}[size], data[at:at + size])[0]
            return value, at + size
        argument = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 2:
        return bytes(data[at:at + argument]), at + argument
    if major == 3:
        return data[at:at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = cbor_decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = CborMap()
        for _ in range(argument):
            key, at = cbor_decode(data, at)
            value, at = cbor_decode(data, at)
            pairs.append((key, value))
        return pairs, at
    if major == 7 and argument in (20, 21, 22):
        return {20: False, 21: True, 22: None}[argument], at
    raise ValueError(f"unsupported CBOR item {head:#x}")


def cbor_encode(value: Any) -> bytes:
    """`value` as CBOR, every length and number in its shortest form (as Pagefind writes them)."""
    def head(major: int, argument: int) -> bytes:
        if argument < 24:
            return bytes([major << 5 | argument])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if argument < 1 << (8 * size):
                return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
        raise ValueError("integer too large for CBOR")

    if value is False or value is True or value is None:
        return bytes([0xE0 | {False: 20, True: 21, None: 22}[value]])
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return head(3, len(encoded)) + encoded
    if isinstance(value, CborMap):
        return head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value)
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor_encode(item) for item in value)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
