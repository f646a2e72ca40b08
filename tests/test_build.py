"""End to end: build fixture sites and read the HTML, feeds and sitemap they produce."""

from __future__ import annotations

import shutil
from xml.etree import ElementTree
from pathlib import Path

import pytest

from conftest import SiteMaker, build, build_errors, html, talk, text_of

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
COMPLETE = Path(__file__).parent / "fixtures" / "sites" / "complete"


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("complete") / "site"
    shutil.copytree(COMPLETE, site)
    build(site)
    return site


def test_talk_page_shows_speaker_event_and_lessons(complete: Path) -> None:
    page = html(complete, "talks/launch/index.html")
    assert text_of(page.find("h1")) == "The early launch"
    assert text_of(page.select_one(".byline")) == "A talk by Avery Example at FailLab Spring"
    lessons = {text_of(l.find("h2")): [text_of(p) for p in l.find_all("p")] for l in page.select(".lesson")}
    assert lessons == {"What I learned": ["Dates need evidence."],
                       "What I'd do differently": ["Wait for the pilot.", "Publish exit criteria."]}
    assert page.find("time")["datetime"] == "2026-03-12"
    assert page.find("main").find("table") is not None


def test_debrief_shows_gap_why_ladder_control_matrix_and_actions(complete: Path) -> None:
    page = html(complete, "debriefs/review/index.html")
    assert [text_of(h) for h in page.select(".gap-side h3")] == ["What we intended", "What actually happened"]
    ladder = page.select(".why-ladder li")
    assert [text_of(li) for li in ladder] == ["Why 1 Routes were wrong.", "Why 2 Map data was missing.",
                                              "Root cause The pilot measured the wrong thing."]
    assert ladder[-1]["class"] == ["root-cause"]
    matrix = {text_of(cell.find("h3")): [text_of(li) for li in cell.find_all("li")]
              for cell in page.select(".control-cell")}
    assert matrix == {"Fully in our control": ["The promised date"], "Partially in our control": ["Supplier data"],
                      "Outside our control": ["Bridge closures"]}
    headers = [text_of(th) for th in page.select(".action-table thead th")]
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in page.select(".action-table tbody tr")]
    assert headers == ["Action", "Owner", "Due", "Status"]
    assert rows == [["Write the template", "Blake Example", "15 May 2026", "done"],
                    ["Log corrections", "—", "—", "in progress"]]


def test_experiment_shows_hypothesis_timebox_signals_result_and_chain(complete: Path) -> None:
    page = html(complete, "experiments/first/index.html")
    assert text_of(page.select_one(".hypothesis-text")) == "Shorter handovers start picking sooner."
    assert text_of(page.select_one(".glance .timebox")) == "1 June 2026 to 21 June 2026 (21 days)"
    assert [text_of(li) for li in page.select(".signal-success li")] == ["Picking starts earlier"]
    assert [text_of(li) for li in page.select(".signal-failure li")] == ["More missed exceptions"]
    assert text_of(page.select_one(".glance .result .status")) == "disproved"
    chain = 'nav.along[aria-label="Experiment chain"]'
    assert [(a["rel"], a["href"]) for a in page.select(f"{chain} a")] == [(["next"], "/stories/experiments/second/")]
    second = html(complete, "experiments/second/index.html")
    assert text_of(second.select_one(chain)) == "← Previous test First bet"


def test_log_entry_shows_its_four_fields(complete: Path) -> None:
    page = html(complete, "log/entry/index.html")
    fields = {text_of(div.find("dt")): text_of(div.find("dd")) for div in page.select(".log-fields > div")}
    assert fields == {"Context": "Staffed for a peak that never came.", "Root cause": "Extrapolated from December.",
                      "Lesson": "Compare with last year's month.",
                      "Behavioural change": "The sheet shows last year beside the trend."}


def test_module_links_its_stories_and_hides_facilitator_notes(complete: Path) -> None:
    page = html(complete, "modules/reading/index.html")
    stories = [(a["href"], text_of(a)) for a in page.select(".card-title a")]
    assert stories == [("/stories/talks/launch/", "The early launch"), ("/stories/debriefs/review/", "Launch review")]
    interventions = [text_of(dt) for dt in page.select(".interventions dt")]
    assert interventions == ["Concrete", "Paralysis"]
    for path in complete.joinpath("public").rglob("*"):
        if path.is_file():
            assert b"SECRET-FACILITATOR-NOTE" not in path.read_bytes(), path  # participant pages never do
    talk_page = html(complete, "talks/launch/index.html")
    assert [text_of(a) for a in talk_page.select(".used-in a")] == ["Reading a failure"]


def test_body_links_to_sources_become_urls_with_fragment(complete: Path) -> None:
    page = html(complete, "talks/launch/index.html")
    hrefs = [a["href"] for a in page.select(".prose a") if not a.get("class")]
    assert hrefs == ["/stories/debriefs/review/#why-the-gap", "/stories/experiments/second/"]


