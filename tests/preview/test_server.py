"""The preview server: safe paths, loopback by default, events after each rebuild, errors in the page."""

from __future__ import annotations

import html
import http.client
import inspect
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import SiteMaker, talk
from failsite.cli import serve
from failsite.errors import error
from failsite.render.renderer import Renderer
from failsite.preview.rebuild import RebuildReport
from failsite.privacy.publish import Audience
from failsite.preview.server import LiveState, PreviewServer, error_page, safe_file, start_preview, viewed_output


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root/talks/a").mkdir(parents=True)
    (tmp_path / "root/talks/a/index.html").write_text("a")
    (tmp_path / "root/index.html").write_text("home")
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "root/link").symlink_to(tmp_path / "secret.txt")
    return tmp_path / "root"


@pytest.mark.parametrize("request_path", [
    "/../secret.txt", "/talks/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/talks/%2e%2e/%2e%2e/secret.txt",
    "//etc/passwd", "/..%5csecret.txt", "/link", "/index.html%00.txt", "/nothing-here/"])
def test_paths_outside_the_preview_are_refused(root: Path, request_path: str) -> None:
    assert safe_file(root, request_path) is None


def test_paths_inside_are_served_with_index_html(root: Path) -> None:
    assert safe_file(root, "/talks/a/") == (root / "talks/a/index.html").resolve()
    assert safe_file(root, "/talks/a/index.html?x=1") == (root / "talks/a/index.html").resolve()
    assert safe_file(root, "/fail/talks/a/", "/fail/") == (root / "talks/a/index.html").resolve()


def test_default_bind_address_is_loopback() -> None:
    host_option = next(p for p in serve.params if p.name == "host")
    assert host_option.default == "127.0.0.1"
    assert inspect.signature(start_preview).parameters["host"].default == "127.0.0.1"


def test_error_page_shows_the_cli_lines_escaped() -> None:
    page = error_page([error("content/talks/a.md", 3, "invalid YAML: <bad>", "fix it")]).decode()
    assert "content/talks/a.md:3:1: error: invalid YAML: &lt;bad&gt;" in page
    assert "EventSource" in page


