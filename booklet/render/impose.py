"""Imposes a booklet 2-up for saddle-stitched printing.

A booklet of N pages (N a multiple of 4) prints on N/4 sheets, both sides,
flipping on the short edge; the stacked sheets fold in half to read in order.
Sheet s (from 0) carries pages N-2s and 2s+1 on its front (left, right) and
2s+2 and N-1-2s on its back. Imposing drops the tag tree, so the imposed file is
for printing only: the linear booklet stays the accessible copy.
"""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject, NameObject

from ..errors import BookletError
from .plan import PAPERS
from .jobs import ImposeJob, RenderedPdf, RenderError


def sheet_sides(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, counting from 1, for each printed side in order."""
    if pages <= 0 or pages % 4:
        raise ValueError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))  # front
        sides.append((2 * sheet + 2, pages - 1 - 2 * sheet))  # back
    return sides


def _as_form(writer: PdfWriter, page: PageObject, width: float, height: float) -> IndirectObject:
    """The page as a form XObject in `writer` (its resources cloned once, shared where pages share them)."""
    contents = page.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
        NameObject("/Resources"): page["/Resources"].clone(writer),
    })
    return writer._add_object(form.flate_encode())  # pypdf 7 has no public call for a loose object


def impose(booklet_pdf: bytes, cover_note_pdf: bytes, title: str, sheet: str) -> bytes:
    """The booklet's pages two to a side, after the printing note's sheet (front and back) when
    there is one (`cover_note_pdf` empty: none).

    The pair is centred on the sheet, so the fold falls on its middle even where two
    pages are a little narrower than the sheet (two A5 pages are 296 mm; A4 is 297).
    """
    booklet = PdfReader(io.BytesIO(booklet_pdf))
    note_pages = PdfReader(io.BytesIO(cover_note_pdf)).pages if cover_note_pdf else []
    width = float(booklet.pages[0].mediabox.width)
    height = float(booklet.pages[0].mediabox.height)
    if any(abs(float(p.mediabox.width) - width) > 0.5 or abs(float(p.mediabox.height) - height) > 0.5
           for p in booklet.pages):
        raise BookletError("cannot impose a booklet whose pages differ in size")
    if cover_note_pdf and len(note_pages) != 2:
        raise BookletError(f"the printing note must be one sheet (2 pages), not {len(note_pages)}")
    sheet_width, sheet_height = PAPERS[sheet].landscape_points
    if 2 * width > sheet_width + 0.5 or height > sheet_height + 0.5:
        raise BookletError(f"two {width:.0f} x {height:.0f} pt pages do not fit on a {sheet} sheet")
    fold, bottom = sheet_width / 2, (sheet_height - height) / 2
    writer = PdfWriter()
    for page in note_pages:
        writer.add_page(page)
    # Each booklet page becomes a form XObject, drawn on its side with a translation: this
    # copies content streams as they are, where merging pages would parse and rewrite them.
    forms = [_as_form(writer, page, width, height) for page in booklet.pages]
    for left, right in sheet_sides(len(booklet.pages)):
        side = writer.add_blank_page(width=sheet_width, height=sheet_height)
        side[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
            NameObject("/L"): forms[left - 1], NameObject("/R"): forms[right - 1]})})
        drawing = DecodedStreamObject()
        drawing.set_data((f"q 1 0 0 1 {fold - width:.4f} {bottom:.4f} cm /L Do Q "
                          f"q 1 0 0 1 {fold:.4f} {bottom:.4f} cm /R Do Q").encode())
        side[NameObject("/Contents")] = writer._add_object(drawing.flate_encode())
    writer.add_metadata({"/Title": title, "/Producer": "booklet (pypdf imposition)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def impose_job(job: ImposeJob) -> RenderedPdf:
    """`impose` for the scheduler; its errors come back as a RenderError."""
    try:
        data = impose(job.booklet, job.note, job.title, job.sheet)
    except BookletError as err:
        raise RenderError(err.message, "") from None
    return RenderedPdf(data, len(PdfReader(io.BytesIO(data)).pages), ())
