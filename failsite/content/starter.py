"""`failsite init`: the files of a new site (the starter, or a copy of the demo), and writing them without
overwriting anything.

The starter site lives beside this module in `starter/` as ordinary files with `$name` placeholders; the demo
site is the repository's own (site.yaml, people.yaml, content/), which the wheel carries as `failsite/_demo/`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from failsite.errors import FailsiteError, error, shown_path

STARTER_DIR = Path(__file__).resolve().parent / "starter"
_PACKAGE_DIR = STARTER_DIR.parent.parent  # the failsite package
GITIGNORE = ".gitignore"
DEMO_FILES = ("site.yaml", "people.yaml")
DEMO_FOLDERS = ("content",)
DEFAULT_TITLE = "Our failure stories"
DEFAULT_BASE_URL = "/"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class StarterSettings:
    """What a new site is told about itself: the answers to `failsite init`'s three questions."""

    title: str = DEFAULT_TITLE
    base_url: str = DEFAULT_BASE_URL
    language: str = DEFAULT_LANGUAGE


def title_problem(title: str) -> str:
    """What is wrong with a site title ('' when nothing is)."""
    return "" if title.strip() else "the title is empty: give one with --title"


def base_url_problem(base_url: str) -> str:
    """What is wrong with the address a site will live at ('' when nothing is)."""
    parts = urlsplit(base_url)
    if (base_url.startswith("/") and not parts.netloc) or (parts.scheme in ("http", "https") and parts.netloc):
        return ""
    return (f"'{base_url}' is not an address a site can live at: give --base-url a full address such as "
            "https://intranet.example/failures/, or / for the root of any host")


def language_problem(language: str) -> str:
    """What is wrong with a language code ('' when nothing is)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return f"'{language}' is not a language code: give --language a code such as en, de, fr, nl or pt-BR"
    return ""


def settings_problems(settings: StarterSettings) -> list[str]:
    """What is wrong with the settings, as sentences naming the option to fix (empty when they are fine)."""
    found = (title_problem(settings.title), base_url_problem(settings.base_url), language_problem(settings.language))
    return [problem for problem in found if problem]


def starter_files(settings: StarterSettings, today: dt.date, examples: bool = True) -> dict[str, bytes]:
    """The starter site's files by path inside the new site: settings filled in, a fresh secret in the registry,
    and one example item per type unless `examples` is false (then the content folders hold a .gitkeep)."""
    values = {
        "title": json.dumps(settings.title.strip(), ensure_ascii=False),
        "base_url": json.dumps(settings.base_url if settings.base_url.endswith("/") else settings.base_url + "/"),
        "language": json.dumps(settings.language),
        "secret": secrets.token_urlsafe(32),
        "date": today.isoformat(),
        "end": (today + dt.timedelta(days=14)).isoformat(),
        "due": (today + dt.timedelta(days=30)).isoformat(),
    }
    files: dict[str, bytes] = {}
    for source in sorted(STARTER_DIR.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(STARTER_DIR).as_posix()
        if relative.startswith("content/") and not examples:
            continue
        name = GITIGNORE if relative == "gitignore" else relative  # a .gitignore in the package would hide files
        files[name] = Template(source.read_text(encoding="utf-8")).safe_substitute(values).encode("utf-8")
    if not examples:
        for folder in sorted(p for p in (STARTER_DIR / "content").iterdir() if p.is_dir()):
            files[f"content/{folder.name}/.gitkeep"] = b""
    return _settings_first(files)


def _settings_first(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files in the order a person reads them (and `init` names them): site.yaml, the registry, .gitignore, then
    the content."""
    first = ("site.yaml", "people.yaml", GITIGNORE)
    return {name: files[name] for name in sorted(files, key=lambda n: (first.index(n) if n in first else 3, n))}


def demo_dir() -> Path:
    """Where the demo site lives: inside the wheel, or at the root of a source checkout."""
    installed = _PACKAGE_DIR / "_demo"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent


def demo_files() -> dict[str, bytes]:
    """The demo site's files by path inside the new site, with a .gitignore for the output and the cache."""
    root = demo_dir()
    files = {name: (root / name).read_bytes() for name in DEMO_FILES}
    for folder in DEMO_FOLDERS:
        for source in sorted((root / folder).rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts:
                files[source.relative_to(root).as_posix()] = source.read_bytes()
    files[GITIGNORE] = (STARTER_DIR / "gitignore").read_bytes()
    return _settings_first(files)


def write_new_site(site_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the files under `site_dir` (made if missing) and return them; when any of them exists already, write
    nothing and raise a FailsiteError naming each."""
    existing = [shown_path(site_dir / name) for name in files if (site_dir / name).exists()]
    if existing:
        listed = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise FailsiteError([error(existing[0], 1, f"a site is already here: `failsite init` never overwrites a "
                                   f"file, and {listed} exist{'s' if len(existing) == 1 else ''}",
                                   "start the site in a new or empty folder, e.g. `failsite init another-site`")])
    written = []
    for name, data in files.items():
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # "x": fail rather than overwrite, even if the file appeared meanwhile
            handle.write(data)
        written.append(target)
    return written

