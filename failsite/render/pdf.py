"""The printed kit as PDF: each handout and facilitator pack page, as staged, printed by WeasyPrint.

WeasyPrint lays out HTML and CSS for paged media without a browser: the theme's print stylesheet
gives the margins, the running header (the module's title), page numbers, the cover page and the
page breaks. It reads only the staged files of this build (the stylesheet, the stories' images):
nothing is fetched from the network at build time. The PDFs are written into the staging folder
like every other output, so the leak audit reads their text before anything is published.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import unquote, urlsplit

from failsite.engine.parallel import fork_map
from failsite.errors import Diagnostic, error
from failsite.output.staging import write_file
from failsite.render.plans import PagePlan, kit_pdf_path

_ORIGIN = "https://failsite-kit.invalid"  # the pages' own files are served to WeasyPrint from the staging folder


def print_kit(staging: Path, pages: list[PagePlan], base_path: str) -> tuple[list[tuple[PagePlan, str, str]],
                                                                             list[Diagnostic]]:
    """A PDF of each kit page, beside it; returns (page, PDF path, hash of its bytes) for each, and an error for
    each page that could not be printed, or when WeasyPrint is missing."""
    if not pages:
        return [], []
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return [], [error("site.yaml", 1, f"printing the kit to PDF needs WeasyPrint, which cannot be loaded ({exc})",
                          "pip install 'failsite[pdf]' (on Debian it also needs the libpango-1.0-0 package), or "
                          "build without --pdf and `curriculum: {pdf: true}`")]
    work = [(plan.output_path, kit_pdf_path(plan)) for plan in pages]
    results = fork_map(_print_pages, work, {"staging": str(staging), "base_path": base_path}, chunk=1)
    printed, diagnostics = [], []
    for plan, (_, target), (content_hash, problem) in zip(pages, work, results):
        if problem:
            diagnostics.append(error(plan.output_path, 1, f"cannot print this page to PDF: {problem}",
                                     "check the theme's print stylesheet; the build wrote nothing"))
            continue
        printed.append((plan, target, content_hash))
    return printed, diagnostics


def _print_pages(inherited: dict[str, Any], work: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    import weasyprint

    staging, base_path = Path(inherited["staging"]), inherited["base_path"]

    def staged(url: str) -> bytes:
        """Only this build's own staged files: a page's stylesheet and images; nothing from the network."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        if f"{parts.scheme}://{parts.netloc}" != _ORIGIN or not path.startswith(base_path):
            raise ValueError(f"not fetched while printing: {url}")
        local = (staging / path[len(base_path):]).resolve()
        if not local.is_relative_to(staging.resolve()) or not local.is_file():
            raise ValueError(f"not in this build: {url}")
        return local.read_bytes()

    fetcher = _fetcher(weasyprint, staged)
    results = []
    for page, target in work:
        try:
            html = (staging / page).read_text(encoding="utf-8")
            document = weasyprint.HTML(string=html, base_url=f"{_ORIGIN}{base_path}{os.path.dirname(page)}/",
                                       url_fetcher=fetcher)
            data = document.write_pdf(pdf_identifier=hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode())
            write_file(staging, target, data)
            results.append((hashlib.sha256(data).hexdigest(), ""))
        except Exception as exc:  # noqa: BLE001 - a layout failure is reported with its page, never a traceback
            results.append(("", f"{type(exc).__name__}: {exc}"))
    return results


def _fetcher(weasyprint: Any, staged: Any) -> Any:
    """A URL fetcher serving `staged(url)`, in the form the installed WeasyPrint takes: a URLFetcher whose `fetch`
    answers a URLFetcherResponse (WeasyPrint 68 and later), or a function answering a dict (earlier)."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcherResponse") and hasattr(urls, "URLFetcher"):
        class StagedFiles(urls.URLFetcher):  # type: ignore[misc, name-defined]
            def fetch(self, url: str, headers: Any = None) -> Any:
                kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
                return urls.URLFetcherResponse(url, body=staged(url), headers={"Content-Type": kind})
        return StagedFiles()
    return lambda url: {"string": staged(url), "redirected_url": url,
                        "mime_type": mimetypes.guess_type(urlsplit(url).path)[0]}
