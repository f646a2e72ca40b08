"""The docs stay true: the command-line reference is generated from the click commands, every shell block a reader
is meant to run (marked `<!-- run -->`) runs, links between pages resolve, and the README stays a short page.

After changing a command or an option: `FAILSITE_UPDATE_DOCS=1 python -m pytest tests/test_docs.py` writes
docs/cli.md again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from failsite.cli import CommandList, cli

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CLI_REFERENCE = DOCS / "cli.md"
COMMAND_ORDER = CommandList.ORDER  # the order a user meets them in, as `failsite --help` lists them
GUIDE_PAGES = ("index", "getting-started", "desk", "writing", "anonymisation", "curriculum", "review", "search-and-theme",
               "deploying", "importing", "configuration", "cli", "extending", "performance", "preview")
RUN_MARK = "<!-- run -->"
_FENCE = re.compile(r"^<!-- run -->\n```(?:sh|bash|console)\n(.*?)^```", re.M | re.S)


def cli_reference() -> str:
    """docs/cli.md, made from the click commands: usage, what each does, and every option with its default."""
    lines = ["# Command-line reference", "",
             "Every command and option of `failsite`, as `failsite COMMAND --help` prints it. Paths may be relative "
             "to the folder you run the command in.", "",
             "Exit status: **0** success (warnings may have been printed), **1** content or configuration errors "
             "(each printed as `path:line:col: error: message` with a `hint:` line, then a summary), **2** usage "
             "errors (an unknown option, command or content type, or a value an option does not take).", ""]
    lines += [f"- [`failsite {name}`](#failsite-{name}): {_first_line(cli.commands[name])}" for name in COMMAND_ORDER]
    lines.append("")
    for name in COMMAND_ORDER:
        command = cli.commands[name]
        context = click.Context(command, info_name=f"failsite {name}")
        lines += [f"## failsite {name}", "", "```", command.get_usage(context).removeprefix("Usage: "), "```", "",
                  _help_text(command), ""]
        options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
        if options:
            lines += ["| option | what it does |", "| --- | --- |"]
            for option in options:
                record = option.get_help_record(context)
                assert record is not None, f"failsite {name} {option.name} has no help"
                flags, text = (part.replace("|", "\\|") for part in record)
                lines.append(f"| `{flags}` | {text} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _first_line(command: click.Command) -> str:
    return " ".join((command.help or "").split("\n\n")[0].split()).split(". ")[0].rstrip(".")


def _help_text(command: click.Command) -> str:
    paragraphs = [" ".join(p.split()) for p in (command.help or "").strip().split("\n\n")]
    return "\n\n".join(paragraphs)


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    expected = cli_reference()
    if os.environ.get("FAILSITE_UPDATE_DOCS"):
        CLI_REFERENCE.write_text(expected, encoding="utf-8")
    assert set(COMMAND_ORDER) == set(cli.commands), "a command is missing from COMMAND_ORDER"
    assert CLI_REFERENCE.read_text(encoding="utf-8") == expected, \
        "docs/cli.md is out of date: run FAILSITE_UPDATE_DOCS=1 python -m pytest tests/test_docs.py"


def test_every_option_is_in_the_reference() -> None:
    reference = CLI_REFERENCE.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"## failsite {name}" in reference
        for option in command.params:
            if isinstance(option, click.Option):
                assert all(f"{flag}" in reference for flag in option.opts), (name, option.opts)


def test_every_task_has_a_guide_page_and_the_index_links_each() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in GUIDE_PAGES:
        assert (DOCS / f"{page}.md").is_file(), page
        if page != "index":
            assert f"({page}.md" in index, f"docs/index.md does not link {page}.md"


def _doc_pages() -> list[Path]:
    return [page for page in (REPO / "README.md", REPO / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))) if page.is_file()]


@pytest.mark.parametrize("page", _doc_pages(), ids=lambda p: p.name)
def test_links_between_pages_resolve(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.name} links {target}, which does not exist"


@pytest.mark.parametrize("page", _doc_pages(), ids=lambda p: p.name)
def test_the_docs_speak_of_the_product_only(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    found = re.findall(r".{0,40}(?:\bsessions?\b|issue \d|this round|last round).{0,40}", text, re.I)
    assert [f for f in found if not re.search(r"session plan|curriculum session|teaching session", f, re.I)] == []


def test_the_readme_is_short_and_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count("\n") <= 250
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert commands[:2] == ["pip install -e . && failsite build", "pip install -e '.[test]' && python -m pytest"]
    assert "pip install -e '.[test]' && python -m pytest" in (REPO / ".ci/run").read_text(encoding="utf-8")


def runnable_pages() -> list[Path]:
    return [page for page in _doc_pages() if RUN_MARK in page.read_text(encoding="utf-8")]


@pytest.mark.parametrize("page", runnable_pages(), ids=lambda p: p.name)
def test_the_shell_blocks_a_reader_runs_work(page: Path, tmp_path: Path) -> None:
    """A page's marked blocks, in order, as one script in an empty folder (so a `cd` carries over)."""
    blocks = _FENCE.findall(page.read_text(encoding="utf-8"))
    assert len(blocks) == page.read_text(encoding="utf-8").count(RUN_MARK), "a run mark is not before a sh block"
    script = "set -euo pipefail\n" + "\n".join(blocks)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=240,
                            env=environment, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{page.name}:\n{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert "Traceback" not in result.stderr
