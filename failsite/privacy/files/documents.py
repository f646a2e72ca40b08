"""Office Open XML (.docx, .pptx, .xlsx) and OpenDocument (.odt, .odp, .ods) files: zips of XML parts.

Every XML part is read: slides, speaker notes, comments and their authors, tracked changes,
headers, footers, charts, shared strings, custom XML, relationships. A part's text is read
paragraph by paragraph with its runs joined (Word splits `Dana` into `Da` and `na` when the
formatting changes mid-word), once more node by node, and its attribute values (a comment's
`w:author`). Photos and other files inside go through the door like any file; printer settings
and vector pictures (EMF, WMF) are read for the text they hold. Cleaning replaces the document
properties (`docProps/core.xml`, `app.xml`, `custom.xml`; OpenDocument's `meta.xml`: author, last
editor, company, manager, title, keywords) with empty ones, and cleans every other part through
the door; the text the document shows is left as written, so a name in it refuses the file.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
import zipfile

from failsite.privacy.files import archives
from failsite.privacy.files.kinds import Door, Kind, Part, Refused
from failsite.privacy.files.strings import readings

_EMPTY_PROPERTIES = {
    "docProps/core.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp='
                         b'"http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://'
                         b'purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://'
                         b'www.w3.org/2001/XMLSchema-instance"/>',
    "docProps/app.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
                        b'openxmlformats.org/officeDocument/2006/extended-properties"/>',
    "docProps/custom.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://'
                           b'schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>',
}
_ODF_META = (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office="urn:oasis:names:tc:'
             b'opendocument:xmlns:office:1.0" office:version="%s"><office:meta/></office:document-meta>')
# Elements that end a paragraph, a cell or a line, and those that stand for a space or a tab.
_BLOCKS = frozenset("p h tc tr row c si comment note cm txBody annotation table-cell list-item br cr".split())
_SPACES = frozenset("s tab line-break tab-stop".split())
_EMF_WMF = (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00")


def office_kind(data: bytes) -> Kind | None:
    """Office Open XML or OpenDocument, by the parts a zip holds; None for any other zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError):
        return None
    if "[Content_Types].xml" in names:
        return OFFICE_OPEN_XML
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return OPEN_DOCUMENT
    return None


def xml_text(content: bytes) -> str:
    """An XML part's text paragraph by paragraph (runs joined), node by node, and its attribute values."""
    joined: list[str] = []
    nodes: list[str] = []
    attributes: list[str] = []
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            local = element.tag.rpartition("}")[2]
            if event == "start":
                attributes += element.attrib.values()
                if local in _SPACES:
                    joined.append(" ")
                if element.text:
                    joined.append(element.text)
                    nodes.append(element.text)
                continue
            if local in _BLOCKS:
                joined.append("\n")
            if element.tail:
                joined.append(element.tail)
                nodes.append(element.tail)
    except ElementTree.ParseError as exc:
        raise Refused(f"failsite cannot read this XML ({exc})", "replace the document with a readable copy") from None
    return "".join(joined) + "\n\n" + "\n".join(nodes) + "\n\n" + "\n".join(attributes)


def _member_parts(name: str, content: bytes, depth: int, door: Door) -> list[Part]:
    if _is_xml(name, content):
        return [Part("", xml_text(content))]
    if "printerSettings" in name or content.startswith(_EMF_WMF) or content[40:44] == b" EMF":
        return [Part("", readings(content))]
    return door.read(content, depth + 1)


def _is_xml(name: str, content: bytes) -> bool:
    head = content[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    return name.endswith((".xml", ".rels", ".vml")) or head.startswith((b"<?xml", b"<"))


def _read_office(data: bytes, depth: int, door: Door) -> list[Part]:
    return archives.read_zip(data, depth, door, _member_parts)


def _clean_office(data: bytes, depth: int, door: Door) -> bytes:
    def replace(name: str, content: bytes) -> bytes | None:
        if name in _EMPTY_PROPERTIES:
            return _EMPTY_PROPERTIES[name]
        if name == "meta.xml" and content.lstrip().startswith(b"<"):
            version = re.search(rb'office:version="([0-9.]+)"', content)
            return _ODF_META % (version.group(1) if version else b"1.2")
        if _is_xml(name, content) or "printerSettings" in name or content.startswith(_EMF_WMF) \
                or content[40:44] == b" EMF":
            return content  # read, not cleaned: the text the document shows stays as written
        return None

    return archives.clean_zip(data, depth, door, replace)


OFFICE_OPEN_XML = Kind("Office document", _read_office, _clean_office)
OPEN_DOCUMENT = Kind("OpenDocument file", _read_office, _clean_office)
