"""Files that come with a story: photos are published without what their camera wrote into them.

A phone photo carries EXIF (the GPS position, the time, the camera's owner and serial number),
XMP and IPTC (captions, names, keywords) and PNG text chunks. Pillow rewrites an image with its
pixels and colour profile only, turned upright first so that dropping the orientation tag does not
turn it on its side; a JPEG keeps its quantisation tables, so it is not compressed again. The
leak audit reads whatever metadata an image it publishes still holds (`metadata_text`).
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

from failsite.engine.cbor import cbor_decode, pagefind_content


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif")
_FORMATS = {"JPEG": {"quality": "keep"}, "PNG": {"optimize": False}, "WEBP": {"lossless": False, "quality": 90},
            "TIFF": {}, "GIF": {}}


def is_pdf(name: str) -> bool:
    return name.lower().endswith(".pdf")


def pdf_text(data: bytes) -> str:
    """Every page's text and the document's metadata (title, author, subject, keywords), as the leak audit reads a
    PDF; raises ValueError when the PDF cannot be read (encrypted, damaged): then nothing of it may be published."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ValueError("it is encrypted")
            metadata = [str(v) for v in (reader.metadata or {}).values()]
            pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    return "\n".join(metadata + pages)


class UnreadableImage(Exception):
    """A file named as an image that Pillow cannot read."""


def is_search_index(name: str) -> bool:
    """Whether a file is one of the Pagefind files the leak audit reads: a page fragment (what a search result
    shows of a page) or a filter index (the values a search can be narrowed by, shown to everyone)."""
    return name.endswith((".pf_fragment", ".pf_filter"))


def is_search_fragment(name: str) -> bool:
    return name.endswith(".pf_fragment")


def search_index_text(name: str, data: bytes) -> tuple[str, str | None]:
    """The text of a Pagefind fragment (its JSON: the page's text as Pagefind read it, title, meta, filters) or
    filter index (every value, one per line), and a fragment's page URL (None for a filter index). Raises
    ValueError when the file cannot be read."""
    content = pagefind_content(data)
    if is_search_fragment(name):
        text = content.decode("utf-8", errors="replace")
        try:
            url = json.loads(text).get("url")
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"not a page fragment ({type(exc).__name__})") from exc
        return text, url if isinstance(url, str) else None
    try:
        value, _ = cbor_decode(content)
    except (IndexError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not a filter index ({type(exc).__name__})") from exc
    strings: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return "\n".join(strings), None


def is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def strip_metadata(name: str, data: bytes) -> bytes:
    """An image's bytes without EXIF, XMP, IPTC, comments or text chunks; other files unchanged."""
    if not is_image(name):
        return data
    from PIL import Image, ImageOps, UnidentifiedImageError  # only a site with images pays for importing Pillow
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb and truncated-file warnings become errors below
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from None
    source_format = image.format or "PNG"
    upright = ImageOps.exif_transpose(image) if source_format != "GIF" else image
    options: dict[str, object] = dict(_FORMATS.get(source_format, {}))
    if source_format == "JPEG" and upright is not image:
        options = {"quality": 92}  # turned upright: the old tables no longer apply
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if source_format == "GIF" and getattr(image, "is_animated", False):
        options.update(save_all=True)
    out = io.BytesIO()
    upright.save(out, format=source_format if source_format in _FORMATS else "PNG", **options)
    return out.getvalue()


def metadata_text(data: bytes) -> str:
    """Every piece of text an image's metadata holds (EXIF values, text chunks, XMP), for the leak audit."""
    from PIL import Image, UnidentifiedImageError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return ""
    parts = []
    for value in image.getexif().values():
        parts.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
    for key, value in image.info.items():
        if key in ("icc_profile", "exif"):
            continue
        parts.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
    return "\n".join(parts)


# Widths of the smaller copies offered for a large photo (`srcset`), each made only below the photo's own width.
VARIANT_WIDTHS = (480, 960, 1600)
_RESIZABLE = (".jpg", ".jpeg", ".png", ".webp")


def image_width(path: Path) -> int | None:
    """A photo's width in pixels, read from its header (None for what is not a resizable image)."""
    from PIL import Image, UnidentifiedImageError
    if not path.name.lower().endswith(_RESIZABLE):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    return height if orientation in (5, 6, 7, 8) else width  # as it will be published: upright


def variant_widths(width: int | None) -> tuple[int, ...]:
    """The widths of the smaller copies a photo of this width is offered in."""
    return tuple(w for w in VARIANT_WIDTHS if width is not None and w < width)


def variant_name(asset: str, width: int) -> str:
    """`photos/board.jpg` at 480 px: `photos/board-480w.jpg`."""
    stem, dot, suffix = asset.rpartition(".")
    return f"{stem}-{width}w.{suffix}"


def resized(name: str, data: bytes, width: int) -> bytes:
    """A smaller copy of a published photo (already without metadata), `width` pixels wide."""
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        source_format = image.format or "PNG"
        height = max(1, round(image.height * width / image.width))
        smaller = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options: dict[str, object] = {"quality": 85} if source_format in ("JPEG", "WEBP") else {}
        smaller.save(out, format=source_format, **options)
        return out.getvalue()
