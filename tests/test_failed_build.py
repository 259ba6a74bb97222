"""A failed build changes nothing that an earlier build wrote."""
from __future__ import annotations

from pathlib import Path

from conftest import run_booklet, write_chapter


def snapshot(build: Path) -> dict[str, bytes]:
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()}


def test_broken_front_matter_fails_with_one_line_and_leaves_outputs_untouched(project):
    assert run_booklet(project, "build").returncode == 0
    before = snapshot(project / "build")
    chapter = project / "chapters" / "01-shared.md"
    chapter.write_text(chapter.read_text().replace("order: 1", "order: first"))
    result = run_booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["chapters/01-shared.md:4: 'order' must be a whole number, not text"]
    assert snapshot(project / "build") == before


def test_failure_during_rendering_leaves_outputs_untouched(project):
    assert run_booklet(project, "build").returncode == 0
    before = snapshot(project / "build")
    write_chapter(project, "07-bad.md", """title: Bad
id: bad
order: 7
audience: both
summary: Refers to a file outside the project.
reviewed: 2026-01-01
next_review: 2027-01-01
factual: false""", 'Text <img src="file:///etc/hostname" alt="x">\n')
    result = run_booklet(project, "build")
    assert result.returncode == 1 and "chapters/07-bad.md" in result.stderr
    assert snapshot(project / "build") == before


def test_outputs_no_longer_built_are_removed_when_the_edition_changes(project):
    assert run_booklet(project, "build").returncode == 0
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("edition: 2.1.0", "edition: 2.2.0"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0", "## 2.2.0 (2026-01-15)\n\n- Fixes.\n\n## 2.1.0", 1)
                         .replace("## 2.1.0 (2026-01-15)", "## 2.1.0 (2026-01-14)"))
    assert run_booklet(project, "build").returncode == 0
    names = [p.name for p in (project / "build").glob("*.pdf")]
    assert len(names) == 9 and all(name.endswith("-2.2.0.pdf") for name in names)
    assert not list((project / "build/html").glob("*2.1.0*"))