class EventReader:
    """Reads the server's event stream in a thread and keeps each event name with when it came."""

    def __init__(self, server: PreviewServer, page: str = ""):
        """`page`: the address of the page the reader is a browser showing (as the live client sends it)."""
        host, port = server.server.server_address[:2]
        self.connection = http.client.HTTPConnection(host, port, timeout=10)
        self.connection.request("GET", "/__failsite/events" + (f"?page={quote(page, safe='')}" if page else ""))
        self.response = self.connection.getresponse()
        self.events: list[tuple[str, float]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if line.startswith("event: "):
                    self.events.append((line.removeprefix("event: "), time.monotonic()))
        except Exception:
            return

    def close(self) -> None:
        self.connection.close()

    def wait(self, count: int, timeout: float = 10) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [name for name, _ in self.events]


def fetch(server: PreviewServer, path: str) -> tuple[int, str]:
    host, port = server.server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def running(make_site: SiteMaker):  # type: ignore[no-untyped-def]
    site = make_site({"content/talks/a.md": talk("First title", body="Original text.")})
    server = start_preview(site, "127.0.0.1", 0)
    yield site, server
    server.stop()


def test_save_rebuilds_and_tells_the_browser(running) -> None:  # type: ignore[no-untyped-def]
    site, server = running
    assert server.url.startswith("http://127.0.0.1:")
    status, page = fetch(server, "/talks/a/")
    assert status == 200 and "Original text." in page and "Preview: not published" in page
    reader = EventReader(server, "/talks/a/")  # the page it then reads
    time.sleep(0.2)
    (site / "content/talks/a.md").write_text(talk("First title", body="Edited text."))
    assert reader.wait(1)[0] == "reload"
    assert "Edited text." in fetch(server, "/talks/a/")[1]
    reader.close()


def test_broken_save_shows_errors_and_the_next_good_save_recovers(running) -> None:  # type: ignore[no-untyped-def]
    site, server = running
    reader = EventReader(server, "/talks/a/")  # the page it then reads
    time.sleep(0.2)
    (site / "content/talks/a.md").write_text("---\ntitle: [oops\n---\n")
    reader.wait(1)
    status, page = fetch(server, "/talks/a/")
    assert status == 500 and "content/talks/a.md:2:8: error: invalid YAML" in page
    (site / "content/talks/a.md").write_text(talk("Fixed"))
    reader.wait(2)
    status, page = fetch(server, "/talks/a/")
    assert status == 200 and "Fixed" in page
    reader.close()


def test_a_stylesheet_change_is_swapped_in_place(running) -> None:  # type: ignore[no-untyped-def]
    site, server = running
    (site / "static/css").mkdir(parents=True)
    reader = EventReader(server)
    time.sleep(0.2)
    (site / "static/css/own.css").write_text("body{}")  # a new folder: a full rebuild
    reader.wait(1)
    time.sleep(0.6)  # let that burst settle
    seen = len(reader.events)
    (site / "static/css/own.css").write_text("body{color:red}")
    assert reader.wait(seen + 1)[-1] == "css"
    assert fetch(server, "/css/own.css")[1] == "body{color:red}"
    reader.close()


def test_drafts_in_preview_never_reach_the_publishing_output(make_site: SiteMaker) -> None:
    from failsite.privacy.publish import Audience
    site = make_site({"content/talks/a.md": talk("Draft talk", draft="true")})
    server = start_preview(site, "127.0.0.1", 0, Audience(drafts=True))
    try:
        assert "Draft talk" in fetch(server, "/talks/a/")[1]
        assert not (site / "public").exists() and not server.preview_dir.is_relative_to(site)
    finally:
        server.stop()


def test_a_port_in_use_is_reported_without_a_traceback(make_site: SiteMaker) -> None:
    import socket

    from click.testing import CliRunner

    from failsite.cli import cli
    site = make_site({"content/talks/a.md": talk()})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", str(site), "--port", str(port)])
    assert result.exit_code == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


def test_a_saved_word_becomes_searchable_after_the_reload(running) -> None:  # type: ignore[no-untyped-def]
    import gzip
    site, server = running
    reader = EventReader(server)
    time.sleep(0.2)
    (site / "content/talks/a.md").write_text(talk("First title", body="A zephyrine wind."))
    assert reader.wait(1)[0] == "reload"
    deadline = time.monotonic() + 15
    found = False
    while not found and time.monotonic() < deadline:
        time.sleep(0.1)
        fragments = sorted((server.preview_dir / "pagefind" / "fragment").glob("*"))
        try:
            found = any(b"zephyrine" in gzip.decompress(p.read_bytes()) for p in fragments)
        except (OSError, EOFError, gzip.BadGzipFile):
            continue  # the bundle is being swapped
    reader.close()
    assert found


def fetch_as(server: PreviewServer, path: str, host: str) -> int:
    address, port = server.server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host.replace("PORT", str(port)))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:PORT", 200), ("localhost:PORT", 200), ("LOCALHOST:PORT", 200), ("[::1]:PORT", 200),
    ("192.168.1.20:PORT", 200), ("evil.example", 403), ("evil.example:PORT", 403), ("localhost.evil.example:PORT", 403),
    ("", 403),
])
def test_only_the_preview_s_own_host_is_answered(running, host: str, status: int) -> None:  # type: ignore[no-untyped-def]
    _, server = running
    assert fetch_as(server, "/talks/a/", host) == status
    assert fetch_as(server, "/__failsite/events", "evil.example") == 403


REGISTRY_AFTER = "secret: s\npeople:\n  - name: Kwame Osei\n"


