"""PDF documents: every string a viewer could show, and every page's text.

Reading walks every object the document reaches: the document information (author, title,
subject, keywords, creator), XMP metadata streams, the outline (bookmarks), annotations and
their pop-up notes, form fields (names, values, tooltips), named destinations, layer names,
scripts, appearance streams, and attached files, which go through the door like any file; then
each page's text as pypdf extracts it. Cleaning writes the document again without its
document information, its XMP metadata (the document's and every object's) and application
private data (`PieceInfo`), with attached files cleaned; objects an earlier revision left behind
are not written. What the pages, bookmarks, notes and fields say stays as written, so a name
there refuses the file. An encrypted PDF cannot be read, and is refused.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Iterator

from failsite.privacy.files.kinds import Door, Kind, Part, Refused, within
from failsite.privacy.files.strings import readings

_ANNOTATIONS = frozenset(("/Text", "/FreeText", "/Link", "/Popup", "/Highlight", "/Underline", "/StrikeOut",
                          "/Squiggly", "/Stamp", "/Ink", "/FileAttachment", "/Square", "/Circle", "/Line",
                          "/Polygon", "/PolyLine", "/Caret", "/Sound", "/Movie", "/Widget", "/Redact", "/RichMedia"))
_PRIVATE = ("/Metadata", "/PieceInfo")


def _reader(data: bytes) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            encrypted = reader.is_encrypted
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as exc:
        raise Refused(f"failsite cannot read this PDF ({exc or type(exc).__name__})",
                      "publish a PDF that opens, or leave it out") from None
    if encrypted:
        raise Refused("failsite cannot read this PDF: it is encrypted", "publish a PDF that opens without a password")
    return reader


def _read_pdf(data: bytes, depth: int, door: Door) -> list[Part]:
    from pypdf.errors import PyPdfError

    reader = _reader(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = list(_objects_text(reader, depth, door))
            parts += [Part(f"page {number}", page.extract_text() or "") for number, page in enumerate(reader.pages, 1)]
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError,
            AssertionError) as exc:
        raise Refused(f"failsite cannot read this PDF ({exc or type(exc).__name__})",
                      "publish a PDF that opens, or leave it out") from None
    return parts


def _objects(reader: Any) -> Iterator[tuple[Any, Any]]:
    """Every object the document reaches from its trailer, once, with the dictionary that holds it."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    pending: list[tuple[Any, Any]] = [(reader.trailer, None)]
    while pending:
        value, holder = pending.pop()
        if isinstance(value, IndirectObject):
            if (value.idnum, value.generation) in seen:
                continue
            seen.add((value.idnum, value.generation))
            value = value.get_object()
        yield value, holder
        if isinstance(value, DictionaryObject):
            pending += [(key, value) for key in value.keys()]
            pending += [(item, value) for key, item in value.items() if key != "/Parent"]
        elif isinstance(value, ArrayObject):
            pending += [(item, holder) for item in value]


def _place(holder: Any, info: Any) -> str:
    """Where in the document a string stands, for the message."""
    if holder is None:
        return "its trailer"
    if info is not None and holder is info:
        return "its document information"
    kind, subtype = holder.get("/Type"), holder.get("/Subtype")
    if kind == "/Annot" or subtype in _ANNOTATIONS:
        return "an annotation"
    if "/FT" in holder or ("/T" in holder and ("/Kids" in holder or "/V" in holder)):
        return "a form field"
    if "/Title" in holder and ("/Parent" in holder or "/First" in holder):
        return "its outline (bookmarks)"
    if kind == "/Filespec":
        return "an attached file's name"
    if kind == "/OCG":
        return "a layer's name"
    return "its objects"


def _objects_text(reader: Any, depth: int, door: Door) -> Iterator[Part]:
    from pypdf.generic import ByteStringObject, DictionaryObject, NameObject, StreamObject, TextStringObject

    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else None
    page_contents = _page_content_ids(reader)
    texts: dict[str, list[str]] = {}
    for value, holder in _objects(reader):
        if isinstance(value, TextStringObject) or (isinstance(value, NameObject) and value not in _COMMON_NAMES):
            texts.setdefault(_place(holder, info), []).append(str(value).lstrip("/"))
        elif isinstance(value, ByteStringObject):
            texts.setdefault(_place(holder, info), []).append(readings(bytes(value)))
        if not isinstance(value, StreamObject) or id(value) in page_contents:
            continue
        kind, subtype = value.get("/Type"), value.get("/Subtype")
        if kind == "/EmbeddedFile":
            try:
                yield from within("an attached file", door.read(value.get_data(), depth + 1))
            except Refused as refusal:
                raise refusal.within("an attached file") from None
        elif kind == "/Metadata" or subtype == "/XML":
            yield Part("its XMP metadata", value.get_data().decode("utf-8", "replace"))
        elif subtype != "/Image" and not any(k in value for k in ("/Length1", "/Length2", "/Length3")) \
                and not (isinstance(holder, DictionaryObject) and holder.get("/Type") == "/FontDescriptor"):
            yield Part("a drawing or script in it", readings(value.get_data()))
    for place, found in texts.items():
        yield Part(place, "\n".join(found))


# Names every PDF uses (keys, types, filters): not worth reading.
_COMMON_NAMES = frozenset(("/Type", "/Subtype", "/Filter", "/FlateDecode", "/Length", "/Page", "/Pages", "/Kids",
                           "/Parent", "/Resources", "/MediaBox", "/Contents", "/Font", "/Catalog", "/Root", "/Info",
                           "/Size", "/ID", "/XObject", "/ProcSet", "/PDF", "/Text", "/Annots", "/Rect", "/Count"))


def _page_content_ids(reader: Any) -> set[int]:
    """The page content streams, whose text extract_text reads with their fonts."""
    from pypdf.generic import ArrayObject

    found = set()
    for page in reader.pages:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        for stream in (contents if isinstance(contents, ArrayObject) else [contents] if contents is not None else []):
            found.add(id(stream.get_object()))
    return found


def _clean_pdf(data: bytes, depth: int, door: Door) -> bytes:
    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    reader = _reader(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer = PdfWriter(clone_from=reader)
            writer.metadata = None
            for obj in list(writer._objects):
                if not isinstance(obj, DictionaryObject):
                    continue
                for key in _PRIVATE:
                    if key in obj and not (key == "/Metadata" and obj.get("/Type") == "/Metadata"):
                        del obj[NameObject(key)]
                if isinstance(obj, StreamObject) and (obj.get("/Type") == "/Metadata" or obj.get("/Subtype") == "/XML"):
                    obj.set_data(b"")  # no longer reached, and emptied all the same
                if isinstance(obj, StreamObject) and obj.get("/Type") == "/EmbeddedFile":
                    try:
                        obj.set_data(door.clean(obj.get_data(), depth + 1))
                    except Refused as refusal:
                        raise refusal.within("an attached file") from None
                    if "/Params" in obj:
                        del obj[NameObject("/Params")]
            writer.compress_identical_objects()  # and objects no longer reached (the metadata) are left out
            out = io.BytesIO()
            writer.write(out)
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError,
            AssertionError) as exc:
        raise Refused(f"failsite cannot write this PDF without its metadata ({exc or type(exc).__name__})",
                      "publish a PDF that opens, or leave it out") from None
    return out.getvalue()


PDF = Kind("PDF", _read_pdf, _clean_pdf)
