"""`failsite check`'s writing help: likely names nobody registered, and reviews that are due."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import SiteMaker, talk
from failsite.cli import cli
from conftest import CONFIG, REGISTRY


def check(site) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["check", str(site), "--today", "2026-06-01"])
    return result.exit_code, [line for line in result.output.splitlines() if ": warning: " in line]


def test_unregistered_full_name_is_flagged_with_file_line_and_column(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(
        body="The launch went badly.\nWe asked Jordan Blake to lead the review.")}, config=CONFIG)
    code, warnings = check(site)
    assert code == 0
    assert warnings == ["content/talks/a.md:7:10: warning: 'Jordan Blake' looks like a person's name that is "
                        "not in the registry"]


def test_registered_names_pseudonyms_and_ordinary_words_are_not_flagged(make_site: SiteMaker) -> None:
    body = ("Dana Whitfield and Zoë Adair spoke. Will we ship in May? We will. Grace under pressure, "
            "said the grace period.\n\nThe Product Lead agreed.")
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(body=body)}, config=CONFIG)
    assert check(site) == (0, [])


def test_a_lone_first_name_mid_sentence_is_flagged_but_not_at_a_sentence_start(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="Then Priya left the room.\nPriya was tired.")})
    _, warnings = check(site)
    assert warnings == ["content/talks/a.md:6:6: warning: 'Priya' looks like a person's name that is not in the registry"]


def test_overdue_review_is_a_warning(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(review_by="2026-05-01")})
    _, warnings = check(site)
    assert warnings == ["content/talks/a.md:1:1: warning: review was due on 2026-05-01"]


def test_a_registry_inside_content_is_never_discovered_or_published(make_site: SiteMaker) -> None:
    config = CONFIG.replace("registry: people.yaml", "registry: content/people.md")
    site = make_site({"content/people.md": REGISTRY, "content/talks/a.md": talk()}, config=config)
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 0, result.output
    assert not (site / "public/people.md").exists() and not (site / "public/test-secret").exists()


def test_a_link_to_the_registry_inside_content_is_never_discovered_or_published(make_site: SiteMaker) -> None:
    config = CONFIG.replace("registry: people.yaml", "registry: content/private/people.md")
    site = make_site({"content/private/people.md": REGISTRY, "content/talks/a.md": talk()}, config=config)
    (site / "content/talks/roster.md").symlink_to(site / "content/private/people.md")
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 0, result.output
    assert not (site / "public/talks/roster").exists() and "Test-Secret" not in result.output
    assert [p for p in (site / "public").rglob("*") if "roster" in p.name or "secret" in p.name.lower()] == []


def test_a_name_with_letters_beyond_ascii_is_reported_whole(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/a.md": talk(
        body="The launch went badly.\nWe asked Ida Kowalczyć and then Żaneta to help.")}, config=CONFIG)
    code, warnings = check(site)
    assert "content/talks/a.md:7:10: warning: 'Ida Kowalczyć' looks like a person's name that is not in the " \
           "registry" in warnings


def test_a_first_name_in_a_file_or_folder_name_is_flagged(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/marguerite-tolland-review/index.md": talk(body="The review."),
                      "content/talks/will-it-ship.md": talk(body="We will see.")})
    _, warnings = check(site)
    assert warnings == ["content/talks/marguerite-tolland-review/index.md:1:1: warning: the file or folder name "
                        "'marguerite-tolland-review' holds 'marguerite tolland', which looks like a person's name that "
                        "is not in the registry: the page's address is made from it"]


def test_a_registered_name_in_a_file_name_is_not_flagged(make_site: SiteMaker) -> None:
    site = make_site({"people.yaml": REGISTRY, "content/talks/dana-whitfield-review.md": talk(body="The review.")},
                     config=CONFIG)
    assert check(site) == (0, [])


def test_an_alias_the_stories_use_as_an_everyday_word_is_flagged(make_site: SiteMaker) -> None:
    registry = "secret: s\npeople:\n  - name: Ada Teller\n    aliases: [Teller]\n"
    site = make_site({"people.yaml": registry, "content/talks/a.md": talk("The bank teller", body="Ada Teller spoke.")},
                     config=CONFIG)
    _, warnings = check(site)
    assert warnings == ["people.yaml:3:1: warning: 'Teller' (people[0]) is also an everyday word the stories use "
                        "('teller' in content/talks/a.md, line 2): every such word is replaced by the person's "
                        "published name"]