def test_registering_a_name_re_audits_every_file_the_preview_serves(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk(body="A story."), "static/notes.txt": "Ask Kwame Osei.\n",
                      "people.yaml": "secret: s\npeople: []\n"},
                     config="title: T\nanonymise:\n  registry: people.yaml\n")
    server = start_preview(site, "127.0.0.1", 0)
    try:
        assert fetch(server, "/notes.txt") == (200, "Ask Kwame Osei.\n")
        reader = EventReader(server)
        time.sleep(0.2)
        (site / "people.yaml").write_text(REGISTRY_AFTER)
        reader.wait(1)
        status, text = fetch(server, "/notes.txt")
        assert status == 503 and "Kwame" not in text
        status, page = fetch(server, "/talks/a/")
        assert status == 500 and 'static/notes.txt:1:1: error: protected name of "Kwame Osei" found' in \
            html.unescape(page)
        reader.close()
    finally:
        server.stop()


def raw_request(server: PreviewServer, data: bytes, read: bool = True) -> bytes:
    import socket
    address, port = server.server.server_address[:2]
    with socket.create_connection((address, port), timeout=10) as connection:
        connection.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_bad_clients_get_answers_not_tracebacks(running, capfd: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import socket
    _, server = running
    assert fetch(server, "/" + "a" * 300 + "/")[0] == 404
    assert fetch(server, "/" + "/".join(["b" * 250] * 20))[0] == 404
    host = f"Host: localhost:{server.server.server_address[1]}".encode()
    head = raw_request(server, b"HEAD /talks/a/ HTTP/1.1\r\n" + host + b"\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")  # headers only
    options = raw_request(server, b"OPTIONS / HTTP/1.1\r\n" + host + b"\r\nConnection: close\r\n\r\n")
    assert options.startswith(b"HTTP/1.1 204") and b"Allow: GET, HEAD, OPTIONS" in options
    address, port = server.server.server_address[:2]
    for _ in range(20):  # clients that go away mid-response
        with socket.create_connection((address, port), timeout=5) as connection:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.sendall(b"GET /talks/a/ HTTP/1.1\r\n" + host + b"\r\n\r\n")
    time.sleep(0.5)
    assert fetch(server, "/talks/a/")[0] == 200
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipeError" not in captured.err


def test_a_hundred_clients_at_once_are_all_answered(running) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor
    _, server = running
    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(lambda n: fetch(server, "/talks/a/")[0], range(100)))
    assert statuses == [200] * 100


