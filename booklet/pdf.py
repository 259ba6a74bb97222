"""The only module that talks to WeasyPrint.

WeasyPrint logs errors instead of raising them, so rendering watches its logger
and turns any ERROR into a failed build. Its URL fetching is confined to the
project tree and the installed font package.
"""
from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import LineBox, MarginBox
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .errors import BookletError
from .rendering import Overflow, RenderedPdf, RenderError, RenderJob


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf 0.13 rebuilds the list of every page for each tagged element that names its page,
    which makes PDF/UA tagging quadratic in the page count (26 million steps for a 500-page
    booklet). Pages are only ever appended, so the list is kept until the page count changes."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_booklet_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_booklet_page_references"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)


class FetchRefused(FatalURLFetchingError):
    """A resource outside the allowed folders; stops the render at once."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class ConfinedFetcher(URLFetcher):
    """Fetches data: URLs and file:// URLs inside the allowed folders, nothing else."""

    def __init__(self, allowed: tuple[Path, ...]):
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False,
                         fail_on_errors=True)
        self.allowed = tuple(p.resolve() for p in allowed)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise FetchRefused(url, f"{scheme or 'relative'} addresses are not fetched; "
                                    "use a file inside the project")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(url, "files on other hosts are not fetched")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise FetchRefused(url, "file is outside the project")
        return super().fetch(url, headers)


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


_PX_PER_MM = 96 / 25.4
_OVERFLOW_TOLERANCE_PX = 1.5
_WHAT = {"table": "a table", "img": "an image", "pre": "a code block", "svg": "an image"}


def _overflows(document) -> list[Overflow]:
    """The outermost box on each page whose right edge passes the page's text area."""
    found: list[Overflow] = []

    def walk(box, section: str | None, page_number: int, right: float) -> None:
        if isinstance(box, MarginBox):
            return  # running heads and footers live in the margin by design
        element = getattr(box, "element", None)
        if element is not None and element.tag == "section":
            section = element.get("id") or section
        edge = box.border_box_x() + box.border_width()
        if edge > right + _OVERFLOW_TOLERANCE_PX:
            what = _WHAT.get(getattr(box, "element_tag", ""), "a line of text")
            found.append(Overflow(section, what, page_number, (edge - right) / _PX_PER_MM))
            return
        if isinstance(box, LineBox):
            return  # a line's box grows with its content, so its own edge is enough to check
        for child in getattr(box, "children", ()):
            walk(child, section, page_number, right)

    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box  # WeasyPrint 70 keeps the laid-out tree here
        right = page_box.content_box_x() + page_box.width
        for child in page_box.children:
            walk(child, None, number, right)
    return found


def render_job(job: RenderJob) -> RenderedPdf:
    """Render one HTML document to PDF bytes; raises RenderError (picklable) on failure."""
    # fontTools stamps subset fonts with the current time unless this is set.
    os.environ["SOURCE_DATE_EPOCH"] = str(job.source_date_epoch)
    logger = logging.getLogger("weasyprint")
    collector = _ErrorCollector()
    logger.addHandler(collector)
    try:
        fetcher = ConfinedFetcher(job.allowed)
        document = HTML(string=job.html, base_url=job.html_path.as_uri(), url_fetcher=fetcher).render()
        overflows = _overflows(document)
        short = -len(document.pages) % 4 if job.padding_html is not None else 0
        if short:
            notes = HTML(string=job.padding_html, base_url=job.html_path.as_uri(), url_fetcher=fetcher).render()
            if len(notes.pages) < short:
                raise RenderError(f"only {len(notes.pages)} notes pages to pad a booklet short of {short}", "")
            document = document.copy(document.pages[:-1] + notes.pages[:short] + document.pages[-1:])
        options = {"pdf_identifier": job.identifier, "custom_metadata": True}
        if job.accessible:
            options["pdf_variant"] = "pdf/ua-1"
        if job.xmp:
            options["xmp_metadata"] = ["data:application/xml;base64," + base64.b64encode(job.xmp).decode()]
        data = document.write_pdf(**options)
    except FetchRefused as refused:
        raise RenderError(f"{refused.reason}: {refused.url}", refused.url) from None
    except FatalURLFetchingError as failed:  # fail_on_errors: a missing or unreadable file
        cause = failed.__cause__
        reason = getattr(cause, "reason", None) or cause or failed
        raise RenderError(f"could not load a resource: {reason}", str(failed)) from None
    finally:
        logger.removeHandler(collector)
    if collector.errors:
        first = collector.errors[0]
        more = f" (and {len(collector.errors) - 1} more)" if len(collector.errors) > 1 else ""
        raise RenderError(f"rendering failed: {first}{more}", first)
    return RenderedPdf(data, len(document.pages), tuple(collector.warnings), tuple(overflows))


def render_pdf(
    html: str,
    html_path: Path,
    allowed: tuple[Path, ...],
    identifier: bytes,
    source_date_epoch: int,
    blame: Callable[[str], str | None],
    accessible: bool = True,
    xmp: bytes | None = None,
) -> RenderedPdf:
    """Render in this process; errors become one BookletError naming the chapter `blame` finds."""
    try:
        return render_job(RenderJob(html, html_path, allowed, identifier, source_date_epoch, accessible, xmp))
    except RenderError as err:
        raise BookletError(err.message, blame(err.clue) or html_path.as_posix()) from None
