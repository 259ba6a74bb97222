"""Sign-offs (reviews/<chapter id>.yaml): recorded by `booklet review sign`, bound to the text of
each edition, voided by an edit for that edition only, required for a release unless booklet.yaml
marks the edition a draft for review, which every copy then says."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from booklet.authoring.json_schemas import generate_schemas
from booklet.pipeline import prepare
from conftest import REPO, booklet

AUTHOR = ("--as", "author", "--name", "A Writer", "--checked", "wrote it from its sources", "--date", "2026-01-10")


def _not_a_draft(project: Path) -> Path:
    """The fixture is a draft for review; these tests judge an edition that is not."""
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("draft_for_review: true\n", ""))
    return project


def _sign(project: Path, chapter: str, role: str, *more: str):
    return booklet(project, "review", "sign", chapter, "--as", role, "--name", f"{role} person",
                   "--checked", "every fact against its sources", "--date", "2026-01-12", *more)


def _sign_everything(project: Path) -> None:
    for chapter in ("shared", "patient-only"):
        for role in ("clinical-reviewer", "patient-reviewer"):
            result = _sign(project, chapter, role)
            assert result.returncode == 0, result.stderr


def _warnings(project: Path) -> list[str]:
    return [line for line in booklet(project, "check").stderr.splitlines() if "sign" in line]


def test_signing_records_each_edition_s_text_and_check_then_counts_it(project):
    _not_a_draft(project)
    result = booklet(project, "review", "sign", "shared", *AUTHOR)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("signed 'shared' as author for the patient and clinician text: "
                                     "recorded in reviews/shared.yaml")
    entries = yaml.safe_load((project / "reviews" / "shared.yaml").read_text())
    assert [(e["role"], e["name"], e["edition"]) for e in entries] == [
        ("author", "A Writer", "patient"), ("author", "A Writer", "clinician")]
    assert entries[0]["text-sha256"] != entries[1]["text-sha256"]
    _sign_everything(project)
    assert _warnings(project) == []


def test_a_patient_only_edit_voids_the_patient_sign_offs_and_leaves_the_clinician_one(project):
    _not_a_draft(project)
    _sign_everything(project)
    chapter = project / "chapters" / "01-shared.md"
    chapter.write_text(chapter.read_text().replace("bluebell meadow", "bluebell wood"))
    warnings = _warnings(project)
    assert [w for w in warnings if "reviews/shared.yaml" in w and "no longer counts" in w] == [
        "reviews/shared.yaml:4: warning: the patient text changed after clinical-reviewer person signed it as "
        "clinical-reviewer (2026-01-12), so that sign-off no longer counts: see what changed with 'booklet diff', "
        "then sign again",
        "reviews/shared.yaml:18: warning: the patient text changed after patient-reviewer person signed it as "
        "patient-reviewer (2026-01-12), so that sign-off no longer counts: see what changed with 'booklet diff', "
        "then sign again"]
    # Signed again, the old entries stay as the record of the earlier approvals, without a warning.
    for role in ("clinical-reviewer", "patient-reviewer"):
        assert _sign(project, "shared", role, "--edition", "patient").returncode == 0
    assert _warnings(project) == []
    assert [w for w in warnings if w.startswith("chapters/01-shared.md")][:1] == [
        "chapters/01-shared.md: warning: the patient text, as it stands, is not signed off by a clinical "
        "reviewer and a patient or lay reviewer: a release needs both"]


def test_a_whitespace_only_change_keeps_the_sign_offs(project):
    _not_a_draft(project)
    _sign_everything(project)
    chapter = project / "chapters" / "01-shared.md"
    chapter.write_text(chapter.read_text().replace("kidneys [@web-reviewed].", "kidneys [@web-reviewed].   \n\n"))
    assert _warnings(project) == []


def test_a_release_needs_the_required_sign_offs_unless_the_edition_is_a_draft_for_review(project):
    _not_a_draft(project)
    refused = booklet(project, "release")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "chapters/01-shared.md: the patient text, as it stands, is not signed off by a clinical reviewer and "
        "a patient or lay reviewer: a release needs both unless booklet.yaml says 'draft_for_review: true'",
        "chapters/01-shared.md: the clinician text, as it stands, is not signed off by a clinical reviewer: "
        "a release needs it unless booklet.yaml says 'draft_for_review: true'",
        "chapters/02-patient-only.md: the patient text, as it stands, is not signed off by a clinical reviewer "
        "and a patient or lay reviewer: a release needs both unless booklet.yaml says 'draft_for_review: true'"]
    assert not (project / "build" / "release").exists()
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + "draft_for_review: true\n")
    check = booklet(project, "check")
    assert "sign" not in check.stderr  # expected in a draft for review: listed, not warned about
    assert ("draft for review: 3 chapter text(s) still need a sign-off before an edition that is not a draft "
            "('booklet review sign'):\n- chapters/01-shared.md: patient text: a clinical reviewer, a patient or "
            "lay reviewer\n") in check.stdout
    assert booklet(project, "release").returncode == 0  # 2.1.0, a draft for review
    # Signed off, the next edition is no draft: its own number, its own CHANGELOG section.
    _sign_everything(project)
    config.write_text(config.read_text().replace("draft_for_review: true\n", "").replace("2.1.0", "2.2.0"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0", "## 2.2.0 (2026-01-15)\n\n- Signed off.\n\n## 2.1.0"))
    released = booklet(project, "release")
    assert released.returncode == 0, released.stderr


def test_booklet_yaml_names_the_roles_a_release_needs(project):
    _not_a_draft(project)
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + "patient_sign_offs: [editor]\nclinician_sign_offs: [editor]\n")
    assert booklet(project, "release").returncode == 1
    for chapter in ("shared", "patient-only"):
        assert _sign(project, chapter, "editor").returncode == 0
    assert booklet(project, "release").returncode == 0


def test_a_draft_with_every_sign_off_in_is_told_to_drop_the_mark(project):
    _sign_everything(project)
    check = booklet(project, "check")
    assert ("booklet.yaml:10: warning: every sign-off a release needs is in: remove 'draft_for_review' for an "
            "edition that is not a draft") in check.stderr


def test_a_draft_for_review_says_so_on_the_cover_and_every_page_of_every_copy(project):
    _not_a_draft(project)
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + "draft_for_review: true\n")
    prepared = prepare(project)
    for stem in ("patient-standard-a4", "patient-booklet-a5", "clinician-standard-letter", "patient-large-print-a4"):
        html = prepared.html(stem)
        assert '@page { @top-right { content: "Draft for review"; } }' in html
        assert '<p class="cover-review-draft">' in html
    config.write_text(config.read_text().replace("draft_for_review: true\n", ""))
    # Not a draft, but unsigned: still marked, whatever booklet.yaml says; signed, not marked.
    assert '@page { @top-right { content: "Draft for review"; } }' in prepare(project).html("patient-standard-a4")
    build = booklet(project, "build")
    assert "booklet.yaml: warning: some chapters lack the sign-offs a release needs" in build.stderr
    _sign_everything(project)
    assert "Draft for review" not in prepare(project).html("patient-standard-a4")


def test_signing_an_unknown_chapter_or_an_edition_it_is_not_in_is_one_line(project):
    unknown = booklet(project, "review", "sign", "shard", *AUTHOR)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1, "reviews: no chapter has the id 'shard' (did you mean 'shared'?)")
    wrong = booklet(project, "review", "sign", "patient-only", *AUTHOR, "--edition", "clinician")
    assert (wrong.returncode, wrong.stderr.strip()) == (
        1, "chapters/02-patient-only.md: chapter 'patient-only' is not printed in the clinician edition")
    role = booklet(project, "review", "sign", "shared", "--as", "surgeon", "--name", "X", "--checked", "y")
    assert role.returncode == 2 and "invalid choice: 'surgeon'" in role.stderr
    assert not (project / "reviews").exists()


def test_a_broken_review_file_is_reported_with_its_line(project):
    (project / "reviews").mkdir()
    (project / "reviews" / "shared.yaml").write_text("- role: author\n  name: A\n  date: 2026-01-01\n"
                                                     "  checked: x\n  edition: patient\n  text-sha256: abc\n")
    (project / "reviews" / "gone.yaml").write_text("[]\n")
    lines = booklet(project, "check").stderr.splitlines()
    assert "reviews/shared.yaml:6: 'text-sha256' must be a SHA-256 digest: 64 lower-case hexadecimal digits, " \
           "not 'abc'" in lines
    assert ("reviews/gone.yaml: warning: no chapter has the id 'gone': name the file after the id of the "
            "chapter it signs off") in lines


def test_names_and_notes_with_quotes_and_colons_are_kept_exactly(project):
    name, checked = 'Dr "Sam" O\'Neil: nephrologist', "doses: none; #not a comment"
    assert booklet(project, "review", "sign", "shared", "--as", "editor", "--name", name, "--checked", checked,
                   "--edition", "patient").returncode == 0
    entry, = yaml.safe_load((project / "reviews" / "shared.yaml").read_text())
    assert (entry["name"], entry["checked"]) == (name, checked)


def test_the_real_booklet_s_sign_offs_are_authors_only_current_and_valid_and_it_is_a_draft_for_review():
    schema = json.loads(generate_schemas()["sign-offs.schema.json"])
    roles = set()
    for path in sorted((REPO / "reviews").glob("*.yaml")):
        entries = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # dates as text, as the schema sees them
        jsonschema.validate(entries, schema)
        roles |= {entry["role"] for entry in entries}
    assert roles == {"author"}  # no reviewer is invented
    assert yaml.safe_load((REPO / "booklet.yaml").read_text())["draft_for_review"] is True
    assert not [line for line in _warnings(REPO) if "no longer counts" in line]


def _made_page(html: str) -> str:
    section = html[html.index('<section class="who-wrote-it"'):]
    return " ".join(section[:section.index("</section>")].split())


def test_the_page_of_who_wrote_and_checked_it_lists_the_current_sign_offs_and_what_is_missing(project):
    assert _sign(project, "shared", "clinical-reviewer").returncode == 0
    assert _sign(project, "patient-only", "editor").returncode == 0
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))  # voids the editor's
    prepared = prepare(project)
    patient = _made_page(prepared.html("patient-standard-a4"))
    assert ("<li><strong>Checked by a doctor or nurse:</strong> clinical-reviewer person, 12 January 2026 "
            "(Shared chapter). Not yet for: Patient only chapter.</li>") in patient
    assert "<li><strong>Checked by a patient or carer:</strong> not yet.</li>" in patient
    assert "<li><strong>Written by:</strong> not yet.</li>" in patient
    assert "Edited by" not in patient  # void, and not a required role
    assert "out on 15 January 2026" in patient
    clinician = _made_page(prepared.html("clinician-standard-a4"))
    assert ("<li><strong>Checked by a clinical reviewer:</strong> clinical-reviewer person, 12 January 2026 "
            "(every chapter).</li>") in clinician
    assert "patient or lay reviewer" not in clinician  # the clinician edition does not require one
    assert "doctor or nurse" not in clinician


def test_a_new_sign_off_is_printed_so_it_needs_a_new_edition(project):
    assert booklet(project, "release").returncode == 0  # the fixture is a draft for review
    assert _sign(project, "shared", "clinical-reviewer").returncode == 0
    refused = booklet(project, "release")
    assert refused.returncode == 1 and "was released from different inputs" in refused.stderr


def test_the_real_booklet_says_who_wrote_it_and_that_no_reviewer_has_checked_it_yet():
    prepared = prepare(REPO)
    for stem in ("patient-standard-a4", "clinician-standard-letter"):
        page = _made_page(prepared.html(stem))
        assert ("<li><strong>Written by:</strong> The Calciphylaxis Booklet Project authors, with a computer "
                "program (AI), 2 December 2026 (every chapter).</li>") in page
    assert "<li><strong>Checked by a clinical reviewer:</strong> not yet.</li>" in _made_page(
        prepared.html("clinician-standard-letter"))
    patient = _made_page(prepared.html("patient-large-print"))
    assert "Checked by a doctor or nurse:</strong> not yet." in patient
    assert "Checked by a patient or carer:</strong> not yet." in patient


def test_a_change_to_a_cited_source_a_picture_or_the_emergency_number_voids_the_sign_off(project):
    _not_a_draft(project)
    _sign_everything(project)
    references = project / "references.yaml"
    original = references.read_text()
    references.write_text(original.replace("title:", "title: Renamed", 1))
    assert any("no longer counts" in w for w in _warnings(project))
    references.write_text(original)
    assert _warnings(project) == []
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + 'emergency_number: "112"\n')
    assert any("no longer counts" in w for w in _warnings(project))


def test_a_future_date_is_refused_and_an_author_reviewing_their_own_chapter_is_warned(project):
    future = booklet(project, "review", "sign", "shared", "--as", "clinical-reviewer", "--name", "X",
                     "--checked", "y", "--date", "2999-01-01")
    assert (future.returncode, future.stderr.strip()) == (
        1, "reviews/shared.yaml: --date 2999-01-01 is after today: a sign-off records a check already done")
    for role in ("author", "clinical-reviewer"):
        assert booklet(project, "review", "sign", "shared", "--as", role, "--name", "Ann", "--checked", "all",
                       "--edition", "clinician", "--date", "2026-01-12").returncode == 0
    assert ("reviews/shared.yaml:11: warning: Ann signed as both author and clinical-reviewer: a review must be by "
            "someone other than the author") in _warnings(project)
    entry = yaml.safe_load((project / "reviews" / "shared.yaml").read_text())[0]
    assert entry["recorded-by"]


def test_a_damaged_snapshot_is_one_line_and_a_lost_one_is_made_again_on_release(project):
    assert booklet(project, "release").returncode == 0
    snapshot = project / "editions" / "2.1.0.json"
    good = snapshot.read_bytes()
    snapshot.unlink()
    assert booklet(project, "release").returncode == 0
    assert snapshot.read_bytes() == good
    snapshot.write_text('{"format": 1, "edition": "2.1.0"}')
    result = booklet(project, "diff", "2.1.0")
    assert (result.returncode, result.stderr.strip()) == (
        1, "editions/2.1.0.json: is damaged: it needs 'chapters' and 'references' lists and a 'published' date; "
           "restore it from git")
