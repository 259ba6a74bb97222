"""Boxes (`!!! type "Title"`) and tick-box lists in chapters."""
from __future__ import annotations

from booklet.pipeline import prepare
from booklet.content.chapter_html import NOTE_LINES
from conftest import booklet, write_chapter

FRONT = """
title: Boxes
id: boxes
order: 3
audience: patient
summary: A summary.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""


def test_boxes_and_tick_boxes_reach_the_html(project):
    write_chapter(project, "03-boxes.md", FRONT,
                  'Text [@web-reviewed].\n\n!!! urgent "Get help now"\n    - A fever [@web-reviewed]\n\n'
                  "- [ ] What is my plan?\n- [ ] Who do I call?\n\nThen a list that is not all tick boxes:\n\n"
                  "- [ ] a box\n- [link] stays a plain item\n\n!!! notes \"My notes\"\n")
    html = prepare(project).html("patient-standard-a4")
    assert '<div class="admonition urgent">\n<p class="admonition-title">Get help now</p>' in html
    assert '<ul class="checklist keep-together">\n<li class="task">What is my plan?</li>' in html
    assert '<ul class="keep-together">\n<li class="task">a box</li>\n<li>[link] stays a plain item</li>' in html
    assert "[ ]" not in html
    assert html.count('<div class="write-line"></div>') == NOTE_LINES >= 15  # the empty notes box: a page of lines


def test_unknown_box_type_is_an_error_naming_file_and_line(project):
    write_chapter(project, "03-boxes.md", FRONT, 'Text [@web-reviewed].\n\n!!! danger "Oops"\n    Body.\n')
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr.strip() == ("chapters/03-boxes.md:13: unknown box type 'danger': use one of "
                                     'urgent, key, tip, notes (as in \'!!! tip "Title"\')')
