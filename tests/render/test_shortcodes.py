"""Shortcodes in markdown: a callout, a pull quote and a video, written on their own lines; what they are given is
anonymised, and they write only HTML of our own."""

from __future__ import annotations

import pytest

from conftest import CONFIG, REGISTRY, SiteMaker, all_output, build, html, talk, text_of

BODY = """Intro.

{{< callout "Before Dana's story" kind="warning" >}}
Read the **charter** first.
{{< /callout >}}

{{< quote by="Dana Whitfield" >}}
We had the numbers.
{{< /quote >}}

{{< video "clip.mp4" title="The evening" >}}

{{< video "https://video.example/talks/42" >}}

{{< video "javascript:alert(1)" >}}
"""


@pytest.mark.parametrize("raw_html", [False, True])
def test_shortcodes_render_our_own_html_with_names_replaced(make_site: SiteMaker, raw_html: bool) -> None:
    config = CONFIG + ("markdown:\n  raw_html: true\n" if raw_html else "")
    site = make_site({"people.yaml": REGISTRY, "content/talks/a/index.md": talk("A", body=BODY)}, config)
    (site / "content/talks/a/clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08mdat")
    build(site)
    prose = html(site, "talks/a/index.html").select_one(".prose")
    callout = prose.select_one("aside.callout.callout-warning")
    assert text_of(callout.select_one(".callout-title")) == "Before The Product Lead's story"
    assert callout.find("strong").get_text() == "charter"
    quote = prose.select_one("figure.pull-quote")
    assert text_of(quote.find("blockquote")) == "We had the numbers." and text_of(quote.find("figcaption")) == \
        "The Product Lead"
    assert prose.find("video")["src"] == "/talks/a/clip.mp4"
    assert [a["href"] for a in prose.select(".video-link a")] == ["https://video.example/talks/42"]
    assert "javascript" not in str(prose)
    assert "whitfield" not in all_output(site)


def test_an_unclosed_shortcode_wraps_the_rest_of_the_body(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A", body="{{< quote >}}\nTo the end.\n\nStill quoted.")})
    build(site)
    quote = html(site, "talks/a/index.html").select_one(".prose figure.pull-quote blockquote")
    assert [text_of(p) for p in quote.find_all("p")] == ["To the end.", "Still quoted."]


def test_a_person_shortcode_links_the_published_name_to_its_page(make_site: SiteMaker) -> None:
    body = ('As {{< person "Named Person" >}} said, and {{< person "Dana Whitfield" >}} agreed; '
            '{{< person "Someone Unlisted" >}} was not asked.')
    files = {"content/talks/a.md": talk("A", body=body, speaker="Named Person", patterns="[concrete]"),
             "content/talks/b.md": talk("B", speaker="Dana Whitfield", patterns="[concrete]"), "people.yaml": REGISTRY}
    site = make_site(files, config=CONFIG)
    build(site)
    prose = html(site, "talks/a/index.html").select_one(".prose")
    links = {text_of(a): a["href"] for a in prose.find_all("a")}
    assert links == {"Named Person": "/people/named-person/"}  # a pseudonym has no page unless pseudonym_pages
    assert "The Product Lead agreed" in text_of(prose) and "Someone Unlisted was not asked" in text_of(prose)
    assert "dana" not in all_output(site)
    paged = make_site(files, config=CONFIG + "  pseudonym_pages: true\n", name="paged")
    build(paged)
    links = {text_of(a): a["href"] for a in html(paged, "talks/a/index.html").select(".prose a")}
    assert links["The Product Lead"] == "/people/the-product-lead/"
