"""The command line: build, check, new, serve. Turns FailsiteError into printed diagnostics and exit code 1.

The pipeline is imported inside the commands: a build with nothing to do answers from the
stamp of the last build without loading it.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import click

from failsite import __version__
from failsite.content import starter
from failsite.engine.collector import one_shot_process
from failsite.errors import Diagnostic, FailsiteError, did_you_mean, has_errors, shown_path
from failsite.privacy.publish import AUDIENCES

T = TypeVar("T")

EXIT_OK, EXIT_CONTENT_ERRORS, EXIT_USAGE = 0, 1, 2


class TerminalProgress:
    """A progress bar on stderr, shown only on a terminal and only once a build has run for a second."""

    def __init__(self, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.enabled = self.stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or (not self.shown and time.perf_counter() - self.started < 1.0):
            return
        if done % 20 and done != total:
            return
        self.shown = True
        filled = int(30 * done / max(total, 1))
        self.stream.write(f"\rrendering [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} pages")
        self.stream.flush()

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _count(diagnostics: list[Diagnostic], severity: str) -> str:
    n = sum(1 for d in diagnostics if d.severity == severity)
    return f"{n} {severity}{'s' if n != 1 else ''}"


def _run(action: Callable[[], T], verb: str) -> T:
    """Run a command's work; on user errors print them all, a summary, and exit 1."""
    try:
        return action()
    except FailsiteError as exc:
        _print_diagnostics(exc.diagnostics)
        click.echo(f"{verb} failed: {_count(exc.diagnostics, 'error')}, {_count(exc.diagnostics, 'warning')}"
                   + (" (the previous output was left as it was)" if verb == "build" else ""), err=True)
        sys.exit(EXIT_CONTENT_ERRORS)


# Every path the user gives is made absolute here, once, at the command line's edge: the stages below (the watcher
# above all, which compares the paths of events with the folders it watches) never see a relative path.
def folder_path(exists: bool = False) -> click.Path:
    """A folder argument, resolved against the working folder."""
    return click.Path(file_okay=False, exists=exists, resolve_path=True, path_type=Path)


site_dir_argument = click.argument("site_dir", default=".", type=folder_path())
audience_option = click.option("--audience", type=click.Choice(AUDIENCES), default="internal", show_default=True,
                               help="Build only what this audience may see.")
owner_option = click.option("--owner", default="", metavar="NAME",
                             help="A private build for one person: their private log entries (`owner: NAME`) besides "
                                  "what a restricted build holds. Never deploy its output.")
today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
                            help="The date that decides expiry (default: today), for reproducible builds.")


class CommandList(click.Group):
    """The commands in the order a new user meets them, each with its whole first sentence (click cuts it at 45
    characters)."""

    ORDER = ("init", "build", "serve", "desk", "check", "new", "fields", "review", "actions", "import")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands, key=lambda name: (self.ORDER.index(name) if name in self.ORDER else 99, name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.commands[name].get_short_help_str(limit=300)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=CommandList, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="failsite")
def cli() -> None:
    """failsite: build a static site from failure stories, debriefs, experiments and curriculum.

    Start with `failsite init mysite`, then `cd mysite` and `failsite serve`. The guide is in docs/ beside the
    README of failsite's repository.

    Exit status: 0 success, 1 content or configuration errors, 2 usage errors.
    """


@cli.command()
@site_dir_argument
@click.option("-o", "--output", type=folder_path(),
              help="Output folder (default: the `output` of site.yaml, public/).")
@click.option("--drafts", is_flag=True, help="Include items marked `draft: true`.")
@audience_option
@owner_option
@today_option
@click.option("--pdf", is_flag=True, help="Also print the curriculum's handouts and facilitator packs to PDF.")
@click.option("--no-cache", is_flag=True,
              help="Build everything again: ignore the build cache and the record of the last build.")
@click.option("--no-wait", is_flag=True,
              help="If another build of this site is running, exit 1 at once instead of waiting for it.")
