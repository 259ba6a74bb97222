"""What a render takes and gives, kept apart from WeasyPrint so that planning,
caching and the no-change path never import it."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

# Where the renderer sees the project. WeasyPrint names each image in the PDF after its address,
# so rendering from the real folder would make the bytes depend on where the project is.
PROJECT_URL = "file:///booklet-project/"


@dataclass(frozen=True)
class Overflow:
    """Something printed past the right edge of the text area: cut off or crowding the margin."""

    section_id: str | None  # id of the enclosing <section>, to name the chapter
    what: str
    page: int
    millimetres: float

    def describe(self) -> str:
        return f"{self.what} runs {self.millimetres:.0f} mm past the right margin on page {self.page}"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    overflows: tuple[Overflow, ...] = ()
    from_cache: bool = False
    seconds: float = 0.0  # how long the render or imposition took (0 when it came from the cache)


@dataclass(frozen=True)
class RenderJob:
    """Everything one render needs, in a form that can be sent to a worker process."""

    html: str
    html_path: Path  # where the HTML sits in the project (its relative links resolve from here)
    root: Path  # the project's folder, which the renderer sees at PROJECT_URL wherever it really is
    packages: tuple[Path, ...]  # installed folders it may also read: the fonts, the default stylesheets
    identifier: bytes
    source_date_epoch: int
    accessible: bool = True  # PDF/UA-1: tagged, with language and a window title
    xmp: bytes | None = None  # extra XMP (an rdf:RDF element) for durable fields
    # A booklet: when its page count is not a multiple of 4, pages of this document (ruled notes
    # pages) are spliced in before the last page, the back cover, instead of rendering it all again.
    padding_html: str | None = None

    @property
    def base_url(self) -> str:
        return PROJECT_URL + self.html_path.relative_to(self.root).as_posix()


@dataclass(frozen=True)
class ImposeJob:
    """A linear booklet laid out two pages to a side, after its printing note's sheet."""

    booklet: bytes
    note: bytes
    title: str
    sheet: str  # a key of plan.PAPERS


class RenderError(Exception):
    """A failed render. `clue` (a URL or log message) lets the caller name the chapter."""

    def __init__(self, message: str, clue: str):
        super().__init__(message, clue)
        self.message = message
        self.clue = clue


def run_job(job: RenderJob | ImposeJob) -> RenderedPdf | RenderError:
    """Run in a worker process (or in this one): the result, or the RenderError as data, so
    every failure comes back the same way. The heavy libraries are imported here, on demand."""
    started = time.perf_counter()
    try:
        if isinstance(job, ImposeJob):
            from .impose import impose_job

            result = impose_job(job)
        else:
            from .pdf import render_job

            result = render_job(job)
    except RenderError as err:
        return err
    return replace(result, seconds=time.perf_counter() - started)
