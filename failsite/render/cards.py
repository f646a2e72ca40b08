"""Social cards: the 1200×630 picture a chat or a social network shows beside a link to a page (`og:image`).

One card per story (its title, its type, the colour of its first pattern, the site's name) and one for the site
(its title and description) that every other page shows. Each is drawn with Pillow from text that is already
anonymised, kept in the build cache under a hash of what it is drawn from, and drawn in parallel when many are new.
The PNG bytes depend only on those inputs, Pillow's version and the font: the same input, the same file.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from failsite.engine.fingerprint import digest
from failsite.engine.parallel import fork_map

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

    from failsite.engine.cache import BuildCache

SIZE = (1200, 630)
SITE_CARD = "card.png"
CARD_NAME = "card.png"  # beside each story's index.html
# The theme's light colours (failsite.css): the page, its text, the muted text, the accent and each pattern.
BACKGROUND, TEXT, ACCENT = "#fbfaf8", "#1f2328", "#0b5cad"
PATTERN_COLOURS = {"concrete": "#0b5cad", "circumstantial": "#7a4e00", "perceived": "#6f42c1", "identity": "#a3305a",
                   "paralysis": "#3d6b21"}
_FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


@dataclass(frozen=True)
class Card:
    """What one card shows, and where it is written."""

    path: str  # output path: "talks/x/card.png", or "card.png" for the site's
    title: str
    label: str  # the story's type ("Talk"), or the site's description on the site's card
    colour: str
    site_title: str


@cache
def _font_file(bold: bool) -> str:
    """Where DejaVu Sans (Debian's fonts-dejavu-core) is installed, or '' (then Pillow's own font is drawn with)."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return next((str(folder / name) for folder in _FONT_FOLDERS if (folder / name).is_file()), "")


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The cards' font at a size: DejaVu Sans where it is installed, else Pillow's own font."""
    from PIL import ImageFont

    return ImageFont.truetype(_font_file(bold), size) if _font_file(bold) else ImageFont.load_default(size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int, lines: int) -> list[str]:
    """`text` in at most `lines` lines no wider than `width`, the last cut with an ellipsis when it does not fit."""
    words, rows, row = text.split(), [], ""
    for word in words:
        candidate = f"{row} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not row:
            row = candidate
        else:
            rows.append(row)
            row = word
    rows.append(row)
    if len(rows) > lines:
        rows = rows[:lines]
        while rows[-1] and draw.textlength(rows[-1] + " …", font=font) > width:
            rows[-1] = rows[-1].rsplit(" ", 1)[0] if " " in rows[-1] else rows[-1][:-1]
        rows[-1] += " …"
    return rows


def draw_card(card: Card) -> bytes:
    """The card as PNG bytes.

    The card is a palette image whose palette is a ramp from the page's colour to the text's, plus the bar's and
    the accent's colours. Its text is drawn anti-aliased straight into it: Pillow blends a glyph's edge between the
    index beneath and the text's index, which on that ramp is the blend of the two colours. An 8-bit palette image
    of mostly one value encodes in about a millisecond; drawing in full colour and reducing it took ten times as
    long, and drawing in grey and copying the pixels into a palette image a third longer than this, which at 10,000
    stories is minutes of a first build."""
    from PIL import Image, ImageDraw  # only a build that draws a card pays for importing Pillow

    image = Image.new("P", SIZE, 0)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "L"  # anti-aliased, as on a grey image (Pillow draws a palette image's text without by default)
    left, width = 88, SIZE[0] - 88 - 72
    site_card = card.path == SITE_CARD
    if not site_card:
        draw.text((left, 70), card.label.upper(), font=_font(True, 30), fill=_SHADES)
    title_font = _font(True, 68)
    y = 110 if site_card else 150
    for row in _wrapped(draw, card.title, title_font, width, 3):
        draw.text((left, y), row, font=title_font, fill=_SHADES)
        y += 84
    if site_card and card.label:
        for row in _wrapped(draw, card.label, _font(False, 34), width, 4):
            draw.text((left, y + 16), row, font=_font(False, 34), fill=_MUTED_SHADE)
            y += 46
    elif not site_card:
        draw.text((left, SIZE[1] - 96), card.site_title, font=_font(False, 34), fill=_MUTED_SHADE)
    image.putpalette(_palette(card.colour))
    draw.rectangle((0, 0, 23, SIZE[1]), fill=_BAR)
    draw.rectangle((left, SIZE[1] - 40, left + 120, SIZE[1] - 34), fill=_ACCENT_INDEX)
    output = io.BytesIO()
    # Run-length compression suits a card of long runs of the page's colour: smaller than zlib's default, in half
    # the time (the encoding was half of drawing a card).
    image.save(output, format="PNG", compress_level=9, compress_type=zlib.Z_RLE)
    return output.getvalue()


_SHADES = 253  # palette indexes 0..253: the page's colour to the text's; 254: the bar; 255: the accent
_BAR, _ACCENT_INDEX = 254, 255
_MUTED_SHADE = 165  # the muted text's share of the way from the page's colour to the text's


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@cache
def _palette(bar: str) -> list[int]:
    page, text = _rgb(BACKGROUND), _rgb(TEXT)
    ramp = [round(page[c] + (text[c] - page[c]) * i / _SHADES) for i in range(_SHADES + 1) for c in range(3)]
    return ramp + list(_rgb(bar)) + list(_rgb(ACCENT))


def card_key(card: Card) -> str:
    """The cache key of a card: everything it is drawn from, Pillow's version and the font (known without loading
    either: a build whose cards are all kept never imports Pillow)."""
    return digest("card", card, _pillow_version(), _font_file(True) or "default", SIZE)


@cache
def _pillow_version() -> str:
    """The installed Pillow's version, looked up once (each lookup reads the installed packages' records)."""
    return metadata.version("pillow")


def drawn_cards(cards: Sequence[Card], cache: "BuildCache | None") -> list[tuple[str, bytes]]:
    """Each card's output path and bytes: from the cache where the same card was drawn before, else drawn now (in
    forked workers when there are many)."""
    keys = [card_key(card) for card in cards]
    kept = cache.media.get_many(keys) if cache is not None else {}
    missing = [card for card, key in zip(cards, keys) if key not in kept]
    made = dict(zip((card_key(card) for card in missing), fork_map(_draw_cards, missing, {}, chunk=20)))
    found = []
    for card, key in zip(cards, keys):
        data = kept[key] if key in kept else made[key]
        if cache is not None:
            cache.used_media[key] = data
        found.append((card.path, data))
    return found


def _draw_cards(_inherited: dict[str, Any], cards: Sequence[Card]) -> list[bytes]:
    return [draw_card(card) for card in cards]
