"""`failsite serve`: build into a preview folder, serve it, watch the sources, rebuild and reload.

A small server on the standard library rather than the livereload package: the browser is told
to reload only after a rebuild has been written whole, bursts of saves are debounced into one
rebuild, a failed build shows its errors in the page, and a stylesheet change is swapped in
place. Events reach the page by Server-Sent Events.
"""

from __future__ import annotations

import html
import ipaddress
import mimetypes
import os
import queue
import re
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from failsite.preview.changes import Change, classify
from failsite.errors import Diagnostic, FailsiteError
from failsite.output.lock import process_alive
from failsite.output.staging import remove_detached
from failsite.preview.rebuild import Preview, RebuildReport, unexpected_error
from failsite.privacy.publish import Audience
from failsite.render.plans import output_path

EVENTS_PATH = "/__failsite/events"
_HISTORY = 32  # events a connection can fall behind by and still be told only what concerns it
REQUEST_TIMEOUT_SECONDS = 30  # for a client's request to arrive whole, and for each write to it
KEEP_ALIVE_SECONDS = 15  # an idle event stream gets a comment this often, so proxies keep it open
STOP_WAIT_SECONDS = 0.5  # how long stopping waits for a rebuild under way before abandoning it
PREVIEW_PREFIX = "failsite-preview-"


class PreviewHTTPServer(ThreadingHTTPServer):
    """The standard library's threading server with a backlog for a browser's burst of connections, daemon
    threads, and quiet about clients that disconnect."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)
DEBOUNCE_SECONDS = 0.04  # quiet time that ends a burst of saves
MAX_WAIT_SECONDS = 0.5  # a burst never delays a rebuild longer than this
SWITCH_SECONDS = 0.001  # how long a thread holds the interpreter while others wait (sys.setswitchinterval)

_CLIENT = """<div id="failsite-preview-banner" role="status" title="Click to hide" onclick="this.remove()" \
style="position:fixed;bottom:0;right:0;z-index:2147483647;cursor:pointer;opacity:0.92;\
background:#8a5a00;color:#fff;font:600 12px/1.4 system-ui,sans-serif;padding:3px 8px;border-top-left-radius:6px">\
Preview: not published</div>
<script>
(function () {
  // The page is named, so a rebuild can render and reload the pages open in a browser first.
  var source = new EventSource("%(events)s?page=" + encodeURIComponent(location.pathname));
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("css", function () {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href); url.searchParams.set("reload", Date.now()); link.href = url.toString();
    });
  });
})();
</script>
"""


def _site_path(request_path: str, base_path: str) -> str:
    """The path a request names, decoded, within the site (its base path taken off)."""
    path = unquote(urlsplit(request_path).path)
    return "/" + path[len(base_path):] if base_path != "/" and path.startswith(base_path) else path


def safe_file(root: Path, request_path: str, base_path: str = "/") -> Path | None:
    """The file under `root` a request names, or None for anything outside it: '..', encoded or not,
    absolute paths, symlinks that lead out, and NUL bytes are all refused."""
    path = _site_path(request_path, base_path)
    if "\x00" in path or "\\" in path:
        return None
    parts = PurePosixPath(path).parts
    if any(part == ".." for part in parts):
        return None
    resolved_root = root.resolve()
    try:
        candidate = (resolved_root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(resolved_root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    except (OSError, ValueError):  # a name too long for the file system, or otherwise impossible: not found
        return None


def live_client(base_path: str = "/") -> str:
    """The banner and the script that reloads the page, listening for events under the site's own path (so a
    reverse proxy that forwards only that path forwards them too)."""
    return _CLIENT % {"events": base_path.rstrip("/") + EVENTS_PATH}


def error_page(diagnostics: list[Diagnostic], base_path: str = "/") -> bytes:
    """The page shown in the browser while the site does not build: the same lines as the CLI."""
    lines = "\n".join(html.escape(d.format()) for d in diagnostics if d.severity == "error")
    count = sum(1 for d in diagnostics if d.severity == "error")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · failsite preview</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}}
h1{{color:#b42318;font-size:1.5rem}}pre{{background:#f6f8fa;border:1px solid #d0d7de;padding:1rem;overflow-x:auto;
white-space:pre-wrap}}</style></head>
<body><main><h1>The site does not build: {count} error{'s' if count != 1 else ''}</h1>
<p>Fix these and save; this page reloads by itself.</p>
<pre id="failsite-errors">{lines}</pre></main>
{live_client(base_path)}</body></html>"""
    return page.encode("utf-8")