def build(site_dir: Path, output: Path | None, drafts: bool, audience: str, owner: str, today: dt.datetime | None,
          pdf: bool, no_cache: bool, no_wait: bool) -> None:
    """Build the site in SITE_DIR (default: this folder).

    When nothing the last build depended on has changed (sources, config, registry, theme, options,
    failsite itself, the output folder), it is not built again: its warnings are printed again.
    """
    started = time.perf_counter()
    day = today.date() if today else dt.date.today()
    if not no_cache:
        from failsite.output.stamp import options_key, up_to_date

        stamp = up_to_date(site_dir, options_key(site_dir, output, drafts, audience, day.isoformat(), owner, pdf))
        if stamp is not None:
            for text in stamp.warnings:
                click.echo(text, err=True)
            _report_build(stamp.pages, stamp.files, shown_path(stamp.out_dir), time.perf_counter() - started,
                          sum(1 for w in stamp.warnings if ": warning: " in w.split("\n")[0]),
                          " (nothing changed since the last build)")
            return
    from failsite.build import build_site

    progress = TerminalProgress()
    result = _run(lambda: build_site(site_dir, output, drafts=drafts, progress=progress, audience=audience,
                                     today=day, use_cache=not no_cache, wait=not no_wait,
                                     waiting=lambda message: click.echo(message, err=True), owner=owner, pdf=pdf,
                                     detach=True), "build")
    progress.finish()
    _print_diagnostics(result.warnings)
    _report_build(result.pages, len(result.outputs), shown_path(result.out_dir), result.seconds,
                  sum(1 for w in result.warnings if w.severity == "warning"))
    _note_drafts(result.site, "failsite build --drafts")
    if result.site is not None and result.site.config.base_path != "/":
        click.echo(f"note: every link starts with {result.site.config.base_path} (from base_url), so opening "
                   f"{shown_path(str(result.out_dir))}/index.html directly shows a page without its styles; to look "
                   f"at the site run `failsite serve` and open the address it prints, or publish the folder at "
                   f"{result.site.config.base_path} on your web server")


def _note_drafts(site, command: str) -> None:  # type: ignore[no-untyped-def]
    """A note naming the drafts a build left out, so a new story marked `draft: true` does not vanish unsaid."""
    if site is None:
        return
    drafts = sorted(f"{site.config.content}/{key}" for key, why in site.left_out.items() if why == "it is a draft")
    if drafts:
        listed = ", ".join(drafts[:3]) + (f" and {len(drafts) - 3} more" if len(drafts) > 3 else "")
        click.echo(f"note: {len(drafts)} draft{'s are' if len(drafts) != 1 else ' is'} not published ({listed}): "
                   f"`{command}` shows {'them' if len(drafts) != 1 else 'it'}, or set `draft: false` when ready",
                   err=True)


def _report_build(pages: int, files: int, out_dir: str, seconds: float, warnings: int, remark: str = "") -> None:
    rate = pages / seconds if seconds > 0 else 0
    click.echo(f"built {pages} pages ({files} files) into {out_dir} in {seconds:.2f} s ({rate:.0f} pages/s)"
               + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "") + remark)


@cli.command()
@site_dir_argument
@click.option("--drafts", is_flag=True, help="Check drafts as if they were published.")
@audience_option
@owner_option
@today_option
def check(site_dir: Path, drafts: bool, audience: str, owner: str, today: dt.datetime | None) -> None:
    """Run every validation of a build (the leak audit included), writing nothing."""
    from failsite.build import check_site

    result = _run(lambda: check_site(site_dir, drafts=drafts, audience=audience,
                                     today=today.date() if today else None, owner=owner), "check")
    _print_diagnostics(result.warnings)
    click.echo(f"checked {result.pages} pages: no errors"
               + (f", {_count(result.warnings, 'warning')}" if result.warnings else ""))


format_option = click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="text for people, json for scripts.")


