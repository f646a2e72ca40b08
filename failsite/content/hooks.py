"""Site hooks: a site's own Python modules extending failsite without a fork.

site.yaml names modules in the site folder (`hooks: [shortcuts]` reads `shortcuts.py`, or
`shortcuts/__init__.py`). Each defines `register(site)`, and `site` offers:

    site.filter("shout", function)            a Jinja filter for templates
    site.template_global("sponsor", value)    a name every template sees
    site.markdown_plugin(plugin)              a markdown-it-py plugin: plugin(md) is called on the parser
    site.field("talk", "mood", "string", "how the room felt")   a front-matter field of a type

What a hook makes still passes the anonymisation and the leak audit, which a hook cannot switch
off: its filters' and globals' output lands in pages the audit reads. A hook that fails to load or
register is an error naming its module and line, never a traceback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from failsite.content.schema import CONTENT_TYPES, Field
from failsite.errors import Diagnostic, error

FIELD_KINDS = ("string", "strings", "date", "int", "bool", "url", "mapping")


@dataclass(frozen=True)
class SiteHooks:
    """Everything a site's hooks registered, and a fingerprint of their source for cache keys."""

    filters: tuple[tuple[str, Callable[..., Any]], ...] = ()
    template_globals: tuple[tuple[str, Any], ...] = ()
    markdown_plugins: tuple[Callable[..., Any], ...] = ()
    fields: tuple[tuple[str, Field], ...] = ()  # (type name, field)
    fingerprint: str = ""

    def fields_of(self, type_name: str) -> tuple[Field, ...]:
        return tuple(f for t, f in self.fields if t == type_name)


NO_HOOKS = SiteHooks()


class HookSite:
    """What `register(site)` receives: the ways a hook may extend failsite."""

    def __init__(self, module: str):
        self._module = module
        self.filters: dict[str, Callable[..., Any]] = {}
        self.template_globals: dict[str, Any] = {}
        self.markdown_plugins: list[Callable[..., Any]] = []
        self.fields: list[tuple[str, Field]] = []

    def filter(self, name: str, function: Callable[..., Any]) -> None:
        """A Jinja filter: `{{ value | name }}`."""
        if not name.isidentifier() or not callable(function):
            raise ValueError(f"filter '{name}' needs a name made of letters, digits and _ and a function")
        self.filters[name] = function

    def template_global(self, name: str, value: Any) -> None:
        """A name every template sees: `{{ name }}`."""
        if not name.isidentifier():
            raise ValueError(f"'{name}' is not a name a template can use")
        self.template_globals[name] = value

    def markdown_plugin(self, plugin: Callable[..., Any]) -> None:
        """A markdown-it-py plugin, called as plugin(md) on the parser of every body."""
        if not callable(plugin):
            raise ValueError("a markdown plugin is a function that takes the parser")
        self.markdown_plugins.append(plugin)

    def field(self, type_name: str, name: str, kind: str = "string", doc: str = "", required: bool = False) -> None:
        """A front-matter field of a content type, with its kind and what it is for (shown in errors and `new`)."""
        if type_name not in CONTENT_TYPES:
            raise ValueError(f"'{type_name}' is not a content type (types: {', '.join(CONTENT_TYPES)})")
        if kind not in FIELD_KINDS:
            raise ValueError(f"field kind '{kind}' is not one of {', '.join(FIELD_KINDS)}")
        if not name.isidentifier():
            raise ValueError(f"'{name}' is not a field name (letters, digits and _)")
        self.fields.append((type_name, Field(name, kind, doc or f"{name} (from the {self._module} hook)",
                                             required=required)))


def hook_sources(site_dir: Path, name: str) -> tuple[Path, Path]:
    """Where a hook module named in site.yaml may be: `<name>.py`, or a package folder `<name>/`."""
    return site_dir / f"{name}.py", site_dir / name


def load_hooks(site_dir: Path, modules: tuple[str, ...], shown: str = "site.yaml") -> tuple[SiteHooks, list[Diagnostic]]:
    """Load and register the site's hook modules, in order; every failure is an error naming its module and line."""
    if not modules:
        return NO_HOOKS, []
    site = HookSite("")
    diagnostics: list[Diagnostic] = []
    sources = []
    for name in modules:
        module_file, package = hook_sources(site_dir, name)
        path = next((p for p in (module_file, package / "__init__.py") if p.is_file()), None)
        if path is None:
            diagnostics.append(error(shown, 1, f"the hook module '{name}' is not in the site folder",
                                     f"add {name}.py beside site.yaml, or remove it from `hooks:`"))
            continue
        package_files = sorted(package.rglob("*.py")) if path.name == "__init__.py" else [path]
        sources += [p.read_bytes() for p in package_files]  # a package's every module decides what it does
        site._module = name
        try:
            spec = importlib.util.spec_from_file_location(f"failsite_hook_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}_{name}", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            register = getattr(module, "register", None)
            if not callable(register):
                diagnostics.append(error(str(path.relative_to(site_dir)), 1, f"the hook module '{name}' has no "
                                         "register(site) function", "define `def register(site):` and call "
                                         "site.filter, site.markdown_plugin or site.field in it"))
                continue
            register(site)
        except Exception as exc:  # noqa: BLE001 - the site's own code: reported with its line, never a traceback
            line = next((frame.lineno for frame in reversed(traceback.extract_tb(exc.__traceback__))
                         if Path(frame.filename).resolve() == path.resolve()), 1)
            diagnostics.append(error(str(path.relative_to(site_dir)), line or 1,
                                     f"the hook failed: {type(exc).__name__}: {exc}",
                                     "fix the hook module; nothing was built"))
    fingerprint = hashlib.sha256(b"\0".join(sources)).hexdigest()
    return SiteHooks(tuple(site.filters.items()), tuple(site.template_globals.items()), tuple(site.markdown_plugins),
                     tuple(site.fields), fingerprint), diagnostics
