"""The mistakes a newcomer makes in the first hour, each met with a message naming the file and line and what to
do, run as the user runs failsite: the real command, inside a site made by `failsite init`."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from test_first_hour import ok, run


@pytest.fixture
def site(tmp_path: Path) -> Path:
    ok(run(tmp_path, "init", "mysite"))
    return tmp_path / "mysite"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def failed(site: Path, *args: str) -> str:
    result = run(site, *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return result.stderr


def test_aliases_written_without_brackets_are_an_error_not_a_silent_leak(site: Path) -> None:
    edit(site / "people.yaml", "aliases: [Alex, A. Moreau]", "aliases: Alex, A. Moreau")
    said = failed(site, "build")
    assert "people.yaml:13:14: error: 'aliases' is one text with commas in it, not a list: 'Alex, A. Moreau'" in said
    assert "hint: write a list in brackets: `aliases: [Alex, A. Moreau]`" in said


def test_a_list_of_patterns_without_brackets_says_to_write_a_list(site: Path) -> None:
    story = site / "content/talks/the-launch-we-announced-too-early.md"
    edit(story, "patterns: [concrete]", "patterns: concrete, circumstantial")
    said = failed(site, "build")
    assert "'patterns' is one text with commas in it, not a list: 'concrete, circumstantial'" in said
    assert "`patterns: [concrete, circumstantial]`" in said


def test_a_name_beside_its_own_email_is_still_reported_by_check(site: Path) -> None:
    (site / "content/talks/new.md").write_text(
        "---\ntitle: New\ndate: 2026-01-05\nspeaker: Marguerite Tolland\n---\n"
        "Reach her at marguerite.tolland@example.org.\n")
    checked = ok(run(site, "check"))
    assert "content/talks/new.md:4:10: warning: 'Marguerite Tolland' looks like a person's name that is not in the " \
           "registry" in checked.stderr


def test_a_new_story_checks_clean_and_shows_each_heading_once(site: Path) -> None:
    made = ok(run(site, "new", "talk", "Dup headings")).stdout.strip()
    checked = ok(run(site, "check", "--drafts"))
    # The placeholder speaker is reported (register the real one); the commented example record is never published
    # and is not reported.
    reported = [line for line in checked.stderr.splitlines() if "'Jordan Example' looks like" in line]
    assert reported == [f"{made}:7:10: warning: 'Jordan Example' looks like a person's name that is not in the "
                        "registry"]
    edit(site / made, "\ndraft: true", "\ndraft: false")
    ok(run(site, "build"))
    page = BeautifulSoup((site / "public/talks/dup-headings/index.html").read_text(), "html.parser")
    headings = [h.get_text(" ", strip=True) for h in page.select("main h2")]
    assert len(headings) == len(set(headings)), headings


def test_a_draft_left_out_is_named_with_the_option_that_shows_it(site: Path) -> None:
    ok(run(site, "new", "talk", "Not yet"))
    built = ok(run(site, "build"))
    assert "note: 1 draft is not published (content/talks/not-yet.md): `failsite build --drafts` shows it" \
        in built.stderr


def test_serve_outside_a_site_says_so_and_exits(tmp_path: Path) -> None:
    said = failed(tmp_path, "serve", "--port", "0")
    assert ".:1:1: error: there is no site here: ./site.yaml does not exist" in said
    assert "failsite init mysite" in said
    said = failed(tmp_path, "serve", "nowhere", "--port", "0")
    assert "nowhere:1:1: error: there is no site here" in said and "cannot listen" not in said


def test_a_base_url_without_its_scheme_is_an_error(site: Path) -> None:
    edit(site / "site.yaml", 'base_url: "/"', "base_url: intranet.example/failures/")
    said = failed(site, "build")
    assert "site.yaml:11:1: error: 'base_url' must be a full address or a path, not 'intranet.example/failures/'" \
        in said


@pytest.mark.parametrize("date, said", [
    ("2026-02-30", "'date' is not a valid date: '2026-02-30' (February 2026 has no day 30)"),
    ("2026-13-01", "'date' is not a valid date: '2026-13-01' (there is no month 13)"),
])
def test_a_day_the_calendar_does_not_have_is_named(site: Path, date: str, said: str) -> None:
    edit(site / "content/log/said-yes-to-everything.md", "date: ", f"date: {date}\nold_date: ")
    assert said in failed(site, "check")


def test_a_tab_in_the_front_matter_says_to_use_spaces(site: Path) -> None:
    edit(site / "content/talks/the-launch-we-announced-too-early.md", "  A date said out loud", "\tA date said out loud")
    said = failed(site, "build")
    assert "invalid YAML" in said and "replace the tab at the start of this line with spaces" in said


def test_new_with_only_a_title_asks_for_the_type(site: Path) -> None:
    result = run(site, "new", "A talk with no type")
    assert result.returncode == 2 and 'give the type, then the title: failsite new talk "A talk with no type"' \
        in result.stderr
