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
    """Something printed past the right (or, for an image, the bottom) edge of the text area:
    cut off, or crowding the margin and the footer there."""

    section_id: str | None  # id of the enclosing <section>, to name the chapter
    what: str
    page: int
    millimetres: float
    edge: str = "right"  # or "bottom"

    def describe(self) -> str:
        return f"{self.what} runs {self.millimetres:.0f} mm past the {self.edge} margin on page {self.page}"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    overflows: tuple[Overflow, ...] = ()
    from_cache: bool = False
    seconds: float = 0.0  # how long the render or imposition took (0 when it came from the cache)
    # Every file the render read (stylesheets through any @import, fonts, images, files an SVG
    # uses), as (input_name, SHA-256): the render cache keeps them with the PDF and trusts the PDF
    # only while each still has its digest.
    inputs: tuple[tuple[str, str], ...] = ()
    # Where each page begins in the document, when the job asked (see pdf._page_starts): the
    # EPUB's page list follows the printed booklet's pages with it.
    page_starts: tuple[tuple[int, str, str], ...] | None = None


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
    page_map: bool = False  # also tell where each page begins (RenderedPdf.page_starts)

    @property
    def base_url(self) -> str:
        return PROJECT_URL + self.html_path.relative_to(self.root).as_posix()

    @property
    def folders(self) -> tuple[Path, ...]:
        """What the renderer may read: the project, then the packages (as input_name counts them)."""
        return (self.root, *self.packages)


def input_name(path: Path, folders: tuple[Path, ...]) -> str | None:
    """A file the renderer may read, named by the index of the allowed folder holding it (0:
    the project, then the installed packages) and its path there, so the name is the same
    wherever the project is checked out; None outside them. `path` and `folders` are resolved."""
    for index, folder in enumerate(folders):
        if path.is_relative_to(folder):
            return f"{index}:{path.relative_to(folder).as_posix()}"
    return None


def input_path(name: str, folders: tuple[Path, ...]) -> Path | None:
    """The file an input_name names now, or None if it no longer lies inside its folder."""
    index, _, relative = name.partition(":")
    if not index.isdigit() or int(index) >= len(folders) or not relative:
        return None
    folder = folders[int(index)].resolve()
    path = (folder / relative).resolve()
    return path if path.is_relative_to(folder) else None


@dataclass(frozen=True)
class ImposeJob:
    """A linear booklet laid out two pages to a side, after its printing note's sheet."""

    booklet: bytes
    note: bytes  # b"" for none: the quick guide is one sheet, its own pages the whole file
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
    except OSError as err:  # a full disk or a file-size limit, met by the renderer's own files (fonts)
        return RenderError(f"rendering stopped: {err.strerror or err}", "")
    return replace(result, seconds=time.perf_counter() - started)
