"""The desk's web application: its pages and its requests, served beside the preview by `failsite desk`.

Every request that changes a file is a POST with a JSON body, the desk's token in the
`X-Failsite-Desk` header (from the page the desk served) and an `Origin` that is the desk's own:
a page on another site can neither read the token nor send the header, and its Origin differs.
Served beyond the loopback address, every request also needs the access token of the link the
desk printed (kept in a cookie once used). The desk writes only through `store`, inside the
content folder; it publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import re
import json
import secrets
import threading
import traceback
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from failsite.content.archetypes import BODY_STARTS
from failsite.content.items import DRAFT_NOTE
from failsite.content.discover import source_at
from failsite.content.schema import CONTENT_TYPES, REVIEW_STATUSES, ContentType
from failsite.desk.checking import Checked, SiteChecker
from failsite.desk.document import Document, NotEditable, read_document
from failsite.content.slugs import slugify
from failsite.desk.forms import FIXED_ENTRIES, PERSON_FIELDS, apply_form, item_form, new_document
from failsite.desk.queue import QueueAction, apply_action, review_queue
from failsite.desk.store import (CHANGED_SINCE_OPENED, Refused, StoredFile, current_version, new_key, read_file,
                                 write_file)
from failsite.preview.rebuild import Preview
from failsite.preview.server import AppRequest, AppResponse
from failsite.render.i18n import ThemeStrings, load_strings
from failsite.render.views import TYPE_WORDS

DESK_PATH = "/__failsite/desk"
ACCESS_COOKIE = "failsite_desk_access"
TOKEN_HEADER = "x-failsite-desk"
_HERE = Path(__file__).parent
_STATIC = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8"}
# The words the desk's script shows, handed to it in the site's language.
SCRIPT_WORDS = ('line %d',
                '1 error to fix before the story can leave draft',
                '%d errors to fix before the story can leave draft',
                '(and 1 warning)',
                '(and %d warnings)',
                '1 warning',
                '%d warnings',
                'published',
                'The check failed.',
                'Not saved',
                'Saving…',
                'Saved',
                'The desk could not save.',
                'The desk cannot be reached: is `failsite desk` still running?',
                'This file was changed since you opened it (in an editor or another window). Saving now would be refused: copy what you wrote, then reload the page.',
                'This file was removed or renamed since you opened it.',
                'The desk could not do that.')
_PAGE_HEADERS = (("X-Frame-Options", "DENY"), ("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
                 "form-action 'self'"), ("Referrer-Policy", "same-origin"))


@dataclass(frozen=True)
class DeskSettings:
    """How the desk was started: the access token beyond loopback ('' on loopback), the reviewer's name for
    approvals (`--reviewer`), and the day (for tests: `--today`)."""

    access_token: str = ""
    reviewer: str = ""
    today: dt.date | None = None


class Desk:
    """The desk of one site, answering the requests the preview server hands it."""

    def __init__(self, preview: Preview, files: threading.Lock, settings: DeskSettings):
        self.preview, self.files, self.settings = preview, files, settings
        self.csrf = secrets.token_urlsafe(32)
        self.checker = SiteChecker(preview)
        self.templates = desk_templates()
        self._strings: ThemeStrings | None = None

    # -- the gate ------------------------------------------------------------------------------

    def __call__(self, request: AppRequest) -> AppResponse | None:
        refused = self._access(request)
        if refused is not None:
            return refused
        if request.path != DESK_PATH and not request.path.startswith(DESK_PATH + "/"):
            return None  # the preview's own page
        try:
            if request.method == "POST":
                return self._post(request)
            return self._get(request)
        except Refused as exc:
            return self._refusal(request, exc.status, str(exc), exc.field)
        except NotEditable as exc:
            return self._refusal(request, 422, str(exc))
        except Exception as exc:  # a bug must not take the desk down: say so, print where, keep serving
            traceback.print_exc()
            return self._refusal(request, 500, f"the desk failed unexpectedly: {type(exc).__name__}: {exc}; nothing "
                                 "was written. Please report it with the lines the terminal printed")

    def _access(self, request: AppRequest) -> AppResponse | None:
        """None when the request may go on: the desk is on loopback, or the request carries the access token."""
        token = self.settings.access_token
        if not token:
            return None
        cookie = SimpleCookie(request.headers.get("cookie", ""))
        given = cookie[ACCESS_COOKIE].value if ACCESS_COOKIE in cookie else ""
        if given and hmac.compare_digest(given, token):
            return None
        offered = (request.query.get("token") or [""])[0]
        if request.method == "GET" and offered and hmac.compare_digest(offered, token):
            rest = {k: v for k, v in request.query.items() if k != "token"}
            location = quote(request.path) + ("?" + urlencode(rest, doseq=True) if rest else "")
            return AppResponse(HTTPStatus.SEE_OTHER, b"", "text/plain", (
                ("Location", location),
                ("Set-Cookie", f"{ACCESS_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")))
        return AppResponse(HTTPStatus.FORBIDDEN, self._page("refused.html", message=self._(
            "This desk opens only through the link it was started with. Ask the person who set it up for the "
            "link.")), headers=_PAGE_HEADERS)

    def _post(self, request: AppRequest) -> AppResponse:
        origin, host = request.headers.get("origin", ""), request.headers.get("host", "")
        if not host or origin not in (f"http://{host}", f"https://{host}"):  # https: behind a proxy that keeps Host
            raise Refused(403, "refused: the request did not come from this desk's own page (its Origin differs)")
        if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), self.csrf):
            raise Refused(403, "refused: the request did not carry this desk's token; reload the page and try again")
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(400, "the request is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the request is not a JSON object")
        actions: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "check": self._check, "save": self._save, "review": self._review}
        action = actions.get(request.path.removeprefix(DESK_PATH + "/api/"))
        if action is None:
            raise Refused(404, "there is no such request")
        with self.files:
            return _json(action(data))

    # -- pages ---------------------------------------------------------------------------------

    def _get(self, request: AppRequest) -> AppResponse:
        route = request.path.removeprefix(DESK_PATH).strip("/")
        query = {k: v[0] for k, v in request.query.items() if v}
        if route.startswith("static/"):
            name = route.removeprefix("static/")
            if name not in _STATIC:
                raise Refused(404, "there is no such file")
            return AppResponse(200, (_HERE / "static" / name).read_bytes(), _STATIC[name])
        if route == "api/version":
            return _json({"version": current_version(self.preview.config.content_dir, query.get("item", ""))})
        with self.files:
            if not getattr(self.preview, "site", None) and not hasattr(self.preview, "schema"):
                return self._html(self._page("refused.html", message=self._(
                    "The site does not build yet: run `failsite check` in the site folder to see why.")), 503)
            if route == "":
                return self._html(self._home())
            if route == "new":
                return self._html(self._page("new.html", types=self._types(), type_help=TYPE_HELP))
            if route == "edit" or route.startswith("new/"):
                return self._html(self._form(query.get("item", ""), route.removeprefix("new/") if route != "edit" else ""))
            if route == "review":
                return self._html(self._queue(query.get("said", "")[:300]))
        raise Refused(404, "there is no such page on the desk")

    def _home(self) -> bytes:
        rows = []
        for key, (item, diagnostics) in sorted(self.preview.parsed.items()):
            errors = sum(1 for d in diagnostics if d.severity == "error" or d.message.startswith(DRAFT_NOTE))
            rows.append({"key": key, "title": item.title if item else key, "type": item.type if item else "",
                         "status": item.status if item else "", "errors": errors,
                         "date": item.date.isoformat() if item and item.date else ""})
        return self._page("home.html", rows=rows, types=self._types())

    def _types(self) -> list[ContentType]:
        return [t for t in CONTENT_TYPES.values()]

    def _type_word(self, name: str) -> str:
        """A type's name in the site's language, as the theme's badges show it."""
        word = TYPE_WORDS.get(name)
        theme = getattr(self.preview, "theme", None)
        return str(theme.strings.gettext(word)) if word and theme is not None else name.capitalize()

    def _opened(self, key: str) -> tuple[StoredFile, Document, ContentType]:
        """A content file as read, split for editing, and its type (the parsed item's, else its folder's)."""
        stored = read_file(self.preview.config.content_dir, key)
        item = self.preview.parsed.get(key, (None, []))[0]
        ctype = CONTENT_TYPES.get(item.type) if item else source_at(self.preview.config, key).folder_type
        if ctype is None:
            raise Refused(422, "the desk cannot tell this file's type; edit it in a text editor")
        return stored, read_document(stored.text), ctype

    def _new_document(self, ctype: ContentType) -> Document:
        """The document a new item of the type starts from, with the fields the site's hooks add."""
        schema = self.preview.schema
        return new_document(ctype, self.preview.config, tuple(f for t, f in schema.extra_fields if t == ctype.name),
                            self._today())

    def _form(self, key: str, type_name: str) -> bytes:
        preview = self.preview
        if key:
            stored, document, ctype = self._opened(key)
            version = stored.version
        else:
            found = CONTENT_TYPES.get(type_name)
            if found is None:
                raise Refused(404, f"there is no content type '{type_name}'")
            ctype, document, version = found, self._new_document(found), ""
        form = item_form(ctype, key, document, preview.schema, preview.config, tuple(preview.sources),
                         self._terms_used(), self._people())
        page_url = ""
        site = preview.site
        if key and site is not None and key in site.by_key:
            page_url = site.config.base_path.rstrip("/") + site.by_key[key].url
        note = next((f.value for section in form.sections for f in section.fields if f.field.name == "review_note"), "")
        return self._page("form.html", form=form, version=version, page_url=page_url, review_note=note,
                          statuses=REVIEW_STATUSES, audience=preview.audience.name,
                          body_hint=BODY_STARTS.get(ctype.name, "") if not key else "")

    def _people(self) -> tuple[str, ...]:
        """The registry's people by name, for the fields that name a person."""
        return tuple(sorted(e.name for e in self.preview.anonymiser.registry.entries if e.kind == "person"))

    def _terms_used(self) -> dict[str, tuple[str, ...]]:
        site = self.preview.site
        if site is None:
            return {}
        return {t.name: tuple(sorted(term.title for term in t.terms)) for t in site.taxonomies}

    def _queue(self, said: str = "") -> bytes:
        queue = review_queue(self.preview, self._today())
        content = self.preview.config.content_dir
        versions = {e.key: current_version(content, e.key) for e in queue.in_review + queue.sent_back + queue.with_consent}
        return self._page("queue.html", queue=queue, reviewer=self.settings.reviewer, versions=versions, said=said,
                          people=self._people())

    # -- requests ------------------------------------------------------------------------------

    def _composed(self, data: dict[str, Any]) -> tuple[str, str, str, ContentType]:
        """The file a request's form values make: (key, text, version read at, type); the key of a new item comes
        from its title."""
        preview = self.preview
        key, version = str(data.get("item") or ""), str(data.get("version") or "")
        values = data.get("values") or {}
        if not isinstance(values, dict):
            raise Refused(400, "the form's values are not a mapping")
        if key:
            _, document, ctype = self._opened(key)
        else:
            found = CONTENT_TYPES.get(str(data.get("type") or ""))
            if found is None:
                raise Refused(400, "the request names no content type")
            ctype, document = found, self._new_document(found)
            key = new_key(ctype, str(values.get("title") or ""))
        body = data.get("body")
        document = apply_form(document, ctype, preview.schema, values, body if isinstance(body, str) else None)
        return key, document.text(), version, ctype

    def _check(self, data: dict[str, Any]) -> dict[str, Any]:
        key, text, _, _ = self._composed_or_untitled(data)
        return _checked(self.checker.check(key, text, self._today()))

    def _composed_or_untitled(self, data: dict[str, Any]) -> tuple[str, str, str, ContentType]:
        """As `_composed`, with a new item that has no title yet checked under a stand-in name."""
        values = data.get("values") or {}
        if not data.get("item") and isinstance(values, dict) and not str(values.get("title") or "").strip():
            return self._composed({**data, "values": {**values, "title": "untitled"}})
        return self._composed(data)

    def _save(self, data: dict[str, Any]) -> dict[str, Any]:
        key, text, version, ctype = self._composed(data)
        checked = self.checker.check(key, text, self._today())
        status = str((data.get("values") or {}).get("status") or "approved")
        if checked.errors and status != "draft":
            raise Refused(422, f"not saved: the story has {checked.errors} error{'s' if checked.errors != 1 else ''}. "
                          "Fix them first, or keep it a draft to go on later (Status: draft, then Save)")
        written = write_file(self.preview.config.content_dir, key, text, version)
        return {"saved": True, "item": key, "version": written, **_checked(checked),
                "edit": f"{DESK_PATH}/edit?{urlencode({'item': key})}"}

    def _review(self, data: dict[str, Any]) -> dict[str, Any]:
        key, version = str(data.get("item") or ""), str(data.get("version") or "")
        action = QueueAction(str(data.get("action") or ""), str(data.get("reviewer") or self.settings.reviewer),
                             str(data.get("note") or ""), int(data.get("record") or 0), str(data.get("date") or ""),
                             str(data.get("person") or ""), tuple(str(a) for a in data.get("audiences") or ()))
        stored, document, ctype = self._opened(key)
        if stored.version != version:
            raise Refused(409, CHANGED_SINCE_OPENED)
        text = apply_action(document, ctype, self.preview.schema, action, self._today()).text()
        checked = self.checker.check(key, text, self._today())
        if checked.errors and action.kind != "send-back":
            raise Refused(422, f"not changed: with this change the story would have {checked.errors} error"
                          f"{'s' if checked.errors != 1 else ''}: " + "; ".join(
                              m.message for m in checked.messages if m.severity == "error"))
        written = write_file(self.preview.config.content_dir, key, text, version)
        item = self.preview.parsed.get(key, (None, []))[0]
        title = item.title if item else key
        return {"saved": True, "item": key, "version": written, "said": _said(action, title), **_checked(checked)}

    # -- rendering -----------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self.settings.today or dt.date.today()

    def _(self, message: str) -> Markup:
        """The desk's words in the site's language."""
        if self._strings is None:
            config = getattr(self.preview, "config", None)
            self._strings, _ = load_strings((_HERE / "locale",), config.language if config else "en", {})
        return self._strings.gettext(message)

    def _page(self, name: str, **context: Any) -> bytes:
        config = getattr(self.preview, "config", None)
        template = self.templates.get_template(name)
        words = json.dumps({word: html.unescape(str(self._(word))) for word in SCRIPT_WORDS},
                           ensure_ascii=False).replace("</", "<\\/")
        return template.render(
            desk=DESK_PATH, csrf=self.csrf, _=self._, script_words=Markup(words), type_word=self._type_word,
            site_title=config.title if config else "failsite", language=config.language if config else "en",
            preview_url=config.base_path if config else "/", **context).encode("utf-8")

    def _html(self, body: bytes, status: int = 200) -> AppResponse:
        return AppResponse(status, body, "text/html; charset=utf-8", _PAGE_HEADERS)

    def _refusal(self, request: AppRequest, status: int, message: str, field: str = "") -> AppResponse:
        if request.method == "POST" or request.path.startswith(DESK_PATH + "/api/"):
            return _json({"error": message, "field": field}, status)
        return AppResponse(status, self._page("refused.html", message=message), "text/html; charset=utf-8",
                           _PAGE_HEADERS)


