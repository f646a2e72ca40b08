"""Each broken site under fixtures/invalid fails with exactly the diagnostics in its expected.txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from failsite.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "invalid"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_broken_site_reports_each_error_with_file_and_line(case: str) -> None:
    site = FIXTURES / case
    expected = (site / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = CliRunner().invoke(cli, ["check", str(site)])
    reported = [line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line]
    assert result.exit_code == 1
    assert reported == expected
    assert "Traceback" not in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("check failed: ")


@pytest.mark.parametrize("case", CASES)
def test_every_error_comes_with_a_hint(case: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(FIXTURES / case)])
    lines = result.output.splitlines()
    for index, line in enumerate(lines):
        if ": error: " in line:
            assert lines[index + 1].startswith("  hint: "), line
