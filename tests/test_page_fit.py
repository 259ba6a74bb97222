"""Content wider than the page's text area fails the build, naming the chapter."""
from __future__ import annotations

from conftest import booklet, write_chapter

FRONT = """
title: Wide
id: wide
order: 3
audience: clinician
summary: A summary.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""


def test_a_table_wider_than_the_page_fails_the_build_and_names_the_chapter(built_project):
    project = built_project
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    wide_cell = "x" * 150
    write_chapter(project, "03-wide.md", FRONT,
                  f"Text [@web-reviewed].\n\n| a | b |\n|---|---|\n| {wide_cell} | y |\n")
    result = booklet(project, "build")
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.startswith("chapters/03-wide.md: a table runs ")
    assert "mm past the right margin on page 5 of fixture-clinician-standard-a4-2.1.0.pdf" in message
    # No output changes; renders that did succeed may be kept in the cache for the next build.
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()} == before


def test_a_wide_table_that_fits_is_accepted(built_project):
    project = built_project
    words = " ".join(["word"] * 60)
    write_chapter(project, "03-wide.md", FRONT,
                  f"Text [@web-reviewed].\n\n| a | b | c |\n|---|---|---|\n| {words} | {words} | {words} |\n")
    result = booklet(project, "build")
    assert result.returncode == 0, result.stderr


PATIENT = FRONT.replace("audience: clinician", "audience: patient").replace("id: wide", "id: long-box")


def test_a_box_pushed_overleaf_and_one_too_long_for_a_page_are_warnings_naming_the_chapter(built_project):
    project = built_project
    filler = "\n\n".join(f"Paragraph {n} before the boxes [@web-reviewed]." for n in range(3))
    short_box = "\n\n".join(f"    Line {n} of a box that fits on a page." for n in range(20))
    long_box = "\n\n".join(f"    Line {n} of a box longer than any page." for n in range(45))
    write_chapter(project, "03-long-box.md", PATIENT, f"{filler}\n\n!!! tip \"Fits\"\n{short_box}\n\n"
                  f"!!! tip \"Too long\"\n{long_box}\n\nA closing paragraph [@web-reviewed].\n")
    result = booklet(project, "build")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "fixture-patient-standard-a4-2.1.0.pdf page" in line]
    # The box that fits is moved whole to page 7, leaving the chapter's first page a quarter full;
    # the one that cannot fit any page runs over, and says so.
    assert "chapters/03-long-box.md: warning: fixture-patient-standard-a4-2.1.0.pdf page 6: is only 26% full, " \
           "and the text goes on overleaf: something that must stay whole was pushed to the next page" in warnings
    assert "chapters/03-long-box.md: warning: fixture-patient-standard-a4-2.1.0.pdf page 8: a box runs over " \
           "from page 8 to page 9" in warnings
