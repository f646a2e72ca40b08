"""Stories as folders: their files published beside the page, photos without their metadata, missing files
reported with file and line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from conftest import CONFIG, REGISTRY, SiteMaker, build, build_errors, html, talk
from failsite.build import check_site



def pdf_file(text: str, author: str = "") -> bytes:
    """A real one-page PDF saying `text` (metadata: `author`), as a slide deck would be."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if author:
        writer.add_metadata({"/Author": author})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

def photo(artist: str = "Dana Whitfield", orientation: int = 1) -> bytes:
    """A JPEG with the metadata a phone writes: the owner, the camera and where it was taken."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = artist
    exif[0x0110] = "Phone 12"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (53.0, 28.0, 44.0), 3: "W", 4: (2.0, 14.0, 41.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def bundle_site(make_site: SiteMaker, body: str, files: dict[str, bytes], name: str = "site") -> Path:
    site = make_site({"people.yaml": REGISTRY, "content/talks/launch/index.md": talk("The launch", body=body)},
                     config=CONFIG, name=name)
    for relative, data in files.items():
        (site / "content/talks/launch" / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / "content/talks/launch" / relative).write_bytes(data)
    return site


def test_a_story_folder_publishes_its_files_beside_the_page_without_metadata(make_site: SiteMaker) -> None:
    site = bundle_site(make_site, "![The board](board.jpg) and [the slides](slides/deck.pdf).",
                       {"board.jpg": photo(orientation=6), "slides/deck.pdf": pdf_file("Slides")})
    build(site)
    page = html(site, "talks/launch/index.html")
    # Published paths, so the body works wherever it is shown (the facilitator guide, the feed).
    assert page.select_one(".prose img")["src"] == "/talks/launch/board.jpg"
    assert page.select_one(".prose a")["href"] == "/talks/launch/slides/deck.pdf"
    with Image.open(site / "public/talks/launch/board.jpg") as published:
        assert dict(published.getexif()) == {}  # no owner, camera, GPS or orientation
        assert published.size == (20, 40)  # turned upright before the orientation tag was dropped
    from pypdf import PdfReader
    deck = PdfReader(site / "public/talks/launch/slides/deck.pdf")
    assert deck.pages[0].extract_text() == "Slides" and not (deck.metadata or {}).get("/Author")
    assert b"Dana" not in (site / "public/talks/launch/board.jpg").read_bytes()


def test_a_missing_file_is_an_error_with_file_and_line(make_site: SiteMaker) -> None:
    site = bundle_site(make_site, "Intro.\n\n![The board](bored.jpg)", {"board.jpg": photo()})
    assert build_errors(site) == ["content/talks/launch/index.md:8:1: error: the file 'bored.jpg' does not exist "
                                  "beside this story"]


def test_a_file_link_from_a_story_that_is_not_a_folder_says_how_to_make_one(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/plain.md": talk(body="![A photo](photo.jpg)")})
    assert build_errors(site) == ["content/talks/plain.md:6:1: error: 'photo.jpg' is not beside this story: a story's "
                                  "own files need a folder of their own"]


def test_site_wide_images_are_published_without_their_metadata_too(make_site: SiteMaker) -> None:
    text = PngImagePlugin.PngInfo()
    text.add_itxt("Author", "Dana Whitfield", zip=True)  # compressed: not in the file's bytes as text
    image = io.BytesIO()
    Image.new("RGB", (4, 4)).save(image, "PNG", pnginfo=text)
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk()}, config=CONFIG)
    (site / "static").mkdir()
    (site / "static/logo.png").write_bytes(image.getvalue())
    build(site)
    with Image.open(site / "public/logo.png") as published:
        assert "Author" not in published.info and published.size == (4, 4)


def test_an_unreadable_image_is_an_error_not_a_published_file(make_site: SiteMaker) -> None:
    site = bundle_site(make_site, "![A photo](photo.jpg)", {"photo.jpg": b"\xff\xd8\xff\xe0 cut short \x00\x01"})
    errors = build_errors(site)
    assert any(e.startswith("content/talks/launch/photo.jpg:1:1: error: cannot publish this file") for e in errors)


def test_check_asks_for_alt_text(make_site: SiteMaker) -> None:
    site = bundle_site(make_site, "![](board.jpg)", {"board.jpg": photo()})
    warnings = [w.format().splitlines()[0] for w in check_site(site).warnings]
    assert "content/talks/launch/index.md:6:1: warning: an image without alt text" in warnings


def test_the_demo_photo_is_published_without_its_gps(tmp_path: Path) -> None:
    import shutil
    repo = Path(__file__).resolve().parents[2]
    site = tmp_path / "demo"
    shutil.copytree(repo / "content", site / "content")
    shutil.copy(repo / "people.yaml", site / "people.yaml")
    shutil.copy(repo / "site.yaml", site / "site.yaml")
    def exif(path: Path) -> dict[int, object]:
        with Image.open(path) as image:
            return dict(image.getexif())

    assert 0x8825 in exif(site / "content/talks/launch-too-early/whiteboard.jpg")  # the source has its GPS
    build(site)
    assert exif(site / "public/talks/launch-too-early/whiteboard.jpg") == {}


def test_a_talk_links_its_recording_slides_and_transcript(make_site: SiteMaker) -> None:
    body = "The talk."
    site = make_site({"content/talks/launch/index.md": talk(
        "The launch", body=body, recording="talk.mp4", slides="https://slides.example.com/deck",
        transcript="transcript.txt", duration="14")})
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08mdat"
    for name, data in (("talk.mp4", mp4), ("transcript.txt", b"Words.")):
        (site / "content/talks/launch" / name).write_bytes(data)
    build(site)
    media = html(site, "talks/launch/index.html").select_one(".talk-media")
    assert media.find("video")["src"] == "/talks/launch/talk.mp4"
    assert [(a.get_text(), a["href"]) for a in media.select(".media-links a")] == [
        ("Download the recording", "/talks/launch/talk.mp4"), ("Slides", "https://slides.example.com/deck"),
        ("Transcript", "/talks/launch/transcript.txt")]
    assert "(14 min)" in media.get_text()
    assert (site / "public/talks/launch/talk.mp4").exists() and (site / "public/talks/launch/transcript.txt").exists()


def test_a_recording_on_the_intranet_is_removed_unless_its_host_is_trusted(make_site: SiteMaker) -> None:
    recording = "https://video.intranet.example/v/123"
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(recording=recording)}, config=CONFIG)
    build(site)
    media = html(site, "talks/a/index.html").select_one(".talk-media")
    assert media.find("a") is None and "[internal link removed]" in media.get_text()
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(recording=recording)},
                     config=CONFIG + "  public_addresses: [https://video.intranet.example/]\n", name="trusted")
    build(site)
    assert html(site, "talks/a/index.html").select_one(".talk-media a")["href"] == recording


def test_a_media_file_that_is_not_there_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/launch/index.md": talk(slides="slides.pdf")})
    assert build_errors(site) == ["content/talks/launch/index.md:1:1: error: the file 'slides.pdf' does not exist "
                                  "beside this story"]
    site = make_site({"content/talks/a.md": talk(slides="javascript:alert(1)")}, name="bad")
    assert any("'slides' must be a file in the story's folder" in e for e in build_errors(site))


def test_a_large_photo_is_offered_in_smaller_copies_without_metadata(make_site: SiteMaker, tmp_path: Path) -> None:
    image = Image.new("RGB", (2000, 1000), (30, 90, 170))
    exif = Image.Exif()
    exif[0x013B] = "Dana Whitfield"
    big = io.BytesIO()
    image.save(big, "JPEG", exif=exif)
    site = bundle_site(make_site, "![The depot at dawn](depot.jpg)", {"depot.jpg": big.getvalue()})
    build(site)
    img = html(site, "talks/launch/index.html").select_one(".prose img")
    assert img["srcset"] == ("/talks/launch/depot-480w.jpg 480w, /talks/launch/depot-960w.jpg 960w, "
                             "/talks/launch/depot-1600w.jpg 1600w, /talks/launch/depot.jpg 2000w")
    assert img["src"] == "/talks/launch/depot.jpg" and img["sizes"]
    for name, width in (("depot-480w.jpg", 480), ("depot-960w.jpg", 960), ("depot-1600w.jpg", 1600)):
        with Image.open(site / "public/talks/launch" / name) as copy:
            assert copy.size == (width, width // 2) and dict(copy.getexif()) == {}
    first = {p.name: p.read_bytes() for p in (site / "public/talks/launch").iterdir()}
    (site / "content/talks/launch/index.md").write_text(talk("The launch", body="![The depot at dawn](depot.jpg) Edited."))
    build(site)  # the copies come from the cache now, byte for byte the same
    assert {n: b for n, b in ((p.name, p.read_bytes()) for p in (site / "public/talks/launch").iterdir())
            if n != "index.html"} == {n: b for n, b in first.items() if n != "index.html"}


def test_the_facilitator_guide_shows_a_story_folder_s_photo_and_media(make_site: SiteMaker) -> None:
    module = "---\ntitle: M\nduration: 30\ntrack: T\norder: 1\nstories: [../talks/launch/index.md]\n---\nM.\n"
    site = bundle_site(make_site, "![The board](board.jpg)", {"board.jpg": photo(), "slides.pdf": pdf_file("Slides")})
    (site / "content/talks/launch/index.md").write_text(talk("The launch", body="![The board](board.jpg)",
                                                             slides="slides.pdf"))
    (site / "content/modules").mkdir()
    (site / "content/modules/m.md").write_text(module)
    build(site, audience="restricted")
    guide = html(site, "tracks/t/guide/index.html")
    assert guide.select_one(".kit-story img")["src"] == "/talks/launch/board.jpg"
    assert guide.select_one(".kit-story .media-links a")["href"] == "/talks/launch/slides.pdf"


def test_a_protected_name_in_a_published_pdf_fails_the_build(make_site: SiteMaker) -> None:
    for name, data in (("inside.pdf", pdf_file("Notes by Dana Whitfield")), ("broken.pdf", b"%PDF-1.4 not really")):
        site = bundle_site(make_site, f"[the notes]({name})", {name: data}, name=name.replace(".", "-"))
        errors = build_errors(site)
        if name == "broken.pdf":
            assert any(e.startswith("content/talks/launch/broken.pdf:1:1: error: cannot publish this file: failsite "
                                    "cannot read this PDF") for e in errors), errors
        else:
            assert 'content/talks/launch/inside.pdf:1:1: error: protected name of "Dana Whitfield" found in page 1 ' \
                   '(people[0], consent: pseudonym)' in errors, errors
        assert not (site / "public").exists()


def test_a_pdf_is_published_without_its_author(make_site: SiteMaker) -> None:
    site = bundle_site(make_site, "[the notes](meta.pdf)", {"meta.pdf": pdf_file("Notes", "Dana Whitfield")})
    build(site)
    assert b"Dana" not in (site / "public/talks/launch/meta.pdf").read_bytes()


def test_a_photo_is_resized_once_across_builds_and_audiences(make_site: SiteMaker,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The copies of a photo only the internal edition shows survive a public build in between."""
    from failsite.render import files
    resized: list[str] = []
    real = files.fork_map

    def counting(function, work, inherited, **options):  # type: ignore[no-untyped-def]
        if function is files._resize:
            resized.extend(name for name, _, _ in work)
        return real(function, work, inherited, **options)

    monkeypatch.setattr(files, "fork_map", counting)

    def large(colour: tuple[int, int, int]) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (1200, 600), colour).save(out, "JPEG")
        return out.getvalue()

    site = make_site({"content/talks/open/index.md": talk("Open", body="![A board](board.jpg)", visibility="public"),
                      "content/talks/inside/index.md": talk("Inside", body="![A depot](depot.jpg)")},
                     "title: T\n")
    (site / "content/talks/open/board.jpg").write_bytes(large((200, 30, 30)))
    (site / "content/talks/inside/depot.jpg").write_bytes(large((30, 90, 170)))
    build(site, audience="internal")
    assert sorted(resized) == ["board.jpg", "depot.jpg"]
    build(site, audience="public")
    build(site, audience="internal")
    (site / "content/talks/open/index.md").write_text(talk("Open, retitled", body="![A board](board.jpg)",
                                                           visibility="public"))
    build(site, audience="public")
    assert sorted(resized) == ["board.jpg", "depot.jpg"]  # no photo resized again
    assert (site / "public/talks/open/board-960w.jpg").exists()
    assert not (site / "public/talks/inside").exists()  # the public edition holds only its own
    (site / "content/talks/inside/depot.jpg").write_bytes(large((90, 170, 30)))
    build(site, audience="internal")
    assert sorted(resized) == ["board.jpg", "depot.jpg", "depot.jpg"]  # new bytes: made again, once
