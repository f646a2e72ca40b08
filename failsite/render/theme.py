"""Themes: an ordered list of folders (site > theme > parent theme) for templates and static files."""

from __future__ import annotations

import hashlib
import io
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from failsite.content.dates import written_iso
from failsite.content.config import SiteConfig
from failsite.content.hooks import NO_HOOKS, SiteHooks
from failsite.errors import Diagnostic, did_you_mean, error
from failsite.content.schema import COMMON_FIELDS, CONTENT_TYPES, Field, is_web_address, read_mapping
from failsite.content.discover import links_leaving
from failsite.content.slugs import slugify
from failsite.content.yamlnodes import load_yaml_file
from failsite.render.i18n import ThemeStrings, load_strings
from failsite.render.views import ItemView, ListPage, format_moment, paragraphs

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the failsite package


def builtin_themes_dir() -> Path:
    """Where the built-in themes live: inside the wheel, or beside the package in a source checkout."""
    installed = _PACKAGE_DIR / "_themes"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "themes"


@dataclass(frozen=True)
class Theme:
    """The folders searched for templates and static files, most specific first."""

    name: str
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    site_dir: Path
    strings: ThemeStrings = ThemeStrings()  # its words in the site's language
    hooks: SiteHooks = NO_HOOKS  # the site's own filters, globals and markdown plugins

    def shown(self, path: str | Path) -> str:
        """A template path as printed in messages: relative to the site folder when inside it."""
        absolute = Path(path).resolve()
        for base in (self.site_dir.resolve(), Path.cwd()):
            if absolute.is_relative_to(base):
                return absolute.relative_to(base).as_posix()
        return absolute.as_posix()


def theme_search_path(config: SiteConfig) -> list[Path]:
    """The folders whose subfolders are themes: the site's own themes/, then failsite's built-in ones."""
    return [config.site_dir / "themes", builtin_themes_dir()]


def theme_inputs(config: SiteConfig) -> list[Path]:
    """Every folder a theme's files can come from (whether or not it exists yet)."""
    return [config.site_dir / "templates", config.site_dir / "static", *theme_search_path(config)]


def load_theme(config: SiteConfig, hooks: SiteHooks = NO_HOOKS) -> tuple[Theme | None, list[Diagnostic]]:
    """Resolve the theme named in site.yaml and the themes it extends; links in the site's own template, static
    and theme folders that lead outside the site folder are errors."""
    escaping = [d for name in ("templates", "static", "themes")
                for d in links_leaving(config.site_dir / name, config.site_dir)]
    if escaping:
        return None, escaping
    search = theme_search_path(config)
    chain: list[Path] = []
    name = config.theme
    while name:
        folder = next((base / name for base in search if (base / name).is_dir()), None)
        if folder is None:
            available = sorted({p.name for base in search if base.is_dir() for p in base.iterdir() if p.is_dir()})
            return None, [error("site.yaml", 1, f"theme '{name}' not found{did_you_mean(name, available)}",
                                "available themes: " + ", ".join(available))]
        if folder in chain:
            return None, [error(str(folder / "theme.yaml"), 1, f"theme '{name}' extends itself through its parents")]
        chain.append(folder)
        name, found = _parent_theme(folder, config.site_dir)
        if found:
            return None, found
    template_dirs = (config.site_dir / "templates", *(f / "templates" for f in chain))
    static_dirs = (config.site_dir / "static", *(f / "static" for f in chain))
    locale_dirs = tuple(d for d in (config.site_dir / "locale", *(f / "locale" for f in chain)) if d.is_dir())
    strings, found = load_strings(locale_dirs, config.language, dict(config.strings))
    if found:
        return None, found
    return Theme(config.theme, tuple(d for d in template_dirs if d.is_dir()),
                 tuple(d for d in static_dirs if d.is_dir()), config.site_dir, strings, hooks), []


_THEME_FIELDS = (Field("extends", "string", "the theme this one builds on (its templates and static files are used "
                                          "where this one has none)"),
                 Field("name", "string", "the theme's name"), Field("description", "string", "what the theme is"))


def _parent_theme(folder: Path, site_dir: Path) -> tuple[str, list[Diagnostic]]:
    """The theme a theme extends ('' for none), from its theme.yaml."""
    meta = folder / "theme.yaml"
    if not meta.is_file():
        return "", []
    shown = meta.relative_to(site_dir).as_posix() if meta.is_relative_to(site_dir) else str(meta)
    root, diagnostics = load_yaml_file(meta, shown, "")
    if root is None:
        return "", diagnostics
    values = read_mapping(root, _THEME_FIELDS, shown, {}, diagnostics, "theme.yaml key")
    return values.get("extends") or "", diagnostics


_COMPILED: dict[tuple[str, str], bytes] = {}  # compiled templates this process has made, by (template, its source)


class CheckedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in a folder, each file the SHA-256 of its code and then the code: a file that fails its
    checksum, or that Jinja cannot load, is compiled again from its template and written anew, never run. (Jinja's
    own folder cache checks only that a file matches its template's source, and runs whatever code follows.)

    What this process compiled is also kept in memory, so that its later builds (the preview's, a check's, a
    site's without a cache folder) compile a template only once; Jinja checks each against its source as well."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        assert self.folder is not None
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.folder is not None:
            self._load_file(bucket)
        if bucket.code is None and (bucket.key, bucket.checksum) in _COMPILED:
            code = _COMPILED[bucket.key, bucket.checksum]
            bucket.load_bytecode(io.BytesIO(code))
            self._write(bucket, code)  # the folder lacked it, or held it damaged

    def _load_file(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = self._file(bucket).read_bytes()
        except OSError:
            return
        checksum, code = data[:32], data[32:]
        if hashlib.sha256(code).digest() != checksum:
            return
        try:
            bucket.load_bytecode(io.BytesIO(code))
        except Exception:  # marshal refuses what it cannot read: compile the template again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        buffer = io.BytesIO()
        bucket.write_bytecode(buffer)
        code = buffer.getvalue()
        if len(_COMPILED) > 2000:  # a long preview of a theme being written: start again rather than grow
            _COMPILED.clear()
        _COMPILED[bucket.key, bucket.checksum] = code
        self._write(bucket, code)

    def _write(self, bucket: jinja2.bccache.Bucket, code: bytes) -> None:
        if self.folder is None:
            return
        target = self._file(bucket)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(hashlib.sha256(code).digest() + code)
            temporary.replace(target)
        except OSError:  # a full or read-only cache: the template is compiled again next time
            temporary.unlink(missing_ok=True)


def template_environment(theme: Theme, compiled_dir: Path | None = None) -> jinja2.Environment:
    """Jinja with autoescaping and StrictUndefined, so a typo in a template is an error, not a blank.

    `compiled_dir` keeps compiled templates between builds (Jinja checks each against its source). A template, once
    loaded, is not looked at again on disk (`auto_reload`): a build reads the theme once, and the preview makes a new
    environment when a template changes. Checking cost a file status for every include of every page."""
    env = jinja2.Environment(
        auto_reload=False,
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        bytecode_cache=CheckedBytecodeCache(compiled_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(theme.strings.gettext, theme.strings.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(date=theme.strings.date, isodate=written_iso, paragraphs=paragraphs,
                       moment=format_moment, slug=lambda text: slugify(str(text)) if text else "")
    env.tests["address"] = lambda value: isinstance(value, str) and is_web_address(value)
    env.globals["zip"] = zip
    env.filters["headings_below"] = headings_below
    env.filters.update(theme.hooks.filters)
    env.globals.update(theme.hooks.template_globals)
    return env


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def headings_below(html: str, level: int) -> Markup:
    """HTML whose headings, written for a page of their own (h2 beneath the page's h1), are moved to sit beneath a
    heading of `level` (h2 -> h{level + 1}, and so on; h6 at the deepest): a story's sections inside a printed kit."""
    shift = level - 1
    return Markup(_HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", str(html)))


def check_templates(env: jinja2.Environment, theme: Theme) -> list[Diagnostic]:
    """Compile every template up front, so a syntax error is reported even in a template no page uses yet."""
    diagnostics = []
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            diagnostics.append(template_diagnostic(exc, theme, name))
        except (OSError, UnicodeDecodeError) as exc:  # unreadable, or not text
            shown = theme.shown(getattr(exc, "filename", None) or name)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            diagnostics.append(error(shown, 1, f"cannot read the template: {reason}",
                                     f"let the user running failsite read it (chmod a+r {shown}), save it as UTF-8, "
                                     "or remove it"))
    return diagnostics


def template_diagnostic(exc: Exception, theme: Theme, template_name: str) -> Diagnostic:
    """Locate an exception raised while rendering: the template file and line it came from."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return error(theme.shown(exc.filename), exc.lineno or 1, f"template syntax error: {exc.message}",
                     "fix the Jinja syntax on this line")
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(template_name, 1, f"template '{exc.name}' not found",
                     "check the name in the {% extends %} or {% include %}, or add the template")
    location = _template_frame(exc, theme)
    path, line = location or (template_name, 1)
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
    missing = _MISSING_ATTRIBUTE.match(message)
    if missing:
        owner, name = _VIEW_NAMES.get(missing.group(1), missing.group(1)), missing.group(2)
        known = template_names()
        message = (f"{owner} has no attribute '{name}' here: it is a field of other types, or not set on this item; "
                   f"guard it with `{{% if page.{name} is defined %}}`" if name in known
                   else f"{owner} has no attribute '{name}'{did_you_mean(name, known)}")
    hint = "check the variable name on this line; templates see `page`, `site` and the helpers in docs/extending.md" \
        if isinstance(exc, jinja2.UndefinedError) else "fix the template expression on this line"
    return error(path, line, f"template error: {message}", hint)


_MISSING_ATTRIBUTE = re.compile(r"'failsite\.render\.views\.(\w+) object' has no attribute '(\w+)'")
_VIEW_NAMES = {"ItemView": "the item (`page`)", "ListPage": "the list page (`page`)", "SiteView": "`site`"}


def template_names() -> list[str]:
    """Every field and property a template can read from an item or list page, for 'did you mean'."""
    names = {f.name for f in COMMON_FIELDS} | {f.name for t in CONTENT_TYPES.values() for f in t.fields}
    names |= {n for n in dir(ItemView) if not n.startswith("_")} | set(ListPage.__dataclass_fields__)
    return sorted(names)


def _template_frame(exc: Exception, theme: Theme) -> tuple[str, int] | None:
    """The innermost traceback frame inside a template file (Jinja rewrites frames to template lines)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if any(filename.startswith(str(d)) for d in theme.template_dirs):
            found = (theme.shown(filename), line)
    return found
