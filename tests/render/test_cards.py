"""Social cards: every page names a 1200×630 PNG as its og:image, each story its own drawn from its anonymised title,
the same bytes on every build, and each drawn once for its inputs."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import CONFIG, REGISTRY, SiteMaker, build, talk
from failsite.render import cards


def card_of(site: Path, page: Path) -> Path:
    address = BeautifulSoup(page.read_text(), "html.parser").find("meta", property="og:image")["content"]
    return site / "public" / urlsplit(address).path.lstrip("/")


def test_every_page_names_an_existing_card(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A", patterns="[perceived]"), "content/talks/b.md": talk("B")},
                     config="title: T\nbase_url: https://x.example/\n")
    build(site)
    pages = list((site / "public").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        card = card_of(site, page)
        with Image.open(card) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630)), page
    assert card_of(site, site / "public/talks/a/index.html") == site / "public/talks/a/card.png"
    assert card_of(site, site / "public/patterns/index.html") == site / "public/card.png"


def test_cards_are_the_same_bytes_on_every_build(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A story with a long title that runs over more than one line")})
    build(site, use_cache=False)
    first = {p: p.read_bytes() for p in (site / "public").rglob("card.png")}
    build(site, use_cache=False)
    assert first == {p: p.read_bytes() for p in (site / "public").rglob("card.png")}


def test_a_card_is_drawn_once_for_its_inputs(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    draw = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda card: drawn.append(card.path) or draw(card))
    site = make_site({"content/talks/a.md": talk("A"), "content/talks/b.md": talk("B")})
    build(site)
    assert sorted(drawn) == ["card.png", "talks/a/card.png", "talks/b/card.png"]
    drawn.clear()
    (site / "content/talks/b.md").write_text(talk("B, renamed"))
    build(site)
    assert drawn == ["talks/b/card.png"]


def test_a_card_is_drawn_from_the_published_title_never_a_registered_name(make_site: SiteMaker,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[cards.Card] = []
    draw = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda card: seen.append(card) or draw(card))
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk("What Dana Whitfield learned")},
                     config=CONFIG)
    build(site)
    text = " ".join(f"{c.title} {c.label} {c.site_title}" for c in seen).lower()
    assert "dana" not in text and "whitfield" not in text and "what" in text
    [card] = [p for p in (site / "public/talks").rglob("card.png")]
    assert "dana" not in str(card).lower()
    with Image.open(io.BytesIO(card.read_bytes())) as image:
        assert not image.info  # no text chunks


def test_a_cards_text_is_drawn_smooth_in_the_themes_colours() -> None:
    card = cards.Card("talks/a/card.png", "A title", "Talk", cards.PATTERN_COLOURS["perceived"], "Site")
    with Image.open(io.BytesIO(cards.draw_card(card))) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1_000_000)}
    page, text = cards._rgb(cards.BACKGROUND), cards._rgb(cards.TEXT)
    assert {page, text, cards._rgb(cards.PATTERN_COLOURS["perceived"]), cards._rgb(cards.ACCENT)} <= colours
    edges = colours - {page, text, cards._rgb(cards.PATTERN_COLOURS["perceived"]), cards._rgb(cards.ACCENT)}
    assert len(edges) > 50  # anti-aliased: many blends of page and text, not two colours with jagged edges
    for colour in edges:  # every blend lies between the page's colour and the text's
        assert all(min(p, t) <= c <= max(p, t) for c, p, t in zip(colour, page, text)), colour


def test_a_build_whose_cards_are_all_kept_never_imports_pillow(make_site: SiteMaker) -> None:
    import subprocess
    import sys
    site = make_site({"content/talks/a.md": talk("A"), "content/talks/b.md": talk("B")})
    build(site)
    (site / "content/talks/b.md").write_text(talk("B") + "\nA new last line.\n")
    probe = ("import sys; from pathlib import Path; from failsite.build import build_site; "
             f"build_site(Path({str(site)!r})); print(sorted(m for m in ('PIL', 'icalendar') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[2])
    assert result.stdout.strip() == "[]"
    assert "A new last line." in (site / "public/talks/b/index.html").read_text()


def test_a_builds_card_keys_look_up_pillows_version_once(make_site: SiteMaker,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every card's key holds Pillow's version; looking it up reads the installed packages' records (a quarter of a
    second for 1,000 cards when it was looked up per card)."""
    looked_up: list[str] = []
    version = cards.metadata.version
    monkeypatch.setattr(cards.metadata, "version", lambda name: looked_up.append(name) or version(name))
    cards._pillow_version.cache_clear()
    site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}") for n in range(5)})
    build(site)
    assert looked_up.count("pillow") == 1  # (failsite's own fingerprint may look up others, once a process)
