"""The programme page and the themes page as a person sees them: axe, a phone's width, and print."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from conftest import build
from test_browser import REPO, browser, serving  # noqa: F401 (browser is a fixture)

pytestmark = pytest.mark.browser
THEMES = Path(__file__).parent / "fixtures" / "sites" / "themes"
PAGES = ["/insights/programme/", "/insights/themes/"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site, with the themes fixture's stories added and themes shown from two people, served at /."""
    site = tmp_path_factory.mktemp("programme")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "people.yaml", site / "people.yaml")
    for folder in ("talks", "debriefs"):
        for story in (THEMES / "content" / folder).glob("*.md"):
            shutil.copy(story, site / "content" / folder / f"theme-{story.name}")
    text = (REPO / "site.yaml").read_text().replace("base_url: https://learning.brightwell.example/fail-forward/",
                                                    "base_url: /")
    (site / "site.yaml").write_text(text + "insights:\n  min_people: 2\n")
    build(site, audience="restricted")
    with serving(site / "public") as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("path", PAGES)
def test_the_page_has_no_serious_accessibility_violations(browser, site_url: str, path: str, width: int,  # type: ignore[no-untyped-def]  # noqa: F811
                                                          scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    page = context.new_page()
    response = page.goto(site_url + path)
    assert response is not None and response.status == 200
    results = Axe().run(page)
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []


def test_on_a_phone_every_figure_fits_or_scrolls_in_its_own_box(browser, site_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + "/insights/programme/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    figures = page.locator("section.programme-figure")
    assert figures.count() == 8
    for n in range(figures.count()):
        figure = figures.nth(n)
        box = figure.locator(".chart-scroll").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        text = figure.locator("svg text").first.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
        assert text >= 12  # drawn at its own size, never shrunk to fit
        assert figure.locator("table.chart-data").is_visible()
    page.screenshot(path=str(tmp_path / "programme-390.png"), full_page=True)
    context.close()


def test_printed_every_figure_keeps_its_chart_and_its_numbers(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site_url + "/insights/programme/")
    page.emulate_media(media="print")
    figures = page.locator("section.programme-figure")
    for n in range(figures.count()):
        assert figures.nth(n).locator("svg").is_visible() and figures.nth(n).locator("table").is_visible()
    assert not page.locator(".site-header").is_visible()
    page.close()
