"""Readability of patient chapters: what is measured, and what `booklet check` reports."""
from __future__ import annotations

from booklet.authoring.readability import running_text
from conftest import booklet, write_chapter

FRONT = """
title: {title}
id: {id}
order: {order}
audience: {audience}
summary: A summary.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""

HARD = ("Multidisciplinary anticoagulation reconsideration necessitates comprehensive interdisciplinary "
        "pharmacological evaluation [@web-reviewed]. Parathyroidectomy considerations incorporate "
        "biochemical hyperparathyroidism parameters. Intravenous administration continues indefinitely.\n")


def test_running_text_leaves_out_headings_tables_box_titles_and_citations():
    text = running_text(
        "## A heading here\n\nYou rest [@web-reviewed; @article-one].\n\n"
        "| Col | Other |\n|---|---|\n| cell words | more |\n\n"
        '!!! tip "Box title words"\n    Drink water.\n')
    assert text == ["You rest.", "Drink water."]


def test_list_items_and_tick_boxes_count_as_sentences_of_their_own():
    text = running_text("Watch for:\n\n- a fever\n- chills\n    - nested item\n- [ ] Who do I call?\n")
    assert text == ["Watch for:.", "a fever.", "chills.", "nested item.", "Who do I call?"]


def test_check_prints_grades_for_patient_chapters_only(project):
    write_chapter(project, "03-clinician.md",
                  FRONT.format(title="Doctors", id="doctors", order=3, audience="clinician"),
                  "Clinicians read this sentence [@web-reviewed].\n")
    result = booklet(project, "check", "--as-of", "2025-01-01")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [row[0] for row in rows[1:]] == ["shared", "patient-only"]
    assert rows[2][1:3] == ["7", "1"]  # "Only patients see the heron pond paragraph": 7 words, 1 sentence


def test_hard_chapter_and_long_sentence_are_warned_with_file_and_line(project):
    long_sentence = " ".join(["word"] * 26) + " [@web-reviewed].\n"
    write_chapter(project, "03-hard.md",
                  FRONT.format(title="Hard words", id="hard", order=3, audience="patient"),
                  HARD + "\nShort one here.\n\n" + long_sentence)
    result = booklet(project, "check", "--as-of", "2025-01-01")
    assert result.returncode == 0
    assert "chapters/03-hard.md:2: warning: patient text reads at grade" in result.stderr
    assert "(Flesch-Kincaid), above the limit of 6" in result.stderr
    assert "chapters/03-hard.md:15: warning: sentence of 26 words (limit 20)" in result.stderr
    assert booklet(project, "check", "--as-of", "2025-01-01", "--strict").returncode == 1
