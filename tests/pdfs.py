"""Reading built PDFs back for tests: text, font sizes, bookmarks and rendered pixels."""
from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader

MM = 72 / 25.4  # PDF points per millimetre


def page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def body_font_size(pdf: Path) -> float:
    """The most common printed text size in points, after the page's scaling."""
    document = pdfium.PdfDocument(pdf)
    sizes: Counter[float] = Counter()
    matrix = pdfium_c.FS_MATRIX()
    for index in range(len(document)):
        text = document[index].get_textpage()
        for char in range(text.count_chars()):
            if chr(pdfium_c.FPDFText_GetUnicode(text.raw, char)).isalpha():
                pdfium_c.FPDFText_GetMatrix(text.raw, char, ctypes.byref(matrix))
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                sizes[round(pdfium_c.FPDFText_GetFontSize(text.raw, char) * scale, 1)] += 1
    return sizes.most_common(1)[0][0]


def outline(pdf: Path) -> list[tuple[str, int]]:
    """Top-level bookmarks as (title, page index)."""
    reader = PdfReader(pdf)
    return [(item.title, reader.get_destination_page_number(item))
            for item in reader.outline if not isinstance(item, list)]


def contents_entries(pdf: Path, heading: str = "Contents") -> list[tuple[str, int]]:
    """(title, page number) pairs read from the printed contents page (headed `heading`)."""
    for text in page_texts(pdf):
        if text.lstrip().startswith(heading):
            return [(m.group(1).strip(), int(m.group(2)))
                    for m in re.finditer(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", text, re.M)]
    raise AssertionError(f"no contents page in {pdf}")


def render_grey(pdf: Path, dpi: int = 30):
    """Each page as a greyscale PIL image."""
    document = pdfium.PdfDocument(pdf)
    return [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))]
