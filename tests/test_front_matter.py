"""Chapter front-matter: parsing and every validation error, each with path and line."""
from __future__ import annotations

import datetime as dt

import pytest

from booklet.source.chapters import load_chapters, parse_chapter
from booklet.errors import ValidationFailed
from conftest import write_chapter

GOOD = """\
---
title: A title
id: a-title
order: 3
audience: both
summary: One sentence.
reviewed: 2026-01-01
next_review: 2027-01-01
---
Body text.
"""


def messages(text: str) -> list[str]:
    chapter, problems = parse_chapter(text, "chapters/x.md")
    return [str(p) for p in problems]


def test_valid_front_matter_becomes_a_typed_chapter():
    chapter, problems = parse_chapter(GOOD, "chapters/x.md")
    assert problems == []
    assert chapter.title == "A title" and chapter.order == 3 and chapter.audience == "both"
    assert chapter.reviewed == dt.date(2026, 1, 1) and chapter.next_review == dt.date(2027, 1, 1)
    assert chapter.markdown_for("patient").strip() == "Body text."
    assert chapter.line_of("order") == 4


def test_unknown_key_suggests_the_closest_field():
    text = GOOD.replace("summary:", "sumary:")
    assert "chapters/x.md:6: unknown key 'sumary' in front-matter (did you mean 'summary'?)" in messages(text)


def test_wrong_type_names_the_key_and_line():
    text = GOOD.replace("order: 3", "order: third")
    assert "chapters/x.md:4: 'order' must be a whole number, not text" in messages(text)


def test_impossible_date_is_reported_not_crashed():
    text = GOOD.replace("reviewed: 2026-01-01", "reviewed: 2026-02-30")
    assert "chapters/x.md:7: 'reviewed' is not a real date: 2026-02-30" in messages(text)


def test_badly_written_date_is_reported():
    text = GOOD.replace("next_review: 2027-01-01", "next_review: next year")
    assert any("chapters/x.md:8: 'next_review' must be a date written YYYY-MM-DD" in m for m in messages(text))


def test_missing_field_is_reported():
    text = GOOD.replace("summary: One sentence.\n", "")
    assert any("missing required key 'summary'" in m for m in messages(text))


def test_unknown_audience_suggests_a_valid_one():
    text = GOOD.replace("audience: both", "audience: patients")
    assert any("'audience' must be one of patient, clinician, both, not 'patients' (did you mean 'patient'?)"
               in m for m in messages(text))


def test_next_review_must_follow_reviewed():
    text = GOOD.replace("next_review: 2027-01-01", "next_review: 2025-01-01")
    assert any("chapters/x.md:8: 'next_review' (2025-01-01) must come after 'reviewed'" in m
               for m in messages(text))


def test_every_problem_in_a_chapter_is_reported_at_once():
    text = GOOD.replace("order: 3", "order: x").replace("summary:", "sumary:").replace("2026-01-01", "2026-13-01")
    assert len(messages(text)) >= 4  # order, sumary, missing summary, reviewed


@pytest.mark.parametrize("text, expected", [
    ("", "chapters/x.md:1: the file is empty"),
    ("Just text\n", "chapters/x.md:1: no front-matter"),
    ("---\ntitle: x\n", "chapters/x.md:1: front-matter is never closed"),
    ("---\ntitle: [unclosed\n---\nbody\n", "chapters/x.md:2: invalid YAML"),
    ("---\n- a\n- b\n---\nbody\n", "chapters/x.md:2: front-matter must be a mapping"),
    ("---\na: &x [1]\nb: 2\n---\nbody\n", "chapters/x.md:2: YAML anchors (&name) are not allowed"),
    ("---\na: 1\nb: *x\n---\nbody\n", "chapters/x.md:3: YAML aliases (*name) are not allowed"),
])
def test_malformed_front_matter_is_one_clear_line(text, expected):
    found = messages(text)
    assert any(m.startswith(expected) for m in found), found


def test_chapter_without_text_is_an_error():
    assert any("has no text after its front-matter" in m for m in messages(GOOD.replace("Body text.\n", "")))


def test_duplicate_id_and_order_across_chapters_name_both_files(project):
    front = GOOD.split("---")[1]
    write_chapter(project, "09-copy.md", front.replace("id: a-title", "id: shared").replace("order: 3", "order: 1"),
                  "Body.\n")
    with pytest.raises(ValidationFailed) as failed:
        load_chapters(project)
    lines = failed.value.lines()
    assert "chapters/09-copy.md:3: duplicate id 'shared': chapters/01-shared.md uses it too" in lines
    assert "chapters/09-copy.md:4: duplicate order 1: chapters/01-shared.md uses it too" in lines


def test_problems_in_several_files_are_all_reported(project):
    (project / "chapters" / "01-shared.md").write_text(GOOD.replace("order: 3", "order: many"), encoding="utf-8")
    (project / "chapters" / "02-patient-only.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        load_chapters(project)
    paths = {p.path for p in failed.value.problems}
    assert paths == {"chapters/01-shared.md", "chapters/02-patient-only.md"}


def test_non_utf8_chapter_names_file_and_line(project):
    (project / "chapters" / "03-latin1.md").write_bytes(GOOD.encode() + "caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValidationFailed) as failed:
        load_chapters(project)
    assert any(line.startswith("chapters/03-latin1.md:11: not UTF-8 text") for line in failed.value.lines())
