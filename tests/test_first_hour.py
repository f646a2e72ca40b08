"""The path a new organisation walks first, as the docs write it: the real `failsite` executable in a subprocess,
run from inside the site folder with relative paths. `failsite init`, build, serve (a save reloads the page), new,
check, and the same from a wheel installed into a new virtual environment."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
STARTER_TALK = "content/talks/the-launch-we-announced-too-early.md"
TYPES = ("talk", "debrief", "experiment", "log", "module", "event", "page")


def failsite_command(bin_dir: Path | None = None) -> str:
    """The installed `failsite` console script (beside this Python, as pip puts it)."""
    beside = (bin_dir or Path(sys.executable).parent) / "failsite"
    found = str(beside) if beside.exists() else shutil.which("failsite")
    assert found, "the failsite command is not installed: pip install -e ."
    return found


def run(cwd: Path, *args: str, command: str | None = None) -> subprocess.CompletedProcess[str]:
    """`failsite ARGS` run in `cwd` with no terminal, as a script or a CI job would."""
    return subprocess.run([command or failsite_command(), *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def site_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Preview:
    """`failsite serve` as the user starts it: no argument, inside the site folder."""

    def __init__(self, site: Path, command: str | None = None):
        self.process = subprocess.Popen([command or failsite_command(), "serve", "--port", "0"], cwd=site,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        self.streams: list[tuple[http.client.HTTPConnection, http.client.HTTPResponse]] = []
        self.url = ""
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                if line.startswith("serving "):
                    self.url = line.split()[1]
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(60) and self.url, "".join(self.lines)
        match = re.match(r"http://([^:/]+):(\d+)(/.*)", self.url)
        assert match
        self.host, self.port, self.base = match.group(1), int(match.group(2)), match.group(3)

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request("GET", self.base + path.lstrip("/"))
        try:
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def events(self, page: str) -> "list[str]":
        """Start reading the event stream as a browser showing `page` does; the list fills as events come."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        connection.request("GET", "/__failsite/events?page=" + quote(self.base + page.lstrip("/"), safe=""))
        response = connection.getresponse()
        self.streams.append((connection, response))
        seen: list[str] = []

        def read() -> None:
            try:
                for raw in response:
                    line = raw.decode().strip()
                    if line.startswith("event: "):
                        seen.append(line.removeprefix("event: "))
            except Exception:
                return

        threading.Thread(target=read, daemon=True).start()
        return seen

    def stop(self) -> str:
        for connection, response in self.streams:
            response.close()
            connection.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return "".join(self.lines)


