"""CHANGELOG.md: validated with line numbers, printed as the "Edition history" page."""
from __future__ import annotations

from pdfs import page_texts
from conftest import booklet


def test_edition_history_page_lists_every_changelog_entry(built_mini):
    for audience in ("patient", "clinician"):
        texts = page_texts(built_mini / "build" / f"fixture-{audience}-standard-a4-2.1.0.pdf")
        history = next(" ".join(t.split()) for t in texts if t.lstrip().startswith("Edition history"))
        assert "Edition 2.1.0, 15 January 2026 Added a chapter for patients only." in history
        assert "Edition 1.0.0, 1 June 2025 First edition." in history
        assert history.index("2.1.0") < history.index("1.0.0")


def test_changelog_problems_are_reported_with_their_lines(project):
    (project / "CHANGELOG.md").write_text(
        "# Edition history\n\n## 1.0.0 (2025-06-01)\n\n- First.\n\n## 2.1.0 (2026-13-01)\n\n- Bad date.\n\n"
        "## two (2026-01-01)\n\n- Bad version.\n\n## 0.9.0 2025-01-01\n\n- No brackets.\n")
    result = booklet(project, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("CHANGELOG.md:7: edition 2.1.0:") for line in lines)
    assert "CHANGELOG.md:11: 'two' is not a version like 1.0.0" in lines
    assert "CHANGELOG.md:15: edition heading must read '## <version> (<YYYY-MM-DD>)'" in lines
    assert ("CHANGELOG.md: no section for edition 2.1.0 (booklet.yaml): add '## 2.1.0 (2026-01-15)' "
            "saying what changed") in lines


def test_changelog_must_be_newest_first_and_date_the_current_edition_as_published(project):
    (project / "CHANGELOG.md").write_text(
        "## 1.0.0 (2025-06-01)\n\n- First.\n\n## 2.1.0 (2026-01-16)\n\n- Second.\n")
    lines = booklet(project, "check").stderr.splitlines()
    assert "CHANGELOG.md:5: edition 2.1.0 is listed after 1.0.0: list editions newest first" in lines
    assert ("CHANGELOG.md:5: edition 2.1.0 is dated 2026-01-16, but booklet.yaml publishes it on "
            "2026-01-15") in lines
