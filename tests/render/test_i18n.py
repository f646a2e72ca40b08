"""The theme in the site's language: its words from the catalogue, dates as the language writes them, the site's
own overrides, and a German catalogue that leaves no word of the default theme in English."""

from __future__ import annotations

import datetime as dt
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
    for module in ("views.py", "charts.py", "renderer.py"):
        code = (THEME.parents[1] / "failsite" / "render" / module).read_text(encoding="utf-8")
        code = re.sub(r'"\s+"', "", code)  # a long word split over lines in the source is one word
        found.update(re.findall(r'\b(?:_|gettext|N_)\("([^"]+)"\)', code))
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


def unmarked_words(template: str) -> list[str]:
    """Words a template writes as they are, outside `_()`: text between tags and literal labels in attributes."""
    # Comments, scripts, styles, code (field names), expressions and a page's `kind` block (a CSS class) are not
    # words on the page;
    # they are blanked with their line breaks kept, so line numbers stay true.
    text = re.sub(r"\{#.*?#\}|<script.*?</script>|<style.*?</style>|\{% block kind %\}.*?\{% endblock %\}"
                  r"|<code>.*?</code>|\{\{.*?\}\}|\{%.*?%\}", lambda m: " " + "\n" * m.group(0).count("\n"), template, flags=re.S)
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        found += [f"{number}: {value}" for value in
                  re.findall(r'(?:aria-label|data-label|title|alt|placeholder)="([A-Za-z][^"]*)"', line)]
        line = re.sub(r"<[^>]*>|&\w+;|&#\d+;|\b[\w-]+\.(?:json|csv|xml|ics)\b", " ", line)
        found += [f"{number}: {word}" for word in re.findall(r"[A-Za-z]{2,}", line)]
    return found


def test_the_default_theme_writes_no_word_outside_the_catalogue() -> None:
    found = {str(path.relative_to(THEME)): unmarked_words(path.read_text(encoding="utf-8"))
             for path in (THEME / "templates").rglob("*.html")}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_scan_for_unmarked_words_finds_them() -> None:
    assert unmarked_words('<p>{{ _("Marked") }} plain</p>\n<nav aria-label="Main">') == ["1: plain", "2: Main"]


def test_a_german_site_has_its_views_titles_labels_and_chart_in_german(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("Ein Vortrag", date="2026-03-05", patterns="[concrete]"),
                      "content/talks/b.md": talk("Noch einer", date="2026-03-06", patterns="[concrete]")},
                     config="title: T\nlanguage: de\n")
    build(site, today=dt.date(2026, 3, 20))
    stories = html(site, "stories/index.html")
    assert text_of(stories.select_one("h1")) == "Alle Geschichten"
    assert "Vortrag" in text_of(stories.select_one(".item-list"))
    insights = html(site, "insights/index.html")
    assert "2 Geschichten in diesem Quartal" in text_of(insights.select_one(".figures"))
    assert text_of(insights.select_one(".chart-numbers summary")) == "Die Zahlen als Tabelle"
    assert insights.select_one("svg.heat-map title").get_text() == "Geschichten pro Muster und Quartal"
    picker = html(site, "curriculum/stories/index.html")
    assert {text_of(o) for o in picker.select("select option[value='']")} == {"alle"}
    assert text_of(picker.select_one("caption")).startswith("2 veröffentlichte Geschichten, 2 in keinem Modul")
    form = picker.select_one("form[data-filters]")  # what js/filter.js says, in German
    assert (form["data-count"], form["data-count-all"], form["data-loading"]) == (
        "{shown} von {total} angezeigt", "{shown} von {total} angezeigt, aus allen Seiten", "Alle Seiten werden durchsucht …")
    talk_page = html(site, "talks/a/index.html")
    assert [s["data-pagefind-filter"] for s in talk_page.select("[data-pagefind-filter]")][:2] == ["Art", "Muster"]