def test_page_is_at_the_root_and_in_the_menu(complete: Path) -> None:
    page = html(complete, "about/index.html")
    assert text_of(page.find("h1")) == "About us"
    menu = [(text_of(a), a["href"]) for a in page.select(".site-nav a")]
    assert ("About us", "/stories/about/") in menu
    assert page.select_one('.site-nav a[aria-current="page"]')["href"] == "/stories/about/"


def test_taxonomy_index_and_term_pages(complete: Path) -> None:
    index = html(complete, "patterns/index.html")
    cards = {text_of(card.find("h2").find("a")): text_of(card.select_one(".count")) for card in index.select(".term-card")}
    # A story is a talk, debrief, experiment or log entry, counted alike on every page; modules are counted apart.
    assert cards == {"Concrete": "6 stories, 1 module", "Circumstantial": "0 stories, 1 module",
                     "Perceived": "0 stories", "Identity": "0 stories", "Paralysis": "1 story, 1 module"}
    home = html(complete, "index.html")
    assert text_of(home.select_one(".pattern-card.pattern-concrete .count")) == "6 stories"
    assert "6 stories, 1 module" in text_of(html(complete, "patterns/concrete/index.html").select_one(".count"))
    term = html(complete, "patterns/paralysis/index.html")
    assert "training intervention" in text_of(term.select_one(".intervention")).lower()
    assert [text_of(a) for a in term.select(".card-title a")] == ["The early launch", "Reading a failure"]
    tags = html(complete, "tags/index.html")
    assert sorted(text_of(h.find("a")) for h in tags.select(".term-card h2")) == ["Launches", "deadlines", "forecasting"]
    assert (complete / "public/tags/launches/index.html").exists()
    barriers = html(complete, "barriers/hindsight-bias/index.html")
    assert text_of(barriers.find("h1")) == "Hindsight bias"


def test_implied_terms_from_fields(complete: Path) -> None:
    assert (complete / "public/seasons/faillab-spring/index.html").exists()
    assert (complete / "public/teams/product/index.html").exists()
    practices = html(complete, "practices/after-action-review/index.html")
    assert [text_of(a) for a in practices.select(".card-title a")] == ["Launch review"]
    control = html(complete, "control/outside/index.html")
    assert [text_of(a) for a in control.select(".card-title a")] == ["Launch review"]


def test_drafts_are_left_out_unless_asked_for(complete: Path, tmp_path: Path) -> None:
    assert not (complete / "public/talks/draft-talk").exists()
    for path in complete.joinpath("public").rglob("*"):
        if path.is_file():
            assert b"Unfinished talk" not in path.read_bytes(), path
    site = tmp_path / "site"
    shutil.copytree(COMPLETE, site)
    build(site, drafts=True)
    assert text_of(html(site, "talks/draft-talk/index.html").select_one(".badge-draft")) == "Draft"


def test_home_shows_patterns_at_a_glance_and_latest(complete: Path) -> None:
    home = html(complete, "index.html")
    assert [text_of(h) for h in home.select(".pattern-card h3")] == \
        ["Concrete", "Circumstantial", "Perceived", "Identity", "Paralysis"]
    latest = [text_of(a) for a in home.select(".item-list .card-title a")]
    assert latest[0] == "Second bet" and "About us" not in latest


def test_type_list_pages_newest_first(complete: Path) -> None:
    page = html(complete, "experiments/index.html")
    assert [text_of(a) for a in page.select(".card-title a")] == ["Second bet", "First bet"]
    assert not (complete / "public/pages/index.html").exists()


def test_noindex_robots_sitemap_feed_and_404(complete: Path) -> None:
    home = html(complete, "index.html")
    assert home.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert (complete / "public/robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    sitemap = ElementTree.parse(complete / "public/sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert "https://intranet.example/stories/talks/launch/" in locs
    assert not any("404" in loc for loc in locs)
    feed = ElementTree.parse(complete / "public/atom.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Launch review", "The early launch"]
    assert feed.findtext(f"{ATOM}updated") == "2026-04-02T00:00:00Z"
    assert entries[1].find(f"{ATOM}link").get("href") == "https://intranet.example/stories/talks/launch/"
    assert entries[1].findtext(f"{ATOM}author/{ATOM}name") == "Avery Example"
    assert "<table>" in entries[1].findtext(f"{ATOM}content")
    assert text_of(html(complete, "404.html").find("h1")) == "Page not found"


def test_public_site_is_indexable(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()}, config="title: T\npublic: true\nbase_url: https://x.example/\n")
    build(site)
    assert html(site, "index.html").find("meta", attrs={"name": "robots"}) is None
    assert "Sitemap: https://x.example/sitemap.xml" in (site / "public/robots.txt").read_text()


def test_stylesheet_url_carries_a_content_hash(complete: Path) -> None:
    link = html(complete, "index.html").find("link", rel="stylesheet")["href"]
    assert link.startswith("/stories/css/failsite.css?v=") and len(link.split("=")[1]) == 10