class LiveState:
    """What the server shows and tells browsers: the last rebuild's result, a counter of rebuilds, and which page
    each connected browser has open.

    A rebuild that re-renders a page a browser has open writes that page first and tells that
    browser alone (`publish_early`, as Hugo's fast render mode does); the other pages follow, and
    `publish` then tells every other browser. A page told early is not reloaded a second time."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.generation = 0
        self.report: RebuildReport | None = None
        self.stopping = False
        # The last events: (generation, event, for browsers showing these pages (None: all), except these (told
        # earlier in the same rebuild)). A connection reads every one since it last looked, so none is missed.
        self.history: deque[tuple[int, str, frozenset[str] | None, frozenset[str]]] = deque(maxlen=_HISTORY)
        self.viewers: dict[int, str] = {}  # connection -> output path of the page it has open
        # connection -> (when its request head must have arrived, its socket), while it is being read
        self.deadlines: dict[int, tuple[float, socket.socket]] = {}
        # Held while a rebuild writes the preview folder and while a request reads it, so a
        # browser never gets half of one build and half of the next.
        self.files = threading.Lock()

    def viewed(self) -> frozenset[str]:
        """Output paths of the pages browsers have open now."""
        with self.condition:
            return frozenset(self.viewers.values())

    def publish(self, report: RebuildReport, told: frozenset[str] = frozenset()) -> None:
        """Tell every browser of a finished rebuild, but those showing a page in `told` (reloaded already) when it
        succeeded."""
        with self.condition:
            self.report = report
            self._add("css" if report.ok and report.css_only else "reload", None, told if report.ok else frozenset())

    def publish_early(self, pages: frozenset[str]) -> None:
        """Tell the browsers showing these pages, written ahead of the rest of a rebuild, to reload."""
        with self.condition:
            self._add("reload", pages, frozenset())

    def _add(self, event: str, only: frozenset[str] | None, skip: frozenset[str]) -> None:
        self.generation += 1
        self.history.append((self.generation, event, only, skip))
        self.condition.notify_all()

    def event_for(self, page: str, seen: int) -> str | None:
        """What a browser showing `page` that last looked at generation `seen` is to do: "reload", "css" or nothing
        (call with the condition held)."""
        missed = [(event, only, skip) for generation, event, only, skip in self.history if generation > seen]
        if self.history and self.history[0][0] > seen + 1:
            return "reload"  # more happened than the history holds
        concerned = {event for event, only, skip in missed if (only is None or page in only) and page not in skip}
        return "reload" if "reload" in concerned else "css" if "css" in concerned else None


def viewed_output(request_path: str, base_path: str = "/") -> str:
    """The output path of the page a browser names by its address: '/talks/x/' -> 'talks/x/index.html'."""
    return output_path(_site_path(request_path, base_path))


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers the preview answers by name: the address it listens on and localhost, with its port
    (IP addresses are always answered).
    Any other name is refused, so a web page that rebinds its own domain to 127.0.0.1 cannot read the preview
    (drafts included), as Vite and webpack-dev-server decided after their DNS-rebinding advisories."""
    names = {host, "localhost", "127.0.0.1", "[::1]"}
    if ":" in host and not host.startswith("["):
        names.add(f"[{host}]")
    return frozenset(f"{name}:{port}".lower() for name in names) | frozenset(
        name.lower() for name in names if port == 80)


def _is_address(host: str) -> bool:
    """A Host header that is an IP address (with or without a port): no DNS name, so nothing to rebind."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


MAX_REQUEST_BYTES = 4 * 1024 * 1024  # the largest request body an app served beside the preview takes


@dataclass(frozen=True)
class AppRequest:
    """A request as an app served beside the preview sees it: the method, the path and query, the headers (names
    in lower case) and the body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class AppResponse:
    """An app's answer: status, body, content type, and more headers."""

    status: int
    body: bytes
    kind: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


# An app served beside the preview (the desk): it answers a request, or returns None to let the preview serve it.
App = Callable[[AppRequest], "AppResponse | None"]


