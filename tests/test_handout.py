"""Single-chapter handouts: one chapter, its own references, the same edition details."""
from __future__ import annotations

import json

from pypdf import PdfReader

from conftest import booklet


def test_a_chapter_handout_has_only_that_chapter_and_its_own_references(project):
    result = booklet(project, "build", "--chapter", "patient-only")
    assert result.returncode == 0, result.stderr
    folder = project / "build" / "handouts" / "patient-only"
    manifest = json.loads((folder / "manifest.json").read_text())
    # A patient-only chapter makes patient handouts only, on A4 and Letter.
    assert sorted(o["path"] for o in manifest["outputs"]) == [
        "fixture-patient-only-patient-handout-a4-2.1.0.pdf", "fixture-patient-only-patient-handout-letter-2.1.0.pdf"]
    reader = PdfReader(folder / "fixture-patient-only-patient-handout-a4-2.1.0.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Handout: Patient only chapter" in text
    assert "heron pond paragraph [1]" in text  # renumbered from 1 for this chapter alone
    assert "Both editions print this paragraph" not in text  # no other chapter
    assert "Edition 2.1.0" in text and "Next review 30 June 2026" in text
    assert [item.title for item in reader.outline] == ["Patient only chapter", "Where this information comes from"]


def test_unknown_chapter_id_is_a_usage_error_with_a_suggestion(project):
    result = booklet(project, "build", "--chapter", "patient-onl")
    assert result.returncode == 2
    assert result.stderr.strip() == "booklet: no chapter has id 'patient-onl' (did you mean 'patient-only'?)"
