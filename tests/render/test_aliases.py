"""Renamed items keep their old addresses: a redirect page at each alias, an optional _redirects file, and an
error when an alias is another item's address."""

from __future__ import annotations

from conftest import SiteMaker, build, build_errors, html, talk


def test_an_alias_sends_readers_to_the_item(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/new-name.md": talk("New name", aliases="[/blog/2024/old-name/, /old.html, /x/y]")},
                     "title: T\nbase_url: https://intranet.example/failures/\nredirects_file: true\n")
    build(site)
    page = html(site, "blog/2024/old-name/index.html")
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/failures/talks/new-name/"
    assert page.find("link", rel="canonical")["href"] == "https://intranet.example/failures/talks/new-name/"
    assert page.find("a")["href"] == "/failures/talks/new-name/"
    assert (site / "public/old.html").exists() and (site / "public/x/y/index.html").exists()
    assert (site / "public/_redirects").read_text().splitlines() == [
        "/failures/blog/2024/old-name/ /failures/talks/new-name/ 301", "/failures/old.html /failures/talks/new-name/ 301",
        "/failures/x/y/ /failures/talks/new-name/ 301"]


def test_alias_mistakes_are_errors_naming_the_files(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("A", aliases="[/talks/b/]"), "content/talks/b.md": talk("B"),
                      "content/talks/c.md": talk("C", aliases="[https://old.example/c/]")})
    errors = build_errors(site)
    assert any("content/talks/a.md:1:1: error: the alias /talks/b/ is also the address of content/talks/b.md" in e
               for e in errors), errors
    assert any("content/talks/c.md:5:1: error: the alias 'https://old.example/c/' is not a path on this site" in e
               for e in errors), errors