@cli.command()
@site_dir_argument
@today_option
@format_option
def review(site_dir: Path, today: dt.datetime | None, format_: str) -> None:
    """Print the editorial queue: items in review and for how long, items published internally but not approved for
    public, consent records expiring within 30 days, items past their review date, and what each audience's build
    would publish and why the rest is left out. A report: exit status 0 unless the content has errors."""
    import dataclasses
    import json

    from failsite.build import plan_site
    from failsite.content.config import load_config
    from failsite.site.editorial import editorial_queue, queue_text

    day = today.date() if today else dt.date.today()
    plans = _run(lambda: {audience: plan_site(site_dir, audience, day) for audience in AUDIENCES}, "review")
    queue = editorial_queue(site_dir, plans, day)
    if format_ == "json":
        click.echo(json.dumps(dataclasses.asdict(queue), default=str, indent=2, ensure_ascii=False))
    else:
        click.echo(queue_text(queue, load_config(site_dir).title), nl=False)


@cli.command()
@site_dir_argument
@click.option("--overdue", is_flag=True, help="Only actions past their due day.")
@click.option("--owner", help="Only actions of this owner, as the audience sees the name (any case; a part of it will do).")
@click.option("--audience", type=click.Choice(AUDIENCES), default="restricted", show_default=True,
              help="Show owners as this audience's build shows them (real names only where consent allows).")
