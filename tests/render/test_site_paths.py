"""Living under a path: a site whose base_url has a path links everything under it, links written from the site's
root included, and HTML comments in markdown never reach a page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import SiteMaker, all_output, build, html, talk, text_of

CONFIG = "title: T\nbase_url: https://intranet.example/failures/\n"


def broken_links(public: Path, base: str) -> list[str]:
    """Every link and image address in the output that points into the site but at no file of it."""
    broken = []
    for page in public.rglob("*.html"):
        for address in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            path = unquote(urlsplit(address).path)
            if urlsplit(address).scheme or not path.startswith("/"):
                continue
            if not path.startswith(base):
                broken.append(f"{page.relative_to(public)} -> {address} (outside {base})")
                continue
            target = public / path[len(base):]
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(public)} -> {address}")
    return broken


def test_a_site_under_a_path_has_no_broken_link(make_site: SiteMaker) -> None:
    site = make_site({
        "content/talks/a.md": talk("A", patterns="[concrete]", body="See [about](/about/) and ![map](/images/map.png) "
                                   "and [the same](/failures/about/)."),
        "content/talks/b.md": talk("B", patterns="[concrete]", teams="[Ops]"),
        "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nAbout us.\n",
        "static/images/map.png": "not really a png, linked only",
    }, CONFIG)
    build(site)
    prose = html(site, "talks/a/index.html").select_one(".prose")
    assert [a["href"] for a in prose.select("a")] == ["/failures/about/", "/failures/about/"]
    assert prose.find("img")["src"] == "/failures/images/map.png"
    assert broken_links(site / "public", "/failures/") == []


@pytest.mark.parametrize("raw_html", [False, True])
def test_html_comments_never_reach_a_page(make_site: SiteMaker, raw_html: bool) -> None:
    body = ("The summary line.\n\n<!-- more -->\n\nThe rest <!-- editor: ask Zanzibar-reviewer --> of it.\n\n"
            "```html\n<!-- kept: this is code -->\n```\n")
    config = "title: T\n" + ("markdown:\n  raw_html: true\n" if raw_html else "")
    site = make_site({"content/talks/a.md": talk("A", body=body)}, config)
    build(site)
    page = html(site, "talks/a/index.html")
    assert "more" not in text_of(page.select_one(".prose")).replace("kept", "")
    assert "zanzibar-reviewer" not in all_output(site)
    assert "<!-- kept: this is code -->" in page.select_one("pre").get_text()
    assert text_of(page.select_one(".prose p")) == "The summary line."


def test_a_build_that_publishes_nothing_says_why_and_what_to_do(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A"), "content/talks/b.md": talk("B")})
    warnings = [w.format() for w in build(site, audience="public").warnings]
    assert any("this public build publishes none of the 2 items: 2 left out because its visibility is internal" in w
               and "`default_visibility: public` in site.yaml" in w for w in warnings), warnings
    site = make_site({"content/talks/a.md": talk("A")}, "title: T\ndefault_visibility: public\n", name="open")
    build(site, audience="public")
    assert (site / "public/talks/a/index.html").exists()
