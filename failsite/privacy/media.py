"""Search index files as the leak audit reads them, and the smaller copies of a story's large photos.

Every published file's kind, cleaning and reading is the door's (privacy.files); the photos'
copies are made from the photo as the door published it, without its metadata.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

from failsite.engine.cbor import cbor_decode, pagefind_content


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


# Widths of the smaller copies offered for a large photo (`srcset`), each made only below the photo's own width.
VARIANT_WIDTHS = (480, 960, 1600)
# Photos a browser shows that are worth smaller copies: JPEG (a phone's MPO too), PNG and WebP, by their first bytes.
_RESIZABLE = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def image_width(path: Path) -> int | None:
    """A photo's width in pixels as it will be published (upright), read from its header; None for a file that is
    not a JPEG, PNG or WebP photo, whatever its name."""
    from PIL import Image, UnidentifiedImageError
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    if not (head.startswith(_RESIZABLE) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
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
        source_format = "JPEG" if image.format == "MPO" else image.format or "PNG"
        height = max(1, round(image.height * width / image.width))
        smaller = image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options: dict[str, object] = {"quality": 85} if source_format in ("JPEG", "WEBP") else {}
        smaller.save(out, format=source_format, **options)
        return out.getvalue()
