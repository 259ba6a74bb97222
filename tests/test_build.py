"""The fixture project built end to end, its PDFs read back with pypdf."""
from __future__ import annotations

import json

from pypdf import PdfReader

PATIENT = "build/fixture-patient-standard-a4-2.1.0.pdf"
CLINICIAN = "build/fixture-clinician-standard-a4-2.1.0.pdf"


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_each_edition_has_its_own_blocks_and_not_the_others(built_mini):
    patient = text_of(built_mini / PATIENT)
    clinician = text_of(built_mini / CLINICIAN)
    assert "bluebell meadow" in patient and "quartz lattice" not in patient
    assert "quartz lattice" in clinician and "bluebell meadow" not in clinician
    assert "Both editions print this paragraph" in patient and "Both editions print this paragraph" in clinician


def test_patient_only_chapter_is_left_out_of_the_clinician_edition(built_mini):
    assert "heron pond" in text_of(built_mini / PATIENT)
    assert "heron pond" not in text_of(built_mini / CLINICIAN)


def test_pdf_metadata_carries_title_author_subject_and_keywords(built_mini):
    info = PdfReader(built_mini / PATIENT).metadata
    assert info.title == "Fixture Booklet: For patients and families (A4)"
    assert info.author == "Test Publisher"
    assert "edition 2.1.0" in info.subject
    assert "patient" in info["/Keywords"]


def test_atkinson_hyperlegible_is_embedded(built_mini):
    fonts = set()
    for page in PdfReader(built_mini / PATIENT).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded, not referenced
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert fonts == {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}


