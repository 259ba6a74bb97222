"""Review dates: the booklet's next review, and check's warnings as of a given day."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from booklet.source.project import load_project
from booklet.render.plan import booklet_next_review
from booklet.authoring.reviews import review_warnings
from conftest import booklet


def test_booklet_next_review_is_the_earliest_chapter_unless_config_is_earlier(project):
    loaded = load_project(project)
    assert booklet_next_review(loaded.config, loaded.chapters) == dt.date(2026, 6, 30)
    earlier = replace(loaded.config, next_review=dt.date(2026, 3, 1))
    assert booklet_next_review(earlier, loaded.chapters) == dt.date(2026, 3, 1)
    later = replace(loaded.config, next_review=dt.date(2030, 1, 1))
    assert booklet_next_review(later, loaded.chapters) == dt.date(2026, 6, 30)


def test_overdue_sources_and_chapters_as_of_fixed_dates(project):
    loaded = load_project(project)
    assert review_warnings(loaded.chapters, loaded.references, dt.date(2025, 7, 31)) == []
    warnings = [str(w) for w in review_warnings(loaded.chapters, loaded.references, dt.date(2026, 7, 1))]
    assert warnings == [
        "references.yaml:10: warning: source 'web-overdue' was due for review by its publisher by July 2025 "
        "(as of 2026-07-01): check it for a newer version",
        "chapters/02-patient-only.md:8: warning: chapter was due for review on 2026-06-30 (as of 2026-07-01)",
    ]


def test_check_warns_as_of_a_date_and_strict_makes_warnings_fail(project):
    quiet = booklet(project, "check", "--as-of", "2025-01-01")
    assert quiet.returncode == 0 and quiet.stderr == ""
    late = booklet(project, "check", "--as-of", "2026-08-01")
    assert late.returncode == 0
    assert "source 'web-overdue' was due for review" in late.stderr
    assert "chapters/02-patient-only.md:8: warning: chapter was due for review" in late.stderr
    assert booklet(project, "check", "--as-of", "2026-08-01", "--strict").returncode == 1
    assert booklet(project, "check", "--as-of", "2026-13-01").returncode == 2


def test_check_of_the_real_booklet_warns_about_the_overdue_nkf_page():
    from conftest import REPO
    result = booklet(REPO, "check", "--as-of", "2026-11-21")
    assert result.returncode == 0, result.stderr
    assert "source 'nkf-2023' was due for review by its publisher by July 2026" in result.stderr


def test_unknown_citation_fails_the_build_with_path_line_and_suggestion(project):
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("[@web-reviewed]", "[@web-reviewd]"))
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [  # the summary's citation (line 6) and the body's
        "chapters/02-patient-only.md:6: unknown reference 'web-reviewd' (did you mean 'web-reviewed'?)",
        "chapters/02-patient-only.md:11: unknown reference 'web-reviewd' (did you mean 'web-reviewed'?)"]
