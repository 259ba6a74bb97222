"""Clear print beyond the body text: the typeface draws every character, numbers and dates do not
break, and the running footers and review lines meet each copy's minimum size."""
from __future__ import annotations

import ctypes
import math
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from booklet.pipeline import prepare
from conftest import booklet, write_chapter

FRONT = """
title: Odd characters
id: odd
order: 3
audience: patient
summary: "A chapter [@web-reviewed]."
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""


def test_a_character_the_typeface_lacks_is_one_line_naming_it_the_chapter_and_the_font(project):
    write_chapter(project, "03-odd.md", FRONT, "Turn left \u2192 then right [@web-reviewed].\n")
    for command in ("check", "build"):
        result = booklet(project, command)
        assert result.returncode == 1
        assert "chapters/03-odd.md:11: character '\u2192' (U+2192) is not in the font Atkinson Hyperlegible: " \
               "use another character, or a word" in result.stderr, command


def test_phone_numbers_dates_pronunciations_and_amounts_are_kept_on_one_line(project):
    write_chapter(project, "03-odd.md", FRONT, "Call 0800 169 0936 (say: kal-si-fuh-lack-sis) on 25 March 2024 "
                  "or in July 2023; take 12.5-25 g [@web-reviewed]. Not `0800 169 0936` in code.\n")
    html = prepare(project).html("patient-standard-a4")
    for words in ("0800 169 0936", "(say: kal-si-fuh-lack-sis)", "25 March 2024", "July 2023", "12.5-25 g"):
        assert f'<span class="nowrap">{words}</span>' in html
    assert "<code>0800 169 0936</code>" in html


def _sizes_of(pdf: Path, words: str) -> set[float]:
    """The printed sizes of the characters of every run of `words` in the PDF."""
    document = pdfium.PdfDocument(pdf)
    sizes, matrix = set(), pdfium_c.FS_MATRIX()
    for index in range(len(document)):
        text = document[index].get_textpage()
        found = text.get_text_range()
        at = found.find(words)
        while at >= 0:
            for char in range(at, at + len(words)):
                if not found[char].isalnum():  # spaces may be generated, with no size of their own
                    continue
                pdfium_c.FPDFText_GetMatrix(text.raw, char, ctypes.byref(matrix))
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                sizes.add(round(pdfium_c.FPDFText_GetFontSize(text.raw, char) * scale, 1))
            at = found.find(words, at + 1)
    return sizes


@pytest.mark.parametrize("copy, least", [("patient-standard-a4", 12), ("patient-large-print-a4", 16),
                                         ("patient-booklet-a5", 12), ("clinician-standard-a4", 9.5)])
def test_footers_and_review_lines_meet_the_copy_s_minimum_size(built_mini, copy, least):
    pdf = built_mini / "build" / f"fixture-{copy}-2.1.0.pdf"
    for words in ("Edition 2.1.0", "Reviewed 1 January 2026"):
        sizes = _sizes_of(pdf, words)
        assert sizes and min(sizes) >= least, (copy, words, sizes)


def _smallest(pdf: Path) -> tuple[float, str]:
    """The smallest printed size of any letter or digit in the PDF, and where it is."""
    document = pdfium.PdfDocument(pdf)
    least, where, matrix = 1000.0, "", pdfium_c.FS_MATRIX()
    for index in range(len(document)):
        text = document[index].get_textpage()
        found = text.get_text_range()
        for char in range(text.count_chars()):
            if not found[char:char + 1].isalnum():
                continue
            pdfium_c.FPDFText_GetMatrix(text.raw, char, ctypes.byref(matrix))
            size = pdfium_c.FPDFText_GetFontSize(text.raw, char) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            if size < least:
                least, where = size, f"page {index + 1}: {found[max(0, char - 10):char + 10]!r}"
    return round(least, 1), where


@pytest.mark.parametrize("copy, least", [("patient-standard-a4", 12), ("patient-large-print-a4", 16),
                                         ("patient-booklet-a5", 12), ("patient-quick-guide-a5", 12),
                                         ("clinician-standard-a4", 9.5)])
def test_no_text_in_the_real_booklet_is_under_the_copy_s_minimum(real_build, copy, least):
    """UKAAF G003: large print 16 pt at least, clear print 12 pt; the clinician copies 9.5 pt.
    Pictures' labels count: they are text in the PDF."""
    pdf = next((real_build / "build").glob(f"calciphylaxis-{copy}-[0-9]*.pdf"))
    size, where = _smallest(pdf)
    assert size >= least, where