def test_a4_pages(built_mini):
    page = PdfReader(built_mini / PATIENT).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_manifest_lists_every_pdf_with_pages_bytes_and_checksum(built_mini):
    import hashlib
    manifest = json.loads((built_mini / "build/manifest.json").read_text())
    assert {k: manifest[k] for k in ("title", "slug", "edition", "published", "next_review")} == {
        "title": "Fixture Booklet", "slug": "fixture", "edition": "2.1.0",
        "published": "2026-01-15", "next_review": "2026-06-30"}
    expected = {("patient", "standard", "a4"), ("patient", "standard", "letter"),
                ("patient", "large-print", "a4"), ("patient", "booklet", "a5"),
                ("patient", "booklet", "half-letter"), ("patient", "booklet-imposed", "a4"),
                ("patient", "booklet-imposed", "letter"), ("clinician", "standard", "a4"),
                ("clinician", "standard", "letter")}
    entries = [o for o in manifest["outputs"] if o["format"] == "pdf"]
    assert {(o["audience"], o["variant"], o["paper"]) for o in entries} == expected
    assert len(entries) == len(expected)
    for entry in entries:
        assert entry["path"] == f"fixture-{entry['audience']}-{entry['variant']}-{entry['paper']}-2.1.0.pdf"
        data = (built_mini / "build" / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["pages"] == len(PdfReader(built_mini / "build" / entry["path"]).pages)
        assert entry["format"] == "pdf"
        imposed = entry["variant"] == "booklet-imposed"
        assert entry["tagged"] is not imposed
        # Each copy's own review date: its edition's earliest chapter date (the booklet's is the earliest).
        assert entry["next_review"] == {"patient": "2026-06-30", "clinician": "2027-01-01"}[entry["audience"]]
        assert entry.get("for_printing_only", False) is imposed


def test_html_documents_are_kept_with_language_and_title(built_mini):
    html = (built_mini / "build/html/fixture-patient-standard-a4-2.1.0.html").read_text()
    assert '<html lang="en-GB">' in html
    assert "<title>Fixture Booklet: For patients and families (A4)</title>" in html
    assert "booklet/styles/base.css\">" in html  # the package's default stylesheets


def test_no_temporary_files_are_left_behind(built_mini):
    leftovers = [p.name for p in (built_mini / "build").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def flat(path) -> str:
    return " ".join(text_of(path).split())


def test_patient_edition_ends_with_where_this_information_comes_from(built_mini):
    text = flat(built_mini / PATIENT)
    section = text[text.index("point to these sources"):]
    assert "Kidney Org: “A reviewed page”. Last checked by its authors 25 March 2024." in section
    assert "Charity UK: “An overdue page”. Written July 2023. It was due to be checked again by July 2025; " \
           "that check is now overdue." in section
    assert "“An undated page?” (the article does not say who published it). It gives no date." in section
    assert "A study of things" not in section  # cited only in the clinician edition


def test_clinician_edition_ends_with_vancouver_references_and_review_status(built_mini):
    text = flat(built_mini / CLINICIAN)
    section = text[text.index("Numbered in order of first citation"):]
    assert "Jones BC, Lee D. A study of things. J Things. 2019;12(3):100-12. doi:10.1000/xyz123. PMID: 12345." in section
    assert "Kidney Org. A reviewed page [Internet]. [place unknown]: Kidney Org; [reviewed 2024 Mar 25; cited 2026 Jan 10]." in section
    assert "Status: Last reviewed 25 March 2024; no next review date stated." in section
    assert "Status: Dated July 2023; next review July 2025 (overdue for review by its publisher" in section
    assert "Status: Undated; no next review date stated. Note: Names no publisher." in section


def test_numbers_follow_first_citation_within_each_edition(built_mini):
    patient, clinician = flat(built_mini / PATIENT), flat(built_mini / CLINICIAN)
    assert "patients only [2]" in patient and "Shared closing words [3]" in patient
    assert "clinicians only [2, 3 (p. 2)]" in clinician and "Shared closing words [4]" in clinician
    assert "heron pond paragraph [1]" in patient  # the same number when a source recurs


def test_chapters_close_with_review_dates_and_sources(built_mini):
    assert "Reviewed 1 January 2026. Next review 1 January 2027. Sources: 1, 2, 3." in flat(built_mini / PATIENT)
    assert "Reviewed 1 January 2026. Next review 1 January 2027. Sources: 1, 2, 3, 4." in flat(
        built_mini / CLINICIAN)


def test_cover_and_footer_show_edition_publication_and_booklet_next_review(built_mini):
    reader = PdfReader(built_mini / PATIENT)
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Edition 2.1.0" in cover and "Published 15 January 2026" in cover
    assert "Next review 30 June 2026" in cover  # the earliest chapter next_review
    last_content = " ".join(reader.pages[-2].extract_text().split())  # the last page is the back cover
    pages = len(reader.pages)
    assert "Edition 2.1.0 • Next review 30 June 2026" in last_content
    assert f"Page {pages - 1} of {pages}" in last_content
    back = " ".join(reader.pages[-1].extract_text().split())
    assert "Edition 2.1.0, published 15 January 2026. Next review 30 June 2026." in back
    assert "Page" not in back  # no running head or footer on the covers


def test_doi_pmid_and_urls_are_live_links(built_mini):
    uris = set()
    for page in PdfReader(built_mini / CLINICIAN).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                uris.add(str(action["/URI"]))
    assert {"https://doi.org/10.1000/xyz123", "https://pubmed.ncbi.nlm.nih.gov/12345/",
            "https://example.org/page"} <= uris


def test_sha256sums_lists_every_output_and_verifies_with_sha256sum(built_mini):
    import subprocess
    build = built_mini / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    lines = (build / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [o["path"] for o in manifest["outputs"]]
    assert [line.split("  ", 1)[0] for line in lines] == [o["sha256"] for o in manifest["outputs"]]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=build, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(lines)


def test_back_cover_carries_a_qr_code_of_the_home_page(built_mini):
    import base64
    import io
    import re

    import segno
    html = (built_mini / "build/html/fixture-patient-standard-a4-2.1.0.html").read_text()
    src = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)" alt="QR code for '
                    r'https://example.org/fixture-booklet">', html)
    assert src, "no QR code on the back cover"
    expected = io.BytesIO()
    segno.make("https://example.org/fixture-booklet", error="m").save(
        expected, kind="svg", xmldecl=False, scale=4, border=2, dark="#000")
    assert base64.b64decode(src.group(1)) == expected.getvalue()
    back = " ".join(PdfReader(built_mini / PATIENT).pages[-1].extract_text().split())
    assert "Find the latest edition of this booklet at https://example.org/fixture-booklet" in back


def test_a_projects_own_stylesheet_replaces_the_default_of_that_name_only(project):
    from booklet.pipeline import prepare
    from booklet.render.resources import DEFAULT_STYLE_DIR

    (project / "styles").mkdir()
    (project / "styles" / "patient.css").write_text("h1 { letter-spacing: 0.02em; }\n")
    html = prepare(project).html("patient-standard-a4")
    assert '<link rel="stylesheet" href="../../styles/patient.css">' in html  # relative: the project can move
    assert f'<link rel="stylesheet" href="{(DEFAULT_STYLE_DIR / "base.css").as_uri()}">' in html
    assert (DEFAULT_STYLE_DIR / "patient.css").as_uri() not in html
