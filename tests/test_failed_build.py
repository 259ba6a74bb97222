"""A failed build changes nothing that an earlier build wrote."""
from __future__ import annotations

from pathlib import Path

from conftest import booklet, write_chapter


def snapshot(build: Path) -> dict[str, bytes]:
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


def outputs(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith(".cache/")}


def test_broken_front_matter_fails_with_one_line_and_leaves_outputs_untouched(built_project):
    project = built_project
    before = snapshot(project / "build")
    chapter = project / "chapters" / "01-shared.md"
    chapter.write_text(chapter.read_text().replace("order: 1", "order: first"))
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["chapters/01-shared.md:4: 'order' must be a whole number, not text"]
    assert snapshot(project / "build") == before


def test_failure_during_rendering_leaves_outputs_untouched(built_project):
    project = built_project
    before = snapshot(project / "build")
    write_chapter(project, "07-bad.md", """title: Bad
id: bad
order: 7
audience: both
summary: Shows an image taller than the page.
reviewed: 2026-01-01
next_review: 2027-01-01
factual: false""", "Text.\n\n![A chart taller than a page](tall.png)\n")  # passes every check before the render
    from PIL import Image

    Image.new("L", (60, 3000), 200).save(project / "chapters" / "tall.png")
    result = booklet(project, "build", "--chapter", "bad")  # its two small handouts: the same code renders all
    assert result.returncode == 1
    assert result.stderr.startswith("chapters/07-bad.md: an image runs "), result.stderr
    # The renders that succeeded are kept in the cache for the next build; the outputs are untouched.
    assert outputs(snapshot(project / "build")) == outputs(before)


def test_outputs_no_longer_built_are_removed_when_the_edition_changes(project):
    """Shown on a chapter's handouts (two small renders a build); the whole booklet's outputs
    are written by the same code."""
    handout = ("build", "--chapter", "patient-only")
    assert booklet(project, *handout).returncode == 0
    folder = project / "build" / "handouts" / "patient-only"
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        "fixture-patient-only-patient-handout-a4-2.1.0.pdf", "fixture-patient-only-patient-handout-letter-2.1.0.pdf"]
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("edition: 2.1.0", "edition: 2.2.0"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0", "## 2.2.0 (2026-01-15)\n\n- Fixes.\n\n## 2.1.0", 1)
                         .replace("## 2.1.0 (2026-01-15)", "## 2.1.0 (2026-01-14)"))
    assert booklet(project, *handout).returncode == 0
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        "fixture-patient-only-patient-handout-a4-2.2.0.pdf", "fixture-patient-only-patient-handout-letter-2.2.0.pdf"]
    assert sorted(p.name for p in (folder / "html").iterdir()) == [
        "fixture-patient-only-patient-handout-a4-2.2.0.html", "fixture-patient-only-patient-handout-letter-2.2.0.html"]
    assert "2.1.0" not in (folder / "SHA256SUMS").read_text()
