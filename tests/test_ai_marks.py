"""Provenance marks: a statement whose citations are all to sources that no person has checked
(references.yaml's review-status / machine-generated) prints a boxed "AI" after its citation, in
both editions and in the PDF text; `booklet check` lists each such statement."""
from __future__ import annotations

from booklet.pipeline import prepare
from conftest import booklet, write_chapter
from pdfs import page_texts

AI_PAGE = """- id: ai-page
  type: webpage
  title: A page written by a program
  author: [{literal: Robot Site}]
  publisher: Robot Site
  URL: https://example.org/robot
  accessed: 2026-01-10
  last-updated: 2025-10-16
  review-status: pending-human-review
  machine-generated: true
"""
FRONT = """
title: Marked chapter
id: marked
order: 3
audience: both
summary: "Only the program says this [@ai-page]."
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [ai-page, web-reviewed]
"""
BODY = """Only the program gives the quartz dose [@ai-page].

Both sources give the heron figure [@ai-page; @web-reviewed].

The reviewed page alone says the willow thing [@web-reviewed].
"""
MARK = '<span class="ai-mark" title="AI: a source written by a computer program, not yet checked by a person">AI</span>'


def _with_ai_page(project):
    references = project / "references.yaml"
    references.write_text(references.read_text() + AI_PAGE)
    write_chapter(project, "03-marked.md", FRONT, BODY)


def _chapter(html: str) -> str:
    return html[html.index('id="chapter-marked"'):html.index("</section>", html.index('id="chapter-marked"'))]


def test_only_a_statement_resting_on_unreviewed_sources_alone_is_marked_in_both_editions(project):
    _with_ai_page(project)
    prepared = prepare(project)
    for copy in ("patient-standard-a4", "clinician-standard-a4"):
        html = prepared.html(copy)
        chapter = _chapter(html)
        assert chapter.count(MARK) == 2, copy  # the summary and the first statement
        quartz, heron, willow = (chapter[chapter.index(w):].split("</p>")[0] for w in ("quartz", "heron", "willow"))
        assert MARK in quartz and MARK not in heron and MARK not in willow
        assert "Main message:</strong> Only the program says this [" in chapter
        assert "The AI mark" in html  # the legend inside the cover
    clinician = prepared.html("clinician-standard-a4")
    assert "Standing: written with AI; pending human review" in clinician
    # A copy that prints no such statement prints no legend.
    plain = prepare(project, chapter_id="shared").html("clinician-handout-a4")
    assert "The AI mark" not in plain and MARK not in plain


def test_the_mark_is_in_the_pdf_text_after_the_statement_it_qualifies(built_project):
    project = built_project
    _with_ai_page(project)
    assert booklet(project, "build").returncode == 0
    for audience in ("patient", "clinician"):
        text = " ".join(" ".join(page_texts(project / "build" / f"fixture-{audience}-standard-a4-2.1.0.pdf")).split())
        quartz = text[text.index("quartz dose"):]
        assert quartz.split("]", 1)[1].lstrip().startswith("AI"), audience
        heron = text[text.index("heron figure"):]
        assert not heron.split("]", 1)[1].lstrip().startswith("AI"), audience


def test_check_lists_every_marked_statement_and_a_summary_that_cites_nothing(project):
    _with_ai_page(project)
    result = booklet(project, "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("statements resting only on unreviewed AI sources (printed with the AI mark): 2 in 1 chapter(s)")
    assert lines[start + 1:start + 4] == ["  chapters/03-marked.md: 2", "    line 6: Only the program says this",
                                          "    line 11: Only the program gives the quartz dose"]
    assert "warning: the summary" not in result.stderr
    # A factual chapter whose main message cites nothing is warned about, at the summary's line.
    write_chapter(project, "03-marked.md", FRONT.replace('"Only the program says this [@ai-page]."', "Uncited."), BODY)
    result = booklet(project, "check")
    assert "chapters/03-marked.md:6: warning: the summary (printed as the main message) cites no source" in result.stderr