def make_handler(root: Path, base_path: str, state: LiveState,
                 hosts: set[str] | frozenset[str] | None = None, app: App | None = None
                 ) -> type[BaseHTTPRequestHandler]:
    class PreviewHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = REQUEST_TIMEOUT_SECONDS  # a client that sends half a request and stops gives its thread back

        def log_message(self, format: str, *args: object) -> None:
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (ConnectionError, TimeoutError, OSError):  # the browser went away, went quiet or was cut off
                self.close_connection = True
            finally:
                state.deadlines.pop(id(self), None)

        def handle_one_request(self) -> None:
            # The whole request head must arrive within the deadline, not each read of it: a client sending a byte
            # every few seconds would otherwise keep its thread for ever. The keeper thread cuts such a client off.
            state.deadlines[id(self)] = (time.monotonic() + REQUEST_TIMEOUT_SECONDS, self.connection)
            super().handle_one_request()

        def parse_request(self) -> bool:
            state.deadlines.pop(id(self), None)  # the head arrived in time
            return super().parse_request()

        def _client_gone(self) -> bool:
            """Whether the browser closed its end (an event stream reads nothing from it otherwise)."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
            except (OSError, ValueError):
                return True

        def do_HEAD(self) -> None:  # noqa: N802 (the standard library's name)
            self._head_only = True
            self.do_GET()

        def do_OPTIONS(self) -> None:  # noqa: N802
            if self._host_refused():
                return
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Allow", "GET, HEAD, OPTIONS")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _host_refused(self) -> bool:
            host = (self.headers.get("Host") or "").strip().lower()
            if hosts is None or host in hosts or _is_address(host):
                return False
            self._send(HTTPStatus.FORBIDDEN, b"This preview answers only requests to the address it was started on "
                       b"(or localhost).\n", "text/plain; charset=utf-8")
            return True

        def _app(self, method: str) -> bool:
            """Let the app answer the request; whether it did."""
            if app is None:
                return False
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"The request is too large.\n", "text/plain; charset=utf-8")
                self.close_connection = True
                return True
            parts = urlsplit(self.path)
            request = AppRequest(method, unquote(parts.path), parse_qs(parts.query),
                                 {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length) if length else b"")
            response = app(request)
            if response is None:
                return False
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self._send_body(response.body, response.kind)
            return True

        def do_POST(self) -> None:  # noqa: N802
            if self._host_refused():
                return
            if not self._app("POST"):
                self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"The preview takes no POST requests.\n",
                           "text/plain; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            if self._host_refused():
                return
            if self._app("GET"):
                return
            if urlsplit(self.path).path in (EVENTS_PATH, base_path.rstrip("/") + EVENTS_PATH):
                self._events()
                return
            with state.files:
                self._serve_file()

        def _serve_file(self) -> None:
            report = state.report
            if report is not None and not report.ok:
                # Nothing of the last good build is served while the site does not build: the failure may be
                # the audit finding a name in a file that was clean before the registry changed.
                if urlsplit(self.path).path.endswith(("/", ".html")):
                    self._send(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(report.diagnostics, base_path),
                               "text/html; charset=utf-8")
                else:
                    self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"The site does not build: open any page to see why.\n",
                               "text/plain; charset=utf-8")
                return
            if urlsplit(self.path).path == "/" and base_path != "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", base_path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = safe_file(root, self.path, base_path)
            if target is None:
                missing = safe_file(root, "/404.html")
                body = missing.read_bytes() if missing else b"Not found"
                self._send(HTTPStatus.NOT_FOUND, _inject(body, base_path), "text/html; charset=utf-8")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            body = target.read_bytes()
            if kind == "text/html":
                body, kind = _inject(body, base_path), "text/html; charset=utf-8"
            self._send(HTTPStatus.OK, body, kind)

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self._send_body(body, kind)

        def _send_body(self, body: bytes, kind: str) -> None:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not getattr(self, "_head_only", False):
                self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")  # nginx in front: pass each event on at once
            self.end_headers()
            if getattr(self, "_head_only", False):
                return
            page = viewed_output(parse_qs(urlsplit(self.path).query).get("page", [""])[0], base_path)
            with state.condition:
                seen = state.generation
                state.viewers[id(self)] = page
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                quiet_since = time.monotonic()
                while not state.stopping:
                    with state.condition:  # woken by a rebuild, or each second to see whether the browser left
                        state.condition.wait_for(lambda: state.generation != seen or state.stopping, timeout=1)
                        generation, event = state.generation, state.event_for(page, seen)
                    if state.stopping or self._client_gone():
                        return
                    if generation == seen and time.monotonic() - quiet_since < KEEP_ALIVE_SECONDS:
                        continue
                    quiet_since = time.monotonic()
                    message = f"event: {event}\ndata: {generation}\n\n" if event else ": keep-alive\n\n"
                    seen = generation
                    self.wfile.write(message.encode("utf-8"))
                    self.wfile.flush()
            except (ConnectionError, TimeoutError):
                return
            finally:
                with state.condition:
                    state.viewers.pop(id(self), None)
                self.close_connection = True

    return PreviewHandler


def _inject(body: bytes, base_path: str = "/") -> bytes:
    """The page with the live-reload client (`live_client`) before its closing body tag."""
    marker = b"</body>"
    index = body.rfind(marker)
    client = live_client(base_path).encode("utf-8")
    return body[:index] + client + body[index:] if index >= 0 else body + client


class _Collector(FileSystemEventHandler):
    """Queues every path a file event names (both ends of a rename), except inside ignored folders."""

    def __init__(self, events: "queue.Queue[Path]", ignored: list[Path]):
        self.events, self.ignored = events, [p.resolve() for p in ignored]

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(str(raw))
                if not any(path.resolve().is_relative_to(folder) for folder in self.ignored):
                    self.events.put(path)


@dataclass
class PreviewServer:
    """A running preview: its URL, and how to stop it."""

    url: str
    server: PreviewHTTPServer
    observer: Observer  # type: ignore[valid-type]
    state: LiveState
    preview_dir: Path
    threads: list[threading.Thread]
    preview: Preview

    def stop(self) -> bool:
        """Stop serving and remove the preview folder, within about a second whatever is under way. Returns False
        when a rebuild was still writing and was abandoned: the process should then exit at once (the next preview
        removes whatever that rebuild wrote after the folder was removed)."""
        with self.state.condition:
            self.state.stopping = True
            self.state.condition.notify_all()
        self.observer.stop()  # type: ignore[attr-defined]
        self.server.shutdown()
        self.server.server_close()
        finished = self.state.files.acquire(timeout=STOP_WAIT_SECONDS)
        if finished:
            try:
                self.preview.close()
                shutil.rmtree(self.preview_dir, ignore_errors=True)
            finally:
                self.state.files.release()
            return True
        # A rebuild is still writing: its folder is renamed out of its way at once and removed by a process of its
        # own (removing it here competed with the rebuild for seconds); what the rebuild writes after the rename,
        # under the old name, the next preview removes (the name carries this process's id).
        abandoned = self.preview_dir.with_name(f"{self.preview_dir.name}-stopped")
        try:
            os.rename(self.preview_dir, abandoned)
        except OSError:
            abandoned = self.preview_dir
        remove_detached(abandoned)
        return False


def start_preview(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, audience: Audience = Audience(),
                  report: Callable[[str, RebuildReport], None] = lambda what, r: None,
                  base_url: str = "", app: Callable[[Preview, threading.Lock], App] | None = None) -> PreviewServer:
    """Build the site into a fresh preview folder, serve it, and rebuild on every change; `base_url` replaces
    site.yaml's for the preview (where a reverse proxy serves it, e.g. https://intranet.example/preview/). `app`
    makes an app served beside the preview (the desk) from the preview and the lock a rebuild holds while it
    writes."""
    remove_abandoned_previews()
    preview_dir = Path(tempfile.mkdtemp(prefix=f"{PREVIEW_PREFIX}{os.getpid()}-"))
    # A request waits for the rebuild thread to let go of the interpreter; by default it may hold on for 5 ms at a
    # time, and a page asked for while the rest of a rebuild renders took tens of them.
    sys.setswitchinterval(SWITCH_SECONDS)
    state = LiveState()
    hosts: set[str] = set()
    try:  # the first build may be stopped (Ctrl+C, SIGTERM) or the port taken: no preview folder is left behind
        preview = Preview(site_dir, preview_dir, audience, base_url)
        first = preview.rebuild()
        state.publish(first)
        report("initial build", first)
        base_path = preview.config.base_path if hasattr(preview, "config") else "/"
        server = PreviewHTTPServer((host, port), make_handler(
            preview_dir, base_path, state, hosts, app(preview, state.files) if app is not None else None))
    except BaseException:
        shutil.rmtree(preview_dir, ignore_errors=True)
        raise
    hosts.update(allowed_hosts(host, server.server_address[1]))
    events: "queue.Queue[Path]" = queue.Queue()
    ignored = [preview_dir, site_dir / ".git", site_dir / ".failsite-cache"]
    if hasattr(preview, "config"):
        ignored.append(site_dir / preview.config.output)
    observer = Observer()
    observer.schedule(_Collector(events, ignored), str(site_dir), recursive=True)
    observer.start()
    # serve_forever looks for a shutdown every poll: stopping waits up to one
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
               threading.Thread(target=_rebuild_loop, args=(preview, events, state, report), daemon=True),
               threading.Thread(target=_cut_off_slow_clients, args=(state,), daemon=True)]
    for thread in threads:
        thread.start()
    bound_host, bound_port = server.server_address[:2]
    return PreviewServer(f"http://{_url_host(str(bound_host))}:{bound_port}{base_path}", server, observer, state, preview_dir, threads,
                         preview)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def remove_abandoned_previews(folder: Path | None = None) -> list[Path]:
    """Remove the preview folders that previews killed before they could clean up left in the temporary folder
    (each is named with its process's id), and return them."""
    pattern = re.compile(rf"{PREVIEW_PREFIX}(\d+)-.*")
    removed = []
    for entry in (folder or Path(tempfile.gettempdir())).iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not process_alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _cut_off_slow_clients(state: LiveState) -> None:
    """Close the connections whose request head has not arrived whole within its deadline, once a second."""
    while not state.stopping:
        time.sleep(1)
        now = time.monotonic()
        for key, (deadline, connection) in list(state.deadlines.items()):
            if now > deadline:
                state.deadlines.pop(key, None)
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@contextmanager
def _released(lock: threading.Lock) -> Iterator[None]:
    """The held lock let go for a while (requests read the folder meanwhile), and taken again."""
    lock.release()
    try:
        yield
    finally:
        lock.acquire()


def _rebuild_loop(preview: Preview, events: "queue.Queue[Path]", state: LiveState,
                  report: Callable[[str, RebuildReport], None]) -> None:
    while not state.stopping:
        try:
            first = events.get(timeout=0.5)
        except queue.Empty:
            continue
        burst = {first}
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                burst.add(events.get(timeout=DEBOUNCE_SECONDS))
            except queue.Empty:
                break
        try:
            _rebuild_once(preview, burst, state, report, lambda: not events.empty())
        except Exception as exc:  # a bug must not stop the preview: show it, and keep watching
            failed = RebuildReport(False, [unexpected_error(exc)], (), (), 0.0)
            with state.files:
                state.publish(failed)
            report("rebuild", failed)


def _rebuild_once(preview: Preview, burst: set[Path], state: LiveState,
                  report: Callable[[str, RebuildReport], None], saved_since: Callable[[], bool] = lambda: False) -> None:
    """Rebuild for one burst of changes, tell the browsers, then re-index the search unless `saved_since` says
    another change is waiting (which re-indexes after its own rebuild)."""
    change = classify(burst, preview.config, preview.theme) if hasattr(preview, "theme") \
        else Change(full=True, paths=tuple(str(p) for p in burst))
    if change.empty:
        return
    if not preview.site:
        change = Change(full=True, paths=change.paths)  # the last full build failed: start again
    told: set[str] = set()

    def early(pages: frozenset[str]) -> None:
        told.update(pages)
        state.publish_early(pages)

    # The pages browsers have open are written and reloaded first, and the lock is let go while the rest render;
    # while browsers show the error page, they wait for the whole rebuild (which may fail again).
    viewed = state.viewed() if state.report is None or state.report.ok else frozenset()
    with state.files:
        result = preview.rebuild(change, viewed=viewed, early=early, meanwhile=_released(state.files))
        # A failure with another save already waiting is most likely a file read half-written (an editor that
        # empties a file, then writes it): the browsers keep the last good pages, and the waiting save's rebuild
        # tells them, with the error page again if the failure stands.
        if result.ok or not saved_since():
            state.publish(result, frozenset(told))
    report(", ".join(change.paths) or "change", result)
    if result.ok and not result.css_only and not change.full:  # a full rebuild indexed everything already
        try:
            preview.refresh_search(state.files, saved_since)
        except FailsiteError as exc:
            report("search index", RebuildReport(False, exc.diagnostics, (), (), 0.0))
