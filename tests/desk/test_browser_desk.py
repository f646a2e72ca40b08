"""The story desk as a person uses it, in headless Chromium against the real `failsite desk`: a debrief written
through the form, a hand-written story edited, a story approved and a consent withdrawn in the queue, a second
window's stale save refused; axe on every desk page at tablet, phone and desktop widths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from conftest import SiteMaker, talk
from test_app import CONFIG, DEBRIEF_BY_HAND, SITE, Desk
from test_browser import browser  # noqa: F401 (a fixture)
from test_first_hour import ok, run

SCREENSHOTS = os.environ.get("FAILSITE_SCREENSHOTS", "")

pytestmark = pytest.mark.browser

HAND_WRITTEN = """\
---
# The spring evening's second talk.
title: Hand written  # the speaker's own title
date: 2026-03-01
speaker: Dana Whitfield
status: in-review
visibility: public
extra:
  widget: {colour: teal, size: 3}
---
The story, as Dana told it.
"""


@pytest.fixture
def desk(make_site: SiteMaker) -> Iterator[tuple[Path, Desk]]:
    site = make_site({**SITE, "content/talks/hand-written.md": HAND_WRITTEN}, CONFIG)
    running = Desk(site)
    yield site, running
    assert "Traceback" not in running.stop()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"desk-{name}.png"), full_page=True)


def add_row(page, field: str) -> object:  # type: ignore[no-untyped-def]
    """Press a list field's Add button; the new row."""
    page.locator(f'.field[data-field="{field}"] [data-add]').click()
    return page.locator(f'.field[data-field="{field}"] [data-rows] > li').last


def test_a_debrief_written_in_the_form_builds_like_a_hand_written_one(browser, desk, make_site: SiteMaker) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(running.url)
    page.get_by_role("link", name="New story").first.click()
    page.get_by_role("link", name="Debrief").click()
    page.get_by_label("Title").fill("The cut-over we rehearsed on a copy")
    page.locator("#f-date").fill("2026-03-10")
    page.locator("#f-format").select_option("postmortem")
    page.locator("#f-team").fill("Platform")
    for why in ("Why did orders stop?", "Why was the switch one-sided?"):
        add_row(page, "whys").locator("textarea").fill(why)
    factor = add_row(page, "factors")
    factor.locator('[data-sub="factor"] [data-value]').fill("Two runbooks")
    factor.locator('[data-sub="control"] select').select_option("partially")
    action = add_row(page, "actions")
    action.locator('[data-sub="id"] input').fill("ACT-9")
    action.locator('[data-sub="what"] [data-value]').fill("One runbook for both systems")
    action.locator('[data-sub="owner"] input').fill("Platform")
    action.locator('[data-sub="due"] input').fill("2026-05-01")
    action.locator('[data-sub="status"] select').select_option("open")
    for at, event, kind in (("2026-03-10 09:00 +00:00", "Orders stop", "impact-start"),
                            ("2026-03-10 09:40 +00:00", "Dana sees the alert", "detection")):
        row = add_row(page, "timeline")
        row.locator('[data-sub="at"] input').fill(at)
        row.locator('[data-sub="event"] [data-value]').fill(event)
        row.locator('[data-sub="kind"] select').select_option(kind)
    # A wrong value: the message appears on that row's field, in the words `failsite check` uses.
    row.locator('[data-sub="at"] input').fill("2026-03-10 09:40")
    message = row.locator('[data-sub="at"] [data-messages] li.error')
    message.wait_for(timeout=10_000)
    assert "'at' has a time but no time zone: '2026-03-10 09:40'" in message.inner_text()
    assert row.locator('[data-sub="at"] input').get_attribute("aria-invalid") == "true"
    shot(page, "debrief-error")
    row.locator('[data-sub="at"] input').fill("2026-03-10 09:40 +00:00")
    message.wait_for(state="detached", timeout=10_000)
    page.locator("#f-status").select_option("approved")
    page.locator("#f-body").fill("## Context\n\nWhat the team set out to do.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/edit?item=debriefs*", timeout=15_000)
    shot(page, "debrief-saved")
    page.close()
    written = site / "content/debriefs/the-cut-over-we-rehearsed-on-a-copy.md"
    assert written.is_file()
    by_hand = make_site({**SITE, "content/talks/hand-written.md": HAND_WRITTEN,
                         "content/debriefs/the-cut-over-we-rehearsed-on-a-copy.md": DEBRIEF_BY_HAND}, CONFIG,
                        name="by-hand")
    for folder in (site, by_hand):
        ok(run(folder, "build", "--today", "2026-04-01"))
    out = "public/debriefs/the-cut-over-we-rehearsed-on-a-copy/index.html"
    assert (site / out).read_bytes() == (by_hand / out).read_bytes()


