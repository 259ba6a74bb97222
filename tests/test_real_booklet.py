"""The repository's own booklet: it builds, and meets the promises its issues make."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from booklet.authoring.readability import GRADE_LIMITS, SENTENCE_WORD_LIMIT, patient_readability
from booklet.source.project import load_project
from conftest import REPO, booklet
from pdfs import contents_entries, page_texts


def _chapter_pages(pdf: Path) -> dict[str, tuple[int, int]]:
    """First and last page (0-based) of each top-level bookmark."""
    reader = PdfReader(pdf)
    starts = [(item.title, reader.get_destination_page_number(item))
              for item in reader.outline if not isinstance(item, list)]
    ends = [start for _, start in starts[1:]] + [len(reader.pages)]
    return {title: (start, max(start, end - 1)) for (title, start), end in zip(starts, ends)}


def test_every_patient_chapter_reads_at_grade_6_and_smog_8_or_below():
    chapters = load_project(REPO).chapters
    results = patient_readability(chapters)
    # Every patient chapter is measured, the notes page too (it says how to fill in its form).
    assert {r.chapter.id for r in results} == {c.id for c in chapters if c.is_for("patient")}
    for result in results:
        assert result.flesch_kincaid <= GRADE_LIMITS["Flesch-Kincaid"], result.chapter.path
        assert result.smog <= GRADE_LIMITS["SMOG"], result.chapter.path
        assert not result.long_sentences, (result.chapter.path, SENTENCE_WORD_LIMIT)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_clinician_key_points_fit_on_one_page(real_build, paper):
    pdf = next((real_build / "build").glob(f"calciphylaxis-clinician-standard-{paper}-[0-9]*.pdf"))
    first, last = _chapter_pages(pdf)["Key points for clinicians"]
    assert first == last


@pytest.mark.parametrize("copy", ["standard-a4", "standard-letter", "large-print-a4"])
def test_patient_edition_opens_with_the_most_important_things_and_ends_with_notes_then_sources(real_build, copy):
    pdf = next((real_build / "build").glob(f"calciphylaxis-patient-{copy}-[0-9]*.pdf"))
    chapters = _chapter_pages(pdf)
    titles = list(chapters)
    assert titles[:2] == ["The most important things to know", "About this booklet"]
    # The reference pages come last, after the notes: how it was written, the sources, the editions,
    # and who wrote and checked it.
    assert titles[-5:] == ["My notes and contacts", "How this booklet was written", "Where this information comes from",
                           "Edition history", "Who wrote and checked this booklet"]
    first, last = chapters["The most important things to know"]
    assert last == first + (1 if copy == "large-print-a4" else 0)  # one page; two at 18 pt
    first, last = chapters["My notes and contacts"]
    assert last == first + 1  # the contacts form on one page to photocopy, then a page of lines
    assert "What might happen: the outlook" in titles


def test_the_full_patient_booklet_is_at_most_40_a4_pages(real_build):
    pdf = next((real_build / "build").glob("calciphylaxis-patient-standard-a4-[0-9]*.pdf"))
    assert len(PdfReader(pdf).pages) <= 40


def test_no_patient_page_breaks_a_page_fit_rule(real_build):
    """Boxes and short lists whole, no lone review line, no page of a chapter under a third full
    (render/page_fit.py), in every patient copy of the real booklet."""
    warnings = [line for line in (real_build / "build-warnings.txt").read_text().splitlines()
                if "calciphylaxis-patient-" in line and not TRANSLATED.search(line)]
    assert warnings == []


# A translated copy's file name: ...-a4-cy-1.5.2.pdf. Its drafts' pages are the translator's to fit.
TRANSLATED = re.compile(r"-([a-z]{2,3})-\d+\.\d+\.\d+\.pdf")


URGENT_BOX = ("Get help straight away if you notice", "Signs of an infected wound", "Then call your kidney unit now",
              "daytime", "at other times", "Signs of sepsis", "Then get help at once", "Call 999")


def _urgent_page(pdf: Path) -> str:
    """The text of the page that opens the "Get help straight away" chapter."""
    first, _ = _chapter_pages(pdf)["Get help straight away"]
    return " ".join(page_texts(pdf)[first].split())


@pytest.mark.parametrize("copy", ["standard-a4", "standard-letter", "large-print-a4", "booklet-a5",
                                  "booklet-half-letter"])
def test_the_urgent_box_its_signs_and_numbers_are_on_the_chapters_first_page(real_build, copy):
    page = _urgent_page(next((real_build / "build").glob(f"calciphylaxis-patient-{copy}-[0-9]*.pdf")))
    assert all(words in page for words in URGENT_BOX), page


def test_the_urgent_handout_keeps_its_box_on_one_page_with_a_unit_s_numbers(real_build, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(real_build, project, ignore=shutil.ignore_patterns("release"))
    (project / "brands").mkdir(exist_ok=True)
    (project / "brands" / "unit.yaml").write_text('name: Test Unit\nday_phone: "0161 000 1111"\n'
                                                  'out_of_hours_phone: "0161 000 2222"\n')
    result = booklet(project, "build", "--chapter", "get-help-urgently", "--brand", "brands/unit.yaml")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    for pdf in (project / "build" / "brands" / "unit" / "handouts" / "get-help-urgently").glob("*.pdf"):
        page = _urgent_page(pdf)
        assert all(words in page for words in URGENT_BOX), page
        assert "0161 000 1111" in page and "0161 000 2222" in page and "999" in page


@pytest.mark.parametrize("paper", ["a5", "half-letter"])
def test_the_quick_guide_is_four_pages_the_guide_the_box_the_questions_and_the_booklet(real_build, paper):
    pdf = next((real_build / "build").glob(f"calciphylaxis-patient-quick-guide-{paper}-[0-9]*.pdf"))
    pages = [" ".join(text.split()) for text in page_texts(pdf)]
    assert len(pages) == 4
    assert "The most important things to know" in pages[0]
    assert all(words in pages[1] for words in URGENT_BOX)
    assert "Ten questions to ask" in pages[2] and "What is likely to happen to me?" in pages[2]
    assert "The full booklet" in pages[3] and "Where the facts come from" in pages[3]


@pytest.mark.parametrize("copy", ["standard-a4", "standard-letter"])
def test_patient_reading_copies_set_60_to_70_characters_a_line(real_build, copy):
    texts = page_texts(next((real_build / "build").glob(f"calciphylaxis-patient-{copy}-[0-9]*.pdf")))
    lengths = sorted(len(line) for text in texts[4:] for line in text.splitlines() if len(line) > 20)
    typical_full_line = lengths[len(lengths) * 3 // 4]
    assert 60 <= typical_full_line <= 70


def test_every_contents_entry_names_the_page_its_heading_is_on(real_build):
    for pdf in sorted((real_build / "build").glob("*.pdf")):
        if "imposed" in pdf.name or "quick-guide" in pdf.name:  # the quick guide has no contents page
            continue
        texts = page_texts(pdf)
        language = match.group(1) if (match := TRANSLATED.search(pdf.name)) else None
        if language == "ur":
            continue  # right-to-left text does not extract in reading order, leaders and numbers included
        entries = contents_entries(pdf, _said(language, "Contents"))
        assert len(entries) >= 10, pdf.name
        for title, number in entries:
            assert title in " ".join(texts[number - 1].split()), (pdf.name, title, number)


def test_the_committed_tree_is_the_released_current_edition():
    """`make release` passes on what is committed: any change to what decides the pages comes with
    a new edition number, its CHANGELOG section and its line in editions.lock."""
    from booklet.output.editions import EDITIONS_FILE, current_inputs, read_editions, refusal
    from booklet.pipeline import project_snapshot, release_exclusions

    project = load_project(REPO)
    recorded = read_editions(REPO).get(project.config.edition)
    assert recorded is not None, f"edition {project.config.edition} is not in {EDITIONS_FILE}: run make release"
    assert recorded.published == project.config.published.isoformat()
    assert refusal(recorded, current_inputs(REPO, release_exclusions(project))) is None
    # Its snapshot is committed, and is what the tree gives now (the same bytes on every run).
    from booklet.source.snapshots import snapshot_file, snapshot_json
    assert (REPO / snapshot_file(project.config.edition)).read_text(encoding="utf-8") == \
        snapshot_json(project_snapshot(project))


def _said(language: str | None, message: str) -> str:
    from booklet.interface import _, speaking

    with speaking(language or "en-GB"):
        return _(message)


def test_the_welsh_and_urdu_drafts_are_made_in_every_patient_variant_marked_on_every_page(real_build):
    """Every patient copy in each language, in the manifest as a draft translation; every page says
    so in English; the first page in the language too; every letter drawn by the copy's own
    typeface (no other font embedded), and the dates in the language."""
    import json

    build = real_build / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    english = {o["path"] for o in manifest["outputs"] if o["format"] == "pdf" and o["audience"] == "patient"
               and "language" not in o}
    for language, month, faces in (("cy", "Rhagfyr", "Atkinson Hyperlegible Next"),
                                   ("ur", "دسمبر", "Atkinson Hyperlegible Next")):
        entries = {o["path"]: o for o in manifest["outputs"] if o.get("language") == language}
        pdfs = {p for p, o in entries.items() if o["format"] == "pdf"}
        assert {p.replace(f"-{language}-", "-") for p in pdfs} == english
        assert all(o["translation"] == "draft" for o in entries.values())
        assert f"calciphylaxis-patient-{language}-{manifest['edition']}.epub" in entries
        for name in sorted(pdfs):
            if "imposed" in name:
                continue
            texts = [" ".join(t.split()) for t in page_texts(build / name)]
            assert all("Draft translation: do not hand out" in t for t in texts), name
            assert _said(language, "Draft translation: do not hand out") in texts[0] \
                or language == "ur", name  # (right-to-left text extracts in another order)
            # The dates in the language: read from the PDF in Welsh; from the HTML it is made from in
            # Urdu, whose letters pypdf gives back in another order, some in other forms.
            html = (build / "html" / name.replace(".pdf", ".html")).read_text() if language == "ur" else ""
            assert month in (html or " ".join(texts)), name
            assert _embedded_faces(build / name) == {f"{faces} Regular", f"{faces} Bold"}, name


def _embedded_faces(pdf_path: Path) -> set[str]:
    """The full names of the font programs a PDF embeds (WeasyPrint names every one after the CSS
    family, so the name inside the font file is what tells them apart)."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    names = set()
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
                program = descriptor.get("/FontFile2")
                if program is not None:
                    names.add(TTFont(io.BytesIO(program.read_bytes()))["name"].getDebugName(4))
    return names
