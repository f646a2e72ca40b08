"""The default theme as a person sees it: headless Chromium with axe-core on each kind of page."""

from __future__ import annotations

import re

import contextlib
import functools
import os
import shutil
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from conftest import build

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("no chromium found (install Debian's chromium package); CI always runs these", allow_module_level=True)

# One page of each kind from the demo site, as a newcomer first sees it.
PAGES = ["/", "/talks/launch-too-early/", "/debriefs/route-planner-rollout-aar/",
         "/experiments/shorter-handover-meetings/", "/log/2026-01-missed-forecast/", "/modules/reading-a-failure/",
         "/about/", "/patterns/", "/patterns/concrete/", "/talks/", "/404.html", "/insights/", "/coverage/",
         "/tracks/", "/tracks/leading-through-failure/", "/log/quarters/", "/log/2026-q1/", "/actions/", "/chains/",
         "/search/?q=handover", "/curriculum/stories/", "/tracks/leading-through-failure/handout/",
         "/tracks/leading-through-failure/guide/", "/reviews/2026-q1-log-review/", "/stories/", "/actions/platform/",
         "/events/faillab-spring-2026/", "/debriefs/cutover-rehearsal-postmortem/", "/talks/a-draft-in-progress/",
         "/insights/recurrence/", "/debriefs/scanner-rollout-aar/", "/insights/themes/", "/insights/programme/"]
# Every page is checked at phone width too.
PHONE_AXE = PAGES
DRAFT = """---
title: A draft in progress
date: 2026-11-01
speaker: Jordan Example
draft: true
patterns: [perceived]
---
Still being written.
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class StaticHost(ThreadingHTTPServer):
    """A static host with a backlog for a browser's burst of requests: Pagefind fetches its index, fragments and
    filters at once, and with the standard library's backlog of five a busy machine refused some, so the search's
    filters never appeared."""

    request_queue_size = 128
    daemon_threads = True


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A built site's folder served on a free port, as a static host serves it: its URL."""
    server = StaticHost(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "people.yaml", site / "people.yaml")
    text = (REPO / "site.yaml").read_text().replace("base_url: https://learning.brightwell.example/fail-forward/",
                                                    "base_url: /")
    (site / "site.yaml").write_text(text)
    (site / "content/talks/a-draft-in-progress.md").write_text(DRAFT)
    build(site, audience="restricted", drafts=True)  # every page type, the facilitator guides and a draft included
    with serving(site / "public") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


SCREENSHOTS = os.environ.get("FAILSITE_SCREENSHOTS", "")  # a folder to keep the pictures in, to look at


@pytest.mark.parametrize("path, width", [(p, 1366) for p in PAGES] + [(p, 390) for p in PHONE_AXE])
def test_page_has_no_accessibility_violation_of_any_impact(browser, demo_url: str, path: str, width: int) -> None:  # type: ignore[no-untyped-def]
    """axe on every page type at phone and desktop width in both schemes (the page loaded once, its scheme switched
    as the system's setting switches it), nothing sticking out sideways in either; a full-page picture of each in
    $FAILSITE_SCREENSHOTS when set, to look at."""
    from axe_playwright_python.sync_playwright import Axe
    context = browser.new_context(color_scheme="light", viewport={"width": width, "height": 900})
    page = context.new_page()
    response = page.goto(demo_url + path)
    assert response is not None and response.status == 200
    if "?q=" in path:
        page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)  # check the results too
    violations, wide = {}, {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        results = Axe().run(page)  # every rule axe runs by default, best practices included
        violations[scheme] = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
                              for v in results.response["violations"]]
        wide[scheme] = page.evaluate("document.documentElement.scrollWidth")
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}-{scheme}.png"), full_page=True)
    context.close()
    assert violations == {"light": [], "dark": []}
    assert wide == {"light": width, "dark": width}


