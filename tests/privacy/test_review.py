"""Review before publishing: a story's status decides which audiences' builds hold it."""

from __future__ import annotations

import pytest

from conftest import SiteMaker, all_output, build, talk
from failsite.build import build_site


@pytest.mark.parametrize("status, public, internal, restricted", [
    ("draft", False, False, False),
    ("in-review", False, True, True),
    ("approved", True, True, True),
    (None, True, True, True),  # no status: approved, as every story was before review states existed
])
def test_each_status_is_published_for_the_audiences_that_accept_it(make_site: SiteMaker, status: str | None,
                                                                    public: bool, internal: bool,
                                                                    restricted: bool) -> None:
    fields = {"visibility": "public", **({"status": status} if status else {})}
    site = make_site({"content/talks/kept.md": talk("Kept story", visibility="public"),
                      "content/talks/story.md": talk("Reviewed story", body="Unique-word-zebra.", **fields)})
    for audience, expected in (("public", public), ("internal", internal), ("restricted", restricted)):
        build(site, audience=audience)
        text = all_output(site)
        assert ("reviewed story" in text) is expected, audience
        assert ("unique-word-zebra" in text) is expected, audience  # search, feeds, index.json alike


def test_a_story_left_out_for_its_status_is_a_warning_saying_why(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("In review", visibility="public", status="in-review")})
    result = build_site(site, audience="public")
    assert [w.format().splitlines()[0] for w in result.warnings if "review status" in w.message] == [
        "content/talks/a.md:1:1: warning: left out of this build: its review status is in-review, and a public "
        "build publishes only approved stories",
        "site.yaml:1:1: warning: this public build publishes none of the 1 items: 1 left out because its review "
        "status is in-review, and a public build publishes only approved stories"]


def test_a_site_decides_which_status_each_audience_needs(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("In review", status="in-review")},
                     config="title: T\nreview:\n  internal: approved\n")
    build(site)
    assert "in review" not in all_output(site)
    site = make_site({"content/talks/a.md": talk("Drafted", status="draft")}, name="drafts")
    build(site, drafts=True)
    assert "drafted" in all_output(site)  # --drafts shows drafts, whatever their status says
