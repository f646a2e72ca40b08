"""`failsite desk` as a person starts it (the real executable, inside the site folder, no arguments but a port):
its requests check, save and review stories; a request without the token, from another Origin, naming a path
outside the content folder or saving an older version is refused; beyond loopback it needs its access link."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import SiteMaker, talk, write_files
from test_first_hour import failsite_command, ok, run

REGISTRY = """\
secret: test-secret
people:
  - name: Dana Whitfield
    aliases: [Dana]
    consent: named
"""
SITE = {
    "people.yaml": REGISTRY,
    "content/talks/launch.md": talk("The launch", speaker="Dana Whitfield", status="in-review") + "\n",
    "content/talks/consented.md": """\
        ---
        title: Told with consent
        date: 2026-03-01
        speaker: Dana Whitfield
        visibility: public
        consent_given:
          - person: Dana Whitfield
            audiences: [public, internal]
            date: 2026-02-01
        ---
        Dana told the story.
        """,
}
CONFIG = "title: Desk Test\nanonymise:\n  registry: people.yaml\n"


class Desk:
    """`failsite desk` running in a site folder, and requests to it as its own page makes them."""

    def __init__(self, site: Path, *options: str):
        self.process = subprocess.Popen([failsite_command(), "desk", "--port", "0", "--today", "2026-04-01", *options],
                                        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        ready = threading.Event()
        self.url = ""

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                if line.startswith("desk:"):
                    self.url = line.split()[1]
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(60) and self.url, "".join(self.lines)
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "", parts.port or 80
        self.origin = f"http://{parts.netloc}"
        self.cookie = ""
        if parts.query:  # the access link beyond loopback: use it once, as a browser does, and keep its cookie
            status, headers, _ = self.request("GET", parts.path + "?" + parts.query)
            assert status == 303
            self.cookie = headers["set-cookie"].split(";")[0]
        self.token = ""
        status, _, page = self.request("GET", "/__failsite/desk/")
        assert status == 200, page
        self.token = re.search(r'name="desk-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def request(self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1" if self.host == "0.0.0.0" else self.host, self.port,
                                                timeout=30)
        sent = {"Cookie": self.cookie} if self.cookie else {}
        sent.update(headers or {})
        connection.request(method, path, json.dumps(body) if body is not None else None, sent)
        try:
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def post(self, action: str, body: dict, **headers: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        sent = {"Origin": self.origin, "X-Failsite-Desk": self.token, "Content-Type": "application/json"}
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        status, _, text = self.request("POST", f"/__failsite/desk/api/{action}", body, sent)
        return status, json.loads(text)

    def version(self, key: str) -> str:
        return json.loads(self.request("GET", f"/__failsite/desk/api/version?item={key}")[2])["version"]

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return "".join(self.lines)


@pytest.fixture
def desk(make_site: SiteMaker):  # type: ignore[no-untyped-def]
    site = make_site(SITE, CONFIG)
    running = Desk(site)
    yield site, running
    assert "Traceback" not in running.stop()


@pytest.fixture(scope="module")
def unchanging_desk(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One desk for the requests it must refuse, which change nothing (each asserts so)."""
    folder = tmp_path_factory.mktemp("refusing")
    site = folder / "site"
    write_files(site, {**SITE, "site.yaml": CONFIG})
    (site / "content/talks/link").symlink_to(folder)
    running = Desk(site)
    yield site, running
    assert "Traceback" not in running.stop()


DEBRIEF = {"title": "The cut-over we rehearsed on a copy", "date": "2026-03-10", "format": "postmortem",
           "status": "draft", "team": "Platform",
           "whys": ["Why did orders stop?", "Why was the switch one-sided?"],
           "factors": [{"factor": "Two runbooks", "control": "partially"}],
           "actions": [{"id": "ACT-9", "what": "One runbook for both systems", "owner": "Platform", "due": "2026-13-01",
                        "status": "open"}],
           "timeline": [{"at": "2026-03-10 09:00 +00:00", "event": "Orders stop", "kind": "impact-start"},
                        {"at": "2026-03-10 09:40 +00:00", "event": "Dana sees the alert", "kind": "detection"}]}


