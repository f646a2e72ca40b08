"""The theme in the site's language: its words from the catalogue, dates as the language writes them, the site's
own overrides, and a German catalogue that leaves no word of the default theme in English."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from conftest import SiteMaker, build, build_errors, html, talk, text_of

THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


def marked_strings() -> set[str]:
    """Every word the default theme marks for translation, in its templates and in the views' labels."""
    found: set[str] = set()
    for path in (THEME / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'\b_\("([^"]+)"', text))
        found.update(re.findall(r"\b_\('([^']+)'", text))
        found.update(re.findall(r'ngettext\("([^"]+)"', text))
    views = (THEME.parents[1] / "failsite" / "render" / "views.py").read_text(encoding="utf-8")
    found.update(re.findall(r'self\._\("([^"]+)"\)', views))
    return found


def test_the_german_catalogue_translates_every_word_of_the_default_theme() -> None:
    with (THEME / "locale" / "de.po").open("rb") as handle:
        catalogue = read_po(handle, locale="de")
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue if m.id and m.string and all(
        m.string if isinstance(m.string, tuple) else [m.string])}
    assert len(marked_strings()) > 150
    assert marked_strings() - translated == set()


def test_a_german_site_reads_in_german_with_german_dates(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("Ein Vortrag", date="2026-03-05", patterns="[concrete]"),
                      "content/talks/b.md": talk("Noch einer", date="2026-03-06", patterns="[concrete]")},
                     config="title: T\nlanguage: de\n")
    build(site)
    page = html(site, "talks/a/index.html")
    assert page.find("html")["lang"] == "de"
    assert "5. März 2026" in text_of(page.select_one(".item-header"))
    assert text_of(page.select_one(".byline")).startswith("Ein Vortrag von Avery Example")
    assert text_of(page.select_one("#related-title")) == "Ähnliche Geschichten"
    assert [text_of(a) for a in page.select(".breadcrumbs a")] == ["Start", "Geschichten", "Talks"]
    assert text_of(page.select_one(".skip-link")) == "Zum Inhalt springen"
    home = html(site, "index.html")
    assert text_of(home.select_one(".pattern-card.pattern-concrete .count")) == "2 Geschichten"


def test_a_site_overrides_single_words_as_text(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A", patterns="[concrete]"), "content/talks/b.md": talk("B", patterns="[concrete]")},
                     config='title: T\nstrings:\n  "Related stories": "More <b>like</b> this"\n')
    build(site)
    heading = html(site, "talks/a/index.html").select_one("#related-title")
    assert text_of(heading) == "More <b>like</b> this" and heading.find("b") is None  # text, never markup


def test_an_unknown_language_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()}, config="title: T\nlanguage: klingon-xx\n")
    assert any("'language' is 'klingon-xx', which is not a language code failsite knows" in e
               for e in build_errors(site))
