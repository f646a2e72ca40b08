"""Markdown rendering: the extensions sites use, safe links, and link rewriting with lines."""

from __future__ import annotations

import pytest

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from failsite.render.markdown import MarkdownOptions, is_source_link, render_markdown

SAFE = MarkdownOptions()


def render(text: str, options: MarkdownOptions = SAFE, resolve=lambda href, line: "/resolved/") -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(render_markdown(text, 1, options, resolve), "html.parser")


def test_extensions_are_on() -> None:
    page = render("## Lessons learned\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n\n"
                  "Term\n: Definition[^1]\n\n!!! warning \"Careful\"\n    Inside.\n\n[^1]: A footnote.\n")
    assert page.find("h2")["id"] == "lessons-learned"
    assert page.find("table").find("td").get_text() == "1"
    assert page.find("s").get_text() == "gone"
    assert page.find("input", type="checkbox").has_attr("checked")
    assert page.find("dt").get_text() == "Term"
    assert page.select_one(".footnotes li").get_text().startswith("A footnote.")
    assert page.select_one(".admonition.warning .admonition-title").get_text() == "Careful"


def test_raw_html_is_escaped_by_default() -> None:
    page = render("<script>alert(1)</script>\n\nText <b>bold</b>")
    assert page.find("script") is None and page.find("b") is None
    assert "<script>" in page.get_text()


def test_raw_html_can_be_enabled_but_unsafe_urls_never_pass() -> None:
    page = render('<a href="javascript:alert(1)">x</a>\n\n<div><img src="JAVASCRIPT:evil()"></div>',
                  MarkdownOptions(raw_html=True))
    assert page.find("a").get("href") is None
    assert page.find("img").get("src") is None


def test_unsafe_link_schemes_never_become_links() -> None:
    for href in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "file:///etc/passwd",
                 "data:text/html;base64,PHNjcmlwdD4="):
        page = render(f"[click]({href})")
        assert page.find("a") is None, href


def test_source_links_are_resolved_with_their_line() -> None:
    seen = []
    def resolve(href: str, line: int) -> str:
        seen.append((href, line))
        return "/talks/x/"
    html = render_markdown("Intro\n\nOne [a](a.md) and\nsoft **[b](../b.md#part)**\n\n[web](https://example.org)", 7, SAFE,
                           resolve)
    assert seen == [("a.md", 9), ("../b.md#part", 10)]
    assert 'href="https://example.org"' in html


def test_resolver_returning_none_leaves_the_text_without_a_link() -> None:
    page = render("See [the draft](draft.md) now.", resolve=lambda href, line: None)
    assert page.find("a") is None and page.get_text().strip() == "See the draft now."


def test_what_counts_as_a_source_link() -> None:
    assert is_source_link("../talks/x.md") and is_source_link("x.md#frag")
    assert not is_source_link("https://example.org/x.md")
    assert not is_source_link("/x.md") and not is_source_link("#x") and not is_source_link("x.html")


@given(st.text(max_size=200))
def test_any_text_renders_without_error_and_without_script(text: str) -> None:
    html = render_markdown(text, 1, SAFE, lambda href, line: None)
    assert "<script" not in html.lower()


def test_code_is_coloured_at_build_time_by_pygments_own_lexers() -> None:
    page = render("```python\nanswer = 42  # why\n```\n\n```no-such-language\nplain <b>\n```\n")
    blocks = page.find_all("pre")
    assert blocks[0].find("span", class_="mi").get_text() == "42" and blocks[0].find("span", class_="c1")
    assert blocks[1].find("span") is None and "plain <b>" in blocks[1].get_text()


def test_heading_links_have_an_accessible_name() -> None:
    anchor = render("## What `broke` first\n\nText.").select_one("h2 a.header-anchor")
    assert anchor["aria-label"] == "Link to this section: What broke first" and anchor.get_text() == "#"


def test_bare_addresses_become_links_as_on_github() -> None:
    page = render("See https://wiki.example/post-mortems and www.example.org for more.")
    assert [a["href"] for a in page.find_all("a")] == ["https://wiki.example/post-mortems", "http://www.example.org"]


@pytest.mark.parametrize("text", ["The outage on GitLab.com", "see notes.md and setup.py", "intranet.example.com/x"])
def test_bare_host_and_file_names_stay_text_as_on_github(text: str) -> None:
    page = render(f"## {text}\n\n{text}.")
    assert page.select("p a") == [] and [a.get_text() for a in page.select("h2 a")] == ["#"]


def test_one_or_two_tildes_strike_through_as_on_github() -> None:
    page = render("~one~ and ~~two~~, H~2~O, a ~ b, ~not closed, `~code~`")
    assert [s.get_text() for s in page.find_all("s")] == ["one", "two", "2"]
    assert "a ~ b, ~not closed" in page.get_text() and page.find("code").get_text() == "~code~"


@given(st.lists(st.sampled_from(list("abwcom .:/@-_\n[]1*)\"") + ["www", "http", "https", "mailto", "x.org", "é",
                                                                "[::1]", "//", "ftp"]),
                max_size=30).map("".join))
def test_text_the_quick_link_check_passes_over_holds_no_link(text: str) -> None:
    from linkify_it import LinkifyIt

    from failsite.render.markdown import _LINK_SIGN
    if _LINK_SIGN.search(text) is None:
        assert not LinkifyIt().test(text)
