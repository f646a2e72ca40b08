"""A Hugo site, a Jekyll site and an MkDocs Material blog (tests/fixtures/import/) moved in whole: shortcodes, Liquid
and extensions mapped, every image the source showed shown, every old address redirecting, `.markdown` posts read,
several authors split; importing again takes in a changed post and keeps an item edited by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build, html, run_cli, text_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
# What each source showed: the images of its posts (by file name), the old addresses and the items they lead to,
# and a post with several authors.
EXPECTED = {
    "hugo": {
        "images": {"cover.png", "graph.png", "cover.jpg", "whiteboard.jpg", "one.jpg", "two.jpg", "three.jpg",
                   "inline.png", "a.png", "b.png"},
        "addresses": {"2024/03/we-shipped-on-a-friday/": "/cases/friday-release/",
                      "old/friday/": "/cases/friday-release/",
                      "2024/04/board-meeting/": "/cases/board-meeting/",
                      "2023/12/old-notes/": "/cases/old-notes/"},
        "authors": ("cases/friday-release/index.html", "A story by Alice Example and Bob Example"),
        "markdown_suffix": "cases/old-notes/index.html",
    },
    "jekyll": {
        "images": {"header.png", "figure.png", "log.png", "g1.png", "g2.png"},
        "addresses": {"infra/2023/11/05/the-quiet-outage/": "/cases/the-quiet-outage/",
                      "outage/": "/cases/the-quiet-outage/",
                      "notes/second-look/": "/cases/the-second-look/"},
        "authors": ("cases/the-second-look/index.html", "A story by Erin Example and Frank Example"),
        "markdown_suffix": "cases/the-second-look/index.html",
    },
    "mkdocs": {
        "images": {"plan.png", "notes.png"},
        "addresses": {"blog/2025/02/10/the-cutover/": "/cases/the-cutover/",
                      "old-cutover/": "/cases/the-cutover/",
                      "blog/2025/03/01/a-second-look/": "/cases/second/"},
        "authors": ("cases/the-cutover/index.html", "A story by Jordan Example and Avery Example"),
        "markdown_suffix": "cases/second/index.html",
    },
}
_TEMPLATE_SYNTAX = re.compile(r"\{\{[<%]|\{%|\{\{\s*[\w.]+\s*(?:\|[^}]*)?\}\}|--8<--")


def imported(tool: str, tmp_path: Path, *options: str) -> tuple[Path, Path, str]:
    """A copy of the tool's fixture imported into a new site; the source, the site and the report."""
    source = shutil.copytree(FIXTURES / tool, tmp_path / tool)
    site = tmp_path / f"{tool}-site"
    code, report = run_cli("import", tool, str(source), str(site), *options)
    assert code == 0, report
    return source, site, report


def outside_code(page: BeautifulSoup) -> str:
    """A page's text and attribute values, without its code."""
    for code in page.find_all(["code", "pre", "script"]):
        code.decompose()
    values = [str(v) for tag in page.find_all(True) for v in tag.attrs.values()]
    return page.get_text(" ") + " ".join(values)


@pytest.mark.parametrize("tool", sorted(EXPECTED))
def test_a_site_moves_in_whole(tool: str, tmp_path: Path) -> None:
    expected = EXPECTED[tool]
    _, site, report = imported(tool, tmp_path)
    assert "not mapped" not in report and "could not be found" not in report and "leads to no" not in report
    result = build(site)
    assert [w.format() for w in result.warnings] == []
    public = site / "public"
    shown: set[str] = set()
    for path in public.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for image in page.select("main img"):
            assert (public / image["src"].lstrip("/")).is_file(), (path, image["src"])
            shown.add(image["src"].rsplit("/", 1)[-1])
        assert _TEMPLATE_SYNTAX.search(outside_code(page)) is None, path
    assert expected["images"] <= shown
    for address, new in expected["addresses"].items():
        page = html(site, f"{address}index.html")
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={new}", address
    page, byline = expected["authors"]
    assert text_of(html(site, page).select_one(".byline")) == byline
    assert (public / expected["markdown_suffix"]).is_file()


def test_shortcodes_become_failsite_s_own(tmp_path: Path) -> None:
    _, site, report = imported("hugo", tmp_path)
    assert "{{< youtube >}} -> video (1)" in report and "{{< gallery >}} -> images (2)" in report
    item = (site / "content/cases/friday-release/index.md").read_text()
    assert '{{< video "https://www.youtube.com/watch?v=dQw4w9WgXcQ" >}}' in item
    assert '{{< callout "Before you ship" kind="warning" >}}\nCheck the **on-call rota** first.' in item
    assert "```go\nif friday { return }\n```" in item
    assert "[the bundle post](../board-meeting/index.md)" in item
    assert "published_at: '2024-03-01T17:45:00+01:00'" in item  # the time of day, kept
    assert "```\n{{< youtube an-example >}} shows a video.\n```" in item  # Hugo's escaped shortcode, as text
    build(site)
    page = html(site, "cases/friday-release/index.html")
    assert page.select_one(".video-link a")["href"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert text_of(page.select_one(".callout-warning .callout-title")) == "Before you ship"
    assert page.find("a", string="the bundle post")["href"] == "/cases/board-meeting/"
    assert page.select_one(".case-source a")["href"] == "https://blog.example.org/2024/03/we-shipped-on-a-friday/"


def test_importing_again_takes_in_a_changed_post_and_keeps_an_item_edited_by_hand(tmp_path: Path) -> None:
    source, site, _ = imported("hugo", tmp_path)
    edited = site / "content/cases/old-notes/index.md"
    edited.write_text(edited.read_text().replace("Written before", "Edited by hand: written before"))
    for name in ("friday-release.md", "old-notes.markdown"):
        post = source / "content/posts" / name
        post.write_text(post.read_text() + "\nA paragraph added later.\n")
    (source / "content/posts/new-post.md").write_text("---\ntitle: A new post\ndate: 2024-06-01\n---\nNew.\n")
    code, report = run_cli("import", "hugo", str(source), str(site))
    assert code == 0, report
    assert "imported 2 posts from content/posts (1 updated, 1 unchanged)" in report
    assert "  wrote content/cases/new-post.md" in report and "  updated content/cases/friday-release/index.md" in report
    assert "conflict: content/cases/old-notes/index.md was edited by hand since it was imported, and its post " \
           "content/posts/old-notes.markdown changed: your item was kept" in report
    assert "A paragraph added later." in (site / "content/cases/friday-release/index.md").read_text()
    assert "Edited by hand" in edited.read_text() and "added later" not in edited.read_text()
    code, report = run_cli("import", "hugo", str(source), str(site))
    assert "imported 0 posts from content/posts (0 updated, 3 unchanged)" in report  # the conflict stays listed
    assert report.count("conflict:") == 1


def test_the_import_command_runs_inside_the_site_with_relative_paths(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "jekyll", tmp_path / "old-journal")
    site = tmp_path / "journal"
    site.mkdir()
    result = subprocess.run(["failsite", "import", "jekyll", "../old-journal", "--as", "talk", "--section", "_posts"],
                            cwd=site, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wrote site.yaml" in result.stdout and "imported 2 posts from _posts" in result.stdout
    assert (site / "content/talks/the-quiet-outage/index.md").is_file() and (site / ".failsite-import.json").is_file()
    again = subprocess.run(["failsite", "import", "jekyll", "../old-journal", "."], cwd=site, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 0 and "imported 0 posts from _posts (0 updated, 2 unchanged)" in again.stdout
