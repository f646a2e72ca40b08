"""Web addresses and contact details: an address naming someone goes whole; public ones can stay."""

from __future__ import annotations

from conftest import CONFIG, REGISTRY, SiteMaker, all_output, build, html, talk, text_of
from failsite.build import build_site


def test_an_address_naming_someone_is_removed_whole_with_a_located_warning(make_site: SiteMaker) -> None:
    registry = REGISTRY.replace("aliases: [Dana, Whitfield, D. Whitfield]", "aliases: [Dana, Whitfield, dwhitfield]")
    body = ("Intro.\n\nSee <https://gist.example.com/dwhitfield/2dd8a1> and [her notes](https://notes.example/"
            "Dana%20Whitfield/q3) and www.example.org/team/dwhitfield today.\n")
    site = make_site({"people.yaml": registry, "content/talks/a.md": talk(body=body)}, config=CONFIG)
    result = build_site(site)
    prose = html(site, "talks/a/index.html").select_one(".prose")
    assert "gist.example.com" not in str(prose) and "2dd8a1" not in str(prose) and "notes.example" not in str(prose)
    assert text_of(prose).count("[link removed]") == 2 and "her notes" in text_of(prose)
    assert "www.example.org" not in text_of(prose)
    assert [w.format().splitlines()[0] for w in result.warnings if "web address" in w.message] == [
        "content/talks/a.md:8:1: warning: a web address here named a protected person or organisation and was removed"]
    assert "dwhitfield" not in all_output(site) and "2dd8a1" not in all_output(site)


def test_an_address_in_front_matter_is_removed_with_a_warning_naming_the_field(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk(learned='"Slides at https://slides.example/northwind-review/v2"')},
                     config=CONFIG)
    result = build_site(site)
    assert "slides.example" not in all_output(site)
    assert any("'learned' named a protected person" in w.message for w in result.warnings)


def test_public_addresses_are_kept_and_protected_ones_never(make_site: SiteMaker) -> None:
    config = CONFIG + "  public_addresses: [security@, helpdesk@example.org, https://intranet.example/status/]\n"
    body = ("Report to security@example.org or helpdesk@example.org, not ops@example.org. Status: "
            "https://intranet.example/status/now, not https://intranet.example/wiki. Dana is dana.whitfield@northwind.example.\n")
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(body=body)}, config=config)
    build(site)
    prose = text_of(html(site, "talks/a/index.html").select_one(".prose"))
    assert "security@example.org" in prose and "helpdesk@example.org" in prose and "ops@example.org" not in prose
    assert "https://intranet.example/status/now" in prose and "intranet.example/wiki" not in prose
    assert "northwind" not in prose.lower()


def test_registered_phone_numbers_match_however_they_are_written(make_site: SiteMaker) -> None:
    body = "Call +442079460001, or 020 7946 0001, or (020) 7946-0001, or ０２０ ７９４６ ０００１.\n"
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(body=body)},
                     config=CONFIG.replace("  internal_domains: [intranet.example]\n", "  rules: [registry]\n"))
    build(site)
    prose = text_of(html(site, "talks/a/index.html").select_one(".prose"))
    assert prose.count("[phone removed]") == 4 and "7946" not in prose and "７９４６" not in prose


def test_a_bare_address_naming_someone_is_removed_not_linked(make_site) -> None:  # type: ignore[no-untyped-def]
    from conftest import CONFIG, REGISTRY, all_output, build, html, talk

    site = make_site({"people.yaml": REGISTRY,
                      "content/talks/a.md": talk("A", body="Notes at https://wiki.example/people/dana-whitfield and "
                                                 "www.example.org/whitfield/notes today.")}, CONFIG)
    build(site)
    prose = html(site, "talks/a/index.html").select_one(".prose")
    assert prose.get_text().count("[link removed]") == 2 and prose.find("a") is None
    assert "whitfield" not in all_output(site)
