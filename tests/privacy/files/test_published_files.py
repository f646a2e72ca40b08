"""Every kind of file a story carries, with a registered name in each place it can hide: what is metadata is
removed for every audience, what the file shows refuses it with a message naming the file and the place, and a
kind no reader understands is refused unless site.yaml lists it as reviewed. Published files are read back by
readers written apart from failsite's (makers.read_back)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from conftest import CONFIG, REGISTRY, SiteMaker, build, build_errors, talk
from makers import EMAIL, NAME, image, jpeg, mp4, ooxml, odf, pdf, png, read_back, svg, tar_gz, zip_of

# A name only in metadata: published without it.
CLEANED = {
    "artist.jpg": jpeg("artist"), "xpauthor.jfif": jpeg("xpauthor"), "xpcomment.jpeg": jpeg("xpcomment"),
    "usercomment.jpg": jpeg("usercomment"), "comment.jpg": jpeg("comment"), "xmp.jpg": jpeg("xmp"),
    "named-as-text.txt": jpeg("artist"),  # a photo whatever its name says
    "chunks.png": png(), "comment.gif": image("GIF"), "exif.webp": image("WEBP"), "tags.tiff": image("TIFF"),
    "exif.avif": image("AVIF"),
    "metadata.svg": svg("metadata"), "comment.svg": svg("comment"), "metadata.svgz": gzip.compress(svg("metadata")),
    "info.pdf": pdf("info"), "xmp.pdf": pdf("xmp"), "deck-inside.pdf": pdf("none", attachment=ooxml("pptx", "core")),
    "core.pptx": ooxml("pptx", "core"), "app.docx": ooxml("docx", "app"), "photo.pptx": ooxml("pptx", "photo"),
    "meta.odt": odf("meta"),
    "photos.zip": zip_of({"board.jpg": jpeg("artist"), "deck.pptx": ooxml("pptx", "core")}, comment=NAME.encode()),
    "video.mp4": mp4(),
}
# A name in what the file shows: refused, naming the file and where in it the name is.
REFUSED = {
    "slide.pptx": (ooxml("pptx", "body"), "ppt/slides/slide1.xml"),
    "notes.pptx": (ooxml("pptx", "notes"), "ppt/notesSlides/notesSlide1.xml"),
    "authors.pptx": (ooxml("pptx", "comment"), "ppt/commentAuthors.xml"),
    "comments.docx": (ooxml("docx", "comment"), "word/comments.xml"),
    "header.docx": (ooxml("docx", "header"), "word/header1.xml"),
    "strings.xlsx": (ooxml("xlsx", "body"), "xl/sharedStrings.xml"),
    "text.odt": (odf("body"), "content.xml"), "annotated.odt": (odf("annotation"), "content.xml"),
    "page.pdf": (pdf("page"), "page 1"), "outline.pdf": (pdf("outline"), "outline"),
    "annotation.pdf": (pdf("annotation"), "annotation"), "field.pdf": (pdf("field"), "form field"),
    "attached.pdf": (pdf("attachment"), "attached file"),
    "text.svg": (svg("text"), ""), "title.svg": (svg("title"), ""), "desc.svg": (svg("desc"), ""),
    "text.svgz": (gzip.compress(svg("text")), ""),
    "notes.zip": (zip_of({"notes/today.txt": f"Call {NAME}".encode()}), "notes/today.txt"),
    "folder.zip": (zip_of({"dana-whitfield/a.txt": b"ok"}), "the names of its files"),
    "notes.tar.gz": (tar_gz({"a.txt": NAME.encode()}), "a.txt"),
    "utf16.txt": (NAME.encode("utf-16"), ""), "split.rtf": (rb"{\rtf1\ansi Da{\b na} Whitf\'69eld}", "its text"),
    "captions.vtt": (f"WEBVTT\n\n00:00.000 --> 00:01.000\nMail {EMAIL}\n".encode(), ""),
}
# Kinds no reader understands: refused unless reviewed.
UNREAD = {
    "song.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x10TPE1\x00\x00\x00\x06\x00\x00\x00Band\xff\xfb\x90\x00",
    "font.woff2": b"wOF2\x00\x01\x00\x00" + bytes(40), "old.ppt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
    "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(32),
    "subtitled.mp4": mp4(with_text_track=True).replace(NAME.encode(), b"Anonymous Crew"),
    "blob.bin": bytes(range(256)) * 4,
}
PROTECTED = re.compile(r"dana|whitfield|northwind|gps position|53\.48", re.I)


def story_site(make_site: SiteMaker, files: dict[str, bytes], config: str = CONFIG, name: str = "site") -> Path:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/launch/index.md": talk("The launch", body="The files.", visibility="public")},
                     config=config, name=name)
    for relative, data in files.items():
        (site / "content/talks/launch" / relative).write_bytes(data)
    return site


def test_metadata_is_removed_from_every_kind_of_file_for_every_audience(make_site: SiteMaker) -> None:
    site = story_site(make_site, CLEANED)
    for audience in ("public", "internal", "restricted"):
        build(site, audience=audience)
        for relative in CLEANED:
            published = (site / "public/talks/launch" / relative).read_bytes()
            assert PROTECTED.search(read_back(published)) is None, (audience, relative)


def test_a_name_in_what_a_file_shows_refuses_it_naming_the_file_and_the_place(make_site: SiteMaker) -> None:
    site = story_site(make_site, {name: data for name, (data, _) in REFUSED.items()})
    errors = build_errors(site, audience="public")
    for name, (_, place) in REFUSED.items():
        mine = [e for e in errors if e.startswith(f"content/talks/launch/{name}:")]
        assert mine and all(place in e and "protected" in e for e in mine), (name, mine)
        assert not any("[" in e.split(":")[0] for e in mine)
    assert not (site / "public").exists()


def test_a_kind_no_reader_understands_is_refused_unless_reviewed(make_site: SiteMaker) -> None:
    site = story_site(make_site, UNREAD)
    errors = build_errors(site)
    for name in UNREAD:
        assert any(e.startswith(f"content/talks/launch/{name}:1:1: error: cannot publish this file") for e in errors), \
            (name, errors)
    reviewed = CONFIG + "  unread_files: [content/talks/launch/*.mp3, content/talks/*/font.woff2, " \
                        "content/talks/launch/old.ppt, content/talks/launch/photo.heic, content/**/subtitled.mp4, " \
                        "content/talks/launch/blob.bin]\n"
    site = story_site(make_site, UNREAD, config=reviewed, name="reviewed")
    build(site)
    for name, data in UNREAD.items():
        assert (site / "public/talks/launch" / name).read_bytes() == data


def test_a_file_refused_inside_another_names_where_it_is(make_site: SiteMaker) -> None:
    site = story_site(make_site, {"bundle.zip": zip_of({"slides/old.ppt": UNREAD["old.ppt"]})})
    assert any(e.startswith("content/talks/launch/bundle.zip:1:1: error: cannot publish this file (in slides/old.ppt)")
               for e in build_errors(site))


def test_static_and_theme_files_go_through_the_same_door(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk()}, config=CONFIG)
    (site / "static").mkdir()
    (site / "static/team.jpg").write_bytes(jpeg("xpauthor"))
    (site / "themes/plain/static").mkdir(parents=True)
    (site / "themes/plain/static/deck.pptx").write_bytes(ooxml("pptx", "notes"))
    (site / "site.yaml").write_text(CONFIG + "theme: plain\n")
    (site / "themes/plain/theme.yaml").write_text("extends: default\n")
    assert [e for e in build_errors(site) if "error" in e] == [
        'themes/plain/static/deck.pptx:1:1: error: protected name of "Dana Whitfield" found in '
        'ppt/notesSlides/notesSlide1.xml (people[0], consent: pseudonym)']
    (site / "themes/plain/static/deck.pptx").unlink()
    build(site)
    assert PROTECTED.search(read_back((site / "public/team.jpg").read_bytes())) is None


@pytest.mark.parametrize("mutation", ["xml parts unread", "pixels with their metadata", "pdf objects unread"])
def test_a_reader_skipping_a_place_is_caught_by_the_readback(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch,
                                                             mutation: str) -> None:
    """The tests above would notice a reader that skips a place: with one skipped, the leak is published and the
    readers written apart from failsite's find it."""
    from failsite.privacy.files import documents, images, pdfs
    name, data = {"xml parts unread": ("notes.pptx", REFUSED["notes.pptx"][0]),
                  "pixels with their metadata": ("artist.jpg", CLEANED["artist.jpg"]),
                  "pdf objects unread": ("outline.pdf", REFUSED["outline.pdf"][0])}[mutation]
    if mutation == "xml parts unread":
        monkeypatch.setattr(documents, "xml_text", lambda content: "")
    elif mutation == "pixels with their metadata":
        monkeypatch.setattr(images, "_clean_image", lambda data, depth, door: data)
        monkeypatch.setattr(images, "_read_image", lambda data, depth, door: [])
    else:
        monkeypatch.setattr(pdfs, "_objects_text", lambda reader, depth, door: iter(()))
    site = story_site(make_site, {name: data})
    build(site)
    assert PROTECTED.search(read_back((site / "public/talks/launch" / name).read_bytes()))
