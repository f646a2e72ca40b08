"""Curating curriculum: the story picker, coverage's unused stories, session plans, prerequisites, and the printed
kit (handouts and facilitator packs, in HTML and PDF) that never shows participants what is for facilitators."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from failsite.engine.fingerprint import CACHE_DIR
from failsite.errors import FailsiteError

from conftest import CONFIG, PROTECTED, REGISTRY, SiteMaker, build, build_errors, html, talk, text_of

DAY = dt.date(2026, 6, 1)
FACILITATOR_ONLY = ("Zanzibar-facilitator-note", "Quokka-content-note", "Session plan")


def module(title: str = "Reading a failure", order: int = 1, duration: int = 30, stories: str = "[../talks/a.md]",
           **fields: str) -> str:
    lines = ["---", f"title: {title}", f"duration: {duration}", "track: Leading", f"order: {order}",
             "patterns: [concrete]", "objectives: [Read a failure calmly]", f"stories: {stories}",
             "exercises: [Sort the factors]", "facilitator_notes: Zanzibar-facilitator-note, bring tissues."]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n---\nThe module's overview.\n"


PLAN = "\n  - minutes: 10\n    activity: Welcome\n  - minutes: 20\n    activity: The **talk**\n    story: ../talks/a.md\n" \
       "    materials: Printed copies"
STORY = talk("The launch", patterns="[concrete]", barriers="[shame]",
             discussion="\n  - What did the pilot say?\n  - Who else believed the date?",
             content_notes="\n  - Quokka-content-note, job loss",
             body="Dana pushed the launch. See [the review](https://x.example/debriefs/r/) and [another](../talks/b.md).")


def kit_site(make_site: SiteMaker, config: str = CONFIG, **extra: str) -> Path:
    files = {"people.yaml": REGISTRY, "content/talks/a.md": STORY,
             "content/talks/b.md": talk("Unused story", patterns="[concrete]", body="Never in a module."),
             "content/log/c.md": "---\ntitle: A log entry\ndate: 2026-02-01\npatterns: [perceived]\n---\nText.\n",
             "content/modules/m.md": module(plan=PLAN)}
    files.update(extra)
    return make_site(files, config)


def test_the_story_picker_lists_every_story_as_a_table_that_works_without_javascript(make_site: SiteMaker) -> None:
    site = kit_site(make_site)
    build(site, today=DAY)
    page = html(site, "curriculum/stories/index.html")
    assert page.select_one("form[data-filters=story-picker]").has_attr("hidden")
    rows = {text_of(r.select_one("td")): r for r in page.select("#story-picker tbody tr")}
    assert set(rows) == {"The launch", "Unused story", "A log entry"}
    launch = rows["The launch"]
    assert launch["data-patterns"] == "concrete" and launch["data-barriers"] == "shame" and launch["data-type"] == "talk"
    assert launch["data-unused"] == "no" and rows["Unused story"]["data-unused"] == "yes"
    assert text_of(launch.select_one("td[data-label='Used in']")) == "Reading a failure"
    assert text_of(launch.select_one("td[data-label='Read']")) == "1 min"
    assert "3 published stories, 2 not used in any module." in text_of(page.select_one("caption"))
    assert html(site, "tracks/index.html").find("a", href="/curriculum/stories/") is not None


def picker_site(make_site: SiteMaker, per_page: int = 2) -> Path:
    """Five talks, newest first e..a, one of them (d) used by a module; the picker shows `per_page` a page."""
    files = {f"content/talks/{name}.md": talk(f"Talk {name}", date=f"2026-03-0{n}", patterns="[concrete]")
             for n, name in enumerate("abcde", start=1)}
    files["content/modules/m.md"] = module(stories="[../talks/d.md]")
    return make_site(files, f"title: T\npagination:\n  picker_per_page: {per_page}\n")


def picker_pages(site: Path) -> list[Path]:
    folder = site / "public/curriculum/stories"
    return [folder / "index.html"] + sorted(folder.glob("page/*/index.html"))


def test_the_story_picker_shows_a_page_of_rows_at_a_time_and_counts_every_story(make_site: SiteMaker) -> None:
    site = picker_site(make_site)
    build(site, today=DAY)
    pages = [html(site, p.relative_to(site / "public").as_posix()) for p in picker_pages(site)]
    assert [[text_of(r.select_one("td")) for r in page.select("#story-picker tbody tr")] for page in pages] == \
        [["Talk e", "Talk d"], ["Talk c", "Talk b"], ["Talk a"]]
    for number, page in enumerate(pages, start=1):
        assert text_of(page.select_one("caption")) == f"5 published stories, 4 not used in any module. Page {number} of 3"
        assert "a filter looks through every page" in text_of(page.select_one(".picker-pages"))
    assert pages[0].select_one(".pager a[rel=next]")["href"] == "/curriculum/stories/page/2/"
    assert pages[2].select_one(".pager a[rel=prev]")["href"] == "/curriculum/stories/page/2/"
    assert pages[0].select_one(".pager a[rel=prev]") is None and pages[2].select_one(".pager a[rel=next]") is None
    # Each page names them all for its filter, which looks through every page (js/filter.js; tests/test_browser.py).
    for number, page in enumerate(pages, start=1):
        table = page.select_one("#story-picker")
        assert table["data-pages"] == "/curriculum/stories/ /curriculum/stories/page/2/ /curriculum/stories/page/3/"
        assert table["data-page"] == str(number)
        assert page.select_one("form[data-filters]")["data-count-all"] == "{shown} of {total} shown, from every page"


def test_a_later_page_of_a_list_names_its_page_in_the_breadcrumb(make_site: SiteMaker) -> None:
    files = {f"content/talks/{name}.md": talk(f"Talk {name}", date=f"2026-03-0{n}", patterns="[concrete]")
             for n, name in enumerate("abcde", start=1)}
    site = make_site(files, "title: T\npagination:\n  per_page: 2\n  picker_per_page: 2\n")
    build(site, today=DAY)

    def crumbs(path: str) -> tuple[list[str], str]:
        trail = html(site, path).select_one(".breadcrumbs")
        return [text_of(a) for a in trail.select("a")], text_of(trail.select_one("[aria-current=page]"))

    assert crumbs("talks/index.html") == (["Home", "Stories"], "Talks")
    assert crumbs("talks/page/2/index.html") == (["Home", "Stories", "Talks"], "Page 2 of 3")
    assert crumbs("patterns/concrete/page/3/index.html") == (["Home", "Failure patterns", "Concrete"], "Page 3 of 3")
    assert crumbs("curriculum/stories/page/2/index.html") == (["Home", "Story picker"], "Page 2 of 3")
    assert crumbs("talks/a/index.html")[1] == "Talk a"


def test_one_page_of_stories_has_no_pager_and_no_note(make_site: SiteMaker) -> None:
    site = picker_site(make_site, per_page=5)
    build(site, today=DAY)
    page = html(site, "curriculum/stories/index.html")
    assert len(page.select("#story-picker tbody tr")) == 5 and len(picker_pages(site)) == 1
    assert page.select_one(".pager") is None and page.select_one(".picker-pages") is None
    assert not page.select_one("#story-picker").has_attr("data-pages")
    assert text_of(page.select_one("caption")) == "5 published stories, 4 not used in any module."


def test_a_picker_page_is_rendered_again_only_when_what_it_shows_changes(make_site: SiteMaker, tmp_path: Path) -> None:
    site = picker_site(make_site)
    build(site, today=DAY)

    def inodes() -> list[int]:
        return [p.stat().st_ino for p in picker_pages(site)]

    def same_as_cold() -> None:
        cold = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(site, cold, ignore=shutil.ignore_patterns("public", CACHE_DIR))
        build(cold, today=DAY)
        assert [p.read_bytes() for p in picker_pages(site)] == [p.read_bytes() for p in picker_pages(cold)]

    first = inodes()
    (site / "content/talks/a.md").write_text(talk("Talk a", date="2026-03-01", patterns="[concrete]",
                                                  body="A story long enough to read. " * 200))
    build(site, today=DAY)
    second = inodes()
    assert second[:2] == first[:2] and second[2] != first[2]  # only the last page shows talk a
    assert "6 min" in text_of(html(site, "curriculum/stories/page/3/index.html").select_one("td[data-label=Read]"))
    same_as_cold()
    (site / "content/modules/m.md").write_text(module(stories="[../talks/d.md, ../talks/a.md]"))
    build(site, today=DAY)  # one story fewer unused: every page's caption says so
    assert all(before != after for before, after in zip(second, inodes()))
    same_as_cold()
    (site / "content/talks/f.md").write_text(talk("Talk f", date="2026-03-09", patterns="[concrete]"))
    build(site, today=DAY)  # a new newest story moves every row down
    assert len(picker_pages(site)) == 3 and "Page 1 of 3" in text_of(html(site, "curriculum/stories/index.html")
                                                                          .select_one("caption"))
    same_as_cold()


def test_the_picker_page_size_must_be_at_least_one(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk()}, "title: T\npagination:\n  picker_per_page: 0\n")
    with pytest.raises(FailsiteError) as caught:
        build(site)
    [found] = caught.value.diagnostics
    assert found.format() == ("site.yaml:3:3: error: 'picker_per_page' must be at least 1\n"
                              "  hint: set `picker_per_page:` to how many stories a page of the story picker shows, "
                              "e.g. 500")


def test_coverage_lists_unused_stories_per_pattern_and_flags_overused_ones(make_site: SiteMaker) -> None:
    site = kit_site(make_site, CONFIG + "curriculum:\n  most_modules: 1\n",
                    **{"content/modules/n.md": module("Second module", order=2)})
    build(site, today=DAY)
    page = html(site, "coverage/index.html")
    unused = {text_of(d.select_one("dt")).split(" (")[0]: text_of(d.select_one("dd"))
              for d in page.select(".unused-stories > div")}
    assert unused["Concrete"] == "Unused story" and unused["Perceived"] == "A log entry"
    assert [text_of(li) for li in page.select("#overused-title ~ ul li")] == ["The launch : 2 modules"]


def test_the_module_page_shows_its_plan_as_a_running_order(make_site: SiteMaker) -> None:
    site = kit_site(make_site)
    build(site, today=DAY)
    rows = [[text_of(td) for td in tr.select("td")] for tr in
            html(site, "modules/m/index.html").select(".plan-table tbody tr")]
    assert rows == [["0:00", "10", "Welcome", "—", "—"], ["0:10", "20", "The talk", "The launch", "Printed copies"]]


def test_plan_minutes_must_add_up_to_the_duration(make_site: SiteMaker) -> None:
    site = kit_site(make_site, **{"content/modules/m.md": module(duration=45, plan=PLAN)})
    assert build_errors(site, today=DAY) == [
        "content/modules/m.md:11:1: error: the plan's segments add up to 30 minutes, but the module's duration is 45"]


def test_prerequisite_cycles_are_errors_and_order_within_a_track_a_warning(make_site: SiteMaker) -> None:
    site = kit_site(make_site, **{"content/modules/m.md": module(prerequisites="[n.md]"),
                                  "content/modules/n.md": module("Second", order=2, prerequisites="[m.md]")})
    errors = build_errors(site, today=DAY)
    assert any("the modules' prerequisites form a cycle: content/modules/m.md -> content/modules/n.md -> "
               "content/modules/m.md" in e for e in errors), errors
    site = kit_site(make_site, **{"content/modules/m.md": module(prerequisites="[n.md]"),
                                  "content/modules/n.md": module("Second", order=2)})
    warnings = [w.format().splitlines()[0] for w in build(site, today=DAY).warnings]
    assert "content/modules/m.md:11:1: warning: its prerequisite 'Second' comes later in the track 'Leading'" in warnings


@pytest.mark.parametrize("audience, shown", [("internal", False), ("restricted", True)])
def test_discussion_and_content_notes_on_the_story_page_for_facilitators_only(make_site: SiteMaker, audience: str,
                                                                             shown: bool) -> None:
    site = kit_site(make_site)
    build(site, today=DAY, audience=audience)
    page = html(site, "talks/a/index.html")
    assert (page.select_one(".facilitation") is not None) is shown
    assert ("Quokka-content-note" in str(page)) is shown


def test_handouts_never_hold_facilitator_or_content_notes(make_site: SiteMaker) -> None:
    site = kit_site(make_site)
    build(site, today=DAY, audience="restricted")
    for path in ("tracks/leading/handout/index.html", "modules/m/handout/index.html"):
        page = html(site, path)
        assert not any(marker in str(page) for marker in FACILITATOR_ONLY), path
        assert "What did the pilot say?" in text_of(page.select_one(".discussion"))
    pack = html(site, "tracks/leading/guide/index.html")
    assert all(marker in str(pack) for marker in FACILITATOR_ONLY)
    assert html(site, "modules/m/guide/index.html").select_one(".plan-table") is not None


def test_the_kit_prints_link_addresses_in_full(make_site: SiteMaker) -> None:
    site = kit_site(make_site)
    build(site, today=DAY, audience="restricted")
    page = html(site, "tracks/leading/handout/index.html")
    links = [a["href"] for a in page.select(".kit-story .prose a")]
    assert links == ["https://x.example/debriefs/r/", "https://x.example/talks/b/"]


def pdf_text(path: Path) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_with_pdf_each_kit_page_is_printed_and_read_by_the_audit(make_site: SiteMaker) -> None:
    site = kit_site(make_site)
    build(site, today=DAY, audience="restricted")
    assert not list((site / "public").rglob("*.pdf"))  # off by default
    build(site, today=DAY, audience="restricted", pdf=True)
    pdfs = sorted(p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*.pdf"))
    assert pdfs == ["modules/m/guide/m-facilitator-pack.pdf", "modules/m/handout/m-handout.pdf",
                    "tracks/leading/guide/leading-facilitator-pack.pdf", "tracks/leading/handout/leading-handout.pdf"]
    handout, pages = pdf_text(site / "public/tracks/leading/handout/leading-handout.pdf")
    assert pages == 2  # the cover, then the module: a new page
    assert "Participant handout".upper() in handout and "What did the pilot say?" in handout
    assert "2 / 2" in handout and "(https://x.example/talks/b/)" in handout.replace("\n", "")
    assert not any(marker in handout for marker in FACILITATOR_ONLY)
    pack, _ = pdf_text(site / "public/tracks/leading/guide/leading-facilitator-pack.pdf")
    assert all(marker in pack for marker in FACILITATOR_ONLY)
    assert "The Product Lead pushed the launch" in pack
    for pdf in (site / "public").rglob("*.pdf"):
        text = pdf_text(pdf)[0].lower()
        assert not any(word in text for word in PROTECTED), pdf
    page = html(site, "tracks/leading/handout/index.html")
    assert page.find("a", string="Download the PDF")["href"] == "/tracks/leading/handout/leading-handout.pdf"


def test_pdfs_are_the_same_bytes_every_build_and_a_site_can_ask_for_them(make_site: SiteMaker) -> None:
    site = kit_site(make_site, CONFIG + "curriculum:\n  pdf: true\n  guide_audience: internal\n")
    build(site, today=DAY, use_cache=False)
    first = (site / "public/tracks/leading/guide/leading-facilitator-pack.pdf").read_bytes()
    build(site, today=DAY, use_cache=False)
    assert (site / "public/tracks/leading/guide/leading-facilitator-pack.pdf").read_bytes() == first


def test_the_guide_links_its_contents_and_keeps_its_headings_in_order(make_site: SiteMaker) -> None:
    review = ("---\ntitle: The review\ndate: 2026-03-01\nformat: aar\nwhys: [Why? Because.]\n"
              "actions:\n  - what: Fix it\n---\n## What we saw\n\nText.\n\n### Closer\n\nMore.\n")
    site = kit_site(make_site, **{"content/debriefs/r.md": review,
                                  "content/modules/n.md": module("Second", order=2, stories="[../debriefs/r.md]")})
    build(site, today=DAY, audience="restricted")
    guide = html(site, "tracks/leading/guide/index.html")
    levels = [int(h.name[1]) for h in guide.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    story = next(s for s in guide.select(".kit-story") if "The review" in s.h3.get_text())
    assert [h.name for h in story.find_all(["h4"])][:1] == ["h4"]  # the story's own sections beneath its title
    assert text_of(story.find("h4")).startswith("What we saw") and story.find("h5") is not None  # ### -> h5
    targets = [a["href"] for a in guide.select(".kit-contents a")]
    assert [t for t in targets if t.startswith("#module-")] == ["#module-1", "#module-2"]
    assert "#m2-r-story-title" in targets  # each story too, under its module
    assert all(len(guide.select(t)) == 1 for t in targets)  # every entry leads to one place


def test_a_kit_is_printed_again_only_when_what_it_prints_changed(make_site: SiteMaker,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import failsite.render.pdf as pdf
    printed: list[str] = []
    real = pdf.fork_map

    def counting(function, work, inherited, **options):  # type: ignore[no-untyped-def]
        printed.extend(target for _, target in work)
        return real(function, work, inherited, **options)

    monkeypatch.setattr(pdf, "fork_map", counting)
    site = kit_site(make_site, **{"content/modules/n.md": module("Second", order=2, stories="[../log/c.md]")})
    build(site, today=DAY, audience="restricted", pdf=True)
    assert len(printed) == 6  # each module's handout and the track's, with a guide each
    handout = (site / "public/modules/m/handout/m-handout.pdf").read_bytes()
    printed.clear()
    (site / "content/talks/b.md").write_text(talk("Unused story, retitled", patterns="[concrete]", body="Never."))
    build(site, today=DAY, audience="restricted", pdf=True)
    assert printed == []  # no kit shows that story: nothing printed, the same bytes published
    assert (site / "public/modules/m/handout/m-handout.pdf").read_bytes() == handout
    (site / "content/log/c.md").write_text("---\ntitle: A log entry, retitled\ndate: 2026-02-01\n"
                                           "patterns: [perceived]\n---\nText.\n")
    build(site, today=DAY, audience="restricted", pdf=True)
    assert sorted(printed) == ["modules/n/guide/n-facilitator-pack.pdf", "modules/n/handout/n-handout.pdf",
                               "tracks/leading/guide/leading-facilitator-pack.pdf",
                               "tracks/leading/handout/leading-handout.pdf"]  # the kits that show it, only
    assert "A log entry, retitled" in pdf_text(site / "public/modules/n/handout/n-handout.pdf")[0]
    printed.clear()
    (site / "static").mkdir()
    (site / "static/extra.txt").write_text("not read by any kit")
    build(site, today=DAY, audience="restricted", pdf=True)
    assert printed == []
    build(site, today=DAY, audience="restricted")  # a build without PDFs, and one for another audience, between
    build(site, today=DAY, audience="internal")
    build(site, today=DAY, audience="restricted", pdf=True)
    assert printed == []  # the PDFs were kept for the next build that prints
