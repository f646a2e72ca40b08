"""The build cache never serves a stale page: each kind of edit shows up in the next build."""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SiteMaker, build, html, talk, text_of
from failsite.engine.cache import CACHE_DIR, reports_damage
from failsite.content.items import Item
from failsite.privacy.audit import FileAudit
from failsite.render import renderer
import failsite.build as build_module
from conftest import CONFIG, REGISTRY
from conftest import tree_digest

COMPLETE = Path(__file__).parents[1] / "fixtures" / "sites" / "complete"


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    return make_site({
        "people.yaml": REGISTRY,
        "content/talks/a.md": talk("Alpha", patterns="[concrete]", body="Dana told [the review](../debriefs/r.md)."),
        "content/debriefs/r.md": "---\ntitle: Review\ndate: 2026-01-01\nformat: aar\npatterns: [concrete]\n---\nBody.\n",
        "content/modules/m.md": "---\ntitle: M\nduration: 30\nstories: [../talks/a.md]\n---\nModule.\n",
    }, config=CONFIG)


def test_a_warm_build_is_byte_identical_to_a_cold_one(tmp_path: Path) -> None:
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    shutil.copytree(COMPLETE, warm)
    shutil.copytree(COMPLETE, cold)
    build(warm)
    assert (warm / CACHE_DIR / "cache.sqlite3").exists()
    build(warm)
    build(cold)
    assert tree_digest(warm / "public") == tree_digest(cold / "public")


def test_template_and_partial_edits_reach_the_pages(site: Path) -> None:
    build(site)
    (site / "templates/partials").mkdir(parents=True)
    (site / "templates/partials/terms.html").write_text("<p id=terms>own terms</p>")
    build(site)
    assert text_of(html(site, "talks/a/index.html").find(id="terms")) == "own terms"
    (site / "templates/partials/terms.html").write_text("<p id=terms>changed</p>")
    build(site)
    assert text_of(html(site, "talks/a/index.html").find(id="terms")) == "changed"


def test_a_site_yaml_change_reaches_cached_bodies(site: Path) -> None:
    build(site)
    (site / "site.yaml").write_text(CONFIG.replace("base_url: https://x.example/", "base_url: https://x.example/new/"))
    build(site)
    link = html(site, "talks/a/index.html").select_one(".prose a")
    assert link["href"] == "/new/debriefs/r/"


def test_a_registry_change_reaches_cached_bodies(site: Path) -> None:
    build(site)
    assert "The Product Lead told" in text_of(html(site, "talks/a/index.html").select_one(".prose"))
    (site / "people.yaml").write_text(REGISTRY.replace("pseudonym: The Product Lead", "pseudonym: The Launch Owner"))
    build(site)
    assert "The Launch Owner told" in text_of(html(site, "talks/a/index.html").select_one(".prose"))


def test_a_linked_pages_title_and_slug_reach_the_pages_that_show_them(site: Path) -> None:
    build(site)
    (site / "content/talks/a.md").write_text(talk("Alpha renamed", slug="alpha", patterns="[concrete]",
                                                  body="Dana told [the review](../debriefs/r.md)."))
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\nslug: review\n"
                                                "patterns: [concrete]\n---\nBody.\n")
    build(site)
    assert html(site, "talks/alpha/index.html").select_one(".prose a")["href"] == "/debriefs/review/"
    assert [text_of(a) for a in html(site, "modules/m/index.html").select(".card-title a")] == ["Alpha renamed"]


def test_a_target_turning_draft_makes_the_cached_link_plain_text_with_its_warning(site: Path) -> None:
    build(site)
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\ndraft: true\n---\n")
    result = build(site)
    assert [w.message for w in result.warnings] == ["link to '../debriefs/r.md' points at an item that is not "
                                                    "published (a draft)"]
    assert html(site, "talks/a/index.html").select_one(".prose a") is None


def test_a_taxonomy_description_change_reaches_the_term_page(site: Path) -> None:
    build(site)
    (site / "site.yaml").write_text(CONFIG + "taxonomies:\n  patterns:\n    terms:\n      concrete: {description: Ours.}\n")
    build(site)
    assert text_of(html(site, "patterns/concrete/index.html").select_one(".lede")) == "Ours."