@today_option
@click.option("--format", "format_", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for a stand-up, csv or json for scripts.")
def actions(site_dir: Path, overdue: bool, owner: str | None, audience: str, today: dt.datetime | None,
            format_: str) -> None:
    """List the open action items of every published debrief, soonest due first."""
    from failsite.build import plan_site
    from failsite.site.actions import action_rows, rows_csv, rows_json, rows_table

    day = today.date() if today else dt.date.today()
    _, site = _run(lambda: plan_site(site_dir, audience, day), "actions")
    rows = action_rows(site, overdue, owner)
    click.echo({"table": rows_table, "csv": rows_csv, "json": rows_json}[format_](rows, day), nl=False)


@cli.command("import")
@click.argument("tool", type=click.Choice(["hugo", "jekyll", "mkdocs"]))
@click.argument("source_dir", type=folder_path(exists=True))
@site_dir_argument
@click.option("--as", "--type", "type_name", default="case", show_default=True,
              type=click.Choice(["case", "talk", "debrief", "experiment", "log", "event", "page"]),
              help="What the posts become on failsite (--type is the same).")
@click.option("--section", metavar="PATH", default=None,
              help="The folder of SOURCE_DIR to take posts from (content/en/blog); default: the tool's own "
                   "(Hugo's main section, Jekyll's _posts, the MkDocs blog's posts).")
def import_command(tool: str, source_dir: Path, site_dir: Path, type_name: str, section: str | None) -> None:
    """Convert a Hugo, Jekyll or MkDocs Material blog in SOURCE_DIR into items of a type in SITE_DIR: fields and
    shortcodes mapped, images copied, old addresses kept as aliases. Importing again takes in new and changed posts
    and keeps items edited by hand (.failsite-import.json records what was imported). Prints what needs a human."""
    from failsite.content.config import CONFIG_FILE
    from failsite.content.importers import import_site

    report = _run(lambda: import_site(tool, source_dir, site_dir, type_name, section), "import")
    if not (site_dir / CONFIG_FILE).exists():
        allow_html = "markdown:\n  raw_html: true\n" if report.html_posts else ""
        (site_dir / CONFIG_FILE).write_text(f"title: {json.dumps(source_dir.name)}\n{allow_html}", encoding="utf-8")
        click.echo(f"wrote {CONFIG_FILE} (title only" + (", and raw HTML allowed for the posts that hold it"
                                                          if allow_html else "")
                   + ": the guide's configuration reference lists the rest)")
    click.echo(report.text(), nl=False)


class ContentTypeParam(click.ParamType):
    name = "type"

    def convert(self, value: str, param, ctx):  # type: ignore[no-untyped-def]
        from failsite.content.schema import CONTENT_TYPES, TYPE_BY_FOLDER, content_type

        ctype = content_type(value.lower())
        if ctype is None:
            self.fail(f"'{value}' is not a content type{did_you_mean(value, list(CONTENT_TYPES) + list(TYPE_BY_FOLDER))}; "
                      f"choose one of {', '.join(CONTENT_TYPES)}", param, ctx)
        return ctype


def _site_type(name: str, site_dir: Path, verb: str):  # type: ignore[no-untyped-def]
    """A content type by name or folder, and the fields the site's hooks add to it; the site's hooks are loaded
    first, so a type of the site's own is known too."""
    from failsite.content.config import CONFIG_FILE, load_config
    from failsite.content.hooks import load_hooks

    def hooks():  # type: ignore[no-untyped-def]
        config_hooks = load_config(site_dir).hooks if (site_dir / CONFIG_FILE).is_file() else ()
        loaded, found = load_hooks(site_dir, config_hooks)
        if has_errors(found):
            raise FailsiteError(found)
        return loaded

    site_hooks = _run(hooks, verb)
    ctype = ContentTypeParam().convert(name, None, None)
    return ctype, site_hooks.fields_of(ctype.name)


@cli.command()
@click.argument("type_name", metavar="TYPE")
@site_dir_argument
def fields(type_name: str, site_dir: Path) -> None:
    """List every front-matter field of a content TYPE, with its kind and what it is for (with the fields and types
    the hooks of the site in SITE_DIR add)."""
    from failsite.content.schema import fields_of

    ctype, extra = _site_type(type_name, site_dir, "fields")
    for spec in {**fields_of(ctype), **{f.name: f for f in extra}}.values():
        required = " (required)" if spec.required else ""
        choices = f" [{', '.join(spec.choices)}]" if spec.choices else ""
        click.echo(f"{spec.name}{required}: {spec.doc}{choices}")
        for sub in spec.subfields:
            click.echo(f"    {sub.name}{' (required)' if sub.required else ''}: {sub.doc}")


@cli.command()
@click.argument("type_name", metavar="TYPE")
@click.argument("title", required=False)
@site_dir_argument
def new(type_name: str, title: str | None, site_dir: Path) -> None:
    """Write a new TYPE item titled TITLE from its archetype, and print its path.

    TYPE is talk, case, debrief, experiment, log, review, module, event or page (or a type the site's hooks add), e.g.
    `failsite new talk "The launch we announced too early"`. The item starts as a draft.
    """
    if title is None:
        raise click.UsageError(f'give the type, then the title: failsite new talk "{type_name}"')
    from failsite.content.archetypes import new_content
    from failsite.content.config import load_config

    ctype, extra = _site_type(type_name, site_dir, "new")
    path = _run(lambda: new_content(load_config(site_dir), ctype, title, dt.date.today(), extra), "new")
    click.echo(shown_path(path))


@cli.command()
@click.argument("site_dir", default=".", type=folder_path())
@click.option("--title", help=f"The site's title (default: {starter.DEFAULT_TITLE}).")
@click.option("--base-url", metavar="URL",
              help="The address the site will live at, e.g. https://intranet.example/failures/ (default: /, the root "
                   "of any host).")
@click.option("--language", metavar="CODE", help="The language of the stories: en, de, fr, ... (default: en).")
@click.option("--empty", is_flag=True, help="Make the content folders without an example story in each.")
@click.option("--demo", is_flag=True, help="Copy the demo site (a fictional company's programme) instead.")
def init(site_dir: Path, title: str | None, base_url: str | None, language: str | None, empty: bool,
         demo: bool) -> None:
    """Start a new site in SITE_DIR (default: this folder; made if missing) that builds at once.

    Writes a commented site.yaml, a private registry of people (people.yaml) with a generated secret,
    the content folders with one short example per content type, and a .gitignore for the output
    and the build cache. On a terminal, without --title, --base-url or --language, it asks for the
    three. It never overwrites a file: when one it would write exists, it writes nothing.
    """
    if demo:
        files = starter.demo_files()
    else:
        settings = _starter_settings(title, base_url, language)
        problems = starter.settings_problems(settings)
        if problems:
            raise click.UsageError("; ".join(problems))
        files = starter.starter_files(settings, dt.date.today(), examples=not empty)
    _run(lambda: starter.write_new_site(site_dir, files), "init")
    shown = shown_path(site_dir)
    click.echo(f"made a new {'demo ' if demo else ''}site in {shown}: {len(files)} files")
    steps = ([f"cd {shown}"] if shown != "." else []) + ["failsite serve          # preview it at http://127.0.0.1:8000/"]
    if not demo:
        steps += ["edit people.yaml        # the real people your stories name",
                  'failsite new talk "The title of a talk"   # or debrief, experiment, log, module, page']
    click.echo("next:\n" + "\n".join(f"  {step}" for step in steps))
    click.echo("the guide: docs/getting-started.md in failsite's repository")


def _starter_settings(title: str | None, base_url: str | None, language: str | None) -> "starter.StarterSettings":
    """The new site's settings: from the options, or asked on a terminal when none was given."""
    if title is None and base_url is None and language is None and sys.stdin.isatty() and sys.stdout.isatty():
        def checked(problem: Callable[[str], str]) -> Callable[[str], str]:
            def check(value: str) -> str:  # a wrong answer is asked again, with what is wrong
                said = problem(value).split(": give ")[0]
                if said:
                    raise click.BadParameter(said)
                return value
            return check

        return starter.StarterSettings(
            click.prompt("The site's title", default=starter.DEFAULT_TITLE, value_proc=checked(starter.title_problem)),
            click.prompt("The address it will live at (/ for now if you do not know yet)",
                         default=starter.DEFAULT_BASE_URL, value_proc=checked(starter.base_url_problem)),
            click.prompt("The language of the stories", default=starter.DEFAULT_LANGUAGE,
                         value_proc=checked(starter.language_problem)))
    return starter.StarterSettings(title if title is not None else starter.DEFAULT_TITLE,
                                   base_url or starter.DEFAULT_BASE_URL, language or starter.DEFAULT_LANGUAGE)


@cli.command()
@site_dir_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless told).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option("--drafts", is_flag=True, help="Show drafts in the preview (they never reach the publishing output).")
@audience_option
@owner_option
@click.option("--base-url", default="", metavar="URL",
              help="Where the preview is reached, when a reverse proxy serves it under a path "
                   "(https://intranet.example/preview/); default: site.yaml's base_url.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def serve(site_dir: Path, host: str, port: int, drafts: bool, audience: str, owner: str, base_url: str,
          open_browser: bool) -> None:
    """Preview the site with live reload: rebuilds what each save changes, shows errors in the page."""
    from failsite.privacy.publish import audience_for

    _preview(site_dir, host, port, audience_for(audience, drafts, dt.date.today(), (), owner), base_url,
             open_browser, note_drafts=not drafts)


