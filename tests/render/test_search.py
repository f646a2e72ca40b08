"""Search bundles: pages split into shards by a hash of their path, each bundle rebuilt only when its pages change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import failsite.render.search
from conftest import SiteMaker, build, html, talk
from failsite.render.search import bundle_folder, is_search_bundle_file, shards


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
