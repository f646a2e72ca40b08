"""Text hidden in binary data (metadata blocks, printer settings, profiles), in every encoding it is written in."""

from __future__ import annotations

import re

# Runs of what reads as text once decoded: letters, digits, spaces and punctuation, three characters or more.
_RUN = re.compile(r"[^\x00-\x08\x0e-\x1f\x7f\ufffd]{3,}")


def readings(data: bytes) -> str:
    """The runs of readable text in `data` read as UTF-8, Latin-1 and UTF-16 (both byte orders, at both
    alignments), one reading after another: a name written in any of them is in the result whole."""
    if not data:
        return ""
    texts = [data.decode("utf-8", "replace"), data.decode("latin-1")]
    if b"\x00" in data:  # UTF-16 puts a zero byte beside every Latin letter
        for start in (0, 1):
            chunk = data[start:len(data) - (len(data) - start) % 2]
            texts += [chunk.decode("utf-16-le", "replace"), chunk.decode("utf-16-be", "replace")]
    return "\n".join("\n".join(_RUN.findall(text)) for text in texts)


def exif_text(value: bytes) -> str:
    """An EXIF text value in each encoding EXIF allows: a UserComment's 8-byte header names ASCII, JIS (JIS X 0208,
    read as EUC-JP), Unicode (UCS-2 in either byte order) or undefined; XP tags are UTF-16; EXIF 3 adds UTF-8."""
    header, body = value[:8], value[8:]
    found = [readings(value)]
    if header.startswith(b"JIS"):
        found.append(bytes(b | 0x80 if b >= 0x21 else b for b in body).decode("euc_jp", "replace"))
        found.append(body.decode("iso2022_jp", "replace"))
        found.append(body.decode("shift_jis", "replace"))
    return "\n".join(found)
