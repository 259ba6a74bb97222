"""Edition snapshots (editions/<version>.json) and what changed between two editions: `booklet
diff` and the clinician edition's "Changes in this edition", word by word, told by labels."""
from __future__ import annotations

import json
from pathlib import Path

import page
import pikepdf

from booklet.content.changes import block_changes, word_changes
from booklet.pipeline import prepare
from conftest import booklet


def _next_edition(project: Path) -> None:
    """Edit the fixture's text (a patient block and the shared closing words) and raise the edition."""
    chapter = project / "chapters" / "01-shared.md"
    chapter.write_text(chapter.read_text().replace("bluebell meadow text for patients only",
                                                   "bluebell wood text for all patients only")
                       .replace("Shared closing words", "Shared closing words, now longer"))
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("edition: 2.1.0", "edition: 2.2.0"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0", "## 2.2.0 (2026-01-15)\n\n- Words.\n\n## 2.1.0"))


def test_words_added_and_removed_are_labelled_and_counted():
    change = word_changes("the blue meadow text", "the red meadow text here")
    assert str(change.html) == ('the <span class="change-label">removed:</span> <del>blue</del> '
                                '<span class="change-label">added:</span> <ins>red</ins> meadow text '
                                '<span class="change-label">added:</span> <ins>here</ins>')
    assert (change.added, change.removed) == (2, 1)
    kinds = [c.kind for c in block_changes(["a b", "c d", "e f"], ["a b", "c x", "g h", "e f"])]
    assert kinds == ["changed", "added"]
    assert "&lt;script&gt;" in str(word_changes("x", "<script>").html)  # the words are text, never markup
    # Printed as a reader sees the words: no emphasis marks, glossary terms as words, sources by key.
    change, = block_changes(["**Call your** [[ulcer|ulcers]] team [@nkf-2023]."],
                            ["**Call your** [[ulcer|ulcers]] nurse [@nkf-2023; @cleveland-2024, p. 2]."])
    assert str(change.html) == (
        'Call your ulcers <span class="change-label">removed:</span> <del>team</del> '
        '<span class="change-label">added:</span> <ins>nurse</ins> [sources: '
        '<span class="change-label">removed:</span> <del>nkf-2023].</del> '
        '<span class="change-label">added:</span> <ins>nkf-2023, cleveland-2024].</ins>')


def test_a_release_writes_its_snapshot_the_same_every_time(built_project):
    assert booklet(built_project, "release").returncode == 0
    snapshot = built_project / "editions" / "2.1.0.json"
    first = snapshot.read_bytes()
    data = json.loads(first)
    assert data["edition"] == "2.1.0" and [c["id"] for c in data["chapters"]] == ["shared", "patient-only"]
    shared = data["chapters"][0]["editions"]
    assert "Patient marker: bluebell meadow text for patients only [@web-overdue]." in shared["patient"]
    assert not any("bluebell" in block for block in shared["clinician"])
    assert booklet(built_project, "release").returncode == 0
    assert snapshot.read_bytes() == first


def test_diff_names_each_changed_chapter_per_edition_and_drafts_a_changelog_section(built_project):
    assert booklet(built_project, "release").returncode == 0
    _next_edition(built_project)
    result = booklet(built_project, "diff", "2.1.0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "changes from edition 2.1.0 to the files as they are now (booklet.yaml: edition 2.2.0):",
        "  chapters/01-shared.md (patient edition): changed, 5 word(s) added, 2 removed",
        "  chapters/01-shared.md (edition for healthcare professionals): changed, 3 word(s) added, 1 removed"]
    assert "## 2.2.0 (2026-01-15)\n\n- Shared chapter: changed in the patient edition." in result.stdout
    assert booklet(built_project, "review", "sign", "shared", "--as", "editor", "--name", "Ed", "--checked", "it",
                   "--edition", "patient", "--date", "2026-01-14").returncode == 0
    assert "  reviews/shared.yaml: new sign-off: editor Ed (patient text, 2026-01-14)" in booklet(
        built_project, "diff", "2.1.0").stdout.splitlines()
    unknown = booklet(built_project, "diff", "1.9.0")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1, "editions/1.9.0.json: no snapshot of edition 1.9.0 (editions with one: 2.1.0); 'booklet release' "
           "writes one")


def test_the_clinician_edition_prints_the_changes_tagged_and_the_patient_edition_does_not(built_project):
    assert booklet(built_project, "release").returncode == 0
    _next_edition(built_project)
    prepared = prepare(built_project)
    html = prepared.html("clinician-standard-a4")
    assert ('Patient marker: bluebell <span class="change-label">removed:</span> <del>meadow</del> '
            '<span class="change-label">added:</span> <ins>wood</ins> text for') in html
    assert '<li><a href="#changes">Changes in this edition</a></li>' in html
    assert 'id="changes"' not in prepared.html("patient-standard-a4")
    assert booklet(built_project, "build").returncode == 0
    pdf = next((built_project / "build").glob("fixture-clinician-standard-a4-2.2.0.pdf"))
    assert page.validate_pdf(pdf, profile="ua1").failures == []
    with pikepdf.open(pdf) as document:
        outline = [item.title for item in document.open_outline().root]
    assert "Changes in this edition" in outline
