"""Audience blocks: `::: patient` / `::: clinician` text reaches only its own edition."""
from __future__ import annotations

from booklet.source.audience import split_audiences, text_for

BODY = """Shared start.

::: patient
For patients.
:::

::: clinician
For clinicians.
:::

Shared end.
"""


def test_each_edition_gets_shared_text_and_its_own_blocks_in_order():
    segments, problems = split_audiences(BODY, 10, "c.md")
    assert problems == []
    patient = text_for(segments, "patient")
    clinician = text_for(segments, "clinician")
    assert patient.index("Shared start.") < patient.index("For patients.") < patient.index("Shared end.")
    assert "For clinicians." not in patient
    assert "For clinicians." in clinician and "For patients." not in clinician


def test_segments_keep_their_line_numbers_in_the_file():
    segments, _ = split_audiences(BODY, 10, "c.md")
    clinician = next(s for s in segments if s.audience == "clinician")
    assert clinician.first_line == 17  # the body starts on line 10; the block's text on its 8th line


def test_unclosed_block_names_the_line_that_opened_it():
    segments, problems = split_audiences("Intro.\n\n::: clinician\nNever closed.\n", 5, "c.md")
    assert [str(p) for p in problems] == [
        "c.md:7: '::: clinician' block opened here is never closed (add a line ':::' after it)"]


def test_nested_block_is_an_error():
    _, problems = split_audiences("::: patient\n::: clinician\nx\n:::\n", 1, "c.md")
    assert any("c.md:2: '::: clinician' opens a block inside the 'patient' block opened on line 1" in str(p)
               for p in problems)


def test_stray_closing_fence_is_an_error():
    _, problems = split_audiences("text\n:::\n", 1, "c.md")
    assert [str(p) for p in problems] == ["c.md:2: ':::' closes a block that was never opened"]


def test_unknown_audience_suggests_the_right_one():
    _, problems = split_audiences("::: clinicians\nx\n:::\n", 1, "c.md")
    assert "did you mean 'clinician'?" in str(problems[0])


def test_fences_inside_code_blocks_are_left_alone():
    segments, problems = split_audiences("```\n::: patient\n```\n", 1, "c.md")
    assert problems == [] and "::: patient" in text_for(segments, "clinician")
