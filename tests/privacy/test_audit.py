"""The leak audit fails the build on any protected name, and the old output stays as it was."""

from __future__ import annotations

import gzip
import re
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from conftest import SiteMaker, build, build_errors, talk
from failsite.privacy.audit import LeakAudit, url_unescaped
from failsite.privacy.registry import Entry, Registry
from conftest import CONFIG, REGISTRY
from conftest import tree_digest

DANA = Entry("people[0]", "person", "Dana Whitfield", ("Dana",), ("dana@northwind.example",), ("+44 20 7946 0001",),
             "pseudonym", "Sam Reed", 3)


def findings(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    return [d.format().splitlines()[0] for d in LeakAudit(Registry((DANA,))).scan("public/x.html", text, allowed)]


def test_a_template_printing_a_real_name_fails_the_build_and_keeps_the_old_output(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk()}, config=CONFIG)
    build(site)
    before = tree_digest(site / "public")
    (site / "templates").mkdir()
    (site / "templates/talk.html").write_text("<!doctype html>\n<title>{{ page.title }}</title>\n"
                                              "<p>Thanks to Dana Whitfield</p>\n")
    errors = build_errors(site)
    assert errors == ['public/talks/a/index.html:3:1: error: protected name of "Dana Whitfield" found '
                      '(people[0], consent: pseudonym)']
    assert tree_digest(site / "public") == before


def test_check_runs_the_audit_too(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(),
                      "templates/404.html": "<p>Ask Northwind</p>"}, config=CONFIG)
    from click.testing import CliRunner

    from failsite.cli import cli
    result = CliRunner().invoke(cli, ["check", str(site)])
    assert result.exit_code == 1
    assert 'public/404.html:1:1: error: protected name of "Northwind Traders" found' in result.output
    assert not (site / "public").exists()


def test_encoded_and_split_names_are_found() -> None:
    assert findings("<p>D&#97;na Whitfield</p>") == [
        'public/x.html:1:1: error: protected name of "Dana Whitfield" found (people[0], consent: pseudonym)']
    assert findings('{"name": "Dana \\u0057hitfield"}')
    assert findings("<b>Dana</b>\n<i>Whitfield</i>")
    assert findings("a/dana-whitfield/b") and findings("DANA%20WHITFIELD")
    assert findings("line one\nline two with dana@northwind.example")[0].startswith("public/x.html:2:")
    assert findings("call +44 (20) 7946-0001") == [
        'public/x.html:1:1: error: protected phone number of "Dana Whitfield" found (people[0], consent: pseudonym)']


def test_findings_name_the_entry_not_the_surrounding_text() -> None:
    found = findings("A secret sentence about Dana and more private words.")
    assert found == ['public/x.html:1:1: error: protected name of "Dana Whitfield" found through the alias "Dana" '
                     '(people[0], consent: pseudonym)']
    assert "secret sentence" not in found[0]


def test_consented_names_are_allowed_only_where_shown_by_consent() -> None:
    assert findings("Dana Whitfield", allowed=frozenset({"people[0]"})) == []
    assert findings("Dana Whitfield", allowed=frozenset({"people[1]"}))


def test_a_path_holding_a_name_is_a_finding(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(),
                      "static/img/dana-whitfield.png": "binary"}, config=CONFIG)
    errors = build_errors(site)
    assert errors == ['static/img/dana-whitfield.png:1:1: error: the file\'s name holds a name of "Dana Whitfield" '
                      'found (people[0], consent: pseudonym)']


def test_a_damaged_photo_among_the_static_files_is_refused_by_its_name(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk()}, config=CONFIG)
    (site / "static").mkdir()
    (site / "static/photo.jpg").write_bytes(b"\xff\xd8\xff\xe1EXIF\x00Artist\x00Dana Whitfield\x00\xff\xd9")
    assert any(e.startswith("static/photo.jpg:1:1: error: cannot publish this file: failsite cannot open this image")
               for e in build_errors(site))


