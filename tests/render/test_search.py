"""Search bundles: pages split into shards by a hash of their path, each bundle rebuilt only when its pages change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import failsite.render.search
from conftest import SiteMaker, build, html, talk, tree_digest
from failsite.render.search import bundle_folder, is_search_bundle_file, search_document, shards

COMPLETE = Path(__file__).parents[1] / "fixtures" / "sites" / "complete"


@given(st.sets(st.from_regex(r"[a-z]{1,8}/[a-z0-9-]{1,12}/index\.html", fullmatch=True), max_size=60),
       st.integers(1, 7))
def test_shards_hold_every_page_once_none_empty_none_too_full(paths: set[str], size: int) -> None:
    original = failsite.render.search.SHARD_PAGES
    failsite.render.search.SHARD_PAGES = size
    try:
        split = shards(sorted(paths))
        again = shards(sorted(paths, reverse=True))
    finally:
        failsite.render.search.SHARD_PAGES = original
    assert split == again  # the order pages come in does not matter
    assert sorted(p for shard in split for p in shard) == sorted(paths)
    assert all(shard for shard in split)
    assert len(split) <= min(-(-len(paths) // size), failsite.render.search.MAX_BUNDLES)


def test_bundle_folders_and_what_counts_as_a_bundle_file() -> None:
    assert [bundle_folder(n) for n in range(3)] == ["pagefind", "pagefind-1", "pagefind-2"]
    assert is_search_bundle_file("pagefind/pagefind.js") and is_search_bundle_file("pagefind-12/index/en_1.pf_index")
    assert not is_search_bundle_file("pagefind-notes/index.html") and not is_search_bundle_file("pagefind")
    assert not is_search_bundle_file("talks/pagefind/index.html")


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(failsite.render.search, "SHARD_PAGES", 2)


def bundle_bytes(site: Path) -> dict[str, dict[str, bytes]]:
    return {folder.name: {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
            for folder in sorted((site / "public").iterdir()) if is_search_bundle_file(folder.name + "/")}


def test_a_large_site_is_searched_through_merged_bundles(make_site: SiteMaker, small_shards: None) -> None:
    site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}", body=f"Word{n} here.") for n in range(6)})
    build(site)
    bundles = bundle_bytes(site)
    assert len(bundles) >= 2 and sorted(bundles) == [bundle_folder(n) for n in range(len(bundles))]
    script = html(site, "search/index.html").find_all("script")[-1].string
    merged = re.findall(r'\{ bundlePath: "([^"]+)" \}', script)
    assert merged == [f"/{bundle_folder(n)}/" for n in range(1, len(bundles))]
    counts = [int(re.search(rb'"page_count":(\d+)', files["pagefind-entry.json"]).group(1)) for files in bundles.values()]
    assert sum(counts) == 6  # every story in exactly one bundle
    assert "pagefind-ui.js" in bundles["pagefind"] and "wasm.en.pagefind" in bundles["pagefind"]
    assert all(not name.endswith((".js", ".css")) and not name.startswith("wasm.")  # the first bundle serves those
               for bundle, files in bundles.items() if bundle != "pagefind" for name in files)


def test_an_edit_rebuilds_only_the_bundle_that_holds_the_page(make_site: SiteMaker, small_shards: None) -> None:
    site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}", body=f"Word{n} here.") for n in range(6)})
    build(site)
    before = bundle_bytes(site)
    (site / "content/talks/t0.md").write_text(talk("Talk 0", body="Word0 here, and zephyr."))
    build(site)
    after = bundle_bytes(site)
    holder = next(n for n, shard in enumerate(shards([f"talks/t{n}/index.html" for n in range(6)]))
                  if "talks/t0/index.html" in shard)
    assert [name for name in before if before[name] != after[name]] == [bundle_folder(holder)]


def test_a_bundle_file_is_still_audited_as_json(make_site: SiteMaker, small_shards: None) -> None:
    from failsite.privacy.audit import audit_files
    from conftest import REGISTRY
    from failsite.privacy.registry import load_registry
    (make_site({}) / "people.yaml").write_text(REGISTRY)
    registry = load_registry(make_site({}) / "people.yaml", "people.yaml")
    findings = audit_files([("pagefind-3/pagefind-entry.json", b'{"x": "Dana Whitfield"}'),
                            ("pagefind-3/pagefind-ui.js", b"Dana Whitfield")], registry, {}, "public",
                           skip=failsite.render.search.unreadable_by_audit)
    assert [f.path for f in findings] == ["public/pagefind-3/pagefind-entry.json"]


PAGE = (b'<!doctype html><html lang="en"><head><title>T</title><style>p{}</style></head><body><header><nav>Menu</nav>'
        b'</header><main><article class="item" data-pagefind-body><h1>Title</h1>'
        b'<div hidden data-pagefind-ignore><span data-pagefind-filter="type">Talk</span></div>'
        b'<p>Kept words.</p><section data-pagefind-ignore><article class="card">Related</article>'
        b'<section><p>Nested</p></section></section><p>More words.</p><footer data-pagefind-ignore>Tags</footer>'
        b'</article></main><footer>Site footer</footer></body></html>')


def test_a_search_document_is_the_head_and_the_indexed_element_without_what_pagefind_ignores() -> None:
    document = search_document(PAGE)
    assert document == (b'<!doctype html><html lang="en"><head><title>T</title><style>p{}</style></head><body>'
                        b'<article class="item" data-pagefind-body><h1>Title</h1>'
                        b'<div hidden data-pagefind-ignore><span data-pagefind-filter="type">Talk</span></div>'
                        b'<p>Kept words.</p><p>More words.</p></article></body></html>')
    assert search_document(PAGE.replace(b"<article", b"<ARTICLE").replace(b"</article", b"</Article")) is not None
    mention = PAGE.replace(b"<p>Kept words.</p>", b"<p>Kept words, and data-pagefind-ignore in the prose.</p>")
    assert b"in the prose" in search_document(mention)  # the words of a story about Pagefind stay in its index


@pytest.mark.parametrize("page", [
    PAGE.replace(b" data-pagefind-body", b""),  # nothing marked: Pagefind reads the whole page
    PAGE.replace(b"<p>Kept", b"<p data-pagefind-body>Kept"),  # two marked elements
    PAGE.replace(b"<nav>", b'<nav data-pagefind-meta="x">'),  # metadata outside the indexed element
    PAGE.replace(b"Site footer", b'<span data-pagefind-filter="y">f</span>'),
    PAGE.replace(b"<p>More", b"<script>'</article>'</script><p>More"),  # tags that cannot be counted
    PAGE.replace(b"<p>More", b"<!-- </article> --><p>More"),
    PAGE.replace(b"</article></main>", b"</main>"),  # never closed
    PAGE.replace(b"</section><p>More", b"<p>More"),  # an ignored element never closed
    PAGE.replace(b"<p>Kept", b'<p title="a data-pagefind-ignore b">Kept'),  # inside a quoted value
    PAGE.replace(b'class="item" data-pagefind-body', b"class='item' data-pagefind-body"),
    PAGE.replace(b"<p>Kept words.", b"<p>Kept words about data-pagefind-body."),  # named twice
])
def test_a_page_whose_cut_is_not_certain_is_given_whole(page: bytes) -> None:
    assert search_document(page) is None


def test_pagefind_indexes_the_search_documents_into_the_same_bundles_as_whole_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cut, whole = tmp_path / "cut", tmp_path / "whole"
    for site in (cut, whole):
        shutil.copytree(COMPLETE, site)
    given: list[bytes] = []

    def counted(page: bytes) -> bytes | None:
        document = search_document(page)
        given.append(document or b"")
        return document
    monkeypatch.setattr(failsite.render.search, "search_document", counted)
    build(cut)
    assert len(given) >= 5 and all(given)  # every searchable page of the complete site is cut
    monkeypatch.setattr(failsite.render.search, "search_document", lambda page: None)
    build(whole)
    bundles = sorted(p.name for p in (cut / "public").iterdir() if p.name.startswith("pagefind"))
    assert bundles and all(tree_digest(cut / "public" / b) == tree_digest(whole / "public" / b) for b in bundles)
    assert not [p for p in tmp_path.rglob(".search-*")]  # the documents are removed with the build's other folders


def test_an_edit_gives_pagefind_the_documents_of_the_pages_it_reused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(COMPLETE, site)
    build(site)
    talk_source = site / "content/talks/launch.md"
    talk_source.write_text(talk_source.read_text() + "\nOne more sentence.\n")
    given: dict[str, bool] = {}
    original = failsite.render.search.start_index

    def recorded(folder: Path, pages: list[str], bundle: str, shown: str, documents: Path | None = None):  # type: ignore[no-untyped-def]
        given.update((page, documents is not None and (documents / page).is_file()) for page in pages)
        return original(folder, pages, bundle, shown, documents)
    monkeypatch.setattr(failsite.render.search, "start_index", recorded)
    result = build(site)
    assert len(given) >= 5 and all(given.values())
    reused = {o.path for o in result.outputs if o.searchable} - {p for p in given}
    assert reused == set()  # the complete site is one bundle: every page of it was indexed again
