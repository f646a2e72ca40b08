"""Each reader reads every place its kind hides text in, and a file's kind is told by its content, not its name."""

from __future__ import annotations

import gzip

import pytest

from failsite.privacy.files import door
from makers import NAME, image, jpeg, mp4, odf, ooxml, pdf, png, svg, tar_gz, zip_of

# (file, where the name is, the place the reader gives it)
PLACES = [
    (lambda: jpeg("artist"), "EXIF"), (lambda: jpeg("xpauthor"), "EXIF"), (lambda: jpeg("xpcomment"), "EXIF"),
    (lambda: jpeg("usercomment"), "EXIF directory 0x8769"), (lambda: jpeg("comment"), "comment"),
    (lambda: jpeg("xmp"), "APP1 segment"), (png, "PNG chunk iTXt"), (lambda: image("GIF"), "GIF comment"),
    (lambda: image("WEBP"), "EXIF"), (lambda: image("TIFF"), "TIFF tags"), (lambda: image("AVIF"), "EXIF"),
    (lambda: pdf("info"), "document information"), (lambda: pdf("xmp"), "XMP metadata"),
    (lambda: pdf("outline"), "outline"), (lambda: pdf("annotation"), "annotation"),
    (lambda: pdf("field"), "form field"), (lambda: pdf("attachment"), "an attached file"),
    (lambda: pdf("page"), "page 1"),
    (lambda: ooxml("pptx", "core"), "docProps/core.xml"), (lambda: ooxml("docx", "app"), "docProps/app.xml"),
    (lambda: ooxml("pptx", "notes"), "ppt/notesSlides/notesSlide1.xml"),
    (lambda: ooxml("pptx", "comment"), "ppt/commentAuthors.xml"),
    (lambda: ooxml("pptx", "photo"), "ppt/media/image1.jpeg › EXIF"),
    (lambda: odf("meta"), "meta.xml"), (lambda: odf("body"), "content.xml"), (lambda: odf("annotation"), "content.xml"),
    (lambda: svg("metadata"), ""), (lambda: gzip.compress(svg("desc")), ""),
    (lambda: zip_of({"a.txt": b"x"}, comment=NAME.encode()), "its comment"),
    (lambda: tar_gz({"deep/notes.txt": NAME.encode()}), "deep/notes.txt"), (mp4, "udta box"),
]


@pytest.mark.parametrize("make, place", PLACES)
def test_every_place_a_name_hides_in_is_read(make, place: str) -> None:  # type: ignore[no-untyped-def]
    parts = door.read(make())
    assert any(NAME in " ".join(p.text.split()) and place in p.place for p in parts), \
        [(p.place, p.text[:80]) for p in parts]


@pytest.mark.parametrize("make", [lambda: jpeg("artist"), png, lambda: image("GIF"), lambda: image("TIFF"),
                                  lambda: pdf("info"), lambda: pdf("xmp"), lambda: ooxml("pptx", "core"),
                                  lambda: ooxml("pptx", "photo"), lambda: odf("meta"), lambda: svg("metadata"),
                                  lambda: zip_of({"board.jpg": jpeg("xpauthor")}, comment=NAME.encode()), mp4])
def test_cleaning_leaves_nothing_of_the_metadata(make) -> None:  # type: ignore[no-untyped-def]
    cleaned = door.clean(make())
    assert not any("Dana" in p.text for p in door.read(cleaned))


def test_a_photo_is_read_by_its_content_whatever_its_name() -> None:
    assert door.kind_of(jpeg("artist")).name == "JPEG image"
    assert door.kind_of(b"BMW quarterly numbers\n").name == "text"
    assert door.kind_of(b"GIF89a was the format we chose.\n").name == "text"


def test_what_no_reader_understands_is_refused_with_what_it_seems_to_be() -> None:
    with pytest.raises(door.Refused, match=r"no reader for this kind of file \(MP3 audio\)"):
        door.read(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(20))
    with pytest.raises(door.Refused, match="HEIC"):
        door.read(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(32))
    with pytest.raises(door.Refused, match="text or subtitle track"):
        door.read(mp4(with_text_track=True))


def test_files_inside_files_are_bounded() -> None:
    nested = b"innermost"
    for _ in range(6):
        nested = zip_of({"inner.zip": nested})
    with pytest.raises(door.Refused, match="deep"):
        door.read(nested)


def _png_chunk(name: bytes, body: bytes) -> bytes:
    import struct
    import zlib
    return struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body))


def test_a_png_of_pixels_alone_reads_as_nothing_without_decoding_and_any_other_chunk_is_read() -> None:
    from failsite.privacy.files.images import holds_pixels_alone
    from failsite.render.cards import Card, draw_card

    card = draw_card(Card("talks/a/card.png", "A title", "Talk", "#0b5cad", "Site"))
    assert holds_pixels_alone(card) and door.read(card) == []
    end = card.rindex(b"\x00\x00\x00\x00IEND")
    text_after_pixels = card[:end] + _png_chunk(b"tEXt", b"Comment\x00" + NAME.encode()) + card[end:]
    private_chunk = card[:end] + _png_chunk(b"prVt", NAME.encode()) + card[end:]
    alpha = card[:end] + _png_chunk(b"tRNS", NAME.encode()) + card[end:]
    for data in (text_after_pixels, private_chunk, alpha, card + NAME.encode()):
        assert not holds_pixels_alone(data)
    for data in (text_after_pixels, private_chunk):
        assert any(NAME in p.text for p in door.read(data))
