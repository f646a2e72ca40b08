"""Pagefind's filter indexes in one order, so the same pages always give the same bytes.

Pagefind writes each filter's values, and the list of filters in its metadata index, in the order
of a hash map seeded at random: two runs over the same pages give files that differ in order only,
under names (content hashes) that differ too (Pagefind issue #638: fragments are stable, filter and
metadata indexes are not). After Pagefind has written a bundle, this rewrites those files with the
values and filters sorted, names them by a hash of what they now hold, and points the metadata
index and `pagefind-entry.json` at the new names. The files are gzip-compressed CBOR behind a
`pagefind_dcd` signature; the small CBOR codec below reads and writes the subset Pagefind uses.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


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


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind index file")
    value, end = cbor_decode(data, len(SIGNATURE))
    if end != len(data):
        raise ValueError(f"{path.name} holds more than one value")
    return value


def _write(folder: Path, prefix: str, suffix: str, value: Any, digits: int) -> str:
    """Write `value` as a Pagefind index file named by the hash of its content; return the name's hash part."""
    data = SIGNATURE + cbor_encode(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def order_filters(bundle: Path) -> None:
    """Rewrite a bundle's filter indexes, its metadata index and its entry file in one order (see the module)."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, details in entry.get("languages", {}).items():
        meta_path = bundle / f"pagefind.{details['hash']}.pf_meta"
        if not meta_path.is_file():
            continue
        meta = _read(meta_path)
        renamed: dict[str, str] = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            value = _read(path)
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
                value = [value[0], sorted(value[1], key=lambda entry: str(entry[0]))]
            new = _write(bundle / "filter", language, ".pf_filter", value, 7)
            if new != path.name[: -len(".pf_filter")]:
                path.unlink()
            renamed[path.name[: -len(".pf_filter")]] = new
        meta = _replace(meta, renamed)
        if isinstance(meta, list) and len(meta) > 3 and isinstance(meta[3], list):
            meta[3] = sorted(meta[3], key=lambda pair: str(pair[0]))
        new_meta = _write(bundle, f"pagefind.{language}", ".pf_meta", meta, 10)
        if f"{new_meta}.pf_meta" != meta_path.name:
            meta_path.unlink()
        details["hash"] = new_meta.removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _replace(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, CborMap):
        return CborMap((_replace(k, renamed), _replace(v, renamed)) for k, v in value)
    if isinstance(value, list):
        return [_replace(item, renamed) for item in value]
    return value
