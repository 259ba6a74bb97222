"""`booklet new`: a draft chapter that checks, stays out of builds, and is previewed as a handout."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from booklet.source.chapters import parse_chapter, split_front_matter
from booklet.authoring.new import free_orders, slug_of
from booklet.dates import months_later
from booklet.output.editions import inputs_digest
from booklet.pipeline import prepare
from conftest import booklet



def _front(path) -> dict:
    front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return yaml.safe_load(front)


def _write_the_chapter(path, status: str) -> None:
    """What an author does next: a summary, text with a citation, its source, and the status."""
    text = path.read_text(encoding="utf-8")
    front, body, _ = split_front_matter(text, path.name)
    front = (front.replace("Replace this line with the chapter's main message, in one sentence.",
                           "Wounds heal slowly and need daily care.")
             .replace("sources: []", "sources: [web-reviewed]")
             .replace("status: draft", f"status: {status}"))
    path.write_text(f"---\n{front}\n---\n\nKingfisher wound care text for everyone [@web-reviewed].\n",
                    encoding="utf-8")


def test_new_writes_a_draft_with_complete_front_matter_after_the_last_chapter(project):
    before = dt.date.today()
    result = booklet(project, "new", "Wound care: at home & in hospital", "--audience", "both")
    days = {before, dt.date.today()}  # the day it ran (the clock may pass midnight meanwhile)
    assert result.returncode == 0, result.stderr
    path = project / "chapters" / "03-wound-care-at-home-in-hospital.md"
    assert f"wrote chapters/{path.name}" in result.stdout
    assert "order 3 puts it after 'Patient only chapter'; to move it, change its 'order'\n" in result.stdout
    front = _front(path)
    assert front["title"] == "Wound care: at home & in hospital"
    assert front["id"] == "wound-care-at-home-in-hospital"
    assert front["order"] == 3
    assert front["audience"] == "both"
    assert front["reviewed"] in days
    assert front["next_review"] == months_later(front["reviewed"], 12)
    assert front["status"] == "draft"
    chapter, problems = parse_chapter(path.read_text(encoding="utf-8"), path.name)
    assert chapter is not None and chapter.is_draft and not problems
    body = path.read_text(encoding="utf-8")
    assert "::: patient" in body and "::: clinician" in body  # both editions: show the blocks


def test_a_patient_chapter_gets_no_audience_blocks_and_order_can_be_chosen(project):
    result = booklet(project, "new", "Pain at night", "--audience", "patient", "--order", "7")
    assert result.returncode == 0, result.stderr
    path = project / "chapters" / "07-pain-at-night.md"
    assert _front(path)["order"] == 7
    assert ":::" not in path.read_text(encoding="utf-8")


def test_check_accepts_a_new_draft_with_warnings_naming_it(project):
    booklet(project, "new", "Pain at night", "--audience", "patient")
    result = booklet(project, "check")
    assert result.returncode == 0, result.stderr
    assert ("chapters/03-pain-at-night.md:10: warning: draft: builds leave this chapter out until its "
            "front-matter says 'status: ready'") in result.stderr
    assert "chapters/03-pain-at-night.md:2: warning: the chapter cites no source" in result.stderr
    assert "3 chapter(s) (1 draft(s), left out of builds) are valid" in result.stdout
    assert booklet(project, "check", "--strict").returncode == 1


def test_builds_leave_a_draft_out_until_it_is_marked_ready(project):
    booklet(project, "new", "Wound care", "--audience", "both")
    path = project / "chapters" / "03-wound-care.md"
    _write_the_chapter(path, "draft")
    assert "Kingfisher" not in prepare(project).html("patient-standard-a4")

    handout = prepare(project, chapter_id="wound-care").html("patient-handout-a4")
    assert "Kingfisher" in handout
    assert "Draft preview: this chapter is still being written" in handout
    assert "DRAFT: not for handing out" in handout  # in every page's top corner

    _write_the_chapter(path, "ready")
    check = booklet(project, "check")
    assert check.returncode == 0 and "draft" not in check.stderr
    assert "DRAFT" not in prepare(project, chapter_id="wound-care").html("patient-handout-a4")
    assert "Kingfisher" in prepare(project).html("patient-standard-a4")


def test_a_chapter_marked_ready_with_the_prompts_still_in_it_fails(project):
    booklet(project, "new", "Wound care", "--audience", "both")
    path = project / "chapters" / "03-wound-care.md"
    path.write_text(path.read_text().replace("status: draft", "status: ready"), encoding="utf-8")
    result = booklet(project, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "chapters/03-wound-care.md:6: 'summary' is still the prompt written by 'booklet new': give the " \
           "chapter's main message" in lines
    assert "chapters/03-wound-care.md:15: a prompt written by 'booklet new' is still here: replace it with " \
           "the chapter's text" in lines
    assert "chapters/03-wound-care.md:2: the chapter cites no source: cite the source of each fact as [@key], " \
           "or set 'factual: false' for a page with no facts (such as a notes page)" in lines


@pytest.mark.parametrize("args, message", [
    (["Shared chapter", "--audience", "both"],
     "booklet: chapter chapters/01-shared.md already has the id 'shared-chapter'"),
    (["Another", "--audience", "both", "--order", "2"],
     "booklet: order 2 is taken; leave out --order to use the next free one (3)"),
    (["  ", "--audience", "both"], "booklet: the title must be 1 to 120 characters"),
    (["***", "--audience", "both"], "booklet: the title needs some letters or digits"),
    (["Another", "--audience", "everyone"], "booklet: argument --audience: invalid choice"),
])
def test_new_refuses_what_would_clash_or_cannot_be_named(project, args, message):
    if "Shared chapter" in args:  # a title whose id is already taken
        shared = project / "chapters" / "01-shared.md"
        shared.write_text(shared.read_text().replace("id: shared", "id: shared-chapter"))
    before = sorted(p.name for p in (project / "chapters").iterdir())
    result = booklet(project, "new", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert sorted(p.name for p in (project / "chapters").iterdir()) == before


def test_free_orders_are_the_gaps_below_the_last():
    assert free_orders({1, 2, 3, 10, 11, 12, 20, 30}) == ((4, 9), (13, 19), (21, 29))
    assert free_orders(set()) == ()


def test_slug_and_review_interval():
    assert slug_of("Débridement & dressings: a how-to") == "debridement-dressings-a-how-to"
    assert months_later(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert months_later(dt.date(2026, 11, 21), 12) == dt.date(2027, 11, 21)


def test_a_draft_does_not_change_the_inputs_of_a_release(project):
    before = inputs_digest(project)
    booklet(project, "new", "Pain at night", "--audience", "patient")
    assert inputs_digest(project, ("chapters/03-pain-at-night.md",)) == before
    assert inputs_digest(project) != before
