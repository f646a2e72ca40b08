"""Previous and next along a story's type, a module's track and an experiment's chain, kept right by warm builds."""

from __future__ import annotations

from pathlib import Path

from conftest import SiteMaker, build, html, talk, text_of


def along(site: Path, path: str) -> list[tuple[str, str]]:
    """The page's previous/next links as (rel, text)."""
    return [(a["rel"][0], text_of(a)) for a in html(site, path).select("nav.along a")]


def test_a_talk_links_the_newer_and_the_older_talk_and_a_new_talk_moves_them(make_site: SiteMaker) -> None:
    site = make_site({f"content/talks/{slug}.md": talk(title, date=date) for slug, title, date in (
        ("first", "First talk", "2026-01-10"), ("second", "Second talk", "2026-02-10"),
        ("third", "Third talk", "2026-03-10"))})
    build(site)
    assert along(site, "talks/second/index.html") == [("prev", "← Newer Third talk"), ("next", "Older → First talk")]
    assert along(site, "talks/third/index.html") == [("next", "Older → Second talk")]  # the newest has no newer
    assert html(site, "talks/second/index.html").select_one("nav.along")["aria-label"] == "Talks, newer and older"
    # A talk told between them, and a title edited: the warm build re-renders the pages whose neighbours changed.
    (site / "content/talks/between.md").write_text(talk("Between talk", date="2026-02-20"))
    (site / "content/talks/first.md").write_text(talk("First talk, renamed", date="2026-01-10"))
    build(site)
    assert along(site, "talks/third/index.html") == [("next", "Older → Between talk")]
    assert along(site, "talks/second/index.html") == [("prev", "← Newer Between talk"),
                                                      ("next", "Older → First talk, renamed")]


def test_stories_of_other_types_and_drafts_are_not_neighbours(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("Talk A", date="2026-01-10"),
                      "content/talks/b.md": talk("Talk B", date="2026-02-10", draft="true"),
                      "content/log/entry.md": "---\ntitle: An entry\ndate: 2026-01-20\nroot_cause: Haste.\n---\nText.\n"})
    build(site)
    assert along(site, "talks/a/index.html") == []
    assert along(site, "log/entry/index.html") == []
