"""Print variants: paper sizes, booklets and their imposition, contents, tags and type sizes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ImageChops, ImageStat
from pypdf import PdfReader

from booklet.render.impose import sheet_sides
from conftest import booklet, write_chapter
from pdfs import MM, body_font_size, contents_entries, outline, page_texts, render_grey

SIZES_MM = {"a4": (210, 297), "letter": (215.9, 279.4), "a5": (148, 210), "half-letter": (139.7, 215.9)}


def outputs(root: Path) -> list[dict]:
    return [o for o in json.loads((root / "build" / "manifest.json").read_text())["outputs"] if o["format"] == "pdf"]


def pdf(root: Path, audience: str, variant: str, paper: str) -> Path:
    return root / "build" / f"fixture-{audience}-{variant}-{paper}-2.1.0.pdf"


def test_every_variant_has_its_paper_size(built_mini):
    for entry in outputs(built_mini):
        width, height = SIZES_MM[entry["paper"]]
        if entry["variant"] == "booklet-imposed":
            width, height = height, width  # landscape sheets
        for page in PdfReader(built_mini / "build" / entry["path"]).pages:
            box = page.mediabox
            assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (round(width), round(height)), \
                entry["path"]


def test_booklets_have_a_multiple_of_4_pages_padded_with_notes_before_the_back_cover(built_mini):
    for paper in ("a5", "half-letter"):
        texts = page_texts(pdf(built_mini, "patient", "booklet", paper))
        assert len(texts) % 4 == 0
        assert "Your kidney team" in texts[-1]  # the back cover is the last page
        standard = len(page_texts(pdf(built_mini, "patient", "standard", "a4")))
        assert len(texts) >= standard
    texts = page_texts(pdf(built_mini, "patient", "booklet", "a5"))
    assert _padding(texts) < 4
    # A left-hand page left blank before a chapter that opens on the right is a notes page too.
    assert all(text.strip() for text in texts)


def test_a_booklet_that_falls_short_of_a_multiple_of_4_gets_notes_pages(built_project):
    """Chapters open on right-hand pages, so one more chapter moves the count by 2."""
    project = built_project
    padded = []
    for extra in (0, 1):
        if extra:
            write_chapter(project, "03-extra.md", EXTRA_CHAPTER, "One more short chapter [@web-reviewed].\n")
        assert booklet(project, "build").returncode == 0
        texts = page_texts(pdf(project, "patient", "booklet", "a5"))
        assert len(texts) % 4 == 0 and "Your kidney team" in texts[-1]
        padded.append(_padding(texts))
    assert sorted(padded) == [0, 2]


def _padding(texts: list[str]) -> int:
    """The notes pages just before the back cover: those that pad the booklet to a multiple of 4."""
    run = 0
    for text in reversed(texts[:-1]):
        if not text.strip().startswith("Notes"):
            break
        run += 1
    return run


EXTRA_CHAPTER = """
title: Extra
id: extra
order: 3
audience: patient
summary: One more.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""


