"""The EPUB 3 e-books, read as files: the container, the contents and page list, the page
breaks against the printed A5 booklet, the accessibility metadata, and the same bytes from
the same inputs (EPUBCheck and DAISY Ace run in test_web_checkers.py)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pypdf import PdfReader

from conftest import booklet


def epub(build: Path, audience: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(next(build.glob(f"*-{audience}-[0-9]*.epub")))


def spine_documents(book: zipfile.ZipFile) -> list[str]:
    package = book.read("EPUB/package.opf").decode()
    items = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', package))
    return [f"EPUB/{items[idref]}" for idref in re.findall(r'<itemref idref="([^"]+)"', package)]


def page_breaks(book: zipfile.ZipFile) -> list[tuple[int, str]]:
    """Every page-break marker in reading order, with the first words after it."""
    found = []
    for name in spine_documents(book):
        text = book.read(name).decode()
        for match in re.finditer(r'<span epub:type="pagebreak" role="doc-pagebreak" id="page-(\d+)" '
                                 r'aria-label="\1"></span>', text):
            after = re.sub(r"<[^>]+>", " ", text[match.end():match.end() + 600])
            found.append((int(match.group(1)), " ".join(after.split())))
    return found


def test_the_container_is_an_epub_with_fixed_times_and_mimetype_first(real_build):
    book = epub(real_build / "build", "patient")
    first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.read("mimetype") == b"application/epub+zip"
    assert {info.date_time for info in book.infolist()} == {(2026, 12, 2, 0, 0, 0)}
    assert "META-INF/container.xml" in book.namelist()
    assert all(not name.startswith(("/", "..")) and ".." not in name for name in book.namelist())


def test_the_patient_page_list_follows_the_a5_booklet_page_for_page(real_build):
    build = real_build / "build"
    book = epub(build, "patient")
    a5 = PdfReader(next(build.glob("*-patient-booklet-a5-*.pdf")))
    breaks = page_breaks(book)
    assert [page for page, _ in breaks] == list(range(1, len(a5.pages) + 1))  # every page, in reading order
    nav = book.read("EPUB/nav.xhtml").decode()
    assert 'epub:type="toc" role="doc-toc"' in nav and 'epub:type="page-list" role="doc-pagelist"' in nav
    assert len(re.findall(r'<li><a href="[^"]+#page-\d+">\d+</a></li>', nav)) == len(a5.pages)
    # Where a page begins with a block of its own, the e-book's marker stands before that text.
    def letters(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", text)

    matched = checked = 0
    for page, after in breaks:
        printed = letters(a5.pages[page - 1].extract_text())
        if not printed or printed.startswith(("Notes", "Contents")):
            continue
        checked += 1
        matched += printed[:20] == letters(after)[:20]
    assert checked > 50 and matched / checked >= 0.9, (matched, checked)


def test_the_clinician_page_list_follows_its_a4_copy(real_build):
    build = real_build / "build"
    copy = next(build.glob("*-clinician-standard-a4-*.pdf"))
    a4 = PdfReader(copy)
    book = epub(build, "clinician")
    assert [page for page, _ in page_breaks(book)] == list(range(1, len(a4.pages) + 1))
    assert f"urn:booklet:{copy.stem}" in book.read("EPUB/package.opf").decode()


def test_the_package_carries_accessibility_metadata_language_edition_and_dates(real_build):
    import json

    edition = json.loads((real_build / "build" / "manifest.json").read_text())["edition"]
    package = epub(real_build / "build", "patient").read("EPUB/package.opf").decode()
    meta = re.findall(r'<meta property="([^"]+)">([^<]*)</meta>', package)
    values: dict[str, set[str]] = {}
    for name, value in meta:
        values.setdefault(name, set()).add(value)
    assert values["schema:accessMode"] == {"textual", "visual"}
    assert values["schema:accessModeSufficient"] == {"textual"}
    assert {"tableOfContents", "structuralNavigation", "readingOrder", "pageNavigation", "printPageNumbers",
            "alternativeText", "displayTransformability"} <= values["schema:accessibilityFeature"]
    assert values["schema:accessibilityHazard"] == {"none"}
    assert values["dcterms:conformsTo"] == {"EPUB Accessibility 1.1 - WCAG 2.2 Level AA"}
    assert values["schema:bookEdition"] == {edition} and values["dcterms:valid"] == {"2027-12-02"}
    assert values["pageBreakSource"] == {f"urn:booklet:calciphylaxis-patient-booklet-a5-{edition}"}
    assert "<dc:language>en-GB</dc:language>" in package and "<dc:date>2026-12-02</dc:date>" in package
    assert len(values["schema:accessibilitySummary"].pop()) > 80


def test_chapters_keep_their_citations_marks_and_the_urgent_region(real_build):
    book = epub(real_build / "build", "patient")
    urgent = book.read("EPUB/get-help-urgently.xhtml").decode()
    assert '<section class="admonition urgent" aria-labelledby="urgent-1">' in urgent
    assert '<h2 class="admonition-title" id="urgent-1">' in urgent
    assert 'href="references.xhtml#ref-' in urgent and 'aria-label="Reference 1: ' in urgent
    text = "".join(book.read(name).decode() for name in spine_documents(book))
    assert text.count('class="ai-mark"') > 0
    assert 'epub:type="chapter" role="doc-chapter"' in urgent


def test_a_rebuild_from_the_cache_gives_the_same_e_books(built_project):
    before = {p.name: p.read_bytes() for p in (built_project / "build").glob("*.epub")}
    assert len(before) == 2
    times = {p: p.stat().st_mtime_ns for p in (built_project / "build").rglob("*") if p.is_file()}
    result = booklet(built_project, "build")
    assert result.returncode == 0 and "9 came unchanged from the cache" in result.stdout, result.stdout
    extras = [line.split() for line in result.stdout.splitlines() if line.startswith(("web/", "fixture-"))
              and ".pdf " not in line]
    assert len(extras) == 3 and all(row[-1] == "cached" for row in extras), result.stdout
    assert {p.name: p.read_bytes() for p in (built_project / "build").glob("*.epub")} == before
    # Nothing changed, so no output was written again (a file with the same bytes is left alone).
    rewritten = [p for p, ns in times.items() if p.exists() and p.stat().st_mtime_ns != ns and ".cache" not in p.parts]
    assert rewritten == [], rewritten


def test_the_page_map_counts_the_same_blocks_as_the_renderer_parses(real_build):
    """The page map numbers text blocks in WeasyPrint's tree (tinyhtml5); the e-book finds them
    again in ours (htmltree): both must see the same blocks in the same order, in every document
    a page list follows."""
    import tinyhtml5

    from booklet.render.htmltree import TEXT_BLOCKS, parse, text_blocks

    for name in ("*-patient-booklet-a5-*.html", "*-clinician-standard-a4-*.html"):
        html = next((real_build / "build" / "html").glob(name)).read_text()
        theirs = [e.tag.rpartition("}")[2] for e in tinyhtml5.parse(html, namespace_html_elements=False).iter()
                  if isinstance(e.tag, str) and e.tag.rpartition("}")[2] in TEXT_BLOCKS]
        assert theirs == [e.tag for e in text_blocks(parse(html))]
