"""Diagnostics: what went wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the user's files, located as precisely as we can."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str = ""

    def format(self) -> str:
        """Render as `path:line:col: severity: message`, with the hint on its own line."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def error(path: str, line: int, message: str, hint: str, col: int = 1) -> Diagnostic:
    """An error at a file and line, with a hint saying what to do (every error has one)."""
    return Diagnostic(path, line, col, "error", message, hint)


def warning(path: str, line: int, message: str, hint: str = "", col: int = 1) -> Diagnostic:
    """A warning at a file and line."""
    return Diagnostic(path, line, col, "warning", message, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any of the diagnostics is an error."""
    return any(d.severity == "error" for d in diagnostics)


def sorted_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in a stable order (path, line), each reported once."""
    return sorted(set(diagnostics))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    matches = difflib.get_close_matches(str(word).lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    if not matches:
        return ""
    original = {c.lower(): c for c in choices}[matches[0]]
    return f" (did you mean '{original}'?)"


def shown_path(path: str | Path) -> str:
    """A path as the user would write it from the working folder: relative when it is below it."""
    resolved, here = Path(path), Path.cwd()
    return resolved.relative_to(here).as_posix() if resolved.is_relative_to(here) else str(path)


class FailsiteError(Exception):
    """A user-facing failure carrying every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


class BuildFailed(FailsiteError):
    """The build found errors; nothing was written."""