def test_pagination_splits_long_lists(make_site: SiteMaker) -> None:
    files = {f"content/talks/t{n:02}.md": talk(f"Talk {n:02}", f"2026-01-{n:02}", patterns="[concrete]")
             for n in range(1, 6)}
    site = make_site(files, config="title: T\npagination:\n  per_page: 2\n")
    build(site)
    first, third = html(site, "talks/index.html"), html(site, "talks/page/3/index.html")
    assert [text_of(a) for a in first.select(".card-title a")] == ["Talk 05", "Talk 04"]
    assert first.select_one('a[rel="next"]')["href"] == "/talks/page/2/"
    assert [text_of(a) for a in third.select(".card-title a")] == ["Talk 01"]
    assert third.select_one('a[rel="prev"]')["href"] == "/talks/page/2/"
    assert (site / "public/patterns/concrete/page/3/index.html").exists()


def test_slug_key_sets_the_url_and_is_made_safe(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(slug='"../../Ünsafe / Slug!"'),
                      "content/talks/Été Déjà Vu.md": talk("Accents")})
    build(site)
    assert (site / "public/talks/unsafe-slug/index.html").exists()
    assert (site / "public/talks/ete-deja-vu/index.html").exists()


def test_link_to_a_draft_is_plain_text_with_a_warning(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="See [the draft](b.md)."),
                      "content/talks/b.md": talk("B", draft="true")})
    result = build(site)
    assert [w.format().splitlines()[0] for w in result.warnings] == [
        "content/talks/a.md:6:1: warning: link to 'b.md' points at an item that is not published (a draft)"]
    prose = html(site, "talks/a/index.html").select_one(".prose")
    assert prose.find("a") is None and "the draft" in text_of(prose)


def test_item_url_colliding_with_a_generated_page_is_an_error(make_site: SiteMaker) -> None:
    site = make_site({"content/pages/patterns.md": "---\ntitle: Patterns page\n---\nBody\n"})
    assert build_errors(site) == ["content/pages/patterns.md:1:1: error: the output patterns/index.html is produced "
                                  "twice: this item's URL is also a page failsite generates or a static file"]


def test_all_errors_of_a_build_are_reported_together(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(patterns="[concret]"),
                      "content/talks/b.md": talk(body="[x](missing.md)"),
                      "content/log/c.md": "---\ntitle: C\ndate: someday\n---\n",
                      "templates/page.html": "{% extends 'item.html' %}{% block after %}{{ nope }}{% endblock %}",
                      "content/pages/p.md": "---\ntitle: P\n---\n"})
    errors = build_errors(site)
    assert [e.split(": error: ")[0] for e in errors] == [
        "content/log/c.md:3:7", "content/talks/a.md:5:12", "content/talks/b.md:6:1", "templates/page.html:1:1"]


def test_site_templates_override_theme_templates_file_by_file(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(),
                      "templates/talk.html": "<p id=custom>{{ page.speaker }} / {{ site.title }}</p>",
                      "static/css/extra.css": "body{}"})
    build(site)
    assert text_of(html(site, "talks/a/index.html").find(id="custom")) == "Avery Example / Test Site"
    assert html(site, "index.html").select_one(".hero") is not None
    assert (site / "public/css/extra.css").exists() and (site / "public/css/failsite.css").exists()


def test_unknown_theme_is_an_error_with_suggestion(make_site: SiteMaker) -> None:
    site = make_site({}, config="title: T\ntheme: defualt\n")
    assert build_errors(site) == ["site.yaml:1:1: error: theme 'defualt' not found (did you mean 'default'?)"]


def test_child_theme_extends_its_parent(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(),
                      "themes/brand/theme.yaml": "extends: default\n",
                      "themes/brand/templates/404.html": "<h1>Brand 404</h1>"}, config="title: T\ntheme: brand\n")
    build(site)
    assert text_of(html(site, "404.html").find("h1")) == "Brand 404"
    assert html(site, "talks/a/index.html").select_one(".byline") is not None


def test_empty_site_builds_without_a_search_index_and_says_so(make_site: SiteMaker) -> None:
    site = make_site({})
    result = build(site)
    assert [w.format() for w in result.warnings] == [
        "public/pagefind:1:1: warning: nothing is published yet, so the site has no search index\n"
        "  hint: the search page works once a story, debrief, experiment, log entry, module or page is published"]
    assert not (site / "public/pagefind").exists()
    assert text_of(html(site, "search/index.html").select_one(".empty")).startswith("Nothing to search yet")
    assert not [s for s in html(site, "search/index.html").find_all("script", src=True) if "pagefind" in s["src"]]  # no UI to load from a missing bundle
    assert text_of(html(site, "index.html").select(".empty")[-1]) == "Nothing here yet."


def test_missing_default_content_folder_is_a_warning_and_a_named_one_an_error(make_site: SiteMaker) -> None:
    site = make_site({})
    (site / "content").rmdir()
    assert [w.message for w in build(site).warnings] == ["the content folder 'content' does not exist",
                                                         "nothing is published yet, so the site has no search index"]
    (site / "site.yaml").write_text("title: T\ncontent: stories\n")
    assert build_errors(site) == ["stories:1:1: error: the content folder 'stories' does not exist"]