def _preview(site_dir: Path, host: str, port: int, audience, base_url: str, open_browser: bool,  # type: ignore[no-untyped-def]
             note_drafts: bool = False, app=None, opened: Callable[[str], str] = lambda url: url,  # type: ignore[no-untyped-def]
             announce: Callable[[str], list[str]] = lambda url: [f"serving {url} (press Ctrl+C to stop)"]) -> None:
    """Run the preview (with an `app` beside it: the desk) until Ctrl+C or SIGTERM; `announce` says what is served
    where, `opened` is the address --open opens."""
    import webbrowser

    from failsite.preview.server import start_preview

    def report(what: str, result) -> None:  # type: ignore[no-untyped-def]
        stamp = time.strftime("%H:%M:%S")
        if result.ok:
            click.echo(f"{stamp} {what}: {len(result.rendered)} pages rendered, {len(result.written)} files written "
                       f"in {result.seconds * 1000:.0f} ms")
            _print_diagnostics(result.diagnostics)
        else:
            _print_diagnostics(result.diagnostics)
            click.echo(f"{stamp} {what}: build failed, {_count(result.diagnostics, 'error')} (shown in the browser; "
                       "the server keeps running)", err=True)

    _run(lambda: _require_site(site_dir), "serve")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly (and remove the preview) when told
    try:
        server = start_preview(site_dir, host, port, audience, report, base_url, app)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        click.echo(f"  hint: choose another port with --port, e.g. --port {port + 1 if port else 8001}", err=True)
        sys.exit(EXIT_CONTENT_ERRORS)
    try:  # from here on, however it is stopped, the server stops and removes its folder
        for line in announce(server.url):
            click.echo(line)
        if note_drafts:
            _note_drafts(getattr(server.preview, "site", None), "failsite serve --drafts")
        sys.stdout.flush()
        if open_browser:
            webbrowser.open(opened(server.url))
        wait_for_signals()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        if not server.stop():  # a rebuild was abandoned mid-write: end now rather than wait for it
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_OK)


