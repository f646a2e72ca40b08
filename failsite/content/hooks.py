"""Site hooks: a site's own Python modules extending failsite without a fork.

site.yaml names modules in the site folder (`hooks: [shortcuts]` reads `shortcuts.py`, or
`shortcuts/__init__.py`). Each defines `register(site)`, and `site` offers:

    site.filter("shout", function)            a Jinja filter for templates
    site.template_global("sponsor", value)    a name every template sees
    site.markdown_plugin(plugin)              a markdown-it-py plugin: plugin(md) is called on the parser
    site.field("talk", "mood", "string", "how the room felt")   a front-matter field of a type
    site.content_type("recipe", "recipes", "Recipes")        a content type of the site's own: its files
                                              under content/recipes/, its pages at /recipes/<slug>/ (template
                                              `recipe.html` if the site has one, else `item.html`), its list

A type from a hook takes the common fields (title, date, summary, people, patterns, tags,
visibility...) and those given with `site.field`; its items are anonymised, published by audience
and audited like every other item. Its title in lists is its label (site.yaml `types:` is read
before hooks run, so it names built-in types only).

What a hook makes still passes the anonymisation and the leak audit, which a hook cannot switch
off: its filters' and globals' output lands in pages the audit reads. A hook that fails to load or
register is an error naming its module and line, never a traceback.
"""

from __future__ import annotations

import hashlib
import re
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from failsite.content.schema import BUILTIN_TYPES, ContentType, Field, install_site_types
from failsite.errors import Diagnostic, error

FIELD_KINDS = ("string", "strings", "date", "int", "bool", "url", "mapping")
# Site paths the built-in views own: a hook type's folder may not take one.
VIEW_FOLDERS = frozenset({"insights", "search", "coverage", "actions", "chains", "tracks", "stories", "curriculum",
                          "pagefind", "css", "js", "images", "static", "page"})
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FOLDER_NAME = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class SiteHooks:
    """Everything a site's hooks registered, and a fingerprint of their source for cache keys."""

    filters: tuple[tuple[str, Callable[..., Any]], ...] = ()
    template_globals: tuple[tuple[str, Any], ...] = ()
    markdown_plugins: tuple[Callable[..., Any], ...] = ()
    fields: tuple[tuple[str, Field], ...] = ()  # (type name, field)
    fingerprint: str = ""
    types: tuple[ContentType, ...] = ()

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
        self.types: dict[str, ContentType] = {}

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
        known = self._known_types()
        if type_name not in known:
            raise ValueError(f"'{type_name}' is not a content type (types: {', '.join(known)}); a hook's own type "
                             "is registered with site.content_type before its fields")
        if kind not in FIELD_KINDS:
            raise ValueError(f"field kind '{kind}' is not one of {', '.join(FIELD_KINDS)}")
        if not name.isidentifier():
            raise ValueError(f"'{name}' is not a field name (letters, digits and _)")
        self.fields.append((type_name, Field(name, kind, doc or f"{name} (from the {self._module} hook)",
                                             required=required)))

    def _known_types(self) -> dict[str, ContentType]:
        """The built-in types and those registered so far."""
        return {**BUILTIN_TYPES, **self.types}

    def content_type(self, name: str, folder: str, label: str, dated: bool = True) -> None:
        """A content type of the site's own: `name` (singular, as in `type:` and templates), the `folder` under
        content/ its files live in (also its address), the `label` its list shows, and whether it needs a date."""
        taken = self._known_types()
        if not _TYPE_NAME.fullmatch(name) or name in taken:
            raise ValueError(f"content type '{name}' needs a new name of lowercase letters, digits and _ "
                             f"(taken: {', '.join(taken)})")
        folders = {t.folder for t in taken.values()} | VIEW_FOLDERS
        if not _FOLDER_NAME.fullmatch(folder) or folder in folders:
            raise ValueError(f"folder '{folder}' of type '{name}' must be new, made of lowercase letters, digits "
                             f"and -, and not one of {', '.join(sorted(folders))}")
        if not str(label).strip():
            raise ValueError(f"content type '{name}' needs a label for its list, e.g. '{folder.capitalize()}'")
        self.types[name] = ContentType(name, folder, str(label).strip(), (), dated=bool(dated))


def hook_sources(site_dir: Path, name: str) -> tuple[Path, Path]:
    """Where a hook module named in site.yaml may be: `<name>.py`, or a package folder `<name>/`."""
    return site_dir / f"{name}.py", site_dir / name


def load_hooks(site_dir: Path, modules: tuple[str, ...], shown: str = "site.yaml") -> tuple[SiteHooks, list[Diagnostic]]:
    """Load and register the site's hook modules, in order; every failure is an error naming its module and line."""
    if not modules:
        install_site_types(())
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
                                         "site.filter, site.markdown_plugin, site.field or site.content_type in it"))
                continue
            register(site)
        except Exception as exc:  # noqa: BLE001 - the site's own code: reported with its line, never a traceback
            line = next((frame.lineno for frame in reversed(traceback.extract_tb(exc.__traceback__))
                         if Path(frame.filename).resolve() == path.resolve()), 1)
            diagnostics.append(error(str(path.relative_to(site_dir)), line or 1,
                                     f"the hook failed: {type(exc).__name__}: {exc}",
                                     "fix the hook module; nothing was built"))
    fingerprint = hashlib.sha256(b"\0".join(sources)).hexdigest()
    install_site_types(tuple(site.types.values()))
    return SiteHooks(tuple(site.filters.items()), tuple(site.template_globals.items()), tuple(site.markdown_plugins),
                     tuple(site.fields), fingerprint, tuple(site.types.values())), diagnostics
