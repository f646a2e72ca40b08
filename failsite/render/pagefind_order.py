"""Pagefind's filter indexes in one order, so the same pages always give the same bytes.

Pagefind writes each filter's values, and the list of filters in its metadata index, in the order
of a hash map seeded at random: two runs over the same pages give files that differ in order only,
under names (content hashes) that differ too (Pagefind issue #638: fragments are stable, filter and
metadata indexes are not). After Pagefind has written a bundle, this rewrites those files with the
values and filters sorted, names them by a hash of what they now hold, and points the metadata
index and `pagefind-entry.json` at the new names. The files are gzip-compressed CBOR behind a
`pagefind_dcd` signature, read and written with engine.cbor.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from failsite.engine.cbor import PAGEFIND_SIGNATURE, CborMap, cbor_decode, cbor_encode, pagefind_content

def _read(path: Path) -> Any:
    data = pagefind_content(path.read_bytes())
    value, end = cbor_decode(data)
    if end != len(data):
        raise ValueError(f"{path.name} holds more than one value")
    return value


def _write(folder: Path, prefix: str, suffix: str, value: Any, digits: int) -> str:
    """Write `value` as a Pagefind index file named by the hash of its content; return the name's hash part."""
    data = PAGEFIND_SIGNATURE + cbor_encode(value)
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