TYPE_HELP = {
    "talk": "A FailLab talk: someone tells the story of a real failure of theirs.",
    "debrief": "An after-action review, a blameless post-mortem or a pre-mortem, with its timeline and actions.",
    "experiment": "A fail-forward experiment: a hypothesis, a time box, and the signals decided beforehand.",
    "log": "An entry in a personal failure log: what happened, why, and what you do differently now.",
    "case": "A failure story published elsewhere (a book, a blog), with its source and licence.",
    "review": "A quarterly review of a failure log: what recurred, and what to try next.",
    "module": "A curriculum module built on stories: objectives, a timed plan, exercises.",
    "event": "A talk evening: when and where, and its running order.",
    "page": "A page of the site: about the programme, how to take part.",
}
# What one row of a list field is called, for its Add button.
_ROW_NAMES = {"whys": "a why", "actions": "an action", "factors": "a factor", "timeline": "an event",
              "consent_given": "a consent record", "chains": "a chain", "plan": "a segment", "lineup": "a talk",
              "links": "a link", "objectives": "an objective", "exercises": "an exercise", "stories": "a story",
              "discussion": "a question", "aliases": "an old address", "authors": "an author",
              "differently": "a change", "went_well": "an entry", "lucky": "an entry", "recurred": "an entry",
              "success_signals": "a signal", "failure_signals": "a signal", "prerequisites": "a module"}