URL_TEXT = st.text(alphabet=st.sampled_from("%%%%aF09zZg/ é€\u00ad\ufffd"), max_size=40) | st.text(max_size=30)


@given(URL_TEXT)
def test_url_escapes_decode_exactly_as_urllib_does(text: str) -> None:
    assert url_unescaped(text) == unquote(text)


def test_a_page_full_of_percentages_still_has_its_escaped_names_found() -> None:
    assert findings("width: 40%; a 12% drop; " * 50 + "D%61n%C3%A9 Whit%20%C3%A9" + "; 99%") == []
    assert findings("width: 40%; a 12% drop — " * 50 + "D%61na%20Whitfield")


def test_a_name_pagefind_joins_in_its_result_text_fails_the_build(make_site: SiteMaker) -> None:
    # Raw HTML may carry a class Pagefind leaves out (the heading anchors'): the page reads "Hidden xPerson", but
    # Pagefind drops the span and its search result would show "Hidden Person".
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk()},
                     config=CONFIG + "markdown:\n  raw_html: true\n")
    build(site)
    before = tree_digest(site / "public")
    (site / "content/talks/a.md").write_text(talk(body='Thanks to Hidden <span class="header-anchor">x</span>Person.'))
    errors = build_errors(site)
    assert len(errors) == 1 and re.fullmatch(r'public/pagefind/fragment/[\w-]+\.pf_fragment:1:1: error: protected name '
                                             r'of "Hidden Person" found \(people\[3\], consent: withheld\)', errors[0])
    assert tree_digest(site / "public") == before


def test_an_unreadable_search_fragment_is_not_published() -> None:
    from failsite.privacy.audit import FileAudit
    found, _ = FileAudit(Registry((DANA,)), "public").check("pagefind/fragment/en_1.pf_fragment", b"not gzip",
                                                          frozenset())
    assert [d.format().splitlines()[0] for d in found] == [
        "public/pagefind/fragment/en_1.pf_fragment:1:1: error: cannot read this search index file to check it for "
        "protected names (Not a gzipped file (b'no'))"]


def test_a_search_index_kept_from_the_last_build_is_read_again_when_the_registry_grows(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk(body='With Ola <span class="header-anchor">x</span>Nordmann.')},
                     config=CONFIG + "markdown:\n  raw_html: true\n")
    build(site)  # nobody registered is named: the search index is kept in the build cache
    (site / "people.yaml").write_text(REGISTRY + "  - name: Ola Nordmann\n", encoding="utf-8")
    errors = build_errors(site)
    assert any(e.startswith("public/pagefind/fragment/") and 'protected name of "Ola Nordmann"' in e for e in errors)


def test_a_name_among_the_search_filters_is_found() -> None:
    from failsite.engine.cbor import CborMap, cbor_encode
    from failsite.privacy.audit import FileAudit
    index = CborMap([("team", CborMap([("Dana Whitfield", [0, 3]), ("Platform", [1])]))])
    content = gzip.compress(b"pagefind_dcd" + cbor_encode(index))
    found, _ = FileAudit(Registry((DANA,)), "public").check("pagefind/filter/en_1.pf_filter", content, frozenset())
    assert len(found) == 1 and re.fullmatch(r'public/pagefind/filter/en_1\.pf_filter:\d+:1: error: protected name of '
                                            r'"Dana Whitfield" found \(people\[0\], consent: pseudonym\)',
                                            found[0].format().splitlines()[0])
    clean = gzip.compress(b"pagefind_dcd" + cbor_encode(CborMap([("team", CborMap([("Platform", [1])]))])))
    assert FileAudit(Registry((DANA,)), "public").check("pagefind/filter/en_2.pf_filter", clean, frozenset())[0] == []
    broken, _ = FileAudit(Registry((DANA,)), "public").check("pagefind/filter/en_3.pf_filter",
                                                             gzip.compress(b"pagefind_dcd\x7f"), frozenset())
    assert "cannot read this search index file" in broken[0].message