def test_the_search_index_is_kept_only_while_the_pages_are_the_same(site: Path) -> None:
    build(site)
    first = tree_digest(site / "public/pagefind")
    build(site)
    assert tree_digest(site / "public/pagefind") == first
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]", body="A brand new word: zephyr."))
    build(site)
    assert tree_digest(site / "public/pagefind") != first


def cold_output(site: Path, tmp_path: Path) -> dict[str, str]:
    """The output of a cold build of the same site, for comparison."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    build(cold)
    return tree_digest(cold / "public")


def test_an_entry_that_fails_its_checksum_is_never_published(site: Path, tmp_path: Path) -> None:
    import sqlite3
    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    with database:  # what a flipped bit inside a stored body does: the bytes change, the checksum does not
        for namespace, key, value in database.execute("SELECT namespace, key, value FROM entries").fetchall():
            database.execute("UPDATE entries SET value = ? WHERE namespace = ? AND key = ?",
                             (value[: len(value) // 2] + bytes([value[len(value) // 2] ^ 0x20]) + value[len(value) // 2 + 1:],
                              namespace, key))
    database.close()
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]", body="Edited."))
    result = build(site)
    assert any("does not match its checksum" in w.message for w in result.warnings)
    assert tree_digest(site / "public") == cold_output(site, tmp_path)
    assert build(site).warnings == []  # the new cache is trusted again


def test_reading_many_entries_at_once_trusts_none_of_them_after_one_fails_its_checksum(site: Path) -> None:
    import sqlite3

    from failsite.engine.cache import load_cache

    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    keys = [k for (k,) in database.execute("SELECT key FROM entries WHERE namespace = 'bodies' ORDER BY key")]
    with database:
        database.execute("UPDATE entries SET checksum = 'x' WHERE namespace = 'bodies' AND key = ?", (keys[-1],))
    database.close()
    cache, _ = load_cache(site)
    assert set(cache.bodies.get_many(keys[:-1])) == set(keys[:-1])  # the damaged row was not asked for
    cache.used_bodies["made-by-this-build"] = "fresh"
    assert cache.bodies.get_many(keys + ["made-by-this-build", "never-stored"]) == {"made-by-this-build": "fresh"}
    assert [w.message for w in cache.warnings] == ["the build cache is damaged and was set aside: an entry of "
                                                   "'bodies' does not match its checksum"]
    assert cache.bodies.get(keys[0]) is None


@pytest.mark.parametrize("damage", ["flipped bytes", "truncated", "a folder", "the cache folder a file", "garbage"])
def test_a_damaged_cache_means_a_warning_and_a_correct_build(site: Path, tmp_path: Path, damage: str) -> None:
    build(site)
    database = site / CACHE_DIR / "cache.sqlite3"
    if damage == "flipped bytes":
        data = bytearray(database.read_bytes())
        for offset in range(100, len(data), max(len(data) // 40, 1)):
            data[offset] ^= 0xFF
        database.write_bytes(bytes(data))
    elif damage == "truncated":
        database.write_bytes(database.read_bytes()[: database.stat().st_size // 3])
    elif damage == "a folder":
        database.unlink()
        database.mkdir()
    elif damage == "the cache folder a file":
        shutil.rmtree(site / CACHE_DIR)
        (site / CACHE_DIR).write_text("not a folder")
    else:
        database.write_bytes(b"not a database at all" * 100)
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]", body="Edited again."))
    result = build(site)
    assert tree_digest(site / "public") == cold_output(site, tmp_path)
    assert all(w.path.startswith(CACHE_DIR) for w in result.warnings if "cache" in w.message)
    assert build(site, use_cache=False).outputs  # --no-cache works whatever was there
    assert build(site).warnings == []


def test_a_cache_from_another_version_is_ignored(site: Path) -> None:
    import sqlite3
    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    with database:
        database.execute("UPDATE meta SET value = '0.0.0' WHERE name = 'version'")
    database.close()
    assert build(site).warnings == []


def test_a_kept_search_bundle_is_linked_from_the_last_output_unless_it_was_touched_since(site: Path) -> None:
    build(site)
    bundle = site / "public/pagefind"
    first = tree_digest(bundle)
    inodes = {p: p.stat().st_ino for p in bundle.rglob("*") if p.is_file()}
    entry = bundle / "pagefind-entry.json"
    entry.write_text(entry.read_text() + " ")  # changed by hand since it was published
    build(site)
    assert tree_digest(bundle) == first  # the touched file written again from the cache's copy
    for path, inode in inodes.items():
        assert (path.stat().st_ino == inode) == (path != entry), path
        assert path.stat().st_nlink == 1, path  # the old output is gone; the cache keeps bytes, never links
    assert not (site / CACHE_DIR / "search").exists() and not (site / CACHE_DIR / "build.pickle").exists()


def test_a_kept_search_bundle_still_as_published_is_linked_without_reading_its_bytes_from_the_cache(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from failsite.engine.cache import BuildCache
    build(site)
    bundle = site / "public/pagefind"
    first, inodes = tree_digest(bundle), {p: p.stat().st_ino for p in bundle.rglob("*") if p.is_file()}
    read: list[tuple[str, str]] = []
    original = BuildCache.read
    monkeypatch.setattr(BuildCache, "read", lambda self, namespace, key: read.append((namespace, key)) or original(
        self, namespace, key))
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("<!doctype html><title>Lost</title><p>Not here.</p>")  # searched by none
    build(site)
    assert tree_digest(bundle) == first and all(p.stat().st_ino == inode for p, inode in inodes.items())
    searched = [key for namespace, key in read if namespace == "search"]
    assert searched and all(key.endswith(":files") for key in searched), searched  # hashes only, no bytes


def test_the_leak_audit_still_fails_when_a_clean_file_becomes_a_leak(site: Path) -> None:
    from conftest import build_errors
    build(site)
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("<p>Ask Dana</p>")
    assert build_errors(site)[0].startswith('public/404.html:1:1: error: protected name of "Dana Whitfield"')


# -- warm builds equal cold builds after any sequence of edits ---------------------------------------------

DEMO = Path(__file__).parents[2]
TODAY = __import__("datetime").date(2026, 11, 1)
DEMO_FILES = sorted(p.relative_to(DEMO).as_posix() for p in (DEMO / "content").rglob("*.md"))


def _rewrite(site: Path, relative: str, pattern: str, replacement: str) -> None:
    path = site / relative
    if path.exists():
        path.write_text(re.sub(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M),
                        encoding="utf-8")


EDITS = {
    "retitle": lambda site, f, n: _rewrite(site, f, r"^title: (.*)$", rf"title: \1 (take {n})"),
    "redate": lambda site, f, n: _rewrite(site, f, r"^date: .*$", f"date: 2024-0{n % 9 + 1}-1{n % 9}"),
    "draft": lambda site, f, n: _rewrite(site, f, r"\A---\n", "---\ndraft: true\n"),
    "repattern": lambda site, f, n: _rewrite(site, f, r"^patterns: .*$", f"patterns: [{PATTERNS[n % 5]}]"),
    "retag": lambda site, f, n: _rewrite(site, f, r"^tags: \[", f"tags: [tag {n}, "),
    "name someone": lambda site, f, n: _rewrite(site, f, r"\Z", "\nKwame and Ines said it again.\n"),
    "retext": lambda site, f, n: _rewrite(site, f, r"\Z", f"\nAnother plain sentence, take {n}.\n"),
    "link": lambda site, f, n: _rewrite(site, f, r"\Z", f"\nSee [this](/{DEMO_FILES[n % len(DEMO_FILES)]}).\n"),
    "delete": lambda site, f, n: (site / f).unlink(missing_ok=True),
    "add a talk": lambda site, f, n: (site / f"content/talks/new-{n}.md").write_text(
        talk(f"New {n}", f"2026-0{n % 9 + 1}-02", patterns=f"[{PATTERNS[n % 5]}]", tags=f"[tag {n}]"),
        encoding="utf-8"),
    "registry": lambda site, f, n: _rewrite(site, "people.yaml", r"^  - name: Kwame Osei$",
                                            f"  - name: Kwame Osei\n    pseudonym: Reviewer {n}"),
    "site title": lambda site, f, n: _rewrite(site, "site.yaml", r"^title: (.*)$", rf"title: \1 {n}"),
    "template": lambda site, f, n: (site / "templates").mkdir(exist_ok=True) or (
        site / "templates/404.html").write_text(f"<!doctype html><title>Lost {n}</title><p>Not here {n}.</p>"),
}
PATTERNS = ("concrete", "circumstantial", "perceived", "identity", "paralysis")


def _outcome(site: Path, out: Path) -> tuple[str, ...] | str:
    from failsite.build import build_site
    from failsite.errors import FailsiteError
    try:
        build_site(site, out, today=TODAY)
    except FailsiteError as exc:
        return tuple(d.format() for d in exc.diagnostics)
    return tree_digest(out)


@settings(max_examples=int(os.environ.get("FAILSITE_CACHE_EXAMPLES", "6")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.sampled_from(DEMO_FILES), st.integers(1, 40)),
                min_size=1, max_size=3))
def test_warm_builds_equal_cold_builds_after_any_edits(tmp_path_factory: pytest.TempPathFactory,
                                                       edits: list[tuple[str, str, int]]) -> None:
    root = tmp_path_factory.mktemp("edits")
    warm = root / "warm"
    warm.mkdir()
    for name in ("site.yaml", "people.yaml", "content"):
        (shutil.copytree if name == "content" else shutil.copy)(DEMO / name, warm / name)
    _outcome(warm, warm / "public")
    for name, relative, n in edits:
        EDITS[name](warm, relative, n)
        cold = root / f"cold-{n}-{len(list(root.iterdir()))}"
        shutil.copytree(warm, cold, ignore=shutil.ignore_patterns("public", CACHE_DIR))
        assert _outcome(warm, warm / "public") == _outcome(cold, cold / "public"), (name, relative, n)


def test_a_published_page_changed_by_hand_is_rendered_again_not_reused(site: Path, tmp_path: Path) -> None:
    build(site)
    page = site / "public/modules/m/index.html"
    page.write_bytes(page.read_bytes().replace(b"</h1>", b" (edited by hand)</h1>"))
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    build(site)
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    build(cold)
    assert page.read_bytes() == (cold / "public/modules/m/index.html").read_bytes()
    assert b"edited by hand" not in page.read_bytes()


def test_reused_pages_are_linked_not_copied_and_the_old_output_is_gone(site: Path) -> None:
    build(site)
    before = (site / "public/modules/m/index.html").stat()
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    build(site)
    after = (site / "public/modules/m/index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in site.iterdir()) == sorted([".failsite-cache", "content", "people.yaml", "public",
                                                             "site.yaml"])


def test_a_page_rendered_again_is_recorded_again_so_the_build_after_reuses_it(site: Path) -> None:
    """A page's record is kept under its path: one that was rendered again must be replaced, or every later build
    renders it again (after a change to site.yaml, every page of the site, on every build)."""
    build(site)
    (site / "site.yaml").write_text(CONFIG + "footer: A new footer\n")  # every page is rendered again
    build(site)
    page = site / "public/modules/m/index.html"
    before = page.stat()
    assert b"A new footer" in page.read_bytes()
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    build(site)
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_body_rendered_again_under_its_key_is_kept_so_the_build_after_reuses_it(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body's key hashes its text, not where its links lead: when a link's target leaves the site, the body is
    rendered again under the same key, and that body must replace the one kept, or it is rendered on every build."""
    from failsite.render.renderer import Renderer

    build(site)
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\ndraft: true\n---\n")
    build(site)
    rendered: list[str] = []
    original = Renderer.body

    def counted(self, site_, item):  # type: ignore[no-untyped-def]
        rendered.append(item.key)
        return original(self, site_, item)
    monkeypatch.setattr(Renderer, "body", counted)
    build(site)
    assert rendered == []


