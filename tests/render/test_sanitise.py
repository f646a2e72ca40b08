"""Hostile HTML and links: nothing executable reaches a page, with raw HTML on or off."""

from __future__ import annotations

import html as html_module
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import SiteMaker, build, html, talk
from failsite.render.markdown import MarkdownOptions, is_allowed_url, render_markdown

VECTORS = json.loads((Path(__file__).parents[1] / "fixtures/xss/vectors.json").read_text(encoding="utf-8"))

EXECUTABLE_ELEMENTS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "meta",
                       "base", "link", "svg", "math", "bgsound", "xml", "isindex", "marquee", "button", "textarea",
                       "select", "noscript", "template"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background", "dynsrc",
                  "lowsrc", "srcset", "codebase", "cite", "longdesc", "usemap", "ping"}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def dangerous(rendered: str) -> list[str]:
    """What in rendered HTML a browser could run: an element, an event handler, a script address, a style."""
    found = []
    for element in BeautifulSoup(rendered, "html.parser").find_all(True):
        if element.name in EXECUTABLE_ELEMENTS:
            found.append(f"<{element.name}>")
        if element.name == "input" and element.get("type") != "checkbox":
            found.append("<input> that is not a task-list checkbox")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or name.lower() in ("srcdoc", "formaction"):
                found.append(f"{element.name}[{name}]")
            if name.lower() == "style" and not re.fullmatch(r"\s*text-align\s*:\s*(left|right|center)\s*;?\s*", value):
                found.append(f"{element.name}[style={value}]")
            if name.lower() in URL_ATTRIBUTES:
                address = _CONTROL.sub("", html_module.unescape(value)).lower()
                if re.match(r"(javascript|vbscript|data|file|livescript|mocha):", address):
                    found.append(f"{element.name}[{name}={value}]")
    return found


@pytest.mark.parametrize("raw_html", [True, False], ids=["raw-html-on", "raw-html-off"])
@pytest.mark.parametrize("vector", VECTORS, ids=[f"v{n:03d}" for n in range(len(VECTORS))])
def test_no_vector_produces_anything_executable(vector: str, raw_html: bool) -> None:
    rendered = render_markdown(vector + "\n\nafter", 1, MarkdownOptions(raw_html=raw_html), lambda href, line: href)
    assert dangerous(rendered) == []


def test_the_checker_sees_what_it_must() -> None:
    assert dangerous('<a href="java&#x0A;script:x">a</a><img src=x onerror=y><svg></svg><p style="color:red">')== [
        "a[href=java\nscript:x]", "img[onerror]", "<svg>", "p[style=color:red]"]


def test_safe_raw_html_keeps_its_structure() -> None:
    rendered = render_markdown('<details><summary>More</summary>\n\n**Hidden** [link](https://example.org)\n\n'
                               '</details>\n\n<figure><img src="a.png" alt="A"><figcaption>Cap</figcaption></figure>\n',
                               1, MarkdownOptions(raw_html=True), lambda href, line: href)
    page = BeautifulSoup(rendered, "html.parser")
    assert page.find("summary").get_text() == "More" and page.find("strong").get_text() == "Hidden"
    assert page.find("a")["href"] == "https://example.org" and page.find("img")["src"] == "a.png"
    assert page.find("figcaption").get_text() == "Cap"


def test_markdown_elements_survive_the_sanitiser() -> None:
    text = ("## Heading\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n- [x] done\n\nA note[^1].\n\n"
            "!!! note \"Title\"\n    Body.\n\n```python\nx = 1\n```\n\n[^1]: The note.\n")
    plain = render_markdown(text, 1, MarkdownOptions(raw_html=False), lambda href, line: href)
    cleaned = render_markdown(text, 1, MarkdownOptions(raw_html=True), lambda href, line: href)
    before, after = BeautifulSoup(plain, "html.parser"), BeautifulSoup(cleaned, "html.parser")
    for selector in ("h2#heading", "th[style]", "input[type=checkbox][checked]", ".footnotes li[id]",
                     ".admonition.note .admonition-title", "code.language-python", "a.header-anchor"):
        assert before.select_one(selector) is not None and after.select_one(selector) is not None, selector
    assert after.get_text() == before.get_text()


@pytest.mark.parametrize("address, allowed", [
    ("https://example.org", True), ("mailto:a@example.org", True), ("tel:+441", True), ("/about/", True),
    ("../talks/a.md", True), ("#part", True), ("page", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:x", False), (" javascript:x", False), ("java\tscript:x", False),
    ("%6Aavascript:x", False), ("data:image/png;base64,AA==", False), ("vbscript:x", False), ("file:///etc", False),
    ("ftp://example.org", False),
])
def test_link_scheme_allow_list(address: str, allowed: bool) -> None:
    assert is_allowed_url(address) is allowed


def test_a_built_page_with_raw_html_and_every_vector_is_clean(make_site: SiteMaker) -> None:
    body = "\n\n".join(VECTORS)
    site = make_site({"content/talks/a.md": talk(body=body)}, config="title: T\nmarkdown:\n  raw_html: true\n")
    build(site)
    page = html(site, "talks/a/index.html")
    assert dangerous(str(page.select_one(".prose"))) == []


def test_index_json_escapes_markup_in_strings(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk('"</script><img src=x onerror=alert(1)> & co"')})
    build(site)
    raw = (site / "public/index.json").read_text(encoding="utf-8")
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw)["items"][0]["title"] == "</script><img src=x onerror=alert(1)> & co"
