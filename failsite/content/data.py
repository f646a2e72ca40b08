"""Data files: `data/*.yaml`, `*.json` and `*.csv` in the site folder, for templates as `site.data.<name>`.

Read with the same located errors as everything else (file and line). What they hold is plain data
(mappings, lists, text, numbers); the build anonymises every text in it before a template sees it,
and what a page shows of it goes through the leak audit like any other output.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from failsite.content.yamlnodes import load_yaml, read_text
from failsite.errors import Diagnostic, error

DATA_DIR = "data"
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def load_data(site_dir: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Every data file by its name without the suffix (`data/teams.yaml` is `teams`); errors with file and line."""
    folder = site_dir / DATA_DIR
    data: dict[str, Any] = {}
    diagnostics: list[Diagnostic] = []
    if not folder.is_dir():
        return data, diagnostics
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in DATA_SUFFIXES or path.name.startswith("."):
            continue
        shown = f"{DATA_DIR}/{path.name}"
        name = path.stem
        if not name.isidentifier():
            diagnostics.append(error(shown, 1, f"'{name}' cannot be used as `site.data.{name}` in a template",
                                     "rename the file with letters, digits and underscores, e.g. team_leads.yaml"))
            continue
        if name in data:
            diagnostics.append(error(shown, 1, f"two data files are called '{name}'",
                                     "keep one of them, or rename the other"))
            continue
        text, found = read_text(path, shown, "")
        diagnostics += found
        if text is None:
            continue
        value, found = _parse(path.suffix.lower(), text, shown)
        diagnostics += found
        if not found:
            data[name] = value
    return data, diagnostics


def _parse(suffix: str, text: str, shown: str) -> tuple[Any, list[Diagnostic]]:
    if suffix in (".yaml", ".yml"):
        node, found = load_yaml(text, shown)
        return (node.to_plain() if node is not None else None), found
    if suffix == ".json":
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            return None, [error(shown, exc.lineno, f"invalid JSON: {exc.msg}", "check the commas and quotes near "
                                "this line", exc.colno)]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    header, records = rows[0], []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(header) and any(cell.strip() for cell in row):
            return None, [error(shown, number, f"this row has {len(row)} cells and the header has {len(header)}",
                                "give every row one value per column (quote values holding commas)")]
        if any(cell.strip() for cell in row):
            records.append(dict(zip(header, row)))
    return records, []
