"""The one door every published file goes through: what kind it is, by its content, and its reader.

`clean(data)` gives a file's bytes without the metadata its kind carries; `read(data)` every text
a reader could find in them, each with its place. Both raise `Refused` for a kind no reader
understands, or a file its reader cannot open (damaged, encrypted, too deep or too large when
unpacked): nothing of such a file is published. Files inside files (a zip's members, a PDF's
attachments, a slide deck's photos) go through the same door.
"""

from __future__ import annotations

from failsite.privacy.files import archives, documents, images, media, pdfs, texts
from failsite.privacy.files.kinds import MAX_DEPTH, Door, Kind, Part, Refused, within

__all__ = ["Part", "Refused", "Kind", "within", "kind_of", "clean", "read", "UNREAD_HINT"]

def kind_of(data: bytes, depth: int = 0) -> Kind:
    """The kind of a file by its content; raises Refused when no reader understands it."""
    if depth > MAX_DEPTH:
        raise Refused(f"it holds files inside files more than {MAX_DEPTH} deep",
                      "publish the inner files themselves instead")
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-"):
        return pdfs.PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return documents.office_kind(data) or archives.ZIP
    compressed = archives.compressed_kind(head)
    if compressed is not None:
        return compressed
    if data[257:263] in (b"ustar\x00", b"ustar "):
        return archives.TAR
    if images.has_strong_image_signature(head):
        return images.image_kind(data)  # type: ignore[return-value]
    text = texts.text_kind(data)  # before the other images: "BM" or "GIF89a" may start a sentence
    if text is not None:
        return text
    if images.has_image_signature(head):
        return images.image_kind(data)  # type: ignore[return-value]
    if media.is_iso_media(head):
        return media.ISO_MEDIA
    image = images.image_kind(data, quiet=True)
    if image is not None:
        return image
    raise Refused(f"failsite has no reader for this kind of file ({describe(head)}), so it cannot check it for "
                  "protected names or remove its metadata", UNREAD_HINT)


UNREAD_HINT = ("publish it in a kind failsite reads (an image, PDF, Office or OpenDocument file, SVG, zip or text), "
               "or, once you have checked it yourself, list it under `anonymise: unread_files:` in site.yaml")

_SIGNATURES = (
    (b"ID3", "MP3 audio"), (b"\xff\xfb", "MP3 audio"), (b"\xff\xf3", "MP3 audio"), (b"OggS", "Ogg audio or video"),
    (b"fLaC", "FLAC audio"), (b"\x1aE\xdf\xa3", "Matroska or WebM video"), (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"), (b"\x00\x01\x00\x00", "TrueType font"), (b"OTTO", "OpenType font"),
    (b"ttcf", "font collection"), (b"MZ", "Windows program"), (b"\x7fELF", "program"),
    (b"\xd0\xcf\x11\xe0", "older Microsoft Office document (.doc, .xls, .ppt)"), (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"), (b"SQLite format 3", "SQLite database"), (b"\x00asm", "WebAssembly"),
    (b"FWS", "Flash"), (b"CWS", "Flash"), (b"8BPS", "Photoshop image"),
)


def describe(head: bytes) -> str:
    """What a file no reader understands seems to be, for the message."""
    if head[:4] == b"RIFF":
        return {b"WAVE": "WAV audio", b"AVI ": "AVI video", b"WEBP": "WebP image Pillow cannot open"}.get(
            head[8:12], "RIFF data")
    if media.is_iso_media(head):
        return media.brand_name(head)
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    return "binary data of no kind failsite knows"


def clean(data: bytes, depth: int = 0) -> bytes:
    """The file's bytes without its kind's metadata; raises Refused."""
    return kind_of(data, depth).clean(data, depth, DOOR)


def read(data: bytes, depth: int = 0) -> list[Part]:
    """Every text a reader could find in the file, with its place; raises Refused."""
    if images.holds_pixels_alone(data):
        return []
    return kind_of(data, depth).read(data, depth, DOOR)


DOOR = Door(read, clean)