def test_naming_the_site_folder_another_way_renders_no_page_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site.resolve())
    page = site / "public/modules/m/index.html"
    before = page.stat()
    monkeypatch.chdir(site)
    build(Path("."))
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def _settled(site: Path) -> None:
    """Date every source ten seconds back: a file written just before a build is read and hashed whatever it says."""
    for path in (site / "content").rglob("*.md"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10_000_000_000))


def test_a_source_unchanged_since_the_last_build_read_it_is_not_read_again(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import failsite.content.ingest

    _settled(site)
    build(site)
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]", body="Dana told it again."))
    read: list[str] = []
    original = failsite.content.ingest.read_source

    def counted(source):  # type: ignore[no-untyped-def]
        read.append(source.key)
        return original(source)
    monkeypatch.setattr(failsite.content.ingest, "read_source", counted)
    build(site)
    assert read == ["talks/a.md"]
    assert tree_digest(site / "public") == cold_output(site, tmp_path)


def test_a_source_rewritten_within_its_timestamp_is_read_again(site: Path) -> None:
    """Written just before a build, a file can change again within the same size and time: such a file is never
    trusted by its size and time."""
    build(site)  # the sources were written just now
    source = site / "content/talks/a.md"
    stat = source.stat()
    text = source.read_text()
    source.write_text(text.replace("Alpha", "Omega"))  # the same length
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.stat().st_size == stat.st_size
    build(site)
    assert text_of(html(site, "talks/a/index.html").find("h1")) == "Omega"


