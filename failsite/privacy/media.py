"""Files that come with a story: photos are published without what their camera wrote into them.

A phone photo carries EXIF (the GPS position, the time, the camera's owner and serial number),
XMP and IPTC (captions, names, keywords) and PNG text chunks. Pillow rewrites an image with its
pixels and colour profile only, turned upright first so that dropping the orientation tag does not
turn it on its side; a JPEG keeps its quantisation tables, so it is not compressed again. The
leak audit reads whatever metadata an image it publishes still holds (`metadata_text`).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif")
_FORMATS = {"JPEG": {"quality": "keep"}, "PNG": {"optimize": False}, "WEBP": {"lossless": False, "quality": 90},
            "TIFF": {}, "GIF": {}}


class UnreadableImage(Exception):
    """A file named as an image that Pillow cannot read."""


def is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def strip_metadata(name: str, data: bytes) -> bytes:
    """An image's bytes without EXIF, XMP, IPTC, comments or text chunks; other files unchanged."""
    if not is_image(name):
        return data
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