def wait_for(condition, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def walk_the_first_hour(workdir: Path, command: str | None = None) -> None:
    """`failsite init mysite`, `cd mysite && failsite build && failsite serve`, a save seen in the browser."""
    made = ok(run(workdir, "init", "mysite", command=command))
    assert "made a new site in mysite" in made.stdout and "cd mysite" in made.stdout
    site = workdir / "mysite"
    built = ok(run(site, "build", command=command))
    assert "warning" not in built.stderr and "built " in built.stdout and "into public" in built.stdout
    page = BeautifulSoup((site / "public/talks/the-launch-we-announced-too-early/index.html").read_text(),
                         "html.parser")
    assert page.h1 is not None and "The launch we announced too early" in page.h1.get_text()
    assert "Alex" not in (site / "public/talks/the-launch-we-announced-too-early/index.html").read_text()

    preview = Preview(site, command)
    try:
        events = preview.events("/talks/the-launch-we-announced-too-early/")
        time.sleep(0.3)
        story = site / STARTER_TALK
        story.write_text(story.read_text().replace("title: The launch we announced too early",
                                                   "title: The launch we announced far too early"))
        assert wait_for(lambda: "reload" in events), "".join(preview.lines)
        status, text = preview.get("/talks/the-launch-we-announced-too-early/")
        assert status == 200 and "The launch we announced far too early" in text
    finally:
        printed = preview.stop()
    assert "is not under watched root" not in printed and "Traceback" not in printed
    assert printed.count("\n") < 15, printed  # nothing printed per watched folder


def test_init_build_and_serve_from_inside_the_site_folder(tmp_path: Path) -> None:
    walk_the_first_hour(tmp_path)


def test_the_same_path_from_an_installed_wheel(tmp_path: Path) -> None:
    """The wheel carries the starter, the demo and the theme: nothing is read from a checkout."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                    str(REPO)], check=True, capture_output=True, timeout=300)
    environment = tmp_path / "env"
    venv.create(environment, system_site_packages=True, with_pip=False)  # the dependencies from this Python
    python = environment / "bin" / "python"
    wheel = next(wheels.glob("failsite-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--force-reinstall", "-q", str(wheel)], check=True, capture_output=True, timeout=300)
    command = str(environment / "bin" / "failsite")
    located = subprocess.run([str(python), "-c", "import failsite; print(failsite.__file__)"], capture_output=True,
                             text=True, cwd=tmp_path, check=True).stdout
    assert str(environment) in located  # the wheel's copy, not the checkout's
    work = tmp_path / "work"
    work.mkdir()
    walk_the_first_hour(work, command)
    demo = ok(run(work, "init", "--demo", "demo", command=command))
    assert "made a new demo site in demo" in demo.stdout
    assert "warning" not in ok(run(work / "demo", "build", command=command)).stderr


def test_relative_output_and_site_folders(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "mysite"))
    site = tmp_path / "mysite"
    assert "into out " in ok(run(site, "build", "-o", "out")).stdout
    assert (site / "out/index.html").is_file()
    ok(run(tmp_path, "build", "mysite", "-o", "elsewhere"))
    assert (tmp_path / "elsewhere/index.html").is_file() and not (site / "elsewhere").exists()
    (tmp_path / "sibling").mkdir()
    ok(run(tmp_path / "sibling", "build", "../mysite"))
    assert (site / "public/index.html").is_file()
    ok(run(site / "content", "check", ".."))
    new = ok(run(site, "new", "talk", "A second talk"))
    assert new.stdout.strip() == "content/talks/a-second-talk.md"


def test_init_writes_a_site_that_builds_with_one_example_per_type(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "mysite", "--title", "Team: failures", "--base-url", "https://intranet.example/f",
           "--language", "de"))
    site = tmp_path / "mysite"
    config = yaml.safe_load((site / "site.yaml").read_text())
    assert config["title"] == "Team: failures" and config["base_url"] == "https://intranet.example/f/"
    assert config["language"] == "de"
    examples = sorted(p.parent.name for p in (site / "content").glob("*/*.md"))
    assert examples == ["debriefs", "experiments", "log", "modules", "pages", "talks"]
    registry = yaml.safe_load((site / "people.yaml").read_text())
    assert len(registry["secret"]) >= 40 and registry["people"][0]["name"] == "Alex Moreau"
    assert (site / ".gitignore").read_text().count("/public/") == 1
    assert ".failsite-cache" in (site / ".gitignore").read_text()
    ok(run(site, "build"))
    assert (site / "public/f/index.html").exists() is False and (site / "public/index.html").is_file()


def test_each_site_gets_its_own_secret(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "one"))
    ok(run(tmp_path, "init", "two"))
    secrets = {yaml.safe_load((tmp_path / name / "people.yaml").read_text())["secret"] for name in ("one", "two")}
    assert len(secrets) == 2


def test_new_items_of_every_type_check_clean_in_a_new_site(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "mysite", "--empty"))
    site = tmp_path / "mysite"
    assert not list((site / "content").rglob("*.md"))
    for type_name in TYPES:
        ok(run(site, "new", type_name, f"A new {type_name}"))
    checked = ok(run(site, "check", "--drafts"))
    assert "no errors" in checked.stdout
    ok(run(site, "build", "--drafts"))


def test_init_never_overwrites_and_says_what_exists(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "mysite"))
    site = tmp_path / "mysite"
    (site / "site.yaml").write_text("title: Mine\n")
    before = site_files(site)
    again = run(tmp_path, "init", "mysite")
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert "mysite/site.yaml:1:1: error: a site is already here: `failsite init` never overwrites a file, and " \
        "mysite/site.yaml, mysite/people.yaml, mysite/.gitignore" in again.stderr
    assert again.stderr.count("error:") == 1
    assert site_files(site) == before


def test_init_in_the_current_folder(tmp_path: Path) -> None:
    made = ok(run(tmp_path, "init"))
    assert "made a new site in ." in made.stdout and "cd " not in made.stdout
    assert (tmp_path / "site.yaml").is_file()


@pytest.mark.parametrize("option, value, said", [
    ("--language", "not-a-language", "is not a language code"),
    ("--base-url", "intranet.example/failures", "is not an address a site can live at"),
    ("--title", " ", "the title is empty"),
])
def test_init_refuses_bad_settings_with_exit_2(tmp_path: Path, option: str, value: str, said: str) -> None:
    result = run(tmp_path, "init", "mysite", option, value)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "mysite").exists()


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    import pty

    pid, terminal = pty.fork()
    if pid == 0:  # the child: failsite on a terminal
        os.chdir(tmp_path)
        os.execv(failsite_command(), [failsite_command(), "init", "asked"])
    output = b""
    answers = iter([b"Our reviews\n", b"intranet.example\n", b"https://intranet.example/reviews/\n", b"\n"])
    while True:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if chunk.rstrip().endswith(b":") or chunk.rstrip().endswith(b"]:"):
            answer = next(answers, None)
            if answer is not None:
                os.write(terminal, answer)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert b"The site's title [Our failure stories]:" in output
    assert b"'intranet.example' is not an address a site can live at" in output  # asked again, not aborted
    config = yaml.safe_load((tmp_path / "asked/site.yaml").read_text())
    assert config["title"] == "Our reviews" and config["base_url"] == "https://intranet.example/reviews/"
    assert config["language"] == "en"


def test_the_demo_builds_without_a_warning_and_publishes_a_public_site(tmp_path: Path) -> None:
    ok(run(tmp_path, "init", "--demo", "demo"))
    demo = tmp_path / "demo"
    assert site_files(demo)["site.yaml"] == (REPO / "site.yaml").read_bytes()
    built = ok(run(demo, "build"))
    assert "warning" not in built.stderr
    ok(run(demo, "build", "--audience", "public", "-o", "public-site"))
    stories = [p for p in (demo / "public-site").glob("*/*/index.html")
               if p.parts[-3] in ("talks", "debriefs", "experiments", "log", "modules")]
    assert len(stories) >= 5
    home = BeautifulSoup((demo / "public-site/index.html").read_text(), "html.parser")
    assert "Public edition" in home.select_one("footer .edition").get_text()
    internal = BeautifulSoup((demo / "public/index.html").read_text(), "html.parser")
    assert "Internal edition" in internal.select_one("footer .edition").get_text()
    cards = " ".join(c.get_text(" ") for c in home.select("main a"))
    assert "0 stories" not in cards


def test_import_of_a_folder_with_no_posts_names_the_folder_to_point_at(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    (blog / "content/en/posts/first").mkdir(parents=True)
    (blog / "hugo.toml").write_text('title = "Blog"\n')
    (blog / "content/en/posts/first/index.md").write_text("---\ntitle: First\ndate: 2024-01-02\n---\nText.\n")
    result = run(blog / "content/en", "import", "hugo", "posts", str(tmp_path / "mysite"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "posts:1:1: error: no posts to import: there is no content/ in posts" in result.stderr
    assert f"hint: point it at {blog}, the root of the Hugo site" in result.stderr
    assert not (tmp_path / "mysite").exists()
    ok(run(tmp_path, "import", "hugo", "blog", "mysite"))
    assert (tmp_path / "mysite/content/talks").is_dir() or list((tmp_path / "mysite/content").rglob("*.md"))
