"""`failsite check`'s writing help: language rules with file and line, experiments, curriculum gaps."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import SiteMaker, talk
from failsite.cli import cli

DEBRIEF = "---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n---\n{body}\n"
EXPERIMENT = ("---\ntitle: Bet\nhypothesis: H\nstart: 2026-03-01\nend: {end}\nsignals_defined: {defined}\n"
              "success_signals: [S]\n---\nBody.\n")


def warnings(site, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["check", str(site), "--today", "2026-06-01", *extra])
    assert result.exit_code == 0, result.output
    # The suggestion of missing analysis (tests/render/test_debrief_page.py) is left out: these are about language.
    return [line for line in result.output.splitlines() if ": warning: " in line and "could teach more" not in line]


def test_blame_language_in_a_debrief_is_flagged_with_file_line_and_column(make_site: SiteMaker) -> None:
    body = "The deploy failed.\nHonestly it was his fault, and ops screwed up the rollback.\nWho is responsible?"
    site = make_site({"content/debriefs/r.md": DEBRIEF.format(body=body)})
    assert warnings(site) == [
        'content/debriefs/r.md:7:10: warning: "it was his fault" blames a person (blame-fault)',
        'content/debriefs/r.md:7:32: warning: "ops screwed up" blames a person (blame-screwed-up)',
        'content/debriefs/r.md:8:1: warning: "Who is responsible" looks for a culprit (blame-who-is-responsible)']


def test_hints_suggest_what_to_write_instead(make_site: SiteMaker) -> None:
    site = make_site({"content/debriefs/r.md": DEBRIEF.format(body="It was her fault.")})
    output = CliRunner().invoke(cli, ["check", str(site)]).output
    assert "hint: a blameless review names the conditions" in output


def test_avoidance_and_rumination_in_any_story(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="In the end it just wasn't meant to be.\n"
                                                      "I'm terrible at this. What's wrong with me?\n"
                                                      "The client was unreasonable."),
                      "content/pages/p.md": "---\ntitle: P\n---\nIt wasn't meant to be.\n"})
    found = warnings(site)
    assert [w.split(" (")[-1] for w in found] == ["avoidance-not-meant-to-be)", "rumination-terrible-at)",
                                                  "rumination-whats-wrong-with-me)", "avoidance-unreasonable-client)"]
    assert all(w.startswith("content/talks/a.md:") for w in found)  # plain pages are not stories


def test_blame_rules_apply_to_debriefs_only(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="It was my fault, I thought.")})
    assert warnings(site) == []


def test_rules_can_be_switched_off_and_extended(make_site: SiteMaker) -> None:
    config = "title: T\nlint:\n  rules: house-rules.yaml\n  disable: [blame-fault]\n"
    site = make_site({"house-rules.yaml": "rules:\n  - id: no-heroes\n    pattern: '\\bhero\\b'\n"
                                          "    message: makes a hero of someone\n    suggestion: credit the team\n",
                      "content/debriefs/r.md": DEBRIEF.format(body="It was his fault. Our hero saved it.")},
                     config=config)
    assert warnings(site) == ['content/debriefs/r.md:6:23: warning: "hero" makes a hero of someone (no-heroes)']


def test_unknown_rule_id_in_disable_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({}, config="title: T\nlint:\n  disable: [blame-fualt]\n")
    result = CliRunner().invoke(cli, ["check", str(site)])
    assert result.exit_code == 1 and "unknown lint rule 'blame-fualt'" in result.output


def test_experiment_time_box_and_late_signals(make_site: SiteMaker) -> None:
    site = make_site({"content/experiments/long.md": EXPERIMENT.format(end="2026-05-01", defined="2026-02-20"),
                      "content/experiments/late.md": EXPERIMENT.format(end="2026-03-14", defined="2026-03-03"),
                      "content/experiments/good.md": EXPERIMENT.format(end="2026-03-14", defined="2026-02-27")})
    assert warnings(site) == [
        "content/experiments/late.md:6:1: warning: the signals were written down on 2026-03-03, after the start "
        "(2026-03-01)",
        "content/experiments/long.md:5:1: warning: the time box is 62 days"]


def test_end_before_start_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({"content/experiments/x.md": EXPERIMENT.format(end="2026-02-01", defined="2026-02-01")})
    result = CliRunner().invoke(cli, ["check", str(site)])
    assert result.exit_code == 1
    assert "content/experiments/x.md:5:1: error: 'end' (2026-02-01) is before 'start' (2026-03-01)" in result.output


def test_curriculum_gaps(make_site: SiteMaker) -> None:
    site = make_site({
        "content/talks/internal.md": talk("Internal", patterns="[concrete]"),
        "content/modules/empty.md": "---\ntitle: Empty\nduration: 10\nvisibility: public\npatterns: [concrete]\n---\n",
        "content/modules/m.md": "---\ntitle: M\nduration: 10\nvisibility: public\npatterns: [identity]\n"
                                "stories:\n  - ../talks/internal.md\n---\n"})
    found = warnings(site, "--audience", "public")
    assert "content/modules/empty.md:1:1: warning: the module cites no story" in found
    assert ("content/modules/m.md:7:1: warning: the story '../talks/internal.md' is left out of this build "
            "(its visibility is internal, and this build is for the public audience)") in found
    assert [w for w in found if "no module addresses" in w] == [
        "content/modules:1:1: warning: no module addresses the circumstantial, perceived or paralysis patterns"]


def test_check_suggests_an_alias_when_an_items_address_changes(make_site) -> None:  # type: ignore[no-untyped-def]
    from conftest import build, talk
    from failsite.build import check_site

    site = make_site({"content/talks/a.md": talk("A")})
    build(site)
    (site / "content/talks/a.md").write_text(talk("A", slug="a-better-name"))
    warnings = [w.format() for w in check_site(site).warnings]
    assert any("content/talks/a.md:1:1: warning: its address changed from /talks/a/ to /talks/a-better-name/ since "
               "the last build" in w and "`aliases: [/talks/a/]`" in w for w in warnings), warnings
    (site / "content/talks/a.md").write_text(talk("A", slug="a-better-name", aliases="[/talks/a/]"))
    assert not any("address changed" in w.message for w in check_site(site).warnings)
