"""Images of every format Pillow reads, whatever their name says: published as their pixels alone.

A phone photo carries EXIF (the GPS position, the time, the camera's owner and serial number,
Windows' XPAuthor and XPComment in UTF-16, a UserComment in ASCII, JIS or Unicode), XMP and IPTC
(captions, names, keywords), comments (JPEG, GIF, PNG text chunks) and editors' private blocks.
Cleaning draws a new image from the pixels, the colour profile and what animation needs
(durations, loop, transparency), turned upright first so that dropping the orientation tag does
not turn it on its side; a JPEG keeps its quantisation tables, so it is not compressed again. A
format Pillow reads but cannot write is refused, since it cannot be written without its metadata.
Reading gives every piece of metadata text a file still holds, each chunk or segment by its name.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import Any, Iterator

from failsite.privacy.files.kinds import Door, Kind, Part, Refused
from failsite.privacy.files.strings import exif_text, readings

# Signatures no text starts with (checked before a file is taken for text), and those a sentence might ("BMW...").
_STRONG_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00",
                      b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51", b"\x00\x00\x02\x00")
_SIGNATURES = _STRONG_SIGNATURES + (b"GIF87a", b"GIF89a", b"BM", b"qoif", b"DDS ", b"icns", b"8BPS")
STILL_IMAGE_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
_SAVE_AS = {"MPO": "JPEG", "DIB": "BMP"}
_ANIMATED = ("GIF", "PNG", "WEBP", "AVIF")
_KEPT_INFO = ("transparency", "duration", "loop", "background", "dpi", "disposal")
# What a format's own options need to write the pixels as they were (the colour profile is added where it exists).
_OPTIONS: dict[str, dict[str, Any]] = {"PNG": {"optimize": False}, "WEBP": {"quality": 90}, "TIFF": {},
                                       "GIF": {}, "AVIF": {"quality": 90}}
# Exif's sub-directories: the photo's own (0x8769), GPS (0x8825), interoperability (0xA005).
_EXIF_DIRECTORIES = (0x8769, 0x8825, 0xA005)


def has_image_signature(head: bytes) -> bool:
    """Whether a file starts like an image (JPEG, PNG, GIF, WebP, TIFF, BMP, ICO, JPEG 2000, HEIF, AVIF...)."""
    return head.startswith(_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or is_still_image(head)


def has_strong_image_signature(head: bytes) -> bool:
    """Whether a file starts like an image in a way no text does (JPEG, PNG, WebP, TIFF, ICO, JPEG 2000, HEIF)."""
    return head.startswith(_STRONG_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or \
        is_still_image(head)


def is_still_image(head: bytes) -> bool:
    """An ISO media file whose brand is a still image (HEIC, HEIF, AVIF)."""
    return head[4:8] == b"ftyp" and (head[8:12] in STILL_IMAGE_BRANDS or any(
        head[i:i + 4] in STILL_IMAGE_BRANDS for i in range(16, min(len(head), 64), 4)))


def _open(data: bytes) -> Any:
    from PIL import Image, UnidentifiedImageError  # only a site with images pays for importing Pillow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb and truncated-file warnings become errors below
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error,
            Image.DecompressionBombError) as exc:
        name = "HEIC or HEIF" if is_still_image(data[:64]) and b"avif" not in data[:64] else "image"
        reason = "Pillow does not read this format" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise Refused(f"failsite cannot open this {name} to remove its metadata ({reason})",
                      "export it as JPEG or PNG, or replace it with a readable copy") from None
    return image


def image_kind(data: bytes, quiet: bool = False) -> Kind | None:
    """The kind of an image Pillow opens; None (with `quiet`) or Refused when it opens none."""
    try:
        image = _open(data)
    except Refused:
        if quiet:
            return None
        raise
    return Kind(f"{image.format} image", _read_image, _clean_image)


def _clean_image(data: bytes, depth: int, door: Door) -> bytes:
    from PIL import Image, ImageOps, JpegImagePlugin

    image = _open(data)
    source_format = image.format or "PNG"
    save_as = _SAVE_AS.get(source_format, source_format)
    Image.init()
    if save_as not in Image.SAVE:
        raise Refused(f"Pillow reads {source_format} images but cannot write them, so this one cannot be published "
                      "without its metadata", "export it as PNG or JPEG")
    animated = getattr(image, "n_frames", 1) > 1 and save_as in _ANIMATED
    options: dict[str, Any] = dict(_OPTIONS.get(save_as, {}))
    if animated:
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(_pixels(image))
        first = frames[0]
        options.update(save_all=True, append_images=frames[1:])
    else:
        upright = ImageOps.exif_transpose(image) if source_format != "GIF" else image
        first = _pixels(upright)
        if save_as == "JPEG" and upright is image and source_format in ("JPEG", "MPO"):
            options.update(qtables=image.quantization, subsampling=JpegImagePlugin.get_sampling(image))
        elif save_as == "JPEG":
            options["quality"] = 92  # turned upright: the old tables no longer apply
        if save_as == "ICO":
            options["sizes"] = [first.size]
    first.info = {k: v for k, v in image.info.items() if k in _KEPT_INFO}
    for key in ("transparency", "duration", "loop", "background"):
        if key in image.info and (animated or key == "transparency"):
            options[key] = image.info[key]
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    out = io.BytesIO()
    try:
        first.save(out, format=save_as, **options)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Refused(f"failsite cannot write this {source_format} image without its metadata ({exc})",
                      "export it as PNG or JPEG") from None
    return out.getvalue()


def _pixels(image: Any) -> Any:
    """A copy of the image holding its pixels and palette alone (no info, no EXIF, no TIFF tags)."""
    copy = image.copy()
    copy.info = {}
    return copy


def _read_image(data: bytes, depth: int, door: Door) -> list[Part]:
    image = _open(data)
    parts: list[Part] = []
    exif = image.getexif()
    for directory in (None, *_EXIF_DIRECTORIES):
        values = exif if directory is None else exif.get_ifd(directory)
        text = "\n".join(_value_text(v) for v in values.values())
        if text.strip():
            parts.append(Part("EXIF" if directory is None else f"EXIF directory {directory:#06x}", text))
    for key, value in image.info.items():
        text = _value_text(value)
        if text.strip():
            parts.append(Part(f"its {key!s} metadata" if key not in ("exif", "icc_profile") else
                              ("EXIF" if key == "exif" else "colour profile"), text))
    for marker, segment in getattr(image, "applist", ()):
        parts.append(Part(f"{marker} segment", readings(segment)))
    tags = getattr(image, "tag_v2", None)
    if tags is not None:
        parts.append(Part("TIFF tags", "\n".join(_value_text(v) for v in tags.values())))
    try:
        from PIL import IptcImagePlugin
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
    except (SyntaxError, ValueError, IndexError, struct.error, OSError):
        iptc = {}
    if iptc:
        parts.append(Part("IPTC", "\n".join(_value_text(v) for v in iptc.values())))
    parts += _chunks(data)
    return parts


def _value_text(value: Any) -> str:
    """A metadata value as text: strings as they are, bytes in every encoding EXIF allows, XP tags (tuples of
    bytes) as UTF-16, nested values each in turn."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return exif_text(bytes(value))
    if isinstance(value, (tuple, list)):
        if value and all(isinstance(v, int) and 0 <= v < 256 for v in value):
            return exif_text(bytes(value))
        return "\n".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(_value_text(k) + "\n" + _value_text(v) for k, v in value.items())
    return ""


