"""Consent, item overrides, audiences and expiry: one predicate decides what every output holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import SiteMaker, build, build_errors, html, talk, text_of
from conftest import CONFIG, REGISTRY, all_output


def site_with(make_site: SiteMaker, files: dict[str, str]) -> Path:
    return make_site({"people.yaml": REGISTRY, **files}, config=CONFIG)


def test_named_consent_shows_the_real_name(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk("By Named Person", body="Namey told it.")})
    build(site)
    page = html(site, "talks/a/index.html")
    assert text_of(page.find("h1")) == "By Named Person"
    assert "Namey told it." in text_of(page.select_one(".prose"))
    assert (site / "public/people/named-person/index.html").exists()


def test_anonymous_item_pseudonymises_even_named_people(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk("By Named Person", anonymous="true")})
    build(site)
    assert "named person" not in all_output(site) and "namey" not in all_output(site)


def test_item_consent_pseudonym_is_the_same_as_anonymous(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk("By Named Person", consent="pseudonym")})
    build(site)
    assert "named person" not in all_output(site)


def test_withheld_person_keeps_the_item_out_with_a_warning(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk("Kept", body="Fine."),
                                 "content/talks/b.md": talk("Withheld story", body="About Hidden Person.",
                                                            patterns="[concrete]"),
                                 "content/talks/c.md": talk("Links", body="See [b](b.md).")})
    result = build(site)
    assert [w.format().splitlines()[0] for w in result.warnings] == [
        "content/talks/b.md:1:1: warning: left out of the site: it mentions Hidden Person (people[3]), "
        "who has withheld consent"]
    output = all_output(site)
    assert "withheld story" not in output and "hidden person" not in output and "talks/b/" not in output
    assert html(site, "patterns/concrete/index.html").select(".card-title a") == []
    link_page = html(site, "talks/c/index.html").select_one(".prose")
    assert link_page.find("a") is None and link_page.get_text().strip() == "See b."


def test_item_consent_withheld_keeps_it_out(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk("Private story", consent="withheld")})
    result = build(site)
    assert "left out of the site: the item says `consent: withheld`" in result.warnings[0].message
    assert "private story" not in all_output(site)


def test_an_item_cannot_loosen_consent(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/a.md": talk(consent="named")})
    assert build_errors(site) == ["content/talks/a.md:5:10: error: 'consent' has unknown value 'named'"]


def test_each_audience_sees_its_own_and_lower_visibilities(make_site: SiteMaker) -> None:
    files = {f"content/talks/{v}.md": talk(f"Visible {v}", visibility=v, patterns="[concrete]")
             for v in ("public", "internal", "restricted")}
    site = site_with(make_site, files)
    expected = {"public": ["public"], "internal": ["internal", "public"],
                "restricted": ["internal", "public", "restricted"]}
    for audience, visible in expected.items():
        build(site, audience=audience)
        listed = sorted(text_of(a).removeprefix("Visible ") for a in html(site, "talks/index.html").select(".card-title a"))
        on_term = sorted(text_of(a).removeprefix("Visible ")
                         for a in html(site, "patterns/concrete/index.html").select(".card-title a"))
        assert listed == on_term == visible, audience
        output = all_output(site)
        for hidden in set(expected["restricted"]) - set(visible):
            assert f"visible {hidden}" not in output and f"/talks/{hidden}/" not in output


def test_expired_items_leave_every_output(make_site: SiteMaker) -> None:
    site = site_with(make_site, {"content/talks/old.md": talk("Old news", expires="2026-01-31"),
                                 "content/talks/new.md": talk("Still here")})
    build(site, today=dt.date(2026, 1, 31))
    assert "old news" in all_output(site)
    build(site, today=dt.date(2026, 2, 1))
    output = all_output(site)
    assert "old news" not in output and "still here" in output


def test_links_and_stories_pointing_at_left_out_items_are_plain_text(make_site: SiteMaker) -> None:
    site = site_with(make_site, {
        "content/talks/internal.md": talk("Internal talk"),
        "content/talks/public.md": talk("Public talk", visibility="public", body="Compare [the other](internal.md)."),
        "content/modules/m.md": "---\ntitle: M\nduration: 30\nvisibility: public\nstories: [../talks/internal.md, "
                                "../talks/public.md]\n---\n"})
    result = build(site, audience="public")
    assert result.warnings == []
    prose = html(site, "talks/public/index.html").select_one(".prose")
    assert prose.find("a") is None and prose.get_text().strip() == "Compare the other."
    assert [text_of(a) for a in html(site, "modules/m/index.html").select(".card-title a")] == ["Public talk"]
    assert "internal talk" not in all_output(site)


CONSENT_REGISTRY = """\
secret: s
people:
  - name: Colleague Named
    consent: named
  - name: Web Named
    consent: named
    named_in: [public, internal, restricted]
  - name: Inner Circle
    consent: named
    named_in: [restricted]
  - name: Pseudo Person
    pseudonym: Pat Example
"""


@pytest.mark.parametrize("audience, shown", [
    ("public", {"Web Named"}),
    ("internal", {"Colleague Named", "Web Named"}),
    ("restricted", {"Colleague Named", "Web Named", "Inner Circle"}),
])
def test_consent_to_be_named_applies_per_audience(make_site: SiteMaker, audience: str, shown: set[str]) -> None:
    body = "Colleague Named, Web Named, Inner Circle and Pseudo Person were there."
    site = make_site({"people.yaml": CONSENT_REGISTRY,
                      "content/talks/a.md": talk("Four people", body=body, visibility="public")},
                     config="title: T\nanonymise:\n  registry: people.yaml\n")
    build(site, audience=audience)
    text = all_output(site)
    for name in ("Colleague Named", "Web Named", "Inner Circle", "Pseudo Person"):
        assert (name.lower() in text) is (name in shown), (audience, name)
    assert "pat example" in text
    people = {p.parent.name for p in (site / "public/people").glob("*/index.html")}
    assert people == {n.lower().replace(" ", "-") for n in shown}


def test_named_in_must_name_audiences(make_site: SiteMaker) -> None:
    registry = "secret: s\npeople:\n  - name: Some One\n    consent: named\n    named_in: [everyone]\n"
    site = make_site({"people.yaml": registry, "content/talks/a.md": talk()},
                     config="title: T\nanonymise:\n  registry: people.yaml\n")
    assert build_errors(site) == ["people.yaml:5:1: error: 'named_in' has unknown audience 'everyone'"]
