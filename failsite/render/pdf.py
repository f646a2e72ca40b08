"""The printed kit as PDF: each handout and facilitator pack page, as staged, printed by WeasyPrint.

WeasyPrint lays out HTML and CSS for paged media without a browser: the theme's print stylesheet
gives the margins, the running header (the module's title), page numbers, the cover page and the
page breaks. It reads only the staged files of this build (the stylesheet, the stories' images):
nothing is fetched from the network at build time. The PDFs are written into the staging folder
like every other output, so the leak audit reads their text before anything is published.

A PDF is printed again only when what it is printed from changed: it is kept in the build cache under a hash of its
page's HTML, with the hash of every file WeasyPrint read for it (the stylesheet, each image), and reused while those
files are unchanged. An edit to a story no kit shows costs no printing at all.
"""

from __future__ import annotations

import hashlib
import mimetypes
from importlib import metadata
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence
from urllib.parse import unquote, urlsplit

from failsite.engine.fingerprint import digest
from failsite.engine.parallel import fork_map
from failsite.errors import Diagnostic, error
from failsite.output.staging import write_file
from failsite.render.plans import PagePlan, kit_pdf_path

if TYPE_CHECKING:
    from failsite.engine.cache import BuildCache

_ORIGIN = "https://failsite-kit.invalid"  # the pages' own files are served to WeasyPrint from the staging folder


def print_kit(staging: Path, pages: list[PagePlan], base_path: str, cache: "BuildCache | None" = None,
              edition: str = "") -> tuple[list[tuple[PagePlan, str, str]], list[Diagnostic]]:
    """A PDF of each kit page, beside it; returns (page, PDF path, hash of its bytes) for each, and an error for
    each page that could not be printed, or when WeasyPrint is missing. A PDF whose page and files are what they
    were when it was printed comes from the cache, even after builds without --pdf or for another audience
    (`edition`); the others are printed in parallel."""
    if not pages:
        return [], []
    try:  # its version without loading it (a third of a second): a build that prints nothing never does
        version = metadata.version("weasyprint")
    except metadata.PackageNotFoundError as exc:
        return [], [_cannot_load(exc)]
    work = [(plan.output_path, kit_pdf_path(plan)) for plan in pages]
    keys = [digest("kit-pdf", version, base_path, target, _sha256((staging / page).read_bytes()))
            for page, target in work]
    kept = cache.media.get_many(keys) if cache is not None else {}
    reused = {key: kept[key] for key in keys if key in kept and _unchanged(staging, kept[key]["read"])}
    missing = [(job, key) for job, key in zip(work, keys) if key not in reused]
    if missing:
        try:
            import weasyprint  # noqa: F401
        except (ImportError, OSError) as exc:
            return [], [_cannot_load(exc)]
    results = dict(zip((key for _, key in missing),
                       fork_map(_print_pages, [job for job, _ in missing],
                                {"staging": str(staging), "base_path": base_path}, chunk=1, parallel_from=2)))
    printed, diagnostics = [], []
    for plan, (_, target), key in zip(pages, work, keys):
        if key in reused:
            data = reused[key]["pdf"]
            write_file(staging, target, data)
            found = {"pdf": data, "read": reused[key]["read"], "problem": ""}
        else:
            found = results[key]
        if found["problem"]:
            diagnostics.append(error(plan.output_path, 1, f"cannot print this page to PDF: {found['problem']}",
                                     "check the theme's print stylesheet; the build wrote nothing"))
            continue
        if cache is not None:
            cache.used_media[key] = {"pdf": found["pdf"], "read": found["read"]}
        printed.append((plan, target, _sha256(found["pdf"])))
    if cache is not None:
        cache.keep_media(f"kits:{edition}", keys)
    return printed, diagnostics


def _cannot_load(exc: Exception) -> Diagnostic:
    return error("site.yaml", 1, f"printing the kit to PDF needs WeasyPrint, which cannot be loaded ({exc})",
                 "pip install 'failsite[pdf]' (on Debian it also needs the libpango-1.0-0 package), or build without "
                 "--pdf and `curriculum: {pdf: true}`")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unchanged(staging: Path, read: list[tuple[str, str]]) -> bool:
    """Whether every staged file a PDF was printed from still has the bytes it had then."""
    for relative, sha in read:
        try:
            if _sha256((staging / relative).read_bytes()) != sha:
                return False
        except OSError:
            return False
    return True


def _print_pages(inherited: dict[str, Any], work: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Each page printed: its PDF's bytes, the staged files read for it with their hashes, or the problem."""
    import weasyprint

    staging, base_path = Path(inherited["staging"]), inherited["base_path"]
    read: dict[str, str] = {}

    def staged(url: str) -> bytes:
        """Only this build's own staged files: a page's stylesheet and images; nothing from the network."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        if f"{parts.scheme}://{parts.netloc}" != _ORIGIN or not path.startswith(base_path):
            raise ValueError(f"not fetched while printing: {url}")
        local = (staging / path[len(base_path):]).resolve()
        if not local.is_relative_to(staging.resolve()) or not local.is_file():
            raise ValueError(f"not in this build: {url}")
        data = local.read_bytes()
        read[local.relative_to(staging.resolve()).as_posix()] = _sha256(data)
        return data

    fetcher = _fetcher(weasyprint, staged)
    results = []
    for page, target in work:
        read.clear()
        try:
            html = (staging / page).read_text(encoding="utf-8")
            document = weasyprint.HTML(string=html, base_url=f"{_ORIGIN}{base_path}{os.path.dirname(page)}/",
                                       url_fetcher=fetcher)
            data = document.write_pdf(pdf_identifier=hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode())
            write_file(staging, target, data)
            results.append({"pdf": data, "read": sorted(read.items()), "problem": ""})
        except Exception as exc:  # noqa: BLE001 - a layout failure is reported with its page, never a traceback
            results.append({"pdf": b"", "read": [], "problem": f"{type(exc).__name__}: {exc}"})
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
