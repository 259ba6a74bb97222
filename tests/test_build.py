"""The fixture project built end to end, its PDFs read back with pypdf."""
from __future__ import annotations

import json

from pypdf import PdfReader

PATIENT = "build/fixture-patient-standard-a4-2.1.0.pdf"
CLINICIAN = "build/fixture-clinician-standard-a4-2.1.0.pdf"


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_each_edition_has_its_own_blocks_and_not_the_others(built_project):
    patient = text_of(built_project / PATIENT)
    clinician = text_of(built_project / CLINICIAN)
    assert "bluebell meadow" in patient and "quartz lattice" not in patient
    assert "quartz lattice" in clinician and "bluebell meadow" not in clinician
    assert "Both editions print this paragraph" in patient and "Both editions print this paragraph" in clinician


def test_patient_only_chapter_is_left_out_of_the_clinician_edition(built_project):
    assert "heron pond" in text_of(built_project / PATIENT)
    assert "heron pond" not in text_of(built_project / CLINICIAN)


def test_pdf_metadata_carries_title_author_subject_and_keywords(built_project):
    info = PdfReader(built_project / PATIENT).metadata
    assert info.title == "Fixture Booklet: For patients and families"
    assert info.author == "Test Publisher"
    assert "edition 2.1.0" in info.subject
    assert "patient" in info["/Keywords"]


def test_atkinson_hyperlegible_is_embedded(built_project):
    fonts = set()
    for page in PdfReader(built_project / PATIENT).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded, not referenced
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert fonts == {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}


def test_a4_pages(built_project):
    page = PdfReader(built_project / PATIENT).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_manifest_lists_every_pdf_with_pages_bytes_and_checksum(built_project):
    import hashlib
    manifest = json.loads((built_project / "build/manifest.json").read_text())
    assert {k: manifest[k] for k in ("title", "slug", "edition", "published", "next_review")} == {
        "title": "Fixture Booklet", "slug": "fixture", "edition": "2.1.0",
        "published": "2026-01-15", "next_review": "2026-06-30"}
    assert [o["path"] for o in manifest["outputs"]] == [PATIENT[6:], CLINICIAN[6:]]
    for entry in manifest["outputs"]:
        data = (built_project / "build" / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["pages"] == len(PdfReader(built_project / "build" / entry["path"]).pages)
        assert (entry["variant"], entry["paper"], entry["format"]) == ("standard", "a4", "pdf")


def test_html_documents_are_kept_with_language_and_title(built_project):
    html = (built_project / "build/html/fixture-patient-standard-a4-2.1.0.html").read_text()
    assert '<html lang="en-GB">' in html
    assert "<title>Fixture Booklet: For patients and families</title>" in html
    assert "../../styles/base.css" in html


def test_no_temporary_files_are_left_behind(built_project):
    leftovers = [p.name for p in (built_project / "build").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
