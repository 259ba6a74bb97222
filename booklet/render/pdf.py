"""The only module that renders with WeasyPrint (its patches are in patches.py).

WeasyPrint logs errors instead of raising them, so rendering watches its logger
and turns any ERROR into a failed build. Its URL fetching is confined to the
project tree and the installed packages' fonts and stylesheets.
"""
from __future__ import annotations

import base64
import gc
import hashlib
import mimetypes
import logging
import os
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from . import patches

patches.apply()  # checks the versions, then patches WeasyPrint before anything uses it

from weasyprint import HTML  # noqa: E402
from weasyprint.formatting_structure.boxes import LineBox, MarginBox, ReplacedBox, TextBox  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

from ..files import is_plain_file  # noqa: E402
from ..source.images import data_problem, image_pixels, image_problem, limit_pillow, looks_like_an_image  # noqa: E402
from .page_fit import page_fit_problems  # noqa: E402
from .htmltree import TEXT_BLOCKS  # noqa: E402
from .jobs import PROJECT_URL, Overflow, RenderedPdf, RenderError, RenderJob, input_name  # noqa: E402


limit_pillow()  # WeasyPrint's own calls to Pillow refuse an image over budget too

RENDER_GC_THRESHOLDS = (100_000, 50, 1000)  # Python's defaults: (700, 10, 10)


