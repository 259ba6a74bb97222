"""Nothing is fetched from outside the project: each attempt fails naming the chapter."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from booklet.render.pdf import ConfinedFetcher, FetchRefused
from conftest import booklet, write_chapter

FRONT = """title: Images
id: images
order: 5
audience: both
summary: A chapter with an image.
reviewed: 2026-01-01
next_review: 2027-01-01
factual: false"""


@pytest.mark.parametrize("src", [
    "https://example.org/pixel.png",
    "file:///etc/passwd",
    "../../../../../../etc/passwd",
    "/etc/passwd",
])
def test_markdown_image_outside_the_project_fails_naming_the_chapter(project, src):
    write_chapter(project, "05-images.md", FRONT, f"Text.\n\n![A picture]({src})\n")
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.startswith("chapters/05-images.md:13: image ")
    assert "not a file inside the project" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in (project / "build").rglob("*") if not p.is_dir()] == [".lock"]  # the lock alone


def test_raw_html_image_from_the_web_is_refused_naming_chapter_and_line(project):
    write_chapter(project, "05-images.md", FRONT, 'Text.\n\n<img src="https://example.org/p.png" alt="p">\n')
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.startswith("chapters/05-images.md:13: image 'https://example.org/p.png' is not a file "
                                    "inside the project")


def test_image_inside_the_project_is_used(project):
    import base64
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (project / "images").mkdir()
    (project / "images" / "dot.png").write_bytes(png)
    write_chapter(project, "05-images.md", FRONT, "Text.\n\n![A dot](../images/dot.png)\n")
    result = booklet(project, "build", "--chapter", "images")  # the chapter's handouts: small renders
    assert result.returncode == 0, result.stderr
    folder = project / "build" / "handouts" / "images"
    html = (folder / "html" / "fixture-images-patient-handout-a4-2.1.0.html").read_text()
    assert 'src="../../../../images/dot.png"' in html
    reader = PdfReader(folder / "fixture-images-patient-handout-a4-2.1.0.pdf")
    images = [name for page in reader.pages for name, xobject in page["/Resources"].get("/XObject", {}).items()
              if xobject.get_object()["/Subtype"] == "/Image"]
    assert len(set(images)) == 1  # one image (its resources are shared by every page)


def test_fetcher_allows_only_files_in_the_allowed_folders(tmp_path: Path):
    inside = tmp_path / "project" / "a.css"
    inside.parent.mkdir()
    inside.write_text("p {}")
    fetcher = ConfinedFetcher((tmp_path / "project",))
    assert fetcher.fetch(inside.as_uri()).read() == b"p {}"
    for url in ("https://example.org/a.css", "http://localhost/a.css", "ftp://x/y",
                "file:///etc/passwd", (tmp_path / "project" / ".." / "secret").as_uri(),
                "file://otherhost/etc/passwd"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_a_damaged_image_fails_before_rendering_naming_chapter_and_line(project):
    (project / "images").mkdir()
    (project / "images" / "broken.png").write_bytes(b"this is not an image")
    write_chapter(project, "05-images.md", FRONT, "Text.\n\n![A broken picture](../images/broken.png)\n")
    result = booklet(project, "build", "--chapter", "images")
    assert result.returncode == 1
    assert result.stderr == ("chapters/05-images.md:13: image '../images/broken.png' is not a PNG file: its "
                             "contents are not in any image format\n")
    assert [p.name for p in (project / "build").rglob("*") if not p.is_dir()] == [".lock"]  # the lock alone


def test_an_error_logged_by_weasyprint_fails_the_build_naming_the_chapter(project, monkeypatch):
    """WeasyPrint logs errors instead of raising them: one logged during a render fails it."""
    import logging

    import booklet.render.pdf as pdf

    real_html = pdf.HTML

    def logging_html(*args, **kwargs):
        logging.getLogger("weasyprint").error("Failed to load image at %r: %s",
                                              pdf.PROJECT_URL + "images/odd.png", "made up")
        return real_html(*args, **kwargs)

    monkeypatch.setattr(pdf, "HTML", logging_html)
    write_chapter(project, "05-images.md", FRONT, "Text about images/odd.png.\n")
    result = booklet(project, "build", "--chapter", "images")
    assert result.returncode == 1
    assert result.stderr == "chapters/05-images.md: rendering failed: Failed to load image at 'images/odd.png': made up\n"
    assert [p.name for p in (project / "build").rglob("*") if not p.is_dir()] == [".lock"]  # the lock alone


def test_missing_file_in_raw_html_fails_naming_the_chapter_and_line(project):
    write_chapter(project, "05-images.md", FRONT, 'Text <img src="../../images/gone.png" alt="gone">\n')
    result = booklet(project, "build", "--chapter", "images")
    assert result.returncode == 1
    assert result.stderr == "chapters/05-images.md:11: image '../../images/gone.png' not found\n"
    assert booklet(project, "check").stderr == result.stderr  # check finds it too


def test_image_without_alt_text_is_an_error_naming_chapter_and_line(project):
    (project / "images").mkdir()
    (project / "images" / "dot.png").write_bytes(b"not read: the alt text is checked first")
    write_chapter(project, "05-images.md", FRONT, "Text.\n\n![](../images/dot.png)\n")
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.startswith("chapters/05-images.md:")
    assert "image '../images/dot.png' has no alt text" in result.stderr
