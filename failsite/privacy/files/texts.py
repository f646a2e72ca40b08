"""Text files (plain text, HTML, CSS, JSON, CSV, calendars, subtitles, XML), SVG and RTF.

A text file is read whole, in the encoding its bytes show (a byte-order mark, UTF-8, UTF-16
without a mark, else Windows-1252): the leak audit reads its tags, attributes and entities. An
SVG's editor metadata (`<metadata>`, where Inkscape keeps the author) and its comments are
removed; its text, title and description are what it shows, and are read. RTF is read with its
escapes decoded and its control words dropped, so `Da{\\b na}` reads as Dana.
"""

from __future__ import annotations

import codecs
import re

from failsite.privacy.files.kinds import Door, Kind, Part, Refused

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Control characters other than tab, line feed, form feed and carriage return: not in a text file.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_SVG_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*|<\?[^>]*>\s*)*<(?:\w+:)?svg[\s>]",
                       re.S | re.I)
_METADATA = re.compile(r"<((?:[\w.-]+:)?metadata)\b[^>]*?(?:/>|>.*?</\1\s*>)", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def decoded(data: bytes) -> tuple[str, str] | None:
    """A text file's text and encoding, or None when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    sample = data[:4096]
    if b"\x00" in sample:
        zeros = (sample[1::2].count(0), sample[0::2].count(0))
        half = len(sample) // 2
        encoding = "utf-16-le" if zeros[0] > 0.7 * half else "utf-16-be" if zeros[1] > 0.7 * half else ""
        if not encoding or len(data) % 2:
            return None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return None
        return (text, encoding) if not _CONTROL.search(text.encode("utf-8")) else None
    if _CONTROL.search(sample):
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(_CONTROL.findall(data)) > 0:
        return None
    return data.decode("cp1252", "replace"), "cp1252"


def text_kind(data: bytes) -> Kind | None:
    """The kind of a text file (SVG, RTF or any other text), or None for bytes that are not text."""
    found = decoded(data)
    if found is None:
        return None
    text = found[0]
    if _SVG_ROOT.match(text[:4096]):
        return SVG
    if text.startswith("{\\rtf"):
        return RTF
    return TEXT


def _read_text(data: bytes, depth: int, door: Door) -> list[Part]:
    found = decoded(data)
    if found is None:
        raise Refused("it is not text in any encoding failsite reads")
    return [Part("", found[0])]


def _unchanged(data: bytes, depth: int, door: Door) -> bytes:
    return data


def _clean_svg(data: bytes, depth: int, door: Door) -> bytes:
    """An SVG without its editor metadata and comments, in its own encoding."""
    found = decoded(data)
    if found is None:
        raise Refused("it is not text in any encoding failsite reads")
    text, encoding = found
    cleaned = _COMMENT.sub("", _METADATA.sub("", text))
    if cleaned == text:
        return data
    bom = next((b for b, e in _BOMS if e == encoding and data.startswith(b)), b"")
    return bom + cleaned.encode(encoding)


# RTF: \'hh is a byte in the document's code page; \uN? a Unicode character (N may be negative) with its ASCII
# stand-in after it; other control words and braces are formatting.
_RTF_TOKEN = re.compile(r"\\'([0-9a-fA-F]{2})|\\u(-?\d+) ?(?:\\'[0-9a-fA-F]{2}|\?|[^\\{}])?|\\([a-zA-Z]+)(-?\d+)? ?|"
                        r"\\([^a-zA-Z])|([{}])|(\r?\n)")


def rtf_text(source: str) -> str:
    """An RTF document's text: escapes decoded, control words and braces dropped, paragraphs kept apart."""
    out: list[str] = []

    def token(m: re.Match[str]) -> str:
        hex_byte, unicode, word, _, symbol, _brace, _newline = m.groups()
        if hex_byte is not None:
            return bytes([int(hex_byte, 16)]).decode("cp1252", "replace")
        if unicode is not None:
            return chr(int(unicode) % 65536)
        if word is not None:
            return "\n" if word in ("par", "line", "row", "cell", "tab", "sect", "page") else ""
        if symbol is not None:
            return symbol if symbol in "\\{}" else " " if symbol == "~" else ""
        return ""

    out.append(_RTF_TOKEN.sub(token, source))
    return "".join(out)


def _read_rtf(data: bytes, depth: int, door: Door) -> list[Part]:
    source = _read_text(data, depth, door)[0].text
    return [Part("", source), Part("its text", rtf_text(source))]


TEXT = Kind("text", _read_text, _unchanged)
SVG = Kind("SVG image", _read_text, _clean_svg)
RTF = Kind("RTF document", _read_rtf, _unchanged)
