"""Consent records on a story: withdrawn takes it out of every output; where records are required or given, a person
is named only while one holds for the build's audience and day."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import CONFIG, REGISTRY, all_output, build, build_errors, html, talk, text_of

REQUIRE = CONFIG + "consent:\n  require_record: true\n"
DAY = dt.date(2026, 6, 1)


def _record(person: str = "Named Person", **fields: str) -> str:
    lines = [f"\n  - person: {person}", "    date: 2026-01-10"] + [f"    {k}: {v}" for k, v in fields.items()]
    return "\n".join(lines)


def _site(make_site, consent: str, config: str = CONFIG, body: str = "Namey told the story."):  # type: ignore[no-untyped-def]
    return make_site({
        "people.yaml": REGISTRY,
        "content/talks/story.md": talk("Story", body=body, patterns="[concrete]", consent_given=consent,
                                       visibility="public"),
        "content/talks/other.md": talk("Other story", patterns="[concrete]", visibility="public"),
    }, config)


@pytest.mark.parametrize("audience", ["public", "internal", "restricted"])
def test_withdrawn_consent_removes_the_story_from_every_output(make_site, audience):  # type: ignore[no-untyped-def]
    site = _site(make_site, _record(withdrawn="2026-05-02"), body="The zeppelin-shaped story.")
    result = build(site, audience=audience, today=DAY)
    text = all_output(site)
    assert "zeppelin" not in text and "/talks/story/" not in text  # pages, search, feeds, index.json, related lists
    assert (site / "public/talks/other/index.html").exists()
    assert any("left out of the site: consent was withdrawn on 2026-05-02 (the consent record at line 7)" in w.format()
               for w in result.warnings)


def test_a_required_record_missing_shows_a_pseudonym_and_says_so(make_site):  # type: ignore[no-untyped-def]
    site = make_site({"people.yaml": REGISTRY, "content/talks/story.md": talk("Story", body="Namey told it.")}, REQUIRE)
    result = build(site, today=DAY)
    page = text_of(html(site, "talks/story/index.html"))
    assert "Namey" not in page and "Named Person" not in page
    assert any("Named Person (people[2]) may be named for the internal audience, but this story has no consent "
               "record for them" in w.format() for w in result.warnings)


def test_a_record_that_holds_names_the_person_for_its_audiences_only(make_site):  # type: ignore[no-untyped-def]
    site = _site(make_site, _record(audiences="[internal]"), REQUIRE)
    build(site, audience="internal", today=DAY)
    assert "Namey told the story" in text_of(html(site, "talks/story/index.html"))
    build(site, audience="restricted", today=DAY)
    assert "Namey" not in text_of(html(site, "talks/story/index.html"))


def test_an_expired_record_stops_naming_on_the_next_build_even_from_the_cache(make_site):  # type: ignore[no-untyped-def]
    site = _site(make_site, _record(expires="2026-06-30"))  # records govern a person even where none is required
    build(site, today=DAY)
    assert "Namey told the story" in text_of(html(site, "talks/story/index.html"))
    result = build(site, today=dt.date(2026, 7, 1))
    assert "Namey" not in text_of(html(site, "talks/story/index.html"))
    assert any("has a consent record for them that does not hold on 2026-07-01" in w.format() for w in result.warnings)
    build(site, today=dt.date(2026, 6, 30))  # and back: the cached decision said for which days it held
    assert "Namey told the story" in text_of(html(site, "talks/story/index.html"))


def test_an_item_made_again_when_its_record_expired_is_kept_so_the_build_after_reads_it_from_the_cache(
        make_site, monkeypatch):  # type: ignore[no-untyped-def]
    import failsite.content.ingest

    site = _site(make_site, _record(expires="2026-06-30"))
    build(site, today=DAY)
    build(site, today=dt.date(2026, 7, 1))  # the cached decision no longer holds: made again, under the same key
    parsed: list[str] = []
    original = failsite.content.ingest._parse_and_transform

    def counted(inherited, work):  # type: ignore[no-untyped-def]
        parsed.extend(source.key for source, _ in work)
        return original(inherited, work)
    monkeypatch.setattr(failsite.content.ingest, "_parse_and_transform", counted)
    build(site, today=dt.date(2026, 7, 2))
    assert parsed == []
    assert "Namey" not in text_of(html(site, "talks/story/index.html"))


def test_a_record_given_after_the_build_day_does_not_hold_yet(make_site):  # type: ignore[no-untyped-def]
    site = _site(make_site, "\n  - person: people[2]\n    date: 2026-09-01", REQUIRE)
    build(site, today=DAY)
    assert "Namey" not in text_of(html(site, "talks/story/index.html"))
    build(site, today=dt.date(2026, 9, 1))
    assert "Namey told the story" in text_of(html(site, "talks/story/index.html"))


def test_records_never_name_someone_the_registry_does_not(make_site):  # type: ignore[no-untyped-def]
    site = _site(make_site, _record("Dana Whitfield"), REQUIRE, body="Dana told the story.")
    build(site, today=DAY)
    text = all_output(site)
    assert "dana" not in text and "whitfield" not in text  # nor in the record itself, shown nowhere


def test_consent_record_mistakes_are_errors_with_their_line(make_site):  # type: ignore[no-untyped-def]
    site = _site(make_site, _record("Nobody Known", audiences="[intranet]")
                 + "\n  - person: Named Person\n    date: 2026-03-01\n    expires: 2026-02-01")
    errors = build_errors(site, today=DAY)
    assert any("story.md:7" in e and "unknown audience 'intranet'" in e for e in errors)
    assert any("story.md:10" in e and "expires before the day it was given" in e for e in errors)
    site = _site(make_site, _record("Nobody Known"))
    assert any("story.md:7" in e and "'Nobody Known', who is not in the registry" in e
               for e in build_errors(site, today=DAY))
