"""`booklet check`: one report of every problem, grouped by file, and the author's to-do list."""
from __future__ import annotations

import datetime as dt

from booklet.authoring.check import check_project
from booklet.content.glossary import defined_terms, unmark_terms
from booklet.source.chapters import parse_chapter
from booklet.pipeline import prepare
from conftest import booklet, write_chapter

GLOSSARY_FRONT = """
title: Glossary
id: glossary
order: 9
audience: patient
summary: Words explained.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""
GLOSSARY_BODY = """
- **Biopsy** (say: BY-op-see): a small piece of skin taken to be tested [@web-reviewed].
- **C-reactive protein** or **CRP**: a protein in the blood [@web-reviewed].
- **Blood test** and **urine test**: tests on a sample; see **Biopsy** for another [@web-reviewed].
"""


def test_errors_and_warnings_are_listed_together_grouped_by_file_in_line_order(project):
    shared = project / "chapters" / "01-shared.md"
    shared.write_text(shared.read_text().replace("[@web-undated]", "[@web-undatd]"))
    (project / "references.yaml").write_text((project / "references.yaml").read_text() + """
- id: never-cited
  type: webpage
  title: A page nobody cites
  URL: https://example.org/never
""")
    result = booklet(project, "check", "--as-of", "2026-03-01")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "chapters/01-shared.md:9: warning: 'sources' names 'web-undated', which the chapter never cites",
        "chapters/01-shared.md:27: unknown reference 'web-undatd' (did you mean 'web-undated'?)",
        "",
        "references.yaml:18: warning: reference 'web-undated' is not cited by any chapter",
        "references.yaml:36: warning: reference 'never-cited' is not cited by any chapter",
    ]
    assert "failed: 1 error(s) and 3 warning(s) in 2 file(s)" in result.stdout


def test_review_dates_due_in_the_next_90_days_are_listed_and_later_ones_are_not(project):
    # 01-shared is due 2027-01-01 and 02-patient-only 2026-06-30.
    result = booklet(project, "check", "--as-of", "2026-10-15")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("review dates due in the next 90 days (by 2027-01-13):")
    assert lines[start + 1].split() == ["2027-01-01", "chapter", "'shared'", "chapters/01-shared.md:8"]
    assert not lines[start + 2].startswith("  2")  # 02-patient-only is overdue (a warning), not coming due
    assert "chapters/02-patient-only.md:8: warning: chapter was due for review on 2026-06-30" in result.stderr

    later = booklet(project, "check", "--as-of", "2026-01-02")
    assert "review dates: none due in the next 90 days (by 2026-04-02)" in later.stdout


def test_every_image_without_alt_text_is_reported_with_its_line(project):
    from PIL import Image

    for name in ("leg.png", "arm.png"):
        Image.new("RGB", (8, 8), "white").save(project / "chapters" / name)
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text() + "\n![](leg.png)\n\nMore text [@web-reviewed].\n\n![ ](arm.png)\n")
    result = booklet(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"chapters/02-patient-only.md:{line}: image '{name}' has no alt text: describe it, as in "
        f"![what the picture shows]({name})" for line, name in ((13, "leg.png"), (17, "arm.png"))]


def test_glossary_terms_used_but_not_defined_are_warned_with_their_line(project):
    write_chapter(project, "09-glossary.md", GLOSSARY_FRONT, GLOSSARY_BODY)
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text() + "\nYou may need a [[biopsy|biopsies]] and a [[CRP]] test.\n"
                                             "Ask about [[debridement]] [@web-reviewed].\n")
    result = booklet(project, "check")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "glossary term" in line]
    assert warned == ["chapters/02-patient-only.md:14: warning: glossary term 'debridement' is not defined in "
                      "the glossary (chapters/09-glossary.md)"]


def test_a_marked_term_prints_as_its_plain_words(project):
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond paragraph", "heron [[biopsy|biopsies]] paragraph"))
    html = prepare(project).html("patient-standard-a4")
    assert "heron biopsies paragraph" in html and "[[" not in html
    assert unmark_terms("a [[CRP]] and [[biopsy|biopsies]]") == "a CRP and biopsies"


def test_the_glossary_defines_every_bold_term_before_the_colon_only():
    chapter, _ = parse_chapter(f"---\n{GLOSSARY_FRONT.strip()}\n---\n{GLOSSARY_BODY}", "g.md")
    assert defined_terms(chapter) == {"biopsy", "c-reactive protein", "crp", "blood test", "urine test"}


def test_check_of_the_real_booklet_has_no_errors_and_lists_its_patient_chapters():
    from conftest import REPO

    report = check_project(REPO, dt.date(2026, 11, 21))
    assert not report.errors
    assert {r.chapter.id for r in report.readability} >= {"what-is-calciphylaxis", "treatment", "glossary"}
    assert report.chapters == 26 and report.drafts == 0
    assert not [p for p in report.warnings if "glossary term" in p.message]  # every marked term is defined


def test_a_list_straight_after_a_paragraph_is_warned_about(project):
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text() + "\nAsk them:\n- [ ] What is my plan?\n- [ ] Who do I call?\n\n"
                                             "Fine:\n\n- a list after a blank line\n- second item\n")
    result = booklet(project, "check")
    assert result.returncode == 0
    assert [line for line in result.stderr.splitlines() if "blank line" in line] == [
        "chapters/02-patient-only.md:14: warning: a list needs a blank line before it: without one it prints "
        "as part of the paragraph above"]
