"""Soak the preview: many saves while many browsers listen and read, then stop it as a process manager would.

    python bench/soak.py [--pages 1000] [--people 600] [--saves 200] [--seconds 20] [--listeners 100] [--readers 50]

Generates a corpus, starts `failsite serve` on it (the real command, in its own process), connects LISTENERS
event streams (browsers showing a page) and READERS keep-alive clients that fetch pages as fast as they are
answered, and saves a random talk SAVES times spread over SECONDS. Then it waits until the preview shows the last
save, and stops it with SIGTERM. Prints the requests answered and failed, the reload events the listeners got,
the preview's memory (resident, with its worker processes) after its first build and at the end, how long the
preview took to show the last save, and how long it took to stop and whether it left its folder behind.
Run by hand; the figures go in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate  # noqa: E402


def resident_mb(pid: int) -> float:
    """The resident memory of a process and its children, in MB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--listeners", type=int, default=100)
    parser.add_argument("--readers", type=int, default=50)
    options = parser.parse_args()

    site = Path(tempfile.mkdtemp(prefix="failsite-soak-"))
    generate(site, options.pages, options.people, seed=11)
    preview = subprocess.Popen([sys.executable, "-u", "-m", "failsite", "serve", "--port", "0"], cwd=site,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert preview.stdout is not None
    url = ""
    for line in preview.stdout:
        if line.startswith("serving "):
            url = line.split()[1]
            break
    threading.Thread(target=lambda: [None for _ in preview.stdout], daemon=True).start()  # type: ignore[union-attr]
    host, port, base = re.match(r"http://([^:/]+):(\d+)(/.*)", url).groups()  # type: ignore[union-attr]
    memory_first = resident_mb(preview.pid)
    talks = sorted((site / "content/talks").glob("*.md"))
    addresses = [f"{base}talks/{path.stem}/" for path in talks[:200]]
    stop = threading.Event()
    counts = {"answered": 0, "failed": 0, "reloads": 0}
    lock = threading.Lock()

    def listen(page: str) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", "/__failsite/events?page=" + page)
        response = connection.getresponse()
        try:
            while not stop.is_set():
                line = response.readline()
                if not line:
                    return
                if line.startswith(b"event: reload"):
                    with lock:
                        counts["reloads"] += 1
        except OSError:
            return
        finally:
            connection.close()

    def read() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        rng = random.Random()
        while not stop.is_set():
            try:
                connection.request("GET", rng.choice(addresses))
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
            with lock:
                counts["answered" if ok else "failed"] += 1
        connection.close()

    threads = [threading.Thread(target=listen, args=(random.choice(addresses),), daemon=True)
               for _ in range(options.listeners)]
    threads += [threading.Thread(target=read, daemon=True) for _ in range(options.readers)]
    for thread in threads:
        thread.start()
    rng = random.Random(5)
    started = time.monotonic()
    last = ""
    for number in range(options.saves):
        target = rng.choice(talks[:200])
        text = target.read_text()
        last = f"Soak save {number}"
        target.write_text(text.replace("\n---\n", f"\n---\n{last}.\n\n", 1))
        time.sleep(options.seconds / options.saves)
        edited = target
    saved = time.monotonic()
    page = f"{base}talks/{edited.stem}/"
    settled = None
    while time.monotonic() - saved < 60:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", page)
        body = connection.getresponse().read().decode()
        connection.close()
        if last in body:
            settled = time.monotonic() - saved
            break
        time.sleep(0.05)
    memory_end = resident_mb(preview.pid)
    stop.set()
    asked = time.monotonic()
    preview.send_signal(signal.SIGTERM)
    preview.wait(timeout=30)
    stopped = time.monotonic() - asked
    deadline = time.monotonic() + 5  # a rebuild abandoned mid-write has its folder removed by a process of its own
    while (left := list(Path(tempfile.gettempdir()).glob(f"failsite-preview-{preview.pid}-*"))) and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    seconds = saved - started
    print(f"{options.pages} talks, {options.people} people; {options.saves} saves in {seconds:.1f} s; "
          f"{options.listeners} event streams, {options.readers} keep-alive readers")
    print(f"requests answered {counts['answered']:,} ({counts['answered'] / seconds:,.0f}/s), failed "
          f"{counts['failed']}; reload events received {counts['reloads']:,}")
    print(f"memory (preview and its workers) after the first build {memory_first:.0f} MB, at the end "
          f"{memory_end:.0f} MB")
    print("last save shown after " + (f"{settled:.2f} s" if settled is not None else "more than 60 s (NOT SHOWN)"))
    print(f"stopped by SIGTERM in {stopped:.2f} s, exit status {preview.returncode}; preview folder "
          + ("left behind (the next preview removes it)" if left else "removed"))
    os.system(f"rm -rf {site}")


if __name__ == "__main__":
    main()
