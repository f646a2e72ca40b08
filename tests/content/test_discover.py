"""Finding the sources: links that lead out of the site folder are refused, links inside are fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SiteMaker, build, build_errors, html, talk, text_of


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    (folder / "sub").mkdir(parents=True)
    (folder / "secret.md").write_text(talk("Secret from outside"))
    (folder / "sub/more.md").write_text(talk("More from outside"))
    (folder / "notes.txt").write_text("private notes")
    (folder / "page.html").write_text("{{ 'outside template' }}")
    return folder


@pytest.mark.parametrize("link, target", [
    ("content/talks/secret.md", "secret.md"),
    ("content/talks/sub", "sub"),
    ("static/notes.txt", "notes.txt"),
    ("templates/talk.html", "page.html"),
    ("themes/borrowed", "sub"),
])
def test_a_link_out_of_the_site_is_an_error_naming_link_and_target(make_site: SiteMaker, outside: Path, link: str,
                                                                   target: str) -> None:
    site = make_site({"content/talks/a.md": talk()})
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(outside / target)
    assert build_errors(site) == [f"{link}:1:1: error: '{link}' is a link to '{outside / target}', outside the site "
                                  "folder"]
    assert not (site / "public").exists()


def test_the_content_folder_itself_may_not_lead_out(make_site: SiteMaker, outside: Path) -> None:
    site = make_site({})
    (site / "content").rmdir()
    (site / "content").symlink_to(outside)
    assert build_errors(site) == [f"content:1:1: error: 'content' is a link to '{outside}', outside the site folder"]


def test_a_link_inside_the_site_is_fine(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="Linked story."), "drafts/b.md": talk("Kept elsewhere")})
    (site / "content/talks/b.md").symlink_to(site / "drafts/b.md")
    build(site)
    assert text_of(html(site, "talks/b/index.html").find("h1")) == "Kept elsewhere"
