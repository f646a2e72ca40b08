"""Files of every kind a story carries, each with a name hidden in one place, made here byte by byte (Office and
OpenDocument files with zipfile, PDFs with pypdf, images with Pillow), and readers written apart from failsite's
that read a published file back: what a curious reader of the site could find in it."""

from __future__ import annotations

import gzip
import io
import re
import struct
import tarfile
import zipfile
from typing import Callable

from PIL import Image, PngImagePlugin

NAME = "Dana Whitfield"
EMAIL = "dana.whitfield@northwind.example"
GPS = {1: "N", 2: (53.0, 28.0, 44.0), 3: "W", 4: (2.0, 14.0, 41.0)}


# Images ------------------------------------------------------------------------------------------------------------

def jpeg(place: str) -> bytes:
    """A JPEG photo with the name in one of the places a camera, phone or editor writes it."""
    exif = Image.Exif()
    exif[0x8825] = GPS
    options: dict[str, object] = {}
    if place == "artist":
        exif[0x013B] = NAME
    elif place == "xpauthor":  # Windows' author field: UTF-16, in bytes
        exif[0x9C9D] = NAME.encode("utf-16-le") + b"\x00\x00"
    elif place == "xpcomment":
        exif[0x9C9C] = f"Taken by {NAME}".encode("utf-16-le") + b"\x00\x00"
    elif place == "usercomment":  # EXIF's own comment, declared Unicode (UCS-2)
        exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + NAME.encode("utf-16-be")
    elif place == "comment":
        options["comment"] = f"Photo: {NAME}".encode()
    elif place == "xmp":
        options["xmp"] = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
                          f'syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
                          f'{NAME}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>').encode()
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 30, 30)).save(out, "JPEG", exif=exif, **options)
    return out.getvalue()


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Author", NAME, zip=True)  # compressed: not in the bytes as text
    info.add_text("Comment", EMAIL)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def image(format_name: str) -> bytes:
    """A GIF, WebP, TIFF or AVIF image with the name in its comment, EXIF or tags."""
    picture = Image.new("RGB", (8, 8), (10, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = NAME
    exif[0x8825] = GPS
    out = io.BytesIO()
    if format_name == "GIF":
        picture.convert("P").save(out, "GIF", comment=f"made by {NAME}".encode())
    elif format_name == "TIFF":
        picture.save(out, "TIFF", tiffinfo={0x013B: NAME, 0x010E: f"Portrait of {NAME}"})
    else:
        picture.save(out, format_name, exif=exif)
    return out.getvalue()


# SVG ---------------------------------------------------------------------------------------------------------------

def svg(place: str) -> bytes:
    metadata = f"<metadata><rdf:RDF><dc:creator>{NAME}</dc:creator></rdf:RDF></metadata>" if place == "metadata" else ""
    comment = f"<!-- drawn by {NAME} -->" if place == "comment" else ""
    text = {"text": f"<text x='1' y='9'>{NAME}</text>", "title": f"<title>Chart by {NAME}</title>",
            "desc": f"<desc>{NAME}</desc>"}.get(place, "<text x='1' y='9'>Q3</text>")
    return (f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            f' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" viewBox="0 0 10 10">{comment}{metadata}'
            f'{text}</svg>\n').encode()


# PDF ---------------------------------------------------------------------------------------------------------------

def pdf(place: str, attachment: bytes = b"") -> bytes:
    """A one-page PDF with the name in one place: its page, information, XMP, outline, an annotation, a form field,
    or an attached file."""
    from pypdf import PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject)

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({NAME if place == 'page' else 'Quarterly review'}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    if place == "info":
        writer.add_metadata({"/Author": NAME, "/Title": f"Notes for {NAME}"})
    if place == "xmp":
        xmp = DecodedStreamObject()
        xmp.set_data(f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode())
        xmp[NameObject("/Type")], xmp[NameObject("/Subtype")] = NameObject("/Metadata"), NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    if place == "outline":
        writer.add_outline_item(title=f"About {NAME}", page_number=0)
    if place == "annotation":
        writer.add_annotation(0, Text(text=f"Ask {NAME}", rect=(10, 10, 50, 50)))
    if place == "field":
        field = DictionaryObject({NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("owner"),
                                  NameObject("/V"): TextStringObject(NAME)})
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([writer._add_object(field)])})
    if place == "attachment":
        writer.add_attachment("notes.txt", f"Notes by {NAME}".encode())
    if attachment:
        writer.add_attachment("deck.pptx", attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Office Open XML and OpenDocument ----------------------------------------------------------------------------------

_CORE = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{}</dc:creator><cp:lastModifiedBy>{}'
         '</cp:lastModifiedBy></cp:coreProperties>')