def test_a_source_the_snapshot_could_not_look_at_is_never_trusted(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import failsite.content.ingest
    from failsite.build import build_site

    _settled(site)
    original_snapshot = failsite.build.snapshot

    def blind(roots):  # type: ignore[no-untyped-def]
        found = original_snapshot(roots)
        for files in found.values():
            for entry in (files or {}).values():
                entry[:] = [-1, -1, None]  # as for a file that vanished or could not be read between listing and stat
        return found
    monkeypatch.setattr(failsite.build, "snapshot", blind)
    build_site(site)
    read: list[str] = []
    original = failsite.content.ingest.read_source
    monkeypatch.setattr(failsite.content.ingest, "read_source",
                        lambda source: read.append(source.key) or original(source))  # type: ignore[func-returns-value]
    build_site(site)
    assert sorted(read) == sorted(p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md"))


def test_a_trusted_source_whose_item_left_the_cache_is_read_and_parsed(site: Path, tmp_path: Path) -> None:
    import sqlite3

    _settled(site)
    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    with database:
        database.execute("DELETE FROM entries WHERE namespace = 'items'")
    database.close()
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    result = build(site)
    assert result.warnings == [] and tree_digest(site / "public") == cold_output(site, tmp_path)


def test_a_warm_build_reads_each_namespaces_keys_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Recording values must not list the stored keys once per value: that made every build quadratic."""
    from failsite.engine.cache import BuildCache, load_cache

    site = tmp_path / "site"
    shutil.copytree(COMPLETE, site)
    build(site)
    calls: list[str] = []
    original = BuildCache._keys

    def counted(self: BuildCache, namespace: str):  # type: ignore[no-untyped-def]
        calls.append(namespace)
        return original(self, namespace)

    monkeypatch.setattr(BuildCache, "_keys", counted)
    cache, _ = load_cache(site)
    for n in range(200):
        cache.used_search[f"key-{n}"] = n
    cache.save()
    assert calls == ["search"]


def test_pages_the_reuse_process_failed_to_put_are_rendered_and_the_last_output_is_untouched(
        site: Path, tmp_path: Path, forking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process putting the reusable pages into the staging folder links them, then dies: the build renders them
    all again, writing none of them into a file it had linked (that would change the last output's file too)."""
    build(site)
    kept = tmp_path / "kept-page.html"
    os.link(site / "public/modules/m/index.html", kept)  # the last output's file, whatever happens to its folder
    before = kept.read_bytes()

    def put_then_fail(inherited: dict[str, object], work: list[tuple[str, object, str, frozenset[str]]]) -> list[object]:
        put_pages(inherited, work)
        raise RuntimeError("the putting process died")

    put_pages = renderer._put_pages
    monkeypatch.setattr(renderer, "_put_pages", put_then_fail)
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    build(site)
    assert kept.read_bytes() == before and kept.stat().st_nlink == 1  # the new page is a file of its own
    monkeypatch.undo()
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    build(cold)
    assert tree_digest(site / "public") == tree_digest(cold / "public")


def test_reused_pages_found_clean_before_are_not_audited_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process putting reused pages into place looks up their clean verdicts, so the audit of the rest of the
    folder is not given them (at 10,000 talks, computing their keys there took 0.2 s of an edit)."""
    build(site)
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    scanned: list[str] = []
    given: list[str] = []
    scan, audit_files = FileAudit._scan, build_module.audit_files
    monkeypatch.setattr(FileAudit, "_scan", lambda self, relative, *a: scanned.append(relative) or scan(
        self, relative, *a))
    monkeypatch.setattr(build_module, "audit_files", lambda files, *a: given.extend(r for r, _ in files) or audit_files(
        files, *a))
    build(site)
    assert "debriefs/r/index.html" in scanned  # rendered again, and audited as rendered
    assert "modules/m/index.html" not in given + scanned  # reused, clean before
    assert "atom.xml" in given  # the rest of the folder is audited


@pytest.mark.parametrize("workers", ["this process", "forked workers"])
def test_kept_bodies_are_read_from_the_cache_by_the_pages_that_show_them(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
        workers: str) -> None:
    """A build loads what it needs of every kept body without its HTML; the pages rendered read the HTML, in the
    worker rendering them (a connection of its own), and come out as a cold build's."""
    if workers == "forked workers":
        request.getfixturevalue("forking")
    build(site)
    rendered = tmp_path / "bodies-rendered"  # a file: the workers' calls are not seen in this process's memory
    body = renderer.Renderer.body

    def noted_body(self: renderer.Renderer, site: object, item: Item) -> renderer.RenderedBody:
        with rendered.open("a") as note:
            note.write(item.key + "\n")
        return body(self, site, item)  # type: ignore[arg-type]
    monkeypatch.setattr(renderer.Renderer, "body", noted_body)
    (site / "site.yaml").write_text(CONFIG + "footer: A new footer\n")  # every page again, every body kept
    result = build(site)
    assert result.warnings == []
    assert not rendered.exists()  # every body's HTML came from the cache
    assert "Dana" not in text_of(html(site, "talks/a/index.html")) and \
        "the review" in text_of(html(site, "talks/a/index.html").select_one(".prose"))
    assert tree_digest(site / "public") == cold_output(site, tmp_path)


@pytest.mark.parametrize("workers", ["this process", "forked workers"])
def test_a_kept_bodys_damaged_html_is_rendered_again_with_a_warning_and_the_cache_set_aside(
        site: Path, tmp_path: Path, request: pytest.FixtureRequest, workers: str) -> None:
    import sqlite3
    if workers == "forked workers":
        request.getfixturevalue("forking")
    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    with database:  # only the module's body HTML, which only its own page (rendered by a worker) reads, no feed
        for key, value in database.execute("SELECT key, value FROM entries WHERE namespace = 'html'").fetchall():
            if "Module." in pickle.loads(value)[0]:
                database.execute("UPDATE entries SET checksum = 'x' WHERE namespace = 'html' AND key = ?", (key,))
    database.close()
    (site / "site.yaml").write_text(CONFIG + "footer: A new footer\n")
    result = build(site)
    assert any(reports_damage(w) for w in result.warnings)
    assert tree_digest(site / "public") == cold_output(site, tmp_path)
    assert build(site).warnings == []  # a new cache, trusted again


def test_the_cache_lists_its_keys_from_an_index_of_the_keys_alone(make_site: SiteMaker) -> None:
    """Listing keys (what a build did not use, what is stored) reads the keys, not every value stored beside them."""
    import sqlite3
    site = make_site({"content/talks/a.md": talk()})
    build(site)
    database = sqlite3.connect(site / CACHE_DIR / "cache.sqlite3")
    try:
        for query in ("SELECT namespace, key FROM entries", "SELECT key FROM entries WHERE namespace = 'pages'"):
            plan = " ".join(row[-1] for row in database.execute("EXPLAIN QUERY PLAN " + query))
            assert "COVERING INDEX keys" in plan, (query, plan)
    finally:
        database.close()


def test_check_reads_the_build_cache_renders_only_what_changed_and_leaves_the_cache_as_it_was(
        make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """`failsite check` after a build: the pages an edit does not touch are neither rendered nor audited again, and
    the cache the next build reads is the one the last build wrote."""
    site = make_site({"people.yaml": REGISTRY, **{f"content/talks/t{n}.md": talk(f"Talk {n}", date=f"2026-03-{n + 1:02d}")
                                                  for n in range(6)}}, CONFIG)
    build(site)
    database = site / CACHE_DIR / "cache.sqlite3"

    def kept_by_the_build() -> set[tuple[str, str, str]]:
        """Every row of the cache but those `check` keeps for itself."""
        import sqlite3
        with contextlib.closing(sqlite3.connect(database)) as connection:
            return set(connection.execute("SELECT namespace, key, checksum FROM entries WHERE namespace != 'checks'"))

    before = kept_by_the_build()
    rendered: list[str] = []
    real = renderer.fork_map

    def recording(function, work, inherited, **options):  # type: ignore[no-untyped-def]
        if function is renderer._render_pages:
            rendered.extend(plan.output_path for plan in work)
        return real(function, work, inherited, **options)

    monkeypatch.setattr(renderer, "fork_map", recording)
    assert build_module.check_site(site).site is not None
    assert not [path for path in rendered if path.startswith("talks/t")]  # every talk page as the build left it
    (site / "content/talks/t2.md").write_text(talk("Talk 2, retitled", date="2026-03-03",
                                                   body="Told to Dana at the depot."))
    rendered.clear()
    result = build_module.check_site(site)
    assert "talks/t2/index.html" in rendered  # the edited talk, audited again as rendered
    assert "talks/t4/index.html" not in rendered
    assert kept_by_the_build() == before  # check wrote only its own findings
    (site / "content/talks/t3.md").write_text(talk("Talk 3", date="2026-13-01"))
    with pytest.raises(build_module.BuildFailed) as failed:
        build_module.check_site(site)
    assert any("t3.md" in d.path for d in failed.value.diagnostics)
    assert result.pages > 6


def test_check_validates_without_the_cache_while_a_build_holds_it(make_site: SiteMaker) -> None:
    from failsite.output.lock import site_lock
    site = make_site({"content/talks/a.md": talk("A talk")})
    build(site)
    with site_lock(site / CACHE_DIR):
        result = build_module.check_site(site)
    assert result.pages > 1 and not result.warnings


def test_an_edit_makes_again_only_the_feeds_that_show_what_it_changed(site: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]", body="Body.") .replace(
        "---\n", "---\naliases: [/old/alpha/]\n", 1))
    build(site)
    made: list[str] = []
    feed_plans = renderer.Renderer.feed_plans

    def counted(self: renderer.Renderer, views: object, plans: object) -> list[renderer.FeedPlan]:
        return [renderer.FeedPlan(f.path, f.shown, f.inputs, lambda f=f: made.append(f.path) or f.make(),
                                  f.made_from_items) for f in feed_plans(self, views, plans)]
    monkeypatch.setattr(renderer.Renderer, "feed_plans", counted)
    before = (site / "public/actions.ics").stat()
    (site / "content/talks/a.md").write_text((site / "content/talks/a.md").read_text() + "\nA new last line.\n")
    build(site)
    # The talk's text is in the site's and its pattern's feeds; the JSON index, the redirect from its old address and
    # the programme's figures show only what its text leaves as it was, and the calendar of the review's actions,
    # the sitemap (no page came or went) and robots.txt do not show it at all.
    assert sorted(made) == ["atom.xml", "patterns/concrete/atom.xml"], made
    assert "A new last line." in (site / "public/atom.xml").read_text()
    after = (site / "public/actions.ics").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # linked from the last output
    made.clear()
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\nactions:\n  - what: Fix the alarm\n"
                                                "    due: 2026-02-01\n---\nBody.\n")
    build(site)
    assert {"actions.csv", "actions.ics", "sitemap.xml"} - set(made) == {"sitemap.xml"}
    assert "Fix the alarm" in (site / "public/actions.ics").read_text()
    made.clear()
    (site / "content/talks/b.md").write_text(talk("Beta", patterns="[perceived]"))
    build(site)
    assert "sitemap.xml" in made and "/talks/b/" in (site / "public/sitemap.xml").read_text()


