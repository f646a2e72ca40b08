"""Time the preview: from saving one item's markdown to the reload event reaching a browser and, for the page being
edited, to that browser having the page again.

    python bench/serve.py [--pages 1000] [--edits 20]

Starts the preview server on a generated corpus, edits one talk at a time and listens to the event
stream as two browsers do: one showing the talk being edited (the preview writes and reloads the
pages browsers have open first) and one on the search page, which no edit changes (told once the
whole rebuild is written).
Prints the median and p95 of save -> the edited page received again by the first browser (its "reload" event,
then the page) and save -> "reload" received by the second. Run by hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import byte_compiled, generate  # noqa: E402

from failsite.cli import COLLECTOR_THRESHOLDS  # noqa: E402
from failsite.preview.server import DEBOUNCE_SECONDS, start_preview  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    byte_compiled()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)  # as `failsite serve` runs
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        generate(site, args.pages, args.people, seed=7)
        started = time.perf_counter()
        server = start_preview(site, "127.0.0.1", 0)
        print(f"initial build of {args.pages} talks: {time.perf_counter() - started:.2f} s")
        host, port = server.server.server_address[:2]

        def listen(page: str, arrivals: list[float], connection: http.client.HTTPConnection) -> None:
            """Listen to the event stream as a browser showing `page` does; note when each event arrives."""
            connection.request("GET", f"/__failsite/events?page={page}")
            response = connection.getresponse()
            try:
                for raw in response:
                    if raw.startswith(b"event: "):
                        arrivals.append(time.perf_counter())
            except (OSError, ValueError, AttributeError):  # the tab was closed
                pass

        def browser() -> http.client.HTTPConnection:
            return http.client.HTTPConnection(host, port, timeout=30)

        elsewhere: list[float] = []  # a browser on a page no edit changes: told when the whole rebuild is written
        threading.Thread(target=listen, args=("/search/", elsewhere, browser()), daemon=True).start()
        time.sleep(0.5)
        latencies, whole = [], []
        for n in range(args.edits):
            slug = f"talk-{(n * 37) % args.pages:05d}"
            page = site / "content" / "talks" / f"{slug}.md"
            viewing: list[float] = []  # a browser showing the talk being edited, as its author would
            tab = browser()  # closed after the edit: the preview writes first the pages open now, not every one seen
            threading.Thread(target=listen, args=(f"/talks/{slug}/", viewing, tab), daemon=True).start()
            time.sleep(0.2)
            text = page.read_text()
            before = len(elsewhere)
            saved = time.perf_counter()
            page.write_text(text + f"\nEdit number {n}.\n")
            while not viewing and time.perf_counter() - saved < 10:
                time.sleep(0.001)
            # Then the page itself, as the reloading browser asks for it (the preview answers while it renders the
            # rest): the figure is save -> the edited page received.
            reload = browser()
            reload.request("GET", f"/talks/{slug}/")
            page_text = reload.getresponse().read().decode("utf-8")
            latencies.append((time.perf_counter() - saved) * 1000)
            reload.close()
            assert f"Edit number {n}." in page_text, "the reloaded page does not show the edit"
            while len(elsewhere) == before and time.perf_counter() - saved < 10:
                time.sleep(0.001)
            whole.append((elsewhere[-1] - saved) * 1000)
            tab.close()
            time.sleep(0.3)
        server.stop()
        for label, figures in (("the edited talk's page (reload event, then the page fetched)", latencies),
                           ("any other page (whole rebuild)", whole)):
            figures.sort()
            p95 = figures[min(len(figures) - 1, int(round(0.95 * len(figures))) - 1)]
            print(f"save -> reload received by a browser showing {label}, {args.edits} edits: median "
                  f"{statistics.median(figures):.0f} ms, p95 {p95:.0f} ms (debounce {DEBOUNCE_SECONDS * 1000:.0f} ms "
                  "included)")

if __name__ == "__main__":
    main()