_APP = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        '<Company>{}</Company><Manager>{}</Manager></Properties>')
_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' \
     'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _slide(text: str) -> str:
    # The name split into runs, as PowerPoint splits a word whose formatting changes halfway.
    runs = "".join(f"<a:r><a:t>{piece}</a:t></a:r>" for piece in (text[:2], text[2:7], text[7:]))
    return f'<p:sld {_A}><p:cSld><p:spTree><p:sp><p:txBody><a:p>{runs}</a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>'


def ooxml(kind: str, place: str) -> bytes:
    """A .pptx, .docx or .xlsx with the name in one place: its properties, a slide, the speaker notes, a comment's
    author, a header, a shared string, or a photo's EXIF."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"/>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
        "docProps/core.xml": _CORE.format(NAME if place == "core" else "A", NAME if place == "core" else "A"),
        "docProps/app.xml": _APP.format(NAME if place == "app" else "Brightwell", "B"),
    }
    said = NAME if place == "body" else "Quarterly review"
    if kind == "pptx":
        parts["ppt/slides/slide1.xml"] = _slide(said)
        parts["ppt/notesSlides/notesSlide1.xml"] = _slide(NAME if place == "notes" else "Speak slowly")
        if place == "comment":
            parts["ppt/commentAuthors.xml"] = f'<p:cmAuthorLst {_A}><p:cmAuthor id="1" name="{NAME}" initials="DW"/>' \
                                              '</p:cmAuthorLst>'
        if place == "photo":
            parts["ppt/media/image1.jpeg"] = jpeg("artist")
    elif kind == "docx":
        parts["word/document.xml"] = f'<w:document {_W}><w:body><w:p><w:r><w:t>{said}</w:t></w:r></w:p></w:body>' \
                                     '</w:document>'
        if place == "comment":
            parts["word/comments.xml"] = f'<w:comments {_W}><w:comment w:id="0" w:author="{NAME}"><w:p><w:r><w:t>' \
                                         'Check this</w:t></w:r></w:p></w:comment></w:comments>'
        if place == "header":
            parts["word/header1.xml"] = f'<w:hdr {_W}><w:p><w:r><w:t>Draft by {NAME}</w:t></w:r></w:p></w:hdr>'
    else:
        parts["xl/sharedStrings.xml"] = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
                                        f'<si><t>{said}</t></si></sst>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def odf(place: str) -> bytes:
    """An OpenDocument text with the name in its metadata, its text or an annotation's author."""
    office = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    text_ns = 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    body = (f"Meet <text:span>Da</text:span>na<text:s/>Whitfield" if place == "body" else "Quarterly review")
    note = f"<office:annotation><dc:creator>{NAME}</dc:creator><text:p>ok</text:p></office:annotation>" \
        if place == "annotation" else ""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("meta.xml", f'<office:document-meta {office} xmlns:meta="urn:oasis:names:tc:opendocument:'
                                     f'xmlns:meta:1.0" office:version="1.3"><office:meta><meta:initial-creator>'
                                     f'{NAME if place == "meta" else "A"}</meta:initial-creator></office:meta>'
                                     '</office:document-meta>')
        archive.writestr("content.xml", f'<office:document-content {office} {text_ns}><office:body><office:text>'
                                        f'<text:p>{body}{note}</text:p></office:text></office:body>'
                                        '</office:document-content>')
    return out.getvalue()


