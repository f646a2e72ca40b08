"""Time the preview: from saving one item's markdown to the reload event reaching a browser.

    python bench/serve.py [--pages 1000] [--edits 20]

Starts the preview server on a generated corpus, listens to its event stream like a browser,
edits one talk at a time and prints the median and p95 of save -> rebuilt, written and "reload"
received. Run by hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import byte_compiled, generate  # noqa: E402

from failsite.preview.server import start_preview  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    byte_compiled()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        generate(site, args.pages, args.people, seed=7)
        started = time.perf_counter()
        server = start_preview(site, "127.0.0.1", 0)
        print(f"initial build of {args.pages} talks: {time.perf_counter() - started:.2f} s")
        host, port = server.server.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", "/__failsite/events")
        response = connection.getresponse()
        arrivals: list[float] = []

        def listen() -> None:
            for raw in response:
                if raw.startswith(b"event: "):
                    arrivals.append(time.perf_counter())

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)
        latencies = []
        for n in range(args.edits):
            page = site / "content" / "talks" / f"talk-{(n * 37) % args.pages:05d}.md"
            text = page.read_text()
            before = len(arrivals)
            saved = time.perf_counter()
            page.write_text(text + f"\nEdit number {n}.\n")
            while len(arrivals) == before and time.perf_counter() - saved < 10:
                time.sleep(0.001)
            latencies.append((arrivals[-1] - saved) * 1000)
            time.sleep(0.3)
        server.stop()
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
        print(f"save -> reload received, {args.edits} edits: median {statistics.median(latencies):.0f} ms, "
              f"p95 {p95:.0f} ms (debounce {40} ms included)")


if __name__ == "__main__":
    main()