@cli.command()
@site_dir_argument
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Any address but loopback needs the access link the desk prints.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@audience_option
@click.option("--reviewer", default="", metavar="NAME", help="The name the review queue writes as `reviewed_by`.")
@click.option("--token", default="", metavar="TEXT",
              help="The access token beyond loopback (default: a new random one each start).")
@today_option
@click.option("--open", "open_browser", is_flag=True, help="Open the desk in a browser.")
def desk(site_dir: Path, host: str, port: int, audience: str, reviewer: str, token: str, today: dt.datetime | None,
         open_browser: bool) -> None:
    """Write, edit and review stories in the browser: forms made from each type's fields, checked as you type, with
    the preview beside them. Writes only into the content folder; publishes nothing."""
    import ipaddress
    import secrets

    from failsite.desk.app import DESK_PATH, DeskSettings, desk_app
    from failsite.privacy.publish import audience_for

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    access = "" if loopback else (token or secrets.token_urlsafe(24))
    if access and len(access) < 16:
        raise click.UsageError("--token must be at least 16 characters: it is all that guards the desk")
    day = today.date() if today else None

    def desk_url(url: str) -> str:
        scheme, _, address = url.split("/", 3)[:3]
        name, port = address.rsplit(":", 1)
        if name.strip("[]") in ("0.0.0.0", "::"):  # listening everywhere: the address colleagues can open
            name = _address_of_this_computer()
        return f"{scheme}//{name}:{port}{DESK_PATH}/" + (f"?token={access}" if access else "")

    def announce(url: str) -> list[str]:
        lines = [f"desk:    {desk_url(url)}", f"preview: {url}", "(press Ctrl+C to stop)"]
        if access:
            lines.insert(0, "the desk is reachable beyond this computer: share the desk link only with the people "
                            "who write the stories")
        return lines

    _preview(site_dir, host, port, audience_for(audience, True, day or dt.date.today(), ()), "", open_browser,
             app=desk_app(DeskSettings(access, reviewer, day)), opened=desk_url, announce=announce)


def _address_of_this_computer() -> str:
    """The address other computers reach this one at: the one its default route leaves from (nothing is sent),
    else its name."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: choosing the route sends no packet
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def _require_site(site_dir: Path) -> None:
    """An error when SITE_DIR holds no site (the preview would otherwise serve an error page for ever)."""
    from failsite.content.config import CONFIG_FILE
    from failsite.errors import error

    if not (site_dir / CONFIG_FILE).is_file():
        shown = shown_path(site_dir)
        raise FailsiteError([error(shown, 1, f"there is no site here: {shown}/{CONFIG_FILE} does not exist",
                                   "run the command inside the site folder (the one with site.yaml), or name it: "
                                   "`failsite serve mysite`; `failsite init mysite` makes a new site")])


def wait_for_signals() -> None:
    """Sleep in the main thread until a signal's Python handler raises (SIGTERM, or Ctrl+C's KeyboardInterrupt).

    The kernel gives a process's signal to any of its threads. Python runs the handler in the main
    thread, but only once that thread wakes: a plain sleep slept on when the server's or the
    watcher's thread had taken the signal, and `failsite serve` ignored the SIGTERM. Every signal
    is also written to a socket the main thread waits on (signal.set_wakeup_fd), which wakes it
    whichever thread took the signal."""
    import select
    import socket

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        while True:
            select.select([reader], [], [])
            reader.recv(4096)  # the handlers run as this returns, in this thread
    finally:
        signal.set_wakeup_fd(previous)
        reader.close()
        writer.close()


# The collector's first generation is collected every 50,000 new objects instead of 700: a build makes millions
# (items, pages, cache entries) and keeps nearly all of them, and collecting young objects that often was a
# tenth of an edit build at 10,000 talks. Cycles are still collected.
COLLECTOR_THRESHOLDS = (50_000, 20, 10)


def main() -> None:
    """Console entry point."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    one_shot_process()
    cli(prog_name="failsite")