class FetchRefused(FatalURLFetchingError):
    """A resource outside the allowed folders; stops the render at once."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class _FileResponse(URLFetcherResponse):
    """A file's bytes as read (and checked) by the fetcher. It names no file on disk, so
    WeasyPrint writes these bytes into the PDF rather than reading the file again later."""

    @property
    def path(self):
        return None


# Stylesheets and fonts read during a render; images have their own budget (source/images.py).
MAX_RESOURCE_BYTES = 10_000_000
MAX_DOCUMENT_PIXELS = 300_000_000  # three chapters at their own budget (source/images.py); about 6 s
NOT_IMAGES = frozenset({".css", ".ttf", ".otf", ".woff", ".woff2"})
# What each kind of font file begins with: anything else named as a font is refused, since
# WeasyPrint would hand the bytes of an image address to its image decoders whatever their name.
FONT_MAGIC = {".ttf": (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf"), ".otf": (b"OTTO", b"\x00\x01\x00\x00"),
              ".woff": (b"wOFF",), ".woff2": (b"wOF2",)}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ConfinedFetcher(URLFetcher):
    """Fetches data: URLs and file:// URLs inside the allowed folders, nothing else. With a
    project `root`, addresses under PROJECT_URL are that folder's files. Only regular files are
    read (a FIFO would block for ever), within a size budget, and images must pass their checks
    before WeasyPrint decodes them. Every file read is kept in `reads`, by a name that does
    not depend on where the project is, with its SHA-256: the render cache's key is checked
    against exactly what the render read."""

    def __init__(self, allowed: tuple[Path, ...], root: Path | None = None):
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False,
                         fail_on_errors=True)
        self.allowed = tuple(p.resolve() for p in allowed)
        self.root = root
        # Refusals inside an SVG image are caught by WeasyPrint and logged only as "failed
        # to render SVG image", so each is kept here to give the real reason.
        self.refused: list[FetchRefused] = []
        self.reads: dict[str, str] = {}  # input name (see input_name) -> SHA-256 of its bytes
        self.trusted: set[str] = set()  # data: addresses our own code passes (the XMP metadata)
        self.pixels = 0  # of the images fetched so far

    def fetch(self, url, headers=None):
        try:
            return self._fetch(url, headers)
        except FetchRefused as refused:
            self.refused.append(refused)
            raise

    def _fetch(self, url, headers=None):
        requested = url
        if self.root is not None and url.startswith(PROJECT_URL):
            url = (self.root / unquote(url[len(PROJECT_URL):].split("#")[0].split("?")[0])).as_uri()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(url, headers)
        if scheme != "file":
            raise FetchRefused(url, f"{scheme or 'relative'} addresses are not fetched; "
                                    "use a file inside the project")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(url, "files on other hosts are not fetched")
        path = Path(url2pathname(parts.path)).resolve()
        name = input_name(path, self.allowed)
        if name is None:
            raise FetchRefused(url, "file is outside the project")
        data = self._read(path, requested)
        self.reads[name] = hashlib.sha256(data).hexdigest()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return _FileResponse(requested, data, {"Content-Type": content_type})

    def _data(self, url: str, headers) -> URLFetcherResponse:
        """A data: address, which a stylesheet may hold (the templates' QR code is one): images
        in it pass the same budgets as image files, since WeasyPrint decodes them alike."""
        response = super().fetch(url, headers)
        data = response.read()
        response.close()
        if url in self.trusted:
            return _FileResponse(url, data, {"Content-Type": response.content_type})
        if response.content_type.startswith("image/") or looks_like_an_image(data):
            name = "image." + response.content_type.removeprefix("image/").replace("svg+xml", "svg")
            if problem := data_problem(data, name):
                raise FetchRefused(url[:60] + "...", f"an image written as a data: address {problem}")
        return _FileResponse(url, data, {"Content-Type": response.content_type})

    def _read(self, path: Path, url: str) -> bytes:
        shown = self._shown(path)
        if not path.exists():
            raise FatalURLFetchingError(f"{shown} not found")
        if not is_plain_file(path):
            raise FetchRefused(url, f"{shown} is not a regular file")
        if path.suffix.lower() not in NOT_IMAGES:  # anything else is decoded as an image: check it first
            if problem := image_problem(path):
                raise FetchRefused(url, f"image {shown} {problem}")
            # WeasyPrint decodes an image once for each address it is given (a stylesheet can give
            # one file under many, "a.png#1", "a.png#2"): the decoding of a whole document is budgeted.
            self.pixels += image_pixels(path)
            if self.pixels > MAX_DOCUMENT_PIXELS:
                raise FetchRefused(url, f"the images of this document come to more than "
                                        f"{MAX_DOCUMENT_PIXELS // 1_000_000} million pixels, counting each address "
                                        f"an image is given by (the last was {shown}): use fewer or smaller images")
        elif path.stat().st_size > MAX_RESOURCE_BYTES:
            raise FetchRefused(url, f"{shown} is {path.stat().st_size:,} bytes; files a page uses are limited "
                                    f"to {MAX_RESOURCE_BYTES:,}")
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in FONT_MAGIC and not data.startswith(FONT_MAGIC[suffix]):
            raise FetchRefused(url, f"{shown} is not a {suffix[1:]} font (its first bytes are not a font's)")
        if suffix == ".css" and not _is_utf8(data):
            raise FetchRefused(url, f"{shown} is not UTF-8 text; save the stylesheet as UTF-8")
        if suffix == ".css" and looks_like_an_image(data):  # (a font's first bytes are checked above)
            # WeasyPrint decodes whatever an image address gives it, whatever its name.
            raise FetchRefused(url, f"{shown} is named like a css file but holds an image "
                                    "or markup: images must have an image's name (.png, .jpg, .svg, ...)")
        return data

    def _shown(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root.resolve()):
            return path.relative_to(self.root.resolve()).as_posix()
        return path.name


def _project_paths(message: str, root: Path) -> str:
    """file:// addresses of project files shown as paths relative to the project."""
    def shown(match: re.Match) -> str:
        if match.group(0).startswith(PROJECT_URL):
            return unquote(match.group(0)[len(PROJECT_URL):])
        path = Path(url2pathname(urlsplit(match.group(0)).path))
        return path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else match.group(0)
    return re.sub(r"file://[^\s)]+", shown, message)


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        if message.startswith(patches.FONTTOOLS_NOTICE):
            return
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


_PX_PER_MM = 96 / 25.4
_OVERFLOW_TOLERANCE_PX = 1.5
_WHAT = {"table": "a table", "img": "an image", "pre": "a code block", "svg": "an image"}


def _overflows(document) -> list[Overflow]:
    """The outermost box on each page whose right edge passes the page's text area, and any
    image whose bottom passes it: an image cannot be split across pages, so one taller than the
    page runs over the footer (and off the paper) instead."""
    found: list[Overflow] = []

    def walk(box, section: str | None, page_number: int, right: float, bottom: float) -> None:
        if isinstance(box, MarginBox):
            return  # running heads and footers live in the margin by design
        element = getattr(box, "element", None)
        if element is not None and element.tag == "section":
            section = element.get("id") or section
        what = _WHAT.get(getattr(box, "element_tag", ""), "a line of text")
        edge = box.border_box_x() + box.border_width()
        if edge > right + _OVERFLOW_TOLERANCE_PX:
            found.append(Overflow(section, what, page_number, (edge - right) / _PX_PER_MM))
            return
        if isinstance(box, ReplacedBox):
            low = box.border_box_y() + box.border_height()
            if low > bottom + _OVERFLOW_TOLERANCE_PX:
                found.append(Overflow(section, "an image", page_number, (low - bottom) / _PX_PER_MM, "bottom"))
            return
        if isinstance(box, LineBox):
            # A line's box grows with its content, so its own right edge is enough to check; an
            # image in the line (Markdown puts each in one) can still run past the bottom.
            for image in _replaced_in(box):
                low = image.border_box_y() + image.border_height()
                if low > bottom + _OVERFLOW_TOLERANCE_PX:
                    found.append(Overflow(section, "an image", page_number, (low - bottom) / _PX_PER_MM, "bottom"))
                    return
            return
        for child in getattr(box, "children", ()):
            walk(child, section, page_number, right, bottom)

    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box  # WeasyPrint 70 keeps the laid-out tree here
        right = page_box.content_box_x() + page_box.width
        bottom = page_box.content_box_y() + page_box.height
        for child in page_box.children:
            walk(child, None, number, right, bottom)
    return found


def _replaced_in(box) -> list:
    """The images (replaced boxes) inside a box, without recursion."""
    found, stack = [], list(getattr(box, "children", ()))
    while stack:
        child = stack.pop()
        if isinstance(child, ReplacedBox):
            found.append(child)
        else:
            stack.extend(getattr(child, "children", ()))
    return found


def _page_starts(document, padded_before_last: int) -> tuple[tuple[int, str, str], ...]:
    """Where each printed page begins in the document, as (block, where, words): `block` is the
    ordinal of a text block (htmltree.TEXT_BLOCKS, counted in document order), and the page
    begins at its "start"; or "within" it, at the first `words` of the page's first line (a
    paragraph carried over from the page before); or, for a page with no text of its own (a
    notes page), at the "end" of the last block printed before it."""
    pages = document.pages
    if not pages:
        return ()
    root = pages[0]._page_box.children[0].element
    ordinals = {id(element): number for number, element in
                enumerate(e for e in root.iter() if isinstance(e.tag, str) and e.tag in TEXT_BLOCKS)}
    starts: list[tuple[int, str, str]] = []
    seen = -1
    before_last = seen
    for number, page in enumerate(pages):
        if number == len(pages) - 1:
            before_last = seen
        first: tuple[int, str] | None = None  # the block holding the page's first line, and its words
        found: list[int] = []
        for box, block in _boxes_in_order(page._page_box, ordinals):
            if block is not None:
                found.append(block)
                if first is None and isinstance(box, LineBox):
                    first = (block, _line_text(box))
        if first is not None and first[0] <= seen:
            starts.append((first[0], "within", first[1]))
        elif first is not None:
            starts.append((first[0], "start", ""))
        elif [block for block in found if block > seen]:
            starts.append((min(block for block in found if block > seen), "start", ""))
        else:
            starts.append((max(seen, 0), "end", ""))
        seen = max([seen, *found])
    padding = [(max(before_last, 0), "end", "")] * padded_before_last
    return (*starts[:-1], *padding, starts[-1])


def _boxes_in_order(page_box, ordinals: dict[int, int]) -> Iterator[tuple[object, int | None]]:
    """Every box of the page's content in document order, with the ordinal of the innermost text
    block it lies in (None outside any); the margin boxes (running heads, footers) left out."""
    stack: list[tuple[object, int | None]] = [(child, None) for child in reversed(page_box.children)]
    while stack:
        box, block = stack.pop()
        if isinstance(box, MarginBox):
            continue
        element = getattr(box, "element", None)
        if element is not None and id(element) in ordinals:
            block = ordinals[id(element)]
        yield box, block
        stack.extend((child, block) for child in reversed(getattr(box, "children", ())))


def _line_text(line) -> str:
    """The first words of a line box, as a reader sees them (at most 60 characters)."""
    parts: list[str] = []
    stack = [line]
    while stack and sum(map(len, parts)) < 60:
        box = stack.pop()
        if isinstance(box, TextBox):
            parts.append(box.text)
        stack.extend(reversed(getattr(box, "children", ())))
    return " ".join("".join(parts).split())[:60]


def render_job(job: RenderJob) -> RenderedPdf:
    """Render one HTML document to PDF bytes; raises RenderError (picklable) on failure.

    Python's cyclic garbage collector runs less often during the render. WeasyPrint
    builds millions of long-lived objects, and at the default thresholds the collector
    rescans them again and again as they grow, so time grew faster than the document
    (a 10x booklet: 22.4 s at the default thresholds, 17.8 s at these). One collection
    afterwards frees the render's cycles, so memory stays flat over several renders in one
    process (without it, 324 MiB instead of 134 MiB for a serial build). The default set
    builds 8% faster in parallel than at the default thresholds.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(*RENDER_GC_THRESHOLDS)
    try:
        return _render(job)
    finally:
        gc.set_threshold(*thresholds)
        collect_garbage()


def collect_garbage() -> None:
    gc.collect()


def _render(job: RenderJob) -> RenderedPdf:
    # fontTools stamps subset fonts with the current time unless this is set.
    os.environ["SOURCE_DATE_EPOCH"] = str(job.source_date_epoch)
    logger = logging.getLogger("weasyprint")
    collector = _ErrorCollector()
    logger.addHandler(collector)
    try:
        fetcher = ConfinedFetcher(job.folders, job.root)
        document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
        overflows = _overflows(document)
        page_fit = tuple(problem.as_warning() for problem in page_fit_problems(document))
        short = -len(document.pages) % 4 if job.padding_html is not None else 0
        starts = _page_starts(document, short) if job.page_map else None
        if short:
            notes = HTML(string=job.padding_html, base_url=job.base_url, url_fetcher=fetcher).render()
            if len(notes.pages) < short:
                raise RenderError(f"only {len(notes.pages)} notes pages to pad a booklet short of {short}", "")
            document = document.copy(document.pages[:-1] + notes.pages[:short] + document.pages[-1:])
        options = {"pdf_identifier": job.identifier, "custom_metadata": True}
        if job.accessible:
            options["pdf_variant"] = "pdf/ua-1"
        if job.xmp:
            xmp_url = "data:application/xml;base64," + base64.b64encode(job.xmp).decode()
            options["xmp_metadata"] = [xmp_url]
            fetcher.trusted.add(xmp_url)
        data = document.write_pdf(**options)
    except FetchRefused as refused:
        raise RenderError(f"{refused.reason}: {refused.url}", refused.url) from None
    except FatalURLFetchingError as failed:  # fail_on_errors: a missing or unreadable file
        cause = failed.__cause__
        reason = getattr(cause, "reason", None) or cause or failed
        raise RenderError(f"could not load a resource: {reason}", str(failed)) from None
    finally:
        logger.removeHandler(collector)
    if collector.errors and fetcher.refused:
        first_refused = fetcher.refused[0]
        where = _project_paths(collector.errors[0].replace("Failed to render SVG image", "in the SVG image"),
                               job.root)
        raise RenderError(f"{first_refused.reason}: {first_refused.url} ({where})", collector.errors[0])
    if collector.errors:
        first = collector.errors[0]
        more = f" (and {len(collector.errors) - 1} more)" if len(collector.errors) > 1 else ""
        raise RenderError(f"rendering failed: {_project_paths(first, job.root)}{more}", first)
    return RenderedPdf(data, len(document.pages), (*collector.warnings, *page_fit), tuple(overflows),
                       inputs=tuple(sorted(fetcher.reads.items())), page_starts=starts)
