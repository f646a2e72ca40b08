"""Shared helpers: write small fixture sites, build them, and read their HTML."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import textwrap
import threading
from pathlib import Path
from typing import Callable

import pytest
from bs4 import BeautifulSoup

from failsite.build import BuildResult, build_site
from failsite.errors import FailsiteError

SiteMaker = Callable[..., Path]


def write_files(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def talk(title: str = "A talk", date: str = "2026-03-01", body: str = "The story.", **fields: str) -> str:
    """Markdown for a talk with the required fields filled in; extra fields as YAML text."""
    fields = {"speaker": "Avery Example", **fields}
    lines = ["---", f"title: {title}", f"date: {date}"] + [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """Write a site: site.yaml (title only unless given) plus the given files, and return its folder."""
    def make(files: dict[str, str] | None = None, config: str = "title: Test Site\n", name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        (root / "site.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        (root / "content").mkdir(exist_ok=True)
        write_files(root, files or {})
        return root
    return make


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work of any size forks, in-process builds included (where this process has no other threads, as a build's
    has not)."""
    from failsite.engine import parallel
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setenv("FAILSITE_WORKERS", "2")
    if threading.active_count() != 1:
        pytest.skip("this test process runs other threads: nothing forks")


def build(site: Path, **options: object) -> BuildResult:
    return build_site(site, **options)  # type: ignore[arg-type]


def build_errors(site: Path, **options: object) -> list[str]:
    """Build a site that must fail, and return its diagnostics as printed lines."""
    with pytest.raises(FailsiteError) as caught:
        build_site(site, **options)  # type: ignore[arg-type]
    return [d.format().splitlines()[0] for d in caught.value.diagnostics]


def run_cli(*args: str) -> tuple[int, str]:
    """Run `failsite ARGS` in-process; its exit code and everything it printed."""
    from click.testing import CliRunner

    from failsite.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def html(site: Path, path: str, output: str = "public") -> BeautifulSoup:
    """Parse an output page, e.g. html(site, 'talks/x/index.html')."""
    return BeautifulSoup((site / output / path).read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.get_text(" ").split())


# The registry, config and protected words of the anonymisation tests, shared by the privacy and cache tests.
REGISTRY = """\
secret: test-secret
people:
  - name: Dana Whitfield
    aliases: [Dana, Whitfield, D. Whitfield]
    emails: [dana.whitfield@northwind.example]
    phones: ["+44 20 7946 0001"]
    pseudonym: The Product Lead
  - name: Zoë Adair
    aliases: [Zoë]
  - name: Named Person
    aliases: [Namey]
    consent: named
  - name: Hidden Person
    consent: withheld
organisations:
  - name: Northwind Traders
    aliases: [Northwind]
    pseudonym: a retail client
"""
CONFIG = "title: T\nbase_url: https://x.example/\nanonymise:\n  registry: people.yaml\n  internal_domains: [intranet.example]\n"
PROTECTED = ["dana", "whitfield", "zoë", "zoe", "adair", "hidden person", "northwind", "dana.whitfield@", "7946"]


def all_output(site: Path, folder: str = "public") -> str:
    """Every output file's text and path, lower-cased, as one string. Compressed files (Pagefind's index and
    fragments) are read decompressed; Pagefind's WebAssembly, the same for every site, is left out."""
    parts = []
    for path in sorted((site / folder).rglob("*")):
        parts.append(path.relative_to(site / folder).as_posix())
        if path.is_file() and not path.name.startswith("wasm."):
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts).lower()


def assert_no_protected(site: Path) -> None:
    text = all_output(site)
    for word in PROTECTED:  # (the pattern only where the word is there at all: a faster look)
        assert word not in text or re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text) is None, word


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def built_copy(folder: Path, fixture: Path, **options: object) -> Path:
    """A copy of a fixture site in `folder`/site, built with `options`: its folder."""
    root = folder / "site"
    shutil.copytree(fixture, root)
    build(root, **options)
    return root
