"""Bounds on front matter: each an error with the file, the line, the bound and the setting that raises it."""

from __future__ import annotations

import json

from conftest import SiteMaker, build, build_errors, talk


def test_a_huge_summary_and_thousands_of_tags_are_errors_naming_the_bound(make_site: SiteMaker) -> None:
    tags = json.dumps([f"tag {n}" for n in range(10_000)])
    site = make_site({"content/talks/a.md": talk(summary='"' + "x" * 3_000_000 + '"', tags=tags)})
    errors = build_errors(site)
    assert "content/talks/a.md:5:10: error: 'summary' is 3,000,000 characters long, more than the 2,000 a summary may " \
           "have" in errors
    assert "content/talks/a.md:6:7: error: 'tags' has 10,000 entries, more than the 50 one item may have of one " \
           "taxonomy" in errors


def test_a_long_list_or_value_anywhere_in_the_front_matter_is_bounded(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(discussion=json.dumps(["Why?"] * 600),
                                                 learned='"' + "y" * 30_000 + '"')})
    errors = build_errors(site)
    assert any("'discussion' has 600 entries, more than the 500 one front-matter list may hold" in e for e in errors)
    assert any("'learned' is 30,000 characters long, more than the 20,000 one front-matter value may have" in e
               for e in errors)


def test_the_limits_setting_raises_a_bound(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(summary='"' + "x" * 3_000 + '"')},
                     config="title: T\nlimits:\n  summary_characters: 5000\n")
    build(site)
    from failsite.errors import FailsiteError
    import pytest
    site = make_site({"content/talks/a.md": talk(summary='"' + "x" * 3_000 + '"')}, name="default")
    with pytest.raises(FailsiteError) as caught:
        build(site)
    assert "raise the bound in site.yaml: `limits:` then `  summary_characters: 3000`" in caught.value.diagnostics[0].hint
