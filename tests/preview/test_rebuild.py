"""The preview's incremental rebuilds: which outputs each kind of edit renders again and rewrites."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from conftest import SiteMaker, talk
from failsite.preview.changes import classify
import failsite.preview.rebuild as rebuild_module
from failsite.preview.rebuild import Preview, RebuildReport
from failsite.privacy.publish import Audience

FILES = {
    "content/talks/a.md": talk("Alpha", "2026-03-01", patterns="[concrete]", tags="[launches]"),
    "content/talks/b.md": talk("Bravo", "2026-02-01", patterns="[paralysis]", summary="Bravo in brief."),
    "content/talks/c.md": talk("Charlie", "2026-01-01", patterns="[paralysis]", body="See [Bravo](b.md)."),
    "content/log/entry.md": "---\ntitle: Log entry\ndate: 2025-12-01\npatterns: [identity]\n---\nText.\n",
    "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nAbout.\n",
}


@pytest.fixture
def live(make_site: SiteMaker, tmp_path: Path) -> tuple[Path, Preview]:
    site = make_site(FILES)
    preview = Preview(site, tmp_path / "preview", Audience(today=__import__("datetime").date(2026, 6, 1)))
    assert preview.rebuild().ok
    return site, preview


def edit(site: Path, preview: Preview, relative: str, text: str | None) -> RebuildReport:
    path = site / relative
    if text is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    report = preview.rebuild(classify([path], preview.config, preview.theme))
    assert report.ok, [d.format() for d in report.diagnostics]
    return report


def test_body_edit_rewrites_only_the_item_page(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "content/talks/b.md", talk("Bravo", "2026-02-01", patterns="[paralysis]",
                                                            summary="Bravo in brief.", body="A longer story."))
    # The feeds carry full content: the site's and the pattern's.
    assert report.written == ("atom.xml", "patterns/paralysis/atom.xml", "talks/b/index.html")
    assert "A longer story." in (preview.out_dir / "talks/b/index.html").read_text()
    # Pages that show Bravo were looked at again; nothing unrelated was.
    assert "talks/b/index.html" in report.rendered and "log/entry/index.html" not in report.rendered
    assert "talks/a/index.html" not in report.rendered


def test_title_edit_reaches_every_page_that_shows_the_item(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "content/talks/b.md", talk("Bravo renamed", "2026-02-01", patterns="[paralysis]"))
    assert {"talks/b/index.html", "talks/index.html", "patterns/paralysis/index.html", "index.html",
            "atom.xml", "practices/faillab-talk/index.html"} <= set(report.written)
    assert "log/entry/index.html" not in report.written and "patterns/identity/index.html" not in report.written
    for path in ("talks/index.html", "patterns/paralysis/index.html", "index.html"):
        assert "Bravo renamed" in (preview.out_dir / path).read_text()


def test_a_linking_item_follows_a_slug_change(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "content/talks/b.md", talk("Bravo", "2026-02-01", slug="bravo-two",
                                                            patterns="[paralysis]"))
    assert "talks/b/index.html" in report.written and not (preview.out_dir / "talks/b").exists()
    assert 'href="/talks/bravo-two/"' in (preview.out_dir / "talks/c/index.html").read_text()


def test_new_item_appears_in_its_lists_and_a_new_term_gets_pages(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "content/talks/d.md", talk("Delta", "2026-04-01", patterns="[perceived]",
                                                            tags="[brand new]"))
    assert {"talks/d/index.html", "tags/brand-new/index.html", "tags/index.html", "patterns/perceived/index.html",
            "patterns/index.html", "talks/index.html", "index.html", "sitemap.xml"} <= set(report.written)


def test_deleted_item_disappears_from_every_list(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "content/talks/a.md", None)
    assert not (preview.out_dir / "talks/a").exists() and not (preview.out_dir / "tags/launches").exists()
    assert "tags/launches/index.html" in report.written
    for page in preview.out_dir.rglob("*.html"):
        assert "Alpha" not in page.read_text(), page


def test_rename_moves_the_page(live: tuple[Path, Preview]) -> None:
    site, preview = live
    (site / "content/talks/a.md").rename(site / "content/talks/alpha.md")
    report = preview.rebuild(classify([site / "content/talks/a.md", site / "content/talks/alpha.md"],
                                      preview.config, preview.theme))
    assert report.ok and {"talks/a/index.html", "talks/alpha/index.html"} <= set(report.written)
    assert not (preview.out_dir / "talks/a").exists() and (preview.out_dir / "talks/alpha/index.html").exists()


def test_template_change_renders_the_pages_that_use_it(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "templates/log.html",
                  "{% extends 'item.html' %}{% block details %}<p id=own>Own log layout</p>{% endblock %}")
    assert "log/entry/index.html" in report.written  # a new override folder: a full rebuild picks it up
    assert "Own log layout" in (preview.out_dir / "log/entry/index.html").read_text()
    report = edit(site, preview, "templates/log.html",
                  "{% extends 'item.html' %}{% block details %}<p id=own>Changed again</p>{% endblock %}")
    assert report.written == ("log/entry/index.html",)
    assert [p for p in report.rendered if p.startswith(("talks/", "log/entry"))] == ["log/entry/index.html"]


def test_a_partial_change_renders_every_page_that_includes_it(live: tuple[Path, Preview]) -> None:
    site, preview = live
    (site / "templates/partials").mkdir(parents=True)
    preview.rebuild(None)
    report = edit(site, preview, "templates/partials/pager.html", "<nav class=pager>custom</nav>")
    assert set(report.rendered) >= {"talks/index.html", "patterns/concrete/index.html"}
    assert "talks/a/index.html" not in report.rendered  # item pages do not include the pager


def test_static_change_copies_only_that_file(live: tuple[Path, Preview]) -> None:
    site, preview = live
    (site / "static/css").mkdir(parents=True)
    preview.rebuild(None)
    report = edit(site, preview, "static/css/extra.css", "body { color: red }")
    assert report.rendered == () and report.written == ("css/extra.css",) and report.css_only


def test_config_change_rebuilds_everything(live: tuple[Path, Preview]) -> None:
    site, preview = live
    report = edit(site, preview, "site.yaml", "title: Renamed site\n")
    assert "index.html" in report.written and "talks/b/index.html" in report.written
    assert "Renamed site" in (preview.out_dir / "log/entry/index.html").read_text()


def test_a_broken_edit_keeps_the_last_good_preview_and_recovers(live: tuple[Path, Preview]) -> None:
    site, preview = live
    before = (preview.out_dir / "talks/b/index.html").read_text()
    path = site / "content/talks/b.md"
    path.write_text("---\ntitle: [broken\n---\n")
    report = preview.rebuild(classify([path], preview.config, preview.theme))
    assert not report.ok
    assert report.diagnostics[0].format().startswith("content/talks/b.md:2:8: error: invalid YAML")
    assert (preview.out_dir / "talks/b/index.html").read_text() == before
    assert edit(site, preview, "content/talks/b.md", talk("Bravo fixed", "2026-02-01")).ok
    assert "Bravo fixed" in (preview.out_dir / "talks/b/index.html").read_text()


def test_preview_matches_a_full_build_after_many_edits(live: tuple[Path, Preview], tmp_path: Path) -> None:
    from failsite.build import build_site
    site, preview = live
    edit(site, preview, "content/talks/b.md", talk("Bravo two", "2026-05-01", patterns="[identity]"))
    edit(site, preview, "content/talks/c.md", None)
    edit(site, preview, "content/log/new.md", "---\ntitle: New entry\ndate: 2026-05-02\n---\nNew.\n")
    build_site(site, tmp_path / "full", today=__import__("datetime").date(2026, 6, 1))
    # The search index is refreshed on full rebuilds only; everything else must match a build exactly.
    preview_files = {p.relative_to(preview.out_dir).as_posix(): p.read_bytes()
                     for p in preview.out_dir.rglob("*") if p.is_file() and "pagefind" not in p.parts}
    # The preview is never shared: it draws no social cards (a link preview reads the published site's).
    full_files = {p.relative_to(tmp_path / "full").as_posix(): p.read_bytes()
                  for p in (tmp_path / "full").rglob("*")
                  if p.is_file() and p.name not in (".failsite-output", "card.png") and "pagefind" not in p.parts}
    assert set(preview_files) == set(full_files)
    differing = [p for p in full_files if full_files[p] != preview_files[p] and not p.endswith(".html")]
    assert differing == []
    for path in (p for p in full_files if p.endswith(".html")):
        # The preview links static files without a content hash so a CSS edit needs no page rebuild.
        assert preview_files[path] == __import__("re").sub(rb"\?v=[0-9a-f]+\"", b'"', full_files[path]), path


def indexed_text(folder: Path) -> str:
    """Everything a search bundle holds, decompressed: what a search can find."""
    import gzip
    return "".join(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                   for p in sorted((folder / "fragment").glob("*")))


def test_after_an_edit_the_search_finds_the_new_words(live: tuple[Path, Preview]) -> None:
    site, preview = live
    assert "zephyrine" not in indexed_text(preview.out_dir / "pagefind")
    edit(site, preview, "content/talks/a.md", talk("Alpha", "2026-03-01", body="A zephyrine wind."))
    assert "zephyrine" not in indexed_text(preview.out_dir / "pagefind")  # the reload comes first
    assert preview.refresh_search() == []
    assert "zephyrine" in indexed_text(preview.out_dir / "pagefind")
    preview.close()  # the replaced bundle and Pagefind's links are removed in the background
    assert [p.name for p in preview.out_dir.iterdir() if ".indexing" in p.name] == []
    assert list(preview.out_dir.parent.glob(".search-*")) == []


def test_a_search_refresh_gives_way_to_a_waiting_save(live: tuple[Path, Preview], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import pagefind_bin
    site, preview = live
    edit(site, preview, "content/talks/a.md", talk("Alpha", "2026-03-01", body="A zephyrine wind."))
    slow = tmp_path / "slow-pagefind"  # an indexer that would take a minute: only being ended lets the test go on
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    indexer = pagefind_bin.get_executable
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: slow)
    asked: list[bool] = []

    def saved_since() -> bool:  # a save arrives once the indexer has started
        asked.append(True)
        return len(asked) > 1

    assert preview.refresh_search(interrupted=saved_since) == []
    assert len(asked) == 2
    assert "zephyrine" not in indexed_text(preview.out_dir / "pagefind")  # the last index stays whole
    assert "Alpha" in indexed_text(preview.out_dir / "pagefind")
    monkeypatch.setattr(pagefind_bin, "get_executable", indexer)
    assert preview.refresh_search() == []  # the next refresh indexes what the interrupted one did not
    assert "zephyrine" in indexed_text(preview.out_dir / "pagefind")
    preview.close()
    assert [p.name for p in preview.out_dir.iterdir() if ".indexing" in p.name] == []
    assert list(preview.out_dir.parent.glob(".search-*")) == []


def _told_and_assembled(preview: Preview, monkeypatch: pytest.MonkeyPatch, page: str, change: object
                        ) -> tuple[list[str], list[str]]:
    """Rebuild for `change` with a browser showing `page`: the order in which the browser was told to reload and the
    site was assembled, and what the page held each time the browser was told."""
    order: list[str] = []
    shown: list[str] = []
    assemble = rebuild_module.assemble_site

    def assembling(*args, **kwargs):  # type: ignore[no-untyped-def]
        order.append("assembled")
        return assemble(*args, **kwargs)

    def early(pages: frozenset[str]) -> None:
        order.append("told")
        shown.append((preview.out_dir / page).read_text())

    @contextmanager
    def meanwhile() -> Iterator[None]:  # the server lets requests read the folder while the other pages render
        order.append("answering")
        yield

    monkeypatch.setattr(rebuild_module, "assemble_site", assembling)
    report = preview.rebuild(change, viewed=frozenset({page}), early=early,  # type: ignore[arg-type]
                             meanwhile=meanwhile())
    assert report.ok, [d.format() for d in report.diagnostics]
    return order, shown


def test_a_text_edit_writes_the_open_page_before_the_site_is_assembled(
        live: tuple[Path, Preview], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, preview = live
    # Charlie's summary is its first paragraph: a text edit changes it, and its word count, too.
    (site / "content/talks/c.md").write_text(talk("Charlie", "2026-01-01", patterns="[paralysis]",
                                                  body="Quite different words now. See [Bravo](b.md)."))
    order, shown = _told_and_assembled(preview, monkeypatch, "talks/c/index.html",
                                       classify([site / "content/talks/c.md"], preview.config, preview.theme))
    assert order == ["told", "answering", "assembled"]  # and requests are answered from then on
    assert "Quite different words now." in shown[0]
    # What the browser was shown first is what the whole rebuild made, and what a fresh preview makes.
    assert shown[0] == (preview.out_dir / "talks/c/index.html").read_text()
    fresh = Preview(site, tmp_path / "fresh", Audience(today=__import__("datetime").date(2026, 6, 1)))
    assert fresh.rebuild().ok
    assert shown[0] == (tmp_path / "fresh/talks/c/index.html").read_text()
    assert "Quite different words now." in (preview.out_dir / "talks/index.html").read_text()  # the card's summary


def test_a_front_matter_edit_waits_for_the_site(live: tuple[Path, Preview], monkeypatch: pytest.MonkeyPatch) -> None:
    site, preview = live
    (site / "content/talks/c.md").write_text(talk("Charlie", "2026-01-01", patterns="[identity]",
                                                  body="See [Bravo](b.md)."))
    order, shown = _told_and_assembled(preview, monkeypatch, "talks/c/index.html",
                                       classify([site / "content/talks/c.md"], preview.config, preview.theme))
    assert order == ["assembled", "told", "answering"] and "identity" in shown[0]


def test_an_early_page_the_rebuild_makes_otherwise_is_written_again_and_reloaded(
        live: tuple[Path, Preview], monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace
    site, preview = live
    views = rebuild_module._views

    def stale_early_views(renderer, site_, bodies, static, like=None):  # type: ignore[no-untyped-def]
        if like is not None:  # the early pages only: their views are made from the last site's
            item, body = bodies["talks/c.md"]
            bodies = {**bodies, "talks/c.md": (item, replace(body, html="<p>Stale words.</p>", parts=()))}
        return views(renderer, site_, bodies, static, like)

    monkeypatch.setattr(rebuild_module, "_views", stale_early_views)
    (site / "content/talks/c.md").write_text(talk("Charlie", "2026-01-01", patterns="[paralysis]",
                                                  body="Fresh words. See [Bravo](b.md)."))
    order, shown = _told_and_assembled(preview, monkeypatch, "talks/c/index.html",
                                       classify([site / "content/talks/c.md"], preview.config, preview.theme))
    assert order == ["told", "answering", "assembled", "told"]
    assert "Stale words." in shown[0] and "Fresh words." in shown[1] and "Stale words." not in shown[1]


def test_search_refresh_rebuilds_only_changed_bundles_and_drops_extra_ones(
        live: tuple[Path, Preview], monkeypatch: pytest.MonkeyPatch) -> None:
    import failsite.render.search
    site, preview = live
    monkeypatch.setattr(failsite.render.search, "SHARD_PAGES", 1)
    preview.refresh_search()
    bundles = sorted(p.name for p in preview.out_dir.iterdir() if p.name.startswith("pagefind"))
    assert len(bundles) >= 2
    stamps = {name: (preview.out_dir / name / "pagefind-entry.json").stat().st_ino for name in bundles}
    assert preview.refresh_search() == []  # nothing changed: nothing re-indexed
    assert {name: (preview.out_dir / name / "pagefind-entry.json").stat().st_ino for name in bundles} == stamps
    monkeypatch.setattr(failsite.render.search, "SHARD_PAGES", 2000)
    preview.refresh_search()
    assert sorted(p.name for p in preview.out_dir.iterdir() if p.name.startswith("pagefind")) == ["pagefind"]


def test_pages_a_browser_shows_are_written_before_the_rest(live: tuple[Path, Preview]) -> None:
    site, preview = live
    (site / "content/talks/b.md").write_text(talk("Bravo renamed", "2026-02-01", patterns="[paralysis]"))
    seen: dict[str, object] = {}

    def early(pages: frozenset[str]) -> None:  # what a browser showing Bravo's page finds when told to reload
        seen["pages"] = pages
        seen["page"] = (preview.out_dir / "talks/b/index.html").read_text()
        seen["list"] = (preview.out_dir / "talks/index.html").read_text()

    report = preview.rebuild(classify([site / "content/talks/b.md"], preview.config, preview.theme),
                             viewed=frozenset({"talks/b/index.html", "about/index.html"}), early=early)
    assert report.ok and seen["pages"] == frozenset({"talks/b/index.html"})  # about/ did not change
    assert "Bravo renamed" in str(seen["page"]) and "Bravo renamed" not in str(seen["list"])
    assert "Bravo renamed" in (preview.out_dir / "talks/index.html").read_text()  # the rest, written after
    assert {"talks/b/index.html", "talks/index.html"} <= set(report.written)


def test_a_page_written_first_is_audited_before_the_browser_is_told(live: tuple[Path, Preview],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site, preview = live
    audited: list[str] = []
    audit = rebuild_module.audit_files

    def recording_audit(files, *args, **kwargs):  # type: ignore[no-untyped-def]
        files = list(files)
        audited.extend(path for path, _ in files)
        return audit(files, *args, **kwargs)

    monkeypatch.setattr(rebuild_module, "audit_files", recording_audit)
    (site / "content/talks/b.md").write_text(talk("Bravo", "2026-02-01", body="A new paragraph."))
    told: list[list[str]] = []
    report = preview.rebuild(classify([site / "content/talks/b.md"], preview.config, preview.theme),
                             viewed=frozenset({"talks/b/index.html"}), early=lambda pages: told.append(list(audited)))
    assert report.ok and told == [["talks/b/index.html"]]  # audited, and nothing else yet, when the browser is told