def _chunks(data: bytes) -> list[Part]:
    """Metadata Pillow does not parse: a PNG's ancillary chunks, a WebP's chunks, a GIF's extension blocks."""
    if data.startswith(b"\x89PNG"):
        return _png_chunks(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_chunks(data)
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _gif_extensions(data)
    return []


_PNG_PIXELS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs", b"sBIT", b"bKGD",
               b"acTL", b"fcTL", b"fdAT", b"hIST"}


# Of those, the chunks whose bytes are the pixels or a fixed description of them: none becomes text in Pillow's
# reading (tRNS does, as bytes; the animation chunks and the histogram are left to the whole reading).
_BARE_PNG = _PNG_PIXELS - {b"tRNS", b"acTL", b"fcTL", b"fdAT", b"hIST"}


def _png_chunk_spans(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each chunk of a PNG in order, as far as its headers go: its name, where its bytes start and their length."""
    at = 8
    while at + 8 <= len(data):
        length, name = struct.unpack(">I4s", data[at:at + 8])
        yield name, at + 8, length
        at += 12 + length


def holds_pixels_alone(data: bytes) -> bool:
    """Whether a file is a PNG of pixel chunks alone (IHDR, PLTE, IDAT, IEND and what only says how to show the
    pixels), ending with its IEND: nothing in it is text a reader could find, without decoding a pixel. A social
    card is such a file; reading one through Pillow was two decodes of 750 kB each."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    for name, start, length in _png_chunk_spans(data):
        if name not in _BARE_PNG:
            return False
        if name == b"IEND":
            return length == 0 and start + 4 == len(data)  # its checksum, then nothing
    return False


def _png_chunks(data: bytes) -> list[Part]:
    import zlib

    parts = []
    for name, start, length in _png_chunk_spans(data):
        body = data[start:start + length]
        if name not in _PNG_PIXELS:
            text = readings(body)
            if name in (b"zTXt", b"iTXt", b"iCCP"):
                for start in range(len(body)):  # the compressed text starts after its keyword and flags
                    if body[start:start + 1] == b"\x78":
                        try:
                            text += "\n" + readings(zlib.decompressobj().decompress(body[start:], 1 << 24))
                            break
                        except zlib.error:
                            continue
            parts.append(Part(f"PNG chunk {name.decode('latin-1')}", text))
    return parts


def _webp_chunks(data: bytes) -> list[Part]:
    parts, at = [], 12
    while at + 8 <= len(data):
        name, length = struct.unpack("<4sI", data[at:at + 8])
        if name not in (b"VP8 ", b"VP8L", b"VP8X", b"ANIM", b"ANMF", b"ALPH"):
            parts.append(Part(f"WebP chunk {name.decode('latin-1').strip()}", readings(data[at + 8:at + 8 + length])))
        at += 8 + length + (length & 1)
    return parts


def _gif_extensions(data: bytes) -> list[Part]:
    """The text of a GIF's comment, plain-text and application extensions (XMP is one)."""
    parts: list[Part] = []
    at = 13
    if data[10] & 0x80:
        at += 3 * (2 << (data[10] & 7))
    while at < len(data):
        block = data[at]
        if block == 0x3B:  # the trailer
            break
        if block == 0x2C:  # an image: its descriptor, local colour table, then LZW data in sub-blocks
            flags = data[at + 9] if at + 9 < len(data) else 0
            at += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0) + 1
            at = _skip_blocks(data, at)[1]
            continue
        if block != 0x21 or at + 1 >= len(data):
            break
        label = data[at + 1]
        body, at = _skip_blocks(data, at + 2)
        if label != 0xF9:  # not the graphic control (timing, transparency)
            parts.append(Part({0xFE: "GIF comment", 0x01: "GIF text", 0xFF: "GIF application block"}.get(
                label, "GIF extension"), readings(body)))
    return parts


def _skip_blocks(data: bytes, at: int) -> tuple[bytes, int]:
    """The sub-blocks' bytes joined from `at`, and where they end."""
    body = bytearray()
    while at < len(data) and data[at]:
        body += data[at + 1:at + 1 + data[at]]
        at += 1 + data[at]
    return bytes(body), at + 1