def test_a_half_sent_request_gives_its_thread_back(make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import failsite.preview.server as server_module
    monkeypatch.setattr(server_module, "REQUEST_TIMEOUT_SECONDS", 1)
    site = make_site({"content/talks/a.md": talk()})
    server = start_preview(site, "127.0.0.1", 0)
    try:
        address, port = server.server.server_address[:2]
        with socket.create_connection((address, port), timeout=10) as idle:
            idle.sendall(b"GET /talks/a/ HTTP/1.1\r\nHost: loc")  # and then nothing
            assert fetch(server, "/talks/a/")[0] == 200  # others are served meanwhile
            started = time.monotonic()
            assert idle.recv(100) == b""  # the server closed the idle connection
            assert time.monotonic() - started < 5
    finally:
        server.stop()


def test_an_exception_in_a_rebuild_becomes_the_error_page_and_the_preview_goes_on(
        running, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from failsite.preview.rebuild import Preview
    site, server = running
    original = Preview._incremental
    failures = iter([True])

    def flaky(self: Preview, change):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise RuntimeError("injected fault")
        return original(self, change)

    monkeypatch.setattr(Preview, "_incremental", flaky)
    reader = EventReader(server, "/talks/a/")  # the page it then reads
    time.sleep(0.2)
    (site / "content/talks/a.md").write_text(talk("Second title"))
    reader.wait(1)
    status, page = fetch(server, "/talks/a/")
    assert status == 500 and "the rebuild failed unexpectedly: RuntimeError: injected fault" in page
    (site / "content/talks/a.md").write_text(talk("Third title"))
    reader.wait(2)
    status, page = fetch(server, "/talks/a/")
    assert status == 200 and "Third title" in page
    reader.close()


def test_soak_edits_and_requests_at_once_end_equal_to_a_fresh_build(make_site: SiteMaker, tmp_path: Path,
                                                                    capfd: pytest.CaptureFixture[str]) -> None:
    import os
    import random
    from concurrent.futures import ThreadPoolExecutor

    from conftest import build
    seconds = float(os.environ.get("FAILSITE_SOAK_SECONDS", "12"))  # the bound is 60 s; CI may raise it
    site = make_site({f"content/talks/t{n}.md": talk(f"Talk {n}", body=f"Story {n}.") for n in range(12)})
    failed: list[str] = []  # what a failed rebuild said: the pages answer 500 meanwhile
    server = start_preview(site, "127.0.0.1", 0, report=lambda what, report: failed.extend(
        f"{what}: {d.format()}" for d in report.diagnostics if not report.ok))
    rng = random.Random(11)
    deadline = time.monotonic() + seconds
    statuses: list[int] = []

    def requests() -> None:
        while time.monotonic() < deadline:
            path = rng.choice(["/", "/talks/", f"/talks/t{rng.randrange(12)}/", "/patterns/", "/nope/"])
            statuses.append(fetch(server, path)[0])

    try:
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(requests) for _ in range(3)]
            edits = 0
            while time.monotonic() < deadline:
                n = rng.randrange(12)
                (site / f"content/talks/t{n}.md").write_text(talk(f"Talk {n} v{edits}", body=f"Story {n}, edit {edits}."))
                edits += 1
                time.sleep(rng.uniform(0.01, 0.3))
            for future in futures:
                future.result()
        fresh = tmp_path / "fresh"
        shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("public", ".failsite-cache"))
        build(fresh)

        def differing() -> list[int]:
            """The talks whose served page is not yet the fresh build's (the preview links static files without
            the build's cache-busting hashes; all else is the same)."""
            found = []
            for n in range(12):
                expected = (fresh / f"public/talks/t{n}/index.html").read_text()
                served = fetch(server, f"/talks/t{n}/")[1]
                if re.search(r"<h1[^>]*>(.*?)</h1>", served, re.S).group(1) != \
                        re.search(r"<h1[^>]*>(.*?)</h1>", expected, re.S).group(1) or \
                        (server.preview_dir / f"talks/t{n}/index.html").read_text() != \
                        re.sub(r"\?v=[0-9a-f]+", "", expected):  # type: ignore[union-attr]
                    found.append(n)
            return found

        settled = time.monotonic() + 15  # the last burst's rebuild, however busy the machine
        while differing() and time.monotonic() < settled:
            time.sleep(0.2)
        assert differing() == []
        assert set(statuses) <= {200, 404} and statuses, failed
    finally:
        server.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_serve_under_a_proxy_path_with_base_url(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/a.md": talk("First title", body="See [about](/about/).")})
    server = start_preview(site, "127.0.0.1", 0, base_url="https://intranet.example/preview")
    try:
        assert server.url.endswith("/preview/")
        status, page = fetch(server, "/preview/talks/a/")
        assert status == 200 and 'href="/preview/about/"' in page
        assert 'new EventSource("/preview/__failsite/events?page="' in page  # the events under the site's path
        host, port = server.server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("GET", "/preview/__failsite/events")
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("X-Accel-Buffering") == "no"
        assert response.getheader("Content-Type") == "text/event-stream"
        connection.close()
    finally:
        server.stop()


def test_the_error_page_listens_for_the_next_build_under_the_sites_path() -> None:
    page = error_page([error("content/a.md", 2, "bad", "fix it")], "/failures/").decode()
    assert 'new EventSource("/failures/__failsite/events?page="' in page and "%(" not in page


def test_the_page_a_browser_shows_is_named_by_its_output_path() -> None:
    assert viewed_output("/talks/a/") == "talks/a/index.html" and viewed_output("/") == "index.html"
    assert viewed_output("/preview/talks/a/", "/preview/") == "talks/a/index.html"
    assert viewed_output("/talks/caf%C3%A9/") == "talks/café/index.html"
    assert viewed_output("/404.html") == "404.html" and viewed_output("") == "index.html"


def test_the_page_being_edited_reloads_first_and_every_browser_reloads_once(make_site: SiteMaker,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/talks/a.md": talk("First title", body="Original text."),
                      "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n"})
    server = start_preview(site, "127.0.0.1", 0)
    feeds = Renderer.feeds

    def slow_feeds(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # the rest of the rebuild takes a while, as on a large site
        return feeds(*args, **kwargs)

    monkeypatch.setattr(Renderer, "feeds", slow_feeds)
    try:
        editing, elsewhere = EventReader(server, "/talks/a/"), EventReader(server, "/about/")
        time.sleep(0.3)
        (site / "content/talks/a.md").write_text(talk("New title", body="Edited text."))
        assert editing.wait(1) == ["reload"] and elsewhere.wait(1) == ["reload"]
        time.sleep(0.5)  # no second reload follows for either
        assert [name for name, _ in editing.events] == ["reload"] == [name for name, _ in elsewhere.events]
        assert elsewhere.events[0][1] - editing.events[0][1] > 0.3  # the page being edited was told first
        # When each was told, its page was written whole, with the new title (the list shows it too).
        assert "Edited text." in fetch(server, "/talks/a/")[1] and "New title" in fetch(server, "/talks/")[1]
        editing.close(), elsewhere.close()
    finally:
        server.stop()


def test_a_failure_with_a_save_waiting_is_not_shown_until_that_save_is_built(make_site: SiteMaker) -> None:
    from failsite.preview.rebuild import Preview
    from failsite.preview.server import _rebuild_once
    site = make_site({"content/talks/a.md": talk("First title")})
    preview, state = Preview(site, site.parent / "preview", Audience()), LiveState()
    state.publish(preview.rebuild())
    page = site / "content/talks/a.md"
    page.write_text("---\ntitle: [half of a sa")  # read while the editor is still writing it
    _rebuild_once(preview, {page}, state, lambda what, report: None, saved_since=lambda: True)
    assert state.report is not None and state.report.ok and state.generation == 1  # nothing told: the rest is coming
    _rebuild_once(preview, {page}, state, lambda what, report: None, saved_since=lambda: False)
    assert state.report is not None and not state.report.ok  # nothing more is coming: the error page
    page.write_text(talk("Second title"))
    _rebuild_once(preview, {page}, state, lambda what, report: None)
    assert state.report.ok and "Second title" in (site.parent / "preview/talks/a/index.html").read_text()


def test_a_browser_that_looks_late_is_still_told_once_what_concerns_it() -> None:
    state = LiveState()
    ok = RebuildReport(True, [], (), (), 0.0)
    state.publish_early(frozenset({"talks/a/index.html"}))
    state.publish(ok, told=frozenset({"talks/a/index.html"}))
    # Both events came before either browser looked: neither is missed, nor doubled.
    assert state.event_for("talks/a/index.html", 0) == "reload" and state.event_for("about/index.html", 0) == "reload"
    assert state.event_for("talks/a/index.html", 1) is None  # reloaded on the early event already
    state.publish(RebuildReport(True, [], (), (), 0.0, css_only=True))
    assert state.event_for("talks/a/index.html", 2) == "css"
    state.publish(RebuildReport(False, [], (), (), 0.0), told=frozenset({"talks/a/index.html"}))
    assert state.event_for("talks/a/index.html", 3) == "reload"  # a failure shows its error page everywhere
    for _ in range(40):
        state.publish_early(frozenset({"other/index.html"}))
    assert state.event_for("talks/a/index.html", 4) == "reload"  # fell further behind than the history holds
