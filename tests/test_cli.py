"""The command line: clean one-line errors, exit statuses, and what it reports."""
from __future__ import annotations

from conftest import run_booklet


def test_check_validates_without_rendering(project):
    result = run_booklet(project, "check")
    assert result.returncode == 0
    assert "2 chapter(s) are valid" in result.stdout
    assert not (project / "build").exists()


def test_check_lists_every_problem_in_every_file_then_fails(project):
    (project / "booklet.yaml").write_text((project / "booklet.yaml").read_text().replace("slug:", "slag:"))
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("audience: patient", "audience: everyone"))
    result = run_booklet(project, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "booklet.yaml:2: unknown key 'slag' in booklet.yaml (did you mean 'slug'?)" in lines
    assert any(line.startswith("chapters/02-patient-only.md:5: 'audience' must be one of") for line in lines)
    assert "Traceback" not in result.stderr


def test_build_reports_the_files_it_wrote(project):
    result = run_booklet(project, "build")
    assert result.returncode == 0, result.stderr
    assert "wrote build/fixture-patient-standard-a4-2.1.0.pdf" in result.stdout
    assert "wrote build/SHA256SUMS and build/manifest.json" in result.stdout


def test_wrong_usage_exits_2_with_one_line(project):
    result = run_booklet(project, "frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_is_a_clean_error(tmp_path):
    result = run_booklet(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.startswith("booklet.yaml: no booklet.yaml here")
