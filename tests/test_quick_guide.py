"""The quick guide (four A5 pages from the chapters' `::: quick-guide` blocks) and the contact
slots that print a unit's numbers inside the urgent box."""
from __future__ import annotations

import json

from pypdf import PdfReader

from booklet.pipeline import prepare
from booklet.source.audience import QUICK_GUIDE, split_audiences, text_for
from conftest import booklet, write_chapter

URGENT = """
title: Get help now
id: urgent
order: 3
audience: patient
summary: Whom to call.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""
BODY = """Before the box [@web-reviewed].

::: quick-guide
!!! urgent "Get help now"
    Call your unit in the day on {{day-phone}}, at night on {{out-of-hours-phone}}, or call
    {{emergency-number}} if you are very worried [@web-reviewed].
:::

After the box, in the booklet only. See [the other chapter](#chapter-patient-only).
"""


def test_quick_guide_blocks_are_patient_text_that_the_quick_guide_takes_alone():
    segments, problems = split_audiences("shared\n::: quick-guide\nquick\n:::\n::: clinician\nclin\n:::\n", 1, "c.md")
    assert problems == []
    assert text_for(segments, "patient") == "shared\n\nquick\n"
    assert text_for(segments, "clinician") == "shared\n\nclin\n"
    assert text_for(segments, QUICK_GUIDE) == "quick\n"


def test_a_quick_guide_block_in_a_clinician_chapter_is_refused_with_its_line(project):
    write_chapter(project, "03-urgent.md", URGENT.replace("audience: patient", "audience: clinician"), BODY)
    result = booklet(project, "check")
    assert result.returncode == 1
    assert "chapters/03-urgent.md:13: '::: quick-guide' block in a chapter whose audience is 'clinician': " \
           "it would never be printed" in result.stderr


def test_slots_print_the_brand_numbers_or_lines_to_write_them_on(project):
    write_chapter(project, "03-urgent.md", URGENT, BODY)
    plain = prepare(project).html("patient-standard-a4")
    assert plain.count('<span class="write-in" role="img" aria-label="space to write') == 3
    (project / "booklet.yaml").write_text((project / "booklet.yaml").read_text() + 'emergency_number: "999"\n')
    assert "or call\n<strong class=\"slot-value\">999</strong>" in prepare(project).html("patient-standard-a4")
    (project / "brands").mkdir()
    (project / "brands" / "unit.yaml").write_text('name: Unit\nday_phone: "0161 206 1234"\n'
                                                  'out_of_hours_phone: "+44 161 206 7777"\nemergency_number: "112"\n')
    branded = prepare(project, project / "brands" / "unit.yaml")
    html = branded.html("patient-standard-a4")
    assert '<strong class="slot-value">0161 206 1234</strong>' in html
    assert '<strong class="slot-value">+44 161 206 7777</strong>' in html
    assert '<strong class="slot-value">112</strong>' in html and "999" not in html
    assert "write-in" not in html
    quick = branded.html("patient-quick-guide-a5")
    assert '<strong class="slot-value">0161 206 1234</strong>' in quick  # the same box, the same numbers
    assert "After the box" not in quick and "Before the box" not in quick
    # The chapter it links to is not in the quick guide: the words stay, pointing to the booklet.
    assert "After the box" in html and '<a href="#chapter-patient-only">the other chapter</a>' in html
    handout = prepare(project, chapter_id="urgent").html("patient-handout-a4")
    assert 'See <span class="elsewhere">the other chapter (in the full booklet)</span>.' in handout


def test_an_unknown_slot_and_an_unquoted_phone_number_are_one_line_each(project):
    write_chapter(project, "03-urgent.md", URGENT, BODY.replace("{{day-phone}}", "{{day-phone-number}}"))
    result = booklet(project, "check")
    assert result.returncode == 1
    assert "chapters/03-urgent.md:15: unknown slot '{{day-phone-number}}': use {{day-phone}}, " \
           "{{out-of-hours-phone}}, {{emergency-number}}" in result.stderr
    (project / "brands").mkdir()
    (project / "brands" / "unit.yaml").write_text("name: Unit\nday_phone: 0161\nout_of_hours_phone: call us\n")
    result = booklet(project, "build", "--brand", "brands/unit.yaml")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("brands/unit.yaml:2: 'day_phone' must be written in quotes") for line in lines), lines
    assert any(line.startswith("brands/unit.yaml:3: 'out_of_hours_phone' must be a phone number") for line in lines)


def test_the_quick_guide_is_four_pages_and_one_imposed_sheet_in_the_manifest(built_project):
    project = built_project
    write_chapter(project, "03-urgent.md", URGENT, BODY)
    result = booklet(project, "build")
    assert result.returncode == 0, result.stderr
    manifest = {o["path"]: o for o in json.loads((project / "build" / "manifest.json").read_text())["outputs"]}
    for booklet_paper, sheet in (("a5", "a4"), ("half-letter", "letter")):
        linear = manifest[f"fixture-patient-quick-guide-{booklet_paper}-2.1.0.pdf"]
        assert (linear["pages"], linear["tagged"], linear["variant"]) == (4, True, "quick-guide")
        imposed = manifest[f"fixture-patient-quick-guide-imposed-{sheet}-2.1.0.pdf"]
        assert imposed["imposes"] == f"fixture-patient-quick-guide-{booklet_paper}-2.1.0.pdf"
        assert (imposed["pages"], imposed["sheets"], imposed["for_printing_only"]) == (2, 1, True)
    pages = [" ".join(p.extract_text().split()) for p in
             PdfReader(project / "build" / "fixture-patient-quick-guide-a5-2.1.0.pdf").pages]
    assert "Get help now" in pages[0] and "After the box" not in " ".join(pages)
    assert pages[1].startswith("Notes") and pages[2].startswith("Notes")  # one block: padded to 4 pages
    assert "The full booklet" in pages[3] and "Edition 2.1.0" in pages[3]


def test_a_quick_guide_past_four_pages_fails_naming_its_chapters(built_project):
    project = built_project
    long_block = "\n\n".join(f"Paragraph {n} of a quick guide that says far too much [@web-reviewed]."
                             for n in range(120))
    write_chapter(project, "03-urgent.md", URGENT, f"::: quick-guide\n{long_block}\n:::\n")
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.startswith("html/fixture-patient-quick-guide-")
    assert "runs past 4 pages; the quick guide must have 4 (one sheet, folded): shorten the '::: quick-guide' " \
           "blocks in " \
           "chapters/03-urgent.md" in result.stderr
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()} == before