def test_editing_a_hand_written_story_changes_only_that_field(browser, desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(running.url)
    page.get_by_role("link", name="Hand written").click()
    page.get_by_role("tab", name="The page").click()
    shown = page.frame_locator("[data-page-preview]")
    shown.locator("h1", has_text="Hand written").wait_for(timeout=10_000)
    page.locator("#f-speaker").fill("Sam Example")
    page.keyboard.press("Enter")  # does not save a half-written story
    page.wait_for_timeout(500)
    assert page.locator("[data-state]").inner_text() == "Not saved"
    assert page.evaluate("[...document.querySelectorAll('#f-speaker-suggestions option')].map(o => o.value)") == \
        ["Dana Whitfield"]  # the registry's people, wherever a field names a person
    page.keyboard.press("Control+s")
    page.locator("[data-state]", has_text="Saved").wait_for(timeout=10_000)
    # The preview beside the form rebuilds and reloads the page with the change.
    shown.locator("text=Sam Example").first.wait_for(timeout=15_000)
    page.close()
    assert (site / "content/talks/hand-written.md").read_text() == HAND_WRITTEN.replace("speaker: Dana Whitfield",
                                                                                        "speaker: Sam Example")


def test_a_second_window_saving_an_older_version_gets_a_conflict(browser, desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    first, second = (browser.new_page(viewport={"width": 1366, "height": 900}) for _ in range(2))
    for page in (first, second):
        page.goto(running.url + "edit?item=talks/hand-written.md")
    first.locator("#f-event").fill("Spring evening")
    first.get_by_role("button", name="Save", exact=True).click()
    first.locator("[data-state]", has_text="Saved").wait_for(timeout=10_000)
    saved = (site / "content/talks/hand-written.md").read_text()
    second.locator("#f-event").fill("Autumn evening")
    second.get_by_role("button", name="Save", exact=True).click()
    conflict = second.locator("[data-conflict]")
    conflict.wait_for(state="visible", timeout=10_000)
    assert "changed since you opened it" in conflict.inner_text()
    shot(second, "conflict")
    assert (site / "content/talks/hand-written.md").read_text() == saved
    for page in (first, second):
        page.close()


def test_approving_and_withdrawing_consent_in_the_queue_reach_a_public_build(browser, desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    ok(run(site, "build", "--audience", "public", "--today", "2026-04-01"))
    assert not (site / "public/talks/hand-written").exists() and (site / "public/talks/consented").is_dir()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(running.url + "review")
    entry = page.locator("[data-entry][data-item='talks/hand-written.md']").first
    entry.locator("[data-reviewer]").fill("Sam Example")
    entry.get_by_role("button", name="Approve").click()
    page.locator("[data-said]", has_text="Approved “Hand written”").wait_for(timeout=10_000)
    consented = page.locator("[data-entry][data-item='talks/consented.md']").first
    consented.get_by_role("button", name="Withdraw").click()  # the first press asks
    consented.get_by_role("button", name="Press again to withdraw").click()
    page.locator("[data-said]", has_text="Withdrew a consent record of “Told with consent”").wait_for(timeout=10_000)
    assert page.locator("[data-entry][data-item='talks/consented.md'] .reach li.no").count() == 3
    shot(page, "queue")
    page.close()
    ok(run(site, "build", "--audience", "public", "--today", "2026-04-01"))
    assert (site / "public/talks/hand-written/index.html").is_file()
    assert not (site / "public/talks/consented").exists()


@pytest.mark.parametrize("width", [390, 820, 1366])
def test_every_desk_page_passes_axe_and_fits_the_screen(browser, desk, width: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe
    site, running = desk
    page = browser.new_page(viewport={"width": width, "height": 900})
    for path in ("", "new", "new/debrief", "edit?item=talks/hand-written.md", "review"):
        page.goto(running.url + path)
        page.wait_for_timeout(300)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                      for v in Axe().run(page).response["violations"]]
        assert violations == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        shot(page, f"{path.replace('/', '_').replace('?', '_').replace('=', '-') or 'home'}-{width}")
    page.close()
