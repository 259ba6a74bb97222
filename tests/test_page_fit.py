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
