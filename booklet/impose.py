"""Imposes a booklet 2-up for saddle-stitched printing.

A booklet of N pages (N a multiple of 4) prints on N/4 sheets, both sides,
flipping on the short edge; the stacked sheets fold in half to read in order.
Sheet s (from 0) carries pages N-2s and 2s+1 on its front (left, right) and
2s+2 and N-1-2s on its back. Imposing drops the tag tree, so the imposed file is
for printing only: the linear booklet stays the accessible copy.
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter, Transformation

from .errors import BookletError


def sheet_sides(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, counting from 1, for each printed side in order."""
    if pages <= 0 or pages % 4:
        raise ValueError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))  # front
        sides.append((2 * sheet + 2, pages - 1 - 2 * sheet))  # back
    return sides


# Landscape sheet sizes in PDF points.
SHEETS = {"a4": (841.89, 595.28), "letter": (792.0, 612.0)}


def impose(booklet_pdf: bytes, cover_note_pdf: bytes, title: str, sheet: str) -> bytes:
    """The booklet's pages two to a side, after the printing note's sheet (front and back).

    The pair is centred on the sheet, so the fold falls on its middle even where two
    pages are a little narrower than the sheet (two A5 pages are 296 mm; A4 is 297).
    """
    booklet = PdfReader(io.BytesIO(booklet_pdf))
    note = PdfReader(io.BytesIO(cover_note_pdf))
    width = float(booklet.pages[0].mediabox.width)
    height = float(booklet.pages[0].mediabox.height)
    if any(abs(float(p.mediabox.width) - width) > 0.5 or abs(float(p.mediabox.height) - height) > 0.5
           for p in booklet.pages):
        raise BookletError("cannot impose a booklet whose pages differ in size")
    if len(note.pages) != 2:
        raise BookletError(f"the printing note must be one sheet (2 pages), not {len(note.pages)}")
    sheet_width, sheet_height = SHEETS[sheet]
    if 2 * width > sheet_width + 0.5 or height > sheet_height + 0.5:
        raise BookletError(f"two {width:.0f} x {height:.0f} pt pages do not fit on a {sheet} sheet")
    fold, bottom = sheet_width / 2, (sheet_height - height) / 2
    writer = PdfWriter()
    for page in note.pages:
        writer.add_page(page)
    for left, right in sheet_sides(len(booklet.pages)):
        side = writer.add_blank_page(width=sheet_width, height=sheet_height)
        side.merge_transformed_page(booklet.pages[left - 1], Transformation().translate(fold - width, bottom))
        side.merge_transformed_page(booklet.pages[right - 1], Transformation().translate(fold, bottom))
    writer.add_metadata({"/Title": title, "/Producer": "booklet (pypdf imposition)"})
    for page in writer.pages:
        page.compress_content_streams()  # merging leaves the combined streams uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