def test_every_page_fits_a_phone_with_a_compact_header_and_a_collapsed_menu(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    headers = set()
    for path in PAGES:
        page.goto(demo_url + path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
        if page.locator(".site-header").count():
            headers.add(round(page.locator(".site-header").bounding_box()["height"]))
            assert page.locator(".site-header").bounding_box()["height"] <= 130, path  # a fifth of the screen at most
            assert not page.locator(".nav-sections").is_visible(), path  # the menu starts closed
    assert len(headers) == 1, headers  # the header stands the same on every page
    page.goto(demo_url + "/talks/launch-too-early/")
    page.locator(".site-menu > summary").click()
    assert page.locator(".nav-sections").is_visible()
    assert page.locator(".nav-section > a[aria-current]").inner_text() == "Stories"
    context.close()


def test_a_wide_screen_shows_the_sections_in_one_row_with_their_pages_on_focus(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(demo_url + "/coverage/")
    tops = {round(box["y"]) for box in (a.bounding_box() for a in page.locator(".nav-section > a").all())}
    assert len(tops) == 1  # one row, no wrapping
    assert page.locator(".nav-section > a[aria-current]").inner_text() == "Curriculum"
    assert not page.locator(".nav-sub").first.is_visible()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's title
    page.keyboard.press("Tab")  # the first section
    assert page.locator(".nav-section").first.locator(".nav-sub").is_visible()
    assert [a.inner_text() for a in page.locator(".breadcrumbs a").all()] == ["Home", "Curriculum"]
    page.keyboard.press("/")  # opens the search dialog, its box ready to type in
    page.wait_for_selector(".search-dialog[open] .pagefind-ui__search-input:focus", timeout=10_000)
    page.close()


def test_a_debrief_prints_as_the_story_alone_on_numbered_pages(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader
    page = browser.new_page()
    page.goto(demo_url + "/debriefs/route-planner-rollout-aar/")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    page.close()
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) <= 3
    assert "Related stories" not in text and "Skip to content" not in text and "Menu" not in text
    assert re.search(rf"^1 / {len(pdf.pages)}$", text, re.M)


def test_print_hides_navigation(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(demo_url + "/talks/launch-too-early/")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "none"
    assert len(page.pdf()) > 1000
    page.close()


def test_a_printed_story_gives_full_addresses_for_its_links_and_itself(browser, make_site) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from conftest import talk
    site = make_site({"content/talks/a.md": talk("A", body="See [the other talk](b.md) and [a page](https://example.org/x).",
                                                 patterns="[concrete]"),
                      "content/talks/b.md": talk("B", patterns="[concrete]")},
                     config="title: T\nbase_url: https://intranet.example/\n")
    build(site)
    with serving(site / "public") as url:
        page = browser.new_page()
        page.goto(f"{url}/talks/a/")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
        page.close()
    flat = re.sub(r"\s+", "", text)  # a long address may wrap in print
    assert "(https://intranet.example/talks/b/)" in flat and "(https://example.org/x)" in flat
    assert "https://intranet.example/talks/a/" in flat


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """`failsite serve` on a free port, in its own process, as an author would run it."""
    import subprocess
    import sys

    site = tmp_path / "site"
    (site / "content/talks").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Live site\n")
    (site / "content/talks/story.md").write_text(
        "---\ntitle: A story\ndate: 2026-03-01\nspeaker: Avery Example\n---\nThe first version.\n")
    process = subprocess.Popen([sys.executable, "-u", "-m", "failsite", "serve", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    url = ""
    for line in process.stdout:
        if line.startswith("serving "):
            url = line.split()[1]
            break
    assert url.startswith("http://127.0.0.1:"), "the server did not start"
    yield site, url
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


def test_serve_reloads_the_open_page_shows_errors_and_recovers(browser, served_site) -> None:  # type: ignore[no-untyped-def]
    site, url = served_site
    page = browser.new_page()
    page.goto(url + "talks/story/")
    assert page.locator("#failsite-preview-banner").inner_text() == "Preview: not published"
    page.wait_for_function("document.readyState === 'complete'")
    page.wait_for_timeout(300)  # the event stream is connected
    source = site / "content/talks/story.md"
    source.write_text(source.read_text().replace("The first version.", "The second version."))
    page.wait_for_selector("text=The second version.", timeout=10_000)  # the page reloaded itself
    source.write_text("---\ntitle: [unclosed\n---\nBody\n")
    page.wait_for_selector("#failsite-errors", timeout=10_000)
    assert "content/talks/story.md:2:8: error: invalid YAML" in page.locator("#failsite-errors").inner_text()
    source.write_text("---\ntitle: A story again\ndate: 2026-03-01\nspeaker: Avery Example\n---\nRecovered.\n")
    page.wait_for_selector("text=Recovered.", timeout=10_000)
    assert page.locator("h1").inner_text() == "A story again"
    page.close()


def test_facilitator_guide_prints_each_module_on_a_new_page(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader
    page = browser.new_page()
    page.goto(demo_url + "/tracks/leading-through-failure/guide/")
    titles = page.locator(".kit-module > h2").all_inner_texts()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    page.close()
    texts = [p.extract_text() or "" for p in pdf.pages]
    assert len(titles) == 3 and len(texts) >= 1 + len(titles)
    starts = [next(i for i, t in enumerate(texts) if title in t) for title in titles]
    assert starts == sorted(starts) and len(set(starts)) == len(titles) and starts[0] >= 1
    for index, title in zip(starts, titles):
        lines = [line for line in texts[index].splitlines() if not re.fullmatch(r"\s*\d+ / \d+\s*", line)]
        assert lines[0].strip() == title, title  # the module opens its page (after the page number)
        assert re.search(rf"^{index + 1} / {len(texts)}$", texts[index], re.M), index  # numbered pages
    assert "Skip to content" not in "".join(texts) and "Safety charter" not in "".join(texts)  # no site chrome


def test_search_results_show_their_type_and_filter_by_it(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(demo_url + "/search/?q=handover")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    before = page.locator(".pagefind-ui__result-link").count()
    tags = " ".join(page.locator(".pagefind-ui__result-tag").all_inner_texts())
    assert "Type: Experiment" in tags and "Patterns: Concrete" in tags  # each result says what it is
    types = page.locator("details.pagefind-ui__filter-block").filter(
        has=page.locator(".pagefind-ui__filter-name", has_text="Type")).first
    types.wait_for(timeout=30_000)
    if types.get_attribute("open") is None:  # open on a wide screen; open it when a slow machine has not yet
        types.locator("summary").click()
    types.locator(".pagefind-ui__filter-checkbox[id$='Debrief']").first.check(timeout=30_000)
    page.wait_for_function(f"document.querySelectorAll('.pagefind-ui__result-link').length < {before}",
                           timeout=30_000)  # the filtered results, however long a busy machine takes
    page.wait_for_timeout(300)
    after = page.locator(".pagefind-ui__result-link").count()
    assert 0 < after < before
    assert all("Type: Debrief" in t for t in page.locator(".pagefind-ui__result-tags").all_inner_texts())
    assert page.locator(".site-header .site-search").is_hidden()  # one search box on the search page
    page.close()


def test_search_finds_a_word_from_a_body_and_never_a_real_name(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(demo_url + "/search/?q=handover")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    assert page.locator(".pagefind-ui__result-link").count() > 0  # the page's own search box shows results

    def search(term: str) -> list[tuple[str, str]]:
        """(url, indexed text) of each result for a term."""
        return [tuple(r) for r in page.evaluate("""async (term) => {
            const pagefind = await import("/pagefind/pagefind.js");
            const found = await pagefind.search(term);
            return Promise.all(found.results.map(async (r) => { const d = await r.data(); return [d.url, d.content]; }));
        }""", term)]

    assert "/experiments/shorter-handover-meetings/" in [url for url, _ in search("handover")]  # every result
    assert "/talks/inheriting-the-mess/" in [url for url, _ in search("whiteboard")]
    assert search("Samuel") == []
    for real in ("Achterberg", "Samuel", "Coldline", "Pryce", "Meridian"):
        # Pagefind may fall back to partial matches of other words; none may contain the name.
        assert all(real.lower() not in text.lower() for _, text in search(real)), real
    page.close()


SMALL_SHARDS = 4


@pytest.fixture(scope="module")
def sharded_demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo built as a large site would be: its stories spread over several search bundles."""
    import failsite.render.search
    site = tmp_path_factory.mktemp("sharded")
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "people.yaml", site / "people.yaml")
    (site / "site.yaml").write_text((REPO / "site.yaml").read_text().replace(
        "base_url: https://learning.brightwell.example/fail-forward/", "base_url: /"))
    original, failsite.render.search.SHARD_PAGES = failsite.render.search.SHARD_PAGES, SMALL_SHARDS
    try:
        build(site)
    finally:
        failsite.render.search.SHARD_PAGES = original
    assert (site / "public/pagefind-3").is_dir()
    with serving(site / "public") as url:
        yield url


def test_search_merges_every_bundle_of_a_sharded_site(browser, sharded_demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    found: dict[str, list[str]] = {}
    for term in ("handover", "whiteboard", "forecast", "pilot"):
        page.goto(f"{sharded_demo_url}/search/?q={term}")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
        page.wait_for_timeout(300)  # let every bundle answer
        found[term] = page.eval_on_selector_all(".pagefind-ui__result-link",
                                                "links => links.map(a => a.getAttribute('href'))")
    page.close()
    assert errors == []
    assert "/experiments/shorter-handover-meetings/" in found["handover"]
    assert "/talks/inheriting-the-mess/" in found["whiteboard"]
    # The results of all terms together come from more than one bundle.
    import failsite.render.search
    original, failsite.render.search.SHARD_PAGES = failsite.render.search.SHARD_PAGES, SMALL_SHARDS
    try:
        split = failsite.render.search.shards(_demo_item_pages())
    finally:
        failsite.render.search.SHARD_PAGES = original
    bundles = {page: n for n, shard in enumerate(split) for page in shard}
    hits = {bundles[url.split("#")[0].strip("/") + "/index.html"] for urls in found.values() for url in urls}
    assert len(hits) >= 2, hits


def _demo_item_pages() -> list[str]:
    from failsite.build import build_site
    result = build_site(REPO, write=False, today=__import__("datetime").date(2026, 11, 1))
    return [o.path for o in result.outputs if o.searchable]


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.mark.skipif(not Path(NGINX).exists() and not os.environ.get("CI"), reason="no nginx (Debian's nginx package)")
def test_the_preview_reloads_a_page_through_nginx_under_a_path(browser, make_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import socket
    import subprocess

    from conftest import talk
    from failsite.preview.server import start_preview

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = make_site({"content/talks/a.md": talk("Proxied", body="The first version.")})
    preview = start_preview(site, "127.0.0.1", 0, base_url=f"http://127.0.0.1:{port}/preview/")
    preview_port = preview.server.server_address[1]
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
daemon off; worker_processes 1; user root; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; fastcgi_temp_path {tmp_path}/fastcgi;
  uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location /preview/ {{
      proxy_pass http://127.0.0.1:{preview_port};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Connection "";
      proxy_read_timeout 1h;
    }}
  }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
    try:
        page = browser.new_page()
        for _ in range(50):
            try:
                page.goto(f"http://127.0.0.1:{port}/preview/talks/a/")
                break
            except Exception:  # nginx still starting
                time.sleep(0.1)
        assert page.locator(".prose").inner_text() == "The first version."
        assert page.locator(".site-title").get_attribute("href") == "/preview/"
        source = site / "content/talks/a.md"
        time.sleep(0.3)  # the page's event stream is open through nginx
        source.write_text(talk("Proxied", body="The second version."))
        page.wait_for_selector("text=The second version.", timeout=10_000)  # reloaded through the proxy
        page.close()
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        preview.stop()


def test_a_filter_of_the_story_picker_looks_through_every_page(browser, make_site) -> None:  # type: ignore[no-untyped-def]
    from conftest import talk
    files = {f"content/talks/{name}.md": talk(f"Talk {name}", date=f"2026-03-0{n}", patterns="[concrete]")
             for n, name in enumerate("abcde", start=1)}
    files["content/modules/m.md"] = ("---\ntitle: Reading a failure\nduration: 30\ntrack: Leading\norder: 1\n"
                                     "patterns: [concrete]\nstories: [../talks/d.md]\n---\nThe overview.\n")
    site = make_site(files, "title: T\npagination:\n  picker_per_page: 2\n")  # pages: e d, c b, a
    build(site)
    with serving(site / "public") as url:
        page = browser.new_page(viewport={"width": 390, "height": 800})  # rows are blocks there: hidden ones too?
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def shown() -> list[str]:
            return page.locator("#story-picker tbody tr:visible td:first-child").all_inner_texts()

        def says(text: str) -> None:
            page.wait_for_function("text => document.querySelector('.filter-count').textContent === text", arg=text)

        page.goto(f"{url}/curriculum/stories/page/2/")
        says("2 of 2 shown")
        assert shown() == ["Talk c", "Talk b"]
        page.check("input[name=unused]")  # d is the one story a module uses
        says("4 of 5 shown, from every page")
        assert shown() == ["Talk e", "Talk c", "Talk b", "Talk a"]  # every page's, in page order
        page.select_option("select[name=patterns]", "concrete")
        page.uncheck("input[name=unused]")
        says("5 of 5 shown, from every page")
        assert shown() == ["Talk e", "Talk d", "Talk c", "Talk b", "Talk a"]
        page.click("button[type=reset]")  # no filter: the page shows its own rows again
        says("2 of 2 shown")
        assert shown() == ["Talk c", "Talk b"]
        page.close()
    assert errors == []


def test_on_a_phone_the_first_search_result_starts_on_the_first_screen(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(demo_url + "/search/?q=pilot")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    first = page.locator(".pagefind-ui__result").first.bounding_box()
    assert first is not None and first["y"] < 844  # the filters come after the results, closed
    assert all(hint.is_hidden() for hint in page.locator(".search-keys").all())  # no keyboard hint on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator(".pagefind-ui__filter-block[open]").count()
    page.close()


def test_the_colour_scheme_button_switches_and_is_remembered_without_a_flash(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(color_scheme="light")
    # Records the scheme <html> carries when <body> arrives, before anything is drawn.
    context.add_init_script("""new MutationObserver(function (changes, observer) {
        if (document.body) { window.schemeAtBody = document.documentElement.getAttribute("data-scheme"); observer.disconnect(); }
    }).observe(document, {childList: true, subtree: true});""")
    page = context.new_page()
    page.goto(demo_url + "/")
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    button = page.locator("[data-scheme-toggle]")
    assert button.get_attribute("aria-label") == "Colour scheme: auto"
    button.click()
    button.click()
    assert page.get_attribute("html", "data-scheme") == "dark" and page.evaluate(background) != light
    assert button.get_attribute("aria-label") == "Colour scheme: dark"
    page.goto(demo_url + "/talks/launch-too-early/")
    assert page.evaluate("window.schemeAtBody") == "dark"  # set before the page was drawn: no flash of light
    assert page.evaluate(background) != light
    page.locator("[data-scheme-toggle]").click()  # dark -> auto: the system's light again
    assert page.get_attribute("html", "data-scheme") is None and page.evaluate(background) == light
    context.close()


GEOMETRY_PAGES = ["/", "/talks/launch-too-early/", "/debriefs/cutover-rehearsal-postmortem/",
                  "/experiments/shorter-handover-meetings/", "/log/2026-01-missed-forecast/", "/modules/reading-a-failure/",
                  "/tracks/leading-through-failure/", "/tracks/leading-through-failure/guide/", "/coverage/", "/patterns/",
                  "/patterns/concrete/", "/actions/", "/insights/", "/curriculum/stories/", "/log/quarters/", "/talks/"]
SMALL_TARGETS = """() => {
  const small = [];
  for (const target of document.querySelectorAll('a[href], button, input, select, summary')) {
    const box = target.getBoundingClientRect(), style = getComputedStyle(target);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    const inRunningText = target.tagName === 'A' && style.display === 'inline' && target.closest('p, li, td, dd, blockquote');
    if (!inRunningText && (box.width < 24 || box.height < 24)) {
      small.push(`${target.tagName}.${target.className} "${target.textContent.trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


@pytest.mark.parametrize("width", [390, 800, 1024, 1366])
def test_no_page_scrolls_sideways_and_every_tap_target_is_at_least_24_px(browser, demo_url: str, width: int) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900})
    headers = set()
    for path in GEOMETRY_PAGES:
        page.goto(demo_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.evaluate(SMALL_TARGETS) == [], path
        if page.locator(".site-header").count():  # a printed kit has none
            headers.add(round(page.locator(".site-header").bounding_box()["height"]))
    assert len(headers) == 1, headers  # the header stands the same on every page
    page.close()


def test_search_opens_as_a_dialog_from_any_page_and_leads_to_the_full_search(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    for width, opening in ((1366, "key"), (390, "button")):
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(demo_url + "/debriefs/route-planner-rollout-aar/")
        assert page.locator(".site-search").is_hidden() and page.locator(".search-open").is_visible()
        if opening == "key":
            page.keyboard.press("Control+k")
        else:
            page.locator(".search-open").click()
        page.wait_for_selector(".search-dialog[open] .pagefind-ui__search-input:focus", timeout=10_000)
        page.keyboard.type("handover")
        page.wait_for_selector(".search-dialog .pagefind-ui__result-link", timeout=10_000)
        first = page.locator(".search-dialog .pagefind-ui__result").first.bounding_box()
        assert first is not None and first["y"] + 40 < 844  # results start on the first screen
        assert not page.locator(".search-dialog .pagefind-ui__filter-panel").is_visible()  # filters: the full page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_attribute(".search-dialog-all a", "href") == "/search/?q=handover"
        page.keyboard.press("Escape")
        # Closed, and the focus back where the reader was (the dialog's close event comes a moment later).
        page.wait_for_function("!document.querySelector('.search-dialog').open && "
                               "document.activeElement.className === 'search-open'", timeout=10_000)
        page.close()


def test_without_scripts_the_header_search_box_goes_to_the_search_page(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_url + "/talks/launch-too-early/")
    assert page.locator(".search-open").is_hidden()
    page.fill("#site-search-q", "pilot")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=pilot")
    context.close()


def test_previous_and_next_lead_along_a_type_a_track_and_a_chain(browser, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path, label in (("/talks/launch-too-early/", "FailLab talks, newer and older"),
                        ("/modules/reading-a-failure/", "Along the track Leading through failure"),
                        ("/experiments/shorter-handover-meetings/", "Experiment chain")):
        page.goto(demo_url + path)
        along = page.locator("nav.along")
        assert along.get_attribute("aria-label") == label, path
        link = along.locator("a").first
        box = link.bounding_box()
        assert box is not None and box["height"] >= 24 and box["x"] + box["width"] <= 390, path
        target = link.get_attribute("href")
        link.click()
        page.wait_for_url("**" + target)
    page.close()
