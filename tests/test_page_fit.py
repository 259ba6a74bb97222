"""Content wider than the page's text area fails the build, naming the chapter."""
from __future__ import annotations

from conftest import run_booklet, write_chapter

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


def test_a_table_wider_than_the_page_fails_the_build_and_names_the_chapter(project):
    wide_cell = "x" * 150
    write_chapter(project, "03-wide.md", FRONT,
                  f"Text [@web-reviewed].\n\n| a | b |\n|---|---|\n| {wide_cell} | y |\n")
    result = run_booklet(project, "build")
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.startswith("chapters/03-wide.md: a table runs ")
    assert "mm past the right margin on page 5 of fixture-clinician-standard-a4-2.1.0.pdf" in message
    # No output is written; renders that did succeed may be kept in the cache for the next build.
    assert not list((project / "build").glob("*.pdf")) and not (project / "build" / "manifest.json").exists()


def test_a_wide_table_that_fits_is_accepted(project):
    words = " ".join(["word"] * 60)
    write_chapter(project, "03-wide.md", FRONT,
                  f"Text [@web-reviewed].\n\n| a | b | c |\n|---|---|---|\n| {words} | {words} | {words} |\n")
    result = run_booklet(project, "build")
    assert result.returncode == 0, result.stderr


def test_margin_box_styles_are_the_same_as_weasyprint_computes_them(tmp_path):
    """booklet.pdf replaces WeasyPrint's quadratic lookup of page margin-box styles; the pages
    it lays out (first, left, right and named pages, each with their own margin boxes) must
    come out byte for byte as WeasyPrint's own code makes them."""
    from weasyprint import HTML
    from weasyprint.layout import page as weasyprint_page

    from booklet import pdf

    html = """<style>
      @page { size: A6; @bottom-center { content: counter(page) " of " counter(pages) } }
      @page :first { @top-center { content: "first" } @bottom-center { content: none } }
      @page :left { @top-left { content: "left " counter(page) } }
      @page :right { @top-right { content: string(chapter) } }
      @page wide { size: A6 landscape; @left-middle { content: "wide" } }
      h1 { string-set: chapter content(); break-before: page }
      .wide { page: wide }
    </style>""" + "".join(f"<h1>Chapter {n}</h1><p>{'text ' * 400}</p><div class=wide>{'wide ' * 200}</div>"
                          for n in range(3))

    def render() -> bytes:
        return HTML(string=html).write_pdf(pdf_identifier=b"0" * 16)

    ours = render()
    weasyprint_page.set_page_type_computed_styles = pdf.WEASYPRINT_SET_PAGE_TYPE_COMPUTED_STYLES
    try:
        theirs = render()
    finally:
        weasyprint_page.set_page_type_computed_styles = pdf._set_page_type_computed_styles
    assert ours == theirs
    assert len(HTML(string=html).render().pages) > 6