def _rendered_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the builds after this call render (in this process: a small site renders without workers)."""
    rendered: list[str] = []
    render = renderer.render_page
    monkeypatch.setattr(renderer, "render_page", lambda env, theme, views, plan, found: rendered.append(
        plan.output_path) or render(env, theme, views, plan, found))
    return rendered


def test_an_edit_renders_only_the_pages_that_depend_on_it(make_site: SiteMaker, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A story's text is shown on its own page and the module's handout that prints it; every list, term, module and
    insight page shows only what its text leaves as it was. A new title reaches them all."""
    body = "Dana told [the review](../debriefs/r.md).\n\nWhat we changed afterwards."
    site = make_site({
        "people.yaml": REGISTRY,
        "content/talks/a.md": talk("Alpha", patterns="[concrete]", body=body),
        "content/talks/b.md": talk("Beta", patterns="[concrete]"),
        "content/debriefs/r.md": "---\ntitle: Review\ndate: 2026-01-01\nformat: aar\npatterns: [concrete]\n---\nBody.\n",
        "content/modules/m.md": "---\ntitle: M\nduration: 30\nstories: [../talks/a.md]\n---\nModule.\n",
    }, config=CONFIG)
    build(site)
    rendered = _rendered_pages(monkeypatch)
    (site / "content/talks/a.md").write_text(talk("Alpha", patterns="[concrete]",
                                                  body=body.replace("changed afterwards", "changed the week after")))
    build(site)
    assert sorted(rendered) == ["modules/m/handout/index.html", "talks/a/index.html"]  # the handout prints it
    assert "the week after" in text_of(html(site, "talks/a/index.html"))
    assert tree_digest(site / "public") == cold_output(site, tmp_path)
    rendered.clear()
    (site / "content/talks/a.md").write_text(talk("Alpha, retold", patterns="[concrete]", body=body))
    build(site)
    assert {"talks/index.html", "patterns/concrete/index.html", "modules/m/index.html", "index.html",
            "talks/b/index.html", "debriefs/r/index.html"} <= set(rendered)  # lists, its term, the module, home,
    # the neighbour's pager, the review it links to ("linked from")
    assert tree_digest(site / "public") == cold_output(site, tmp_path / "2")