# The debrief above, as a careful author writes it by hand (approved, its action due in May).
DEBRIEF_BY_HAND = """\
---
title: The cut-over we rehearsed on a copy
date: 2026-03-10
format: postmortem
team: Platform
whys:
  - Why did orders stop?
  - Why was the switch one-sided?
factors:
  - factor: Two runbooks
    control: partially
actions:
  - id: ACT-9
    what: One runbook for both systems
    owner: Platform
    due: 2026-05-01
    status: open
timeline:
  - at: 2026-03-10 09:00 +00:00
    event: Orders stop
    kind: impact-start
  - at: 2026-03-10 09:40 +00:00
    event: Dana sees the alert
    kind: detection
status: approved
---
## Context

What the team set out to do.
"""


def test_a_wrong_field_is_reported_on_its_row_and_subfield_as_check_reports_it(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    status, checked = running.post("check", {"item": "", "type": "debrief", "version": "", "values": DEBRIEF,
                                             "body": "What happened.\n"})
    assert status == 200
    (message,) = [m for m in checked["messages"] if m["severity"] == "error"]
    assert (message["field"], message["row"], message["sub"]) == ("actions", 0, "due")
    assert message["message"] == "'due' is not a valid date: '2026-13-01' (there is no month 13)"
    assert not list((site / "content").glob("debriefs/*")), "checking writes nothing"


def test_a_draft_with_errors_is_saved_but_cannot_leave_draft(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    body = {"item": "", "type": "debrief", "version": "", "values": {**DEBRIEF, "status": "in-review"}, "body": "x\n"}
    status, answer = running.post("save", body)
    assert status == 422 and "1 error" in answer["error"] and "draft" in answer["error"]
    assert not (site / "content/debriefs").exists()
    status, answer = running.post("save", {**body, "values": DEBRIEF})
    assert status == 200 and answer["item"] == "debriefs/the-cut-over-we-rehearsed-on-a-copy.md"
    written = (site / "content" / answer["item"]).read_text()
    assert "\nstatus: draft\n" in written and "    due: 2026-13-01\n" in written


def test_a_saved_debrief_builds_into_the_same_page_as_a_hand_written_one(desk, make_site: SiteMaker) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    values = {**DEBRIEF, "status": "approved",
              "actions": [{**DEBRIEF["actions"][0], "due": "2026-05-01"}]}  # type: ignore[dict-item]
    status, answer = running.post("save", {"item": "", "type": "debrief", "version": "", "values": values,
                                           "body": "## Context\n\nWhat the team set out to do.\n"})
    assert status == 200, answer
    by_hand = make_site({**SITE, "content/debriefs/the-cut-over-we-rehearsed-on-a-copy.md": DEBRIEF_BY_HAND}, CONFIG,
                        name="by-hand")
    for folder in (site, by_hand):
        ok(run(folder, "build", "--today", "2026-04-01"))
    page = "public/debriefs/the-cut-over-we-rehearsed-on-a-copy/index.html"
    assert (site / page).read_bytes() == (by_hand / page).read_bytes()
    assert BeautifulSoup((site / page).read_text(), "html.parser").h1.get_text(strip=True) == \
        "The cut-over we rehearsed on a copy"


def test_editing_a_hand_written_file_changes_only_the_field_that_changed(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    path = site / "content/talks/commented.md"
    path.write_text("---\n# Told at the spring evening.\ntitle: Commented  # the speaker's title\ndate: 2026-03-01\n"
                    "speaker: Dana Whitfield\nextra:\n  widget: {colour: teal}\n  anything: [1, 2]\n---\n"
                    "The body  with two spaces.\n\n")
    before = path.read_text()
    status, page, _ = running.request("GET", "/__failsite/desk/edit?item=talks/commented.md")
    assert status == 200
    version = running.version("talks/commented.md")
    values = {"title": "Commented", "date": "2026-03-01", "speaker": "Sam Example"}
    status, answer = running.post("save", {"item": "talks/commented.md", "version": version, "values": values,
                                           "body": "The body  with two spaces.\n\n"})
    assert status == 200, answer
    assert path.read_text() == before.replace("speaker: Dana Whitfield", "speaker: Sam Example")


def test_saving_an_older_version_is_a_conflict_and_writes_nothing(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    key = "talks/launch.md"
    opened = running.version(key)
    first = {"item": key, "version": opened, "values": {"title": "The launch, first window"}, "body": None}
    assert running.post("save", first)[0] == 200
    after_first = (site / "content" / key).read_text()
    status, answer = running.post("save", {**first, "values": {"title": "The launch, second window"}})
    assert status == 409 and "changed since you opened it" in answer["error"]
    assert (site / "content" / key).read_text() == after_first
    (site / "content" / key).write_text(after_first.replace("first window", "an editor"))  # changed on disk
    status, _ = running.post("save", {**first, "version": running.version(key) + "0"})
    assert status == 409


@pytest.mark.parametrize("headers, says", [
    ({"X-Failsite-Desk": ""}, "did not carry this desk's token"),
    ({"X-Failsite-Desk": "guessed"}, "did not carry this desk's token"),
    ({"Origin": "http://evil.example"}, "Origin differs"),
    ({"Origin": ""}, "Origin differs"),
])
def test_a_request_without_the_token_or_from_another_origin_is_refused(unchanging_desk, headers, says) -> None:  # type: ignore[no-untyped-def]
    site, running = unchanging_desk
    before = (site / "content/talks/launch.md").read_text()
    status, answer = running.post("save", {"item": "talks/launch.md", "version": running.version("talks/launch.md"),
                                           "values": {"title": "Hijacked"}}, **{k.replace("-", "_"): v for k, v in headers.items()})
    assert status == 403 and says in answer["error"]
    assert (site / "content/talks/launch.md").read_text() == before


@pytest.mark.parametrize("key", ["../site.yaml", "../people.md", "/etc/passwd.md", "talks/../../escape.md",
                                 "talks\\..\\..\\escape.md", ".hidden/x.md", "talks/x.md\x00.txt", "C:/x.md",
                                 "talks/link/escape.md"])
def test_a_path_outside_the_content_folder_is_refused(unchanging_desk, key: str) -> None:  # type: ignore[no-untyped-def]
    site, running = unchanging_desk
    before = {p: p.read_bytes() for p in site.parent.rglob("*") if p.is_file()}
    status, answer = running.post("save", {"item": key, "version": "", "values": {"title": "Out"}, "body": "x"})
    assert status in (400, 404) and ("content folder" in answer["error"] or "no file" in answer["error"])
    after = {p: p.read_bytes() for p in site.parent.rglob("*") if p.is_file()}
    assert after == before


def test_a_new_items_file_name_comes_from_its_title_never_from_the_request(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    status, answer = running.post("save", {"item": "", "type": "talk", "version": "", "path": "../../evil.md",
                                           "values": {"title": "../../Evil name", "date": "2026-03-01",
                                                      "speaker": "Sam Example", "status": "draft"}, "body": "x\n"})
    assert status == 200 and answer["item"] == "talks/evil-name.md"
    assert (site / "content/talks/evil-name.md").is_file() and not (site.parent / "evil.md").exists()
    status, answer = running.post("save", {"item": "", "type": "talk", "version": "",
                                           "values": {"title": "Evil name", "status": "draft"}, "body": "y\n"})
    assert status == 409 and "exists already" in answer["error"]


def test_approving_and_withdrawing_consent_reach_a_public_build(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    (site / "content/talks/launch.md").write_text(talk("The launch", speaker="Dana Whitfield", status="in-review",
                                                       visibility="public") + "\n")
    ok(run(site, "build", "--audience", "public", "--today", "2026-04-01"))
    assert not (site / "public/talks/launch").exists() and (site / "public/talks/consented").is_dir()
    before = (site / "content/talks/launch.md").read_text()
    status, answer = running.post("review", {"item": "talks/launch.md", "version": running.version("talks/launch.md"),
                                             "action": "approve", "reviewer": "Sam Example"})
    assert status == 200, answer
    after = (site / "content/talks/launch.md").read_text()
    assert after == before.replace("status: in-review",
                                   "status: approved\nreviewed_by: Sam Example\napproved_on: 2026-04-01")
    assert [r["published"] for r in answer["reach"]] == [True, True, True]
    status, answer = running.post("review", {"item": "talks/consented.md", "version": running.version("talks/consented.md"),
                                             "action": "withdraw", "record": 0})
    assert status == 200, answer
    assert "    withdrawn: 2026-04-01\n" in (site / "content/talks/consented.md").read_text()
    assert not any(r["published"] for r in answer["reach"])
    ok(run(site, "build", "--audience", "public", "--today", "2026-04-01"))
    assert (site / "public/talks/launch/index.html").is_file() and not (site / "public/talks/consented").exists()


@pytest.mark.parametrize("action, says", [({"action": "approve", "reviewer": ""}, "give your name"),
                                          ({"action": "send-back", "note": " "}, "say what the author should change"),
                                          ({"action": "withdraw", "record": 5}, "no such consent record"),
                                          ({"action": "publish"}, "no action 'publish'")])
def test_a_review_action_that_lacks_what_it_needs_says_so(unchanging_desk, action, says) -> None:  # type: ignore[no-untyped-def]
    site, running = unchanging_desk
    before = (site / "content/talks/consented.md").read_text()
    status, answer = running.post("review", {"item": "talks/consented.md",
                                             "version": running.version("talks/consented.md"), **action})
    assert status in (400, 422) and says in answer["error"]
    assert (site / "content/talks/consented.md").read_text() == before


def test_beyond_loopback_every_request_needs_the_access_link(make_site: SiteMaker) -> None:
    site = make_site(SITE, CONFIG)
    running = Desk(site, "--host", "0.0.0.0")
    try:
        assert "?token=" in running.url and "0.0.0.0" not in running.url  # an address colleagues can open
        assert running.request("GET", "/__failsite/desk/")[0] == 200  # with the cookie the link gave
        running.cookie = ""
        for path in ("/__failsite/desk/", "/talks/launch/", "/__failsite/desk/api/version?item=talks/launch.md"):
            status, _, page = running.request("GET", path)
            assert status == 403 and "link" in page
        status, _, _ = running.request("GET", "/__failsite/desk/?token=wrong-token-of-some-length")
        assert status == 403
    finally:
        assert "Traceback" not in running.stop()


def test_the_desk_speaks_the_sites_language(make_site: SiteMaker) -> None:
    site = make_site(SITE, CONFIG + "language: de\n")
    running = Desk(site)
    try:
        status, _, page = running.request("GET", "/__failsite/desk/review")
        soup = BeautifulSoup(page, "html.parser")
        assert status == 200 and soup.html["lang"] == "de"
        assert soup.h1.get_text() == "Prüfungen" and soup.find("button", string="Freigeben")
        meta = soup.select_one(".meta")
        meta.select_one(".file").extract()
        assert meta.get_text().split()[0] == "Vortrag"  # the talk in review: its type as the theme says it
        words = json.loads(soup.find(id="desk-words").string)
        assert words["Saved"] == "Gespeichert"
        form = BeautifulSoup(running.request("GET", "/__failsite/desk/new/debrief")[2], "html.parser")
        assert form.find("button", string="Ein Warum hinzufügen") is not None
        assert form.find("h1").get_text(strip=True) == "Neu: Nachbesprechung"
    finally:
        running.stop()


def test_every_word_of_the_desk_has_its_german() -> None:
    from babel.messages.pofile import read_po

    from failsite.desk import app

    desk_folder = Path(app.__file__).parent
    with (desk_folder / "locale/de.po").open("rb") as handle:
        german = {m.id: m.string for m in read_po(handle) if m.id}
    used = {m.group(2) for f in (desk_folder / "templates").glob("*.html")
            for m in re.finditer(r'_\((["\'])(.*?)\1\)', f.read_text())}
    used |= set(app.SCRIPT_WORDS) | set(app.TYPE_HELP.values()) | set(app._ROW_NAMES.values())
    assert sorted(w for w in used if not german.get(w)) == []


def test_whole_file_and_row_messages_go_to_the_field_they_name(desk) -> None:  # type: ignore[no-untyped-def]
    site, running = desk
    values = {"title": "No date yet", "status": "draft", "actions": [{"id": "ACT-1", "owner": "Platform"}]}
    status, checked = running.post("check", {"item": "", "type": "debrief", "version": "", "values": values,
                                             "body": "x\n"})
    placed = {(m["field"], m["row"], m["sub"]) for m in checked["messages"] if m["severity"] == "error"}
    assert placed == {("date", None, ""), ("format", None, ""), ("actions", 0, "what")}
    status, answer = running.post("save", {"item": "", "type": "talk", "version": "",
                                           "values": {"title": "!!! ???", "status": "draft"}, "body": ""})
    assert status == 422 and answer["field"] == "title" and "letters or digits" in answer["error"]
