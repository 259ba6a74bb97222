"""The repository's own booklet: it builds, and meets the promises its issues make."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from booklet.authoring.readability import GRADE_LIMITS, SENTENCE_WORD_LIMIT, patient_readability
from booklet.source.project import load_project
from conftest import REPO
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
    # Every patient chapter is measured but the notes page, which is a ruled space with no sentences.
    assert {r.chapter.id for r in results} == {c.id for c in chapters if c.is_for("patient")} - {"my-notes"}
    for result in results:
        assert result.flesch_kincaid <= GRADE_LIMITS["Flesch-Kincaid"], result.chapter.path
        assert result.smog <= GRADE_LIMITS["SMOG"], result.chapter.path
        assert not result.long_sentences, (result.chapter.path, SENTENCE_WORD_LIMIT)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_clinician_key_points_fit_on_one_page(real_build, paper):
    pdf = next((real_build / "build").glob(f"calciphylaxis-clinician-standard-{paper}-*.pdf"))
    first, last = _chapter_pages(pdf)["Key points for clinicians"]
    assert first == last


@pytest.mark.parametrize("copy", ["standard-a4", "standard-letter", "large-print-a4"])
def test_patient_edition_opens_with_the_booklet_guide_and_ends_with_notes_then_sources(real_build, copy):
    pdf = next((real_build / "build").glob(f"calciphylaxis-patient-{copy}-*.pdf"))
    titles = list(_chapter_pages(pdf))
    assert titles[0] == "About this booklet"
    assert titles[-3:] == ["My notes and contacts", "Where this information comes from", "Edition history"]
    first, last = _chapter_pages(pdf)["My notes and contacts"]
    assert first == last  # the form is one page to photocopy


@pytest.mark.parametrize("copy", ["standard-a4", "standard-letter"])
def test_patient_reading_copies_set_60_to_70_characters_a_line(real_build, copy):
    texts = page_texts(next((real_build / "build").glob(f"calciphylaxis-patient-{copy}-*.pdf")))
    lengths = sorted(len(line) for text in texts[4:] for line in text.splitlines() if len(line) > 20)
    typical_full_line = lengths[len(lengths) * 3 // 4]
    assert 60 <= typical_full_line <= 70


def test_every_contents_entry_names_the_page_its_heading_is_on(real_build):
    for pdf in sorted((real_build / "build").glob("*.pdf")):
        if "imposed" in pdf.name:
            continue
        texts = page_texts(pdf)
        entries = contents_entries(pdf)
        assert len(entries) >= 10, pdf.name
        for title, number in entries:
            assert title in " ".join(texts[number - 1].split()), (pdf.name, title, number)


def test_the_committed_tree_is_the_released_current_edition():
    """`make release` passes on what is committed: any change to what decides the pages comes with
    a new edition number, its CHANGELOG section and its line in editions.lock."""
    from booklet.output.editions import EDITIONS_FILE, current_inputs, read_editions, refusal

    project = load_project(REPO)
    recorded = read_editions(REPO).get(project.config.edition)
    assert recorded is not None, f"edition {project.config.edition} is not in {EDITIONS_FILE}: run make release"
    assert recorded.published == project.config.published.isoformat()
    assert refusal(recorded, current_inputs(REPO, tuple(c.path for c in project.drafts))) is None