def test_an_edit_of_a_storys_text_signs_only_the_pages_it_renders(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the site's shape (every story's surface, its links, the pages planned) is as the last build left it,
    no page is signed to be compared with its record; a new title changes the shape, and every page is signed."""
    from failsite.render import plans
    build(site)
    signed: list[str] = []
    signature = plans._signature
    monkeypatch.setattr(plans, "_signature", lambda plan, *a: signed.append(plan.output_path) or signature(plan, *a))
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody.\n\nWhat we saw next.\n")
    build(site)
    assert signed == ["debriefs/r/index.html"]  # the one page rendered, recorded for the next build
    signed.clear()
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review, retitled\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody, longer.\n")
    build(site)
    assert len(signed) > 20


def test_recurrences_are_worked_out_again_only_when_a_storys_surface_changed(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from failsite.render import views
    build(site)
    worked_out: list[int] = []
    find = views.find_recurrences
    monkeypatch.setattr(views, "find_recurrences", lambda site: worked_out.append(1) or find(site))
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\n---\nBody.\n\nWhat we saw next.\n")
    build(site)
    assert worked_out == []  # the text changed, not what they are worked out from
    (site / "content/debriefs/r.md").write_text("---\ntitle: Review\ndate: 2026-01-01\nformat: aar\n"
                                                "patterns: [concrete]\nroot_cause: The alarm was off\n---\nBody.\n")
    build(site)
    assert worked_out == [1]
