"""booklet/render/patches.py: each patch gives exactly what the code it replaces gives, and the
patches refuse to run on versions of WeasyPrint and pydyf they were not written for."""
from __future__ import annotations

import io

import pydyf
import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.layout import page as weasyprint_page

from booklet.errors import BookletError
from booklet.render import patches

# First, left, right and named pages, each with margin boxes of their own, over enough pages
# for the page-style lookup and the tagged page references both to matter.
PAGES = """<!DOCTYPE html><html lang="en"><head><title>Patched</title><style>
  @page { size: A6; @bottom-center { content: counter(page) " of " counter(pages) } }
  @page :first { @top-center { content: "first" } @bottom-center { content: none } }
  @page :left { @top-left { content: "left " counter(page) } }
  @page :right { @top-right { content: string(chapter) } }
  @page wide { size: A6 landscape; @left-middle { content: "wide" } }
  h1 { string-set: chapter content(); break-before: page }
  .wide { page: wide }
</style></head><body>""" + "".join(
    f"<h1>Chapter {n}</h1><p>{'text ' * 400}</p><ul><li>{'item ' * 60}</li></ul><div class=wide>{'wide ' * 200}</div>"
    for n in range(3)) + "</body></html>"


patches.apply()  # as the renderer does when it is imported


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    """fontTools stamps the fonts it subsets with this time, as the renderer sets it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


def _render(**options) -> bytes:
    return HTML(string=PAGES).write_pdf(pdf_identifier=b"0" * 16, **options)


@pytest.fixture
def originals():
    """WeasyPrint and pydyf without the speed patches, for the length of one test."""
    patches.restore(patches.SPEED_PATCHES)
    try:
        yield
    finally:
        patches.apply()


def test_the_patches_are_installed_when_the_renderer_is_imported():
    from booklet.render import pdf

    assert pdf.patches is patches
    assert weasyprint_page.set_page_type_computed_styles is patches._set_page_type_computed_styles
    assert pydyf.PDF.__dict__["page_references"] is patches.PATCHED_PAGE_REFERENCES
    from weasyprint.pdf import fonts

    assert fonts.harfbuzz_subset is None  # fonts are subset with fontTools on every machine


def test_subsetting_with_fonttools_is_not_reported_as_a_warning(tmp_path):
    from booklet.render.jobs import RenderJob
    from booklet.render.pdf import render_job
    from booklet.render.resources import FONT_DIR, font_face_css

    html = (f"<!DOCTYPE html><html lang='en'><head><title>t</title><style>{font_face_css(tmp_path, tmp_path)} body "
            "{ font-family: 'Atkinson Hyperlegible' }</style></head><body><p>Text</p></body></html>")
    result = render_job(RenderJob(html, tmp_path / "t.html", tmp_path, (FONT_DIR,), b"0" * 16, 0))
    assert result.warnings == ()
    fonts = {str(font.get_object()["/BaseFont"]) for font in PdfReader(io.BytesIO(result.data)).pages[0]
             ["/Resources"]["/Font"].values()}
    assert len(fonts) == 1 and fonts.pop().endswith("+Atkinson-Hyperlegible")  # embedded, subset


@pytest.mark.parametrize("tagged", [False, True])
def test_pages_come_out_byte_for_byte_as_the_unpatched_code_makes_them(tagged, request):
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    ours = _render(**options)
    request.getfixturevalue("originals")
    assert weasyprint_page.set_page_type_computed_styles is patches.ORIGINALS["set_page_type_computed_styles"]
    theirs = _render(**options)
    assert ours == theirs
    assert len(PdfReader(io.BytesIO(ours)).pages) > 6


def test_cached_page_references_follow_pages_as_they_are_added():
    pdf = pydyf.PDF()
    original = patches.ORIGINALS["page_references"].fget
    for _ in range(4):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == tuple(original(pdf))


@pytest.mark.parametrize("name, installed", [("weasyprint", "71.0"), ("pydyf", "0.12.1")])
def test_other_versions_are_refused_with_one_line(monkeypatch, name, installed):
    real = patches.version
    monkeypatch.setattr(patches, "version", lambda package: installed if package == name else real(package))
    problem = patches.version_problem()
    assert problem == (f"booklet's rendering changes were written for weasyprint 70.0 and pydyf 0.13.0, but "
                       f"{name} {installed} is installed: install the versions in requirements.lock (make does)")
    with pytest.raises(BookletError) as refused:
        patches.check_versions()
    assert str(refused.value) == problem


def test_a_build_on_other_versions_stops_before_rendering(built_project, monkeypatch):
    from conftest import booklet

    real = patches.version
    monkeypatch.setattr(patches, "version", lambda package: "71.0" if package == "weasyprint" else real(package))
    chapter = built_project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    before = {p.name: p.read_bytes() for p in (built_project / "build").iterdir() if p.is_file()}
    result = booklet(built_project, "build")
    assert result.returncode == 1
    assert result.stderr.startswith("booklet's rendering changes were written for weasyprint 70.0")
    assert {p.name: p.read_bytes() for p in (built_project / "build").iterdir() if p.is_file()} == before