def test_sheet_sides_follow_saddle_stitch_order():
    assert sheet_sides(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    sides = sheet_sides(12)
    assert sides[0] == (12, 1) and sides[1] == (2, 11)  # sheet 1: front N and 1, back 2 and N-1
    assert sorted(p for side in sides for p in side) == list(range(1, 13))
    with pytest.raises(ValueError):
        sheet_sides(10)


@pytest.mark.parametrize("sheet, booklet", [("a4", "a5"), ("letter", "half-letter")])
def test_imposed_sheets_carry_the_booklet_pages_in_saddle_stitch_order(built_mini, sheet, booklet):
    linear = render_grey(pdf(built_mini, "patient", "booklet", booklet), dpi=36)
    imposed = render_grey(pdf(built_mini, "patient", "booklet-imposed", sheet), dpi=36)
    sides = imposed[2:]  # after the printing note's sheet, front and back
    assert len(sides) == len(linear) // 2
    note = [" ".join(text.split()) for text in page_texts(pdf(built_mini, "patient", "booklet-imposed", sheet))[:2]]
    pages = len(linear)
    assert "For printing only" in note[0]
    assert f"holds the {pages}-page booklet on {pages // 4} sheets of" in note[0], note
    assert "flipping on the short edge" in note[0] and f"fixture-patient-booklet-{booklet}-2.1.0.pdf" in note[0]
    assert "left blank" in note[1]
    n = len(linear)
    expected_sides = []  # written out here, independently of booklet.impose
    for s in range(n // 4):
        expected_sides += [(n - 2 * s, 2 * s + 1), (2 * s + 2, n - 1 - 2 * s)]
    for side, (left, right) in zip(sides, expected_sides):
        fold = side.width // 2
        for page_number, at_left in ((left, True), (right, False)):
            expected = linear[page_number - 1]
            top = (side.height - expected.height) // 2
            x = fold - expected.width if at_left else fold
            placed = side.crop((x, top, x + expected.width, top + expected.height))
            difference = ImageChops.difference(placed, expected)
            assert ImageStat.Stat(difference).mean[0] < 6, page_number


@pytest.mark.parametrize("variant, paper", [("standard", "a4"), ("standard", "letter"),
                                            ("large-print", "a4"), ("booklet", "a5")])
def test_contents_page_numbers_point_at_their_headings(built_mini, variant, paper):
    path = pdf(built_mini, "patient", variant, paper)
    texts = page_texts(path)
    entries = contents_entries(path)
    assert [title for title, _ in entries] == [title for title, _ in outline(path)]
    for title, number in entries:
        assert title in " ".join(texts[number - 1].split()), (title, number)


def test_bookmarks_match_the_chapter_headings(built_mini):
    titles = [title for title, _ in outline(pdf(built_mini, "clinician", "standard", "a4"))]
    assert titles == ["Shared chapter", "References", "Edition history", "Who wrote and checked this booklet"]


@pytest.mark.parametrize("variant, paper", [("standard", "a4"), ("large-print", "a4"), ("booklet", "a5")])
def test_reading_copies_are_tagged_pdf_ua_with_language_title_and_edition_metadata(built_mini, variant, paper):
    reader = PdfReader(pdf(built_mini, "patient", variant, paper))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    # Each copy has a title of its own: the window title tells large print from A5 and from A4.
    assert reader.metadata.title == "Fixture Booklet: For patients and families (" + {
        "standard": "A4", "large-print": "large print, A4", "booklet": "folded booklet, A5"}[variant] + ")"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"' in xmp and 'pdfuaid:part="1"' in xmp  # PDF/UA-1
    assert "<booklet:edition>2.1.0</booklet:edition>" in xmp
    assert "<booklet:nextReview>2026-06-30</booklet:nextReview>" in xmp


def test_imposed_copy_is_labelled_for_printing_only(built_mini):
    reader = PdfReader(pdf(built_mini, "patient", "booklet-imposed", "a4"))
    assert "for printing only" in reader.metadata.title


@pytest.mark.parametrize("variant, paper, minimum", [("standard", "a4", 12), ("standard", "letter", 12),
                                                     ("booklet", "a5", 12), ("large-print", "a4", 16)])
def test_body_text_size(built_mini, variant, paper, minimum):
    assert body_font_size(pdf(built_mini, "patient", variant, paper)) >= minimum


def test_clinician_body_text_is_denser_but_readable(built_mini):
    assert 10.5 <= body_font_size(pdf(built_mini, "clinician", "standard", "a4")) <= 11


def test_pages_have_content_inside_the_margins_and_only_booklets_have_blank_pages(built_mini):
    for entry in outputs(built_mini):
        if entry["variant"] == "booklet-imposed":
            continue
        pages = render_grey(built_mini / "build" / entry["path"], dpi=30)
        edge = round(5 * 30 / 25.4)  # 5 mm
        for number, page in enumerate(pages, start=1):
            dark = page.point(lambda v: 255 if v < 200 else 0)
            if dark.getbbox() is None:
                # Blank pages only where a booklet chapter must start on the right.
                assert entry["variant"] == "booklet" and number % 2 == 0, (entry["path"], number)
                continue
            left, top, right, bottom = dark.getbbox()
            assert left >= edge and top >= edge, (entry["path"], number)
            assert right <= page.width - edge and bottom <= page.height - edge, (entry["path"], number)