# Archives, text and media ------------------------------------------------------------------------------------------

def zip_of(members: dict[str, bytes], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        archive.comment = comment
    return out.getvalue()


def tar_gz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _box(kind: bytes, content: bytes) -> bytes:
    return struct.pack(">I", 8 + len(content)) + kind + content


def mp4(with_text_track: bool = False) -> bytes:
    """A phone video's boxes: its owner and where it was filmed in the user data (`©ART`, `©xyz`)."""
    udta = _box(b"udta", _box(b"\xa9ART", NAME.encode()) + _box(b"\xa9xyz", b"+53.4808-002.2426/"))
    handler = _box(b"hdlr", bytes(8) + (b"text" if with_text_track else b"vide") + bytes(12) + b"Video\x00")
    moov = _box(b"moov", _box(b"mvhd", bytes(100)) + _box(b"trak", _box(b"mdia", handler)) + udta)
    return _box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom") + moov + _box(b"mdat", bytes(64))


# Readers written apart from failsite's: what a reader of the published site could find in a file. ------------------

def read_back(data: bytes) -> str:
    """Every text a published file shows to a curious reader, by the reader for what it is."""
    if data.startswith(b"%PDF"):
        return _pdf_back(data)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.comment.decode("latin-1") + "\n" + "\n".join(
                name + "\n" + read_back(archive.read(name)) for name in archive.namelist())
    if data.startswith(b"\x1f\x8b"):
        return read_back(gzip.decompress(data))
    if len(data) > 262 and data[257:262] == b"ustar":
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            return "\n".join(m.name + "\n" + read_back(archive.extractfile(m).read())  # type: ignore[union-attr]
                             for m in archive.getmembers() if m.isfile())
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return _image_back(picture) + "\n" + _raw(data)
    except Exception:  # not an image
        pass
    return _raw(data)


def _raw(data: bytes) -> str:
    """The bytes in the encodings text is written in, and, for XML, its text with the tags left out (Office splits a
    word into runs)."""
    texts = [data.decode(codec, "replace").replace("\x00", "") for codec in ("utf-8", "latin-1", "utf-16-le", "utf-16-be")]
    return "\n".join(texts + [re.sub(r"<[^>]*>", "", texts[0])])


def _image_back(picture: Image.Image) -> str:
    exif = picture.getexif()
    values = [*exif.values(), *exif.get_ifd(0x8769).values(), *exif.get_ifd(0x8825).values(), *picture.info.values()]
    values += [segment for _, segment in getattr(picture, "applist", [])]
    found = []
    for value in values:
        if isinstance(value, (bytes, tuple)):
            raw = bytes(value) if isinstance(value, bytes) else bytes(v for v in value if isinstance(v, int) and v < 256)
            found.append(_raw(raw))
        else:
            found.append(str(value))
    if exif.get_ifd(0x8825):
        found.append("GPS POSITION")
    return "\n".join(found)


def _pdf_back(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found = [str(v) for v in (reader.metadata or {}).values()]
    if reader.xmp_metadata is not None:
        found.append(reader.xmp_metadata.stream.get_data().decode("utf-8", "replace"))
    pending: list[object] = list(reader.outline)
    while pending:
        entry = pending.pop()
        if isinstance(entry, list):
            pending += entry
        else:
            found.append(str(getattr(entry, "title", "")))
    for page in reader.pages:
        found.append(page.extract_text())
        for annotation in page.get("/Annots") or []:
            found += [str(v) for v in annotation.get_object().values()]
    found += [str(v.get("/V", "")) for v in (reader.get_fields() or {}).values()]
    for name, contents in reader.attachments.items():
        found += [name] + [read_back(content) for content in contents]
    return "\n".join(found)


Maker = Callable[[], bytes]