def desk_templates() -> Environment:
    """The desk's templates, with the tests and filters the form's controls use."""
    env = Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.tests["iso_day"] = lambda value: bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)))
    env.tests["digits"] = lambda value: bool(re.fullmatch(r"-?\d+", str(value)))
    env.filters["pair"] = lambda value: (value, value)
    env.filters["slug"] = slugify
    env.globals.update(fixed_entries=FIXED_ENTRIES, person_fields=PERSON_FIELDS, label=lambda name: name.replace("_", " ").capitalize(),
                       singular=lambda name: _ROW_NAMES.get(name, "an entry"))
    return env


def _said(action: QueueAction, title: str) -> str:
    """What the queue says once an action is done."""
    return {"approve": f"Approved “{title}”: the next build publishes it for every audience it reaches.",
            "send-back": f"Sent “{title}” back to its author with your note.",
            "withdraw": f"Withdrew a consent record of “{title}”: no build publishes it from the next one.",
            "expire": f"A consent record of “{title}” now holds until {action.date}.",
            "add-consent": f"Added the consent of {action.person} to “{title}”."}.get(action.kind, "Done.")


def _checked(checked: Checked) -> dict[str, Any]:
    return {"messages": [asdict(m) for m in checked.messages], "errors": checked.errors,
            "body_html": checked.body_html, "reach": [asdict(r) for r in checked.reach]}


def _json(data: dict[str, Any], status: int = 200) -> AppResponse:
    return AppResponse(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def desk_app(settings: DeskSettings) -> Callable[[Preview, threading.Lock], Desk]:
    """What `start_preview` takes to serve the desk beside the preview."""
    return lambda preview, files: Desk(preview, files, settings)
