"""Hostile source text, round 2: what the corpus (tests/bad_input/src-*) cannot show on its own.

Duplicate keys and numbers past their bounds in the YAML loader, direction controls and a
byte-order mark in read_text, text fields of nothing but invisible characters, chapters with no
text for an edition, unreadable files, a missing CHANGELOG.md, a booklet published already
overdue for review, http:// addresses, and `booklet new` after a chapter with a huge order.
"""
from __future__ import annotations

import builtins
import errno
import os
import unicodedata

import pytest

from booklet.authoring.readability import measure, running_text
from booklet.errors import BookletError
from booklet.files import read_text
from booklet.pipeline import prepare
from booklet.source.chapters import parse_chapter
from booklet.source.fields import Field, validate_mapping
from booklet.source.yamlfile import MAX_DIGITS, load_yaml
from conftest import booklet, write_chapter

FRONT = """
title: Wound care
id: wound-care
order: 3
audience: patient
summary: Wounds heal slowly.
reviewed: 2026-01-01
next_review: 2027-01-01
sources: [web-reviewed]
"""
BODY = "Kingfisher wound care text [@web-reviewed].\n"


def yaml_error(text: str, first_line: int = 1) -> str:
    with pytest.raises(BookletError) as raised:
        load_yaml(text, "x.yaml", first_line)
    return str(raised.value)


# 1. Duplicate keys -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("status: draft\ntitle: T\nstatus: ready\n", "x.yaml:3: duplicate key 'status' (line 1 sets it too)"),
    ('status: draft\n"status": ready\n', "x.yaml:2: duplicate key 'status' (line 1 sets it too)"),
    ("author: [{family: A, family: B}]\n", "x.yaml:1: duplicate key 'family' (line 1 sets it too)"),
    ("- id: a\n  title: T\n  id: b\n", "x.yaml:3: duplicate key 'id' (line 1 sets it too)"),
    ("a: {x: 1}\nb:\n  y: 1\n  y: 2\n", "x.yaml:4: duplicate key 'y' (line 3 sets it too)"),
    ("1: a\n0x1: b\n", "x.yaml:2: duplicate key '0x1' (line 1 sets it too)"),  # the same number
])
def test_a_key_given_twice_is_an_error_naming_both_lines(text, expected):
    assert yaml_error(text) == expected


def test_duplicate_key_lines_are_lines_of_the_chapter_file():
    text = f"---{FRONT}status: draft\nstatus: ready\n---\n{BODY}"
    _, problems = parse_chapter(text, "chapters/03-x.md")
    assert [str(p) for p in problems] == ["chapters/03-x.md:11: duplicate key 'status' (line 10 sets it too)"]


def test_the_same_key_in_different_mappings_is_not_a_duplicate():
    data, _ = load_yaml("a: {id: 1}\nb: {id: 2}\nc:\n- id: 3\n- id: 4\n", "x.yaml")
    assert data == {"a": {"id": 1}, "b": {"id": 2}, "c": [{"id": 3}, {"id": 4}]}


# 2. Numbers --------------------------------------------------------------------------------------

def test_whole_numbers_of_up_to_15_digits_load_and_longer_ones_are_refused():
    assert MAX_DIGITS == 15
    assert load_yaml(f"n: {'9' * 15}\nm: -1_000\nh: 0xff\n", "x.yaml")[0] == {"n": 10 ** 15 - 1, "m": -1000, "h": 255}
    assert yaml_error(f"a: 1\nn: {'9' * 16}\n") == (
        "x.yaml:2: number 9999999999999999 has more than 15 digits: no field takes one so long "
        "(put it in quotes if it is text)")
    assert yaml_error(f"n: {'1_' * 3000}1\n").startswith("x.yaml:1: number 1_1_1_1_1_1_1_1_1_1_... (6,001 characters)")
    assert yaml_error("n: 0xfffffffffffffff\n") == (
        "x.yaml:1: number 0xfffffffffffffff is too large: no field takes a number of more than 15 digits")
    assert yaml_error("n: [1.5e+999]\n") == "x.yaml:1: number 1.5e+999 is too large for any field"
    assert load_yaml("n: '99999999999999999999'\n", "x.yaml")[0] == {"n": "9" * 20}  # quoted: text


@pytest.mark.parametrize("text, expected", [
    ("order: !!int three\n", "x.yaml:1: invalid YAML: 'three' cannot be read as !!int"),
    ("order: !!int\n", "x.yaml:1: invalid YAML: '' cannot be read as !!int"),
    ("order: !!int [3]\n", "x.yaml:1: invalid YAML: a list cannot be read as !!int"),
    ("n: !!float lots\n", "x.yaml:1: invalid YAML: 'lots' cannot be read as !!float"),
    ("factual: !!bool maybe\n", "x.yaml:1: invalid YAML: 'maybe' cannot be read as !!bool"),
    ("reviewed: !!timestamp soon\n", "x.yaml:1: invalid YAML: 'soon' cannot be read as !!timestamp"),
])
def test_a_value_its_explicit_tag_does_not_fit_is_invalid_yaml_not_a_crash(text, expected):
    assert yaml_error(text) == expected


def test_a_number_too_long_in_a_key_is_refused_too():
    assert yaml_error(f"{'7' * 1000}: x\n").startswith("x.yaml:1: number 77777777777777777777... (1,000 characters)")


@pytest.mark.parametrize("order, ok", [(1, True), (9999, True), (0, False), (-3, False), (10000, False)])
def test_order_is_bounded(order, ok):
    _, problems = parse_chapter(f"---{FRONT.replace('order: 3', f'order: {order}')}---\n{BODY}", "chapters/x.md")
    messages = [str(p) for p in problems]
    assert messages == ([] if ok else [f"chapters/x.md:4: 'order' must be a whole number from 1 to 9999, not {order}"])


def test_booklet_new_after_a_chapter_with_a_huge_order_is_a_clean_error(project):
    write_chapter(project, "03-last.md", FRONT.replace("order: 3", "order: 9999"), BODY)
    result = booklet(project, "new", "After the last", "--audience", "patient")
    assert result.returncode == 2
    assert result.stderr == ("booklet: the last chapter has order 9999, the highest a chapter may have; give a free "
                             "one with --order N (free: 4-9998)\n")
    taken = booklet(project, "new", "After the last", "--audience", "patient", "--order", "9999")
    assert taken.stderr == "booklet: order 9999 is taken; give a free one with --order N (free: 4-9998)\n"
    too_big = booklet(project, "new", "After the last", "--audience", "patient", "--order", "10000")
    assert too_big.stderr == "booklet: --order must be from 1 to 9999, not 10000\n"
    assert sorted(p.name for p in (project / "chapters").iterdir()) == ["01-shared.md", "02-patient-only.md",
                                                                       "03-last.md"]


def test_booklet_new_beside_a_broken_chapter_with_a_huge_order_or_prefix_takes_the_next_order(project):
    write_chapter(project, "03-huge.md", FRONT.replace("order: 3", f"order: {'9' * 5000}"), BODY)
    write_chapter(project, f"{'1' * 200}-long.md", FRONT.replace("order: 3", "order: 100000"), BODY)
    result = booklet(project, "new", "Next one", "--audience", "patient")
    assert result.returncode == 0, result.stderr
    assert "wrote chapters/04-next-one.md (id 'next-one', order 4," in result.stdout


# 3. Direction controls ---------------------------------------------------------------------------

DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("char", DIRECTION_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_direction_control_is_refused_with_its_line_and_column(tmp_path, char):
    file = tmp_path / "x.md"
    file.write_bytes(f"---\r\ntitle: T\r\n---\r\nA dose of {char}52 mg.\r\n".encode())
    with pytest.raises(BookletError) as raised:
        read_text(file, "chapters/x.md", tmp_path)
    assert str(raised.value) == (f"chapters/x.md:4: invisible direction control U+{ord(char):04X} "
                                 f"({unicodedata.name(char)}) in column 11 can reorder the text as printed "
                                 "(a dose of 52 shown as 25); remove it")


def test_other_invisible_characters_in_running_text_are_not_direction_controls(tmp_path):
    file = tmp_path / "x.md"
    file.write_text("Kidney\u00ad\u200bdisease \u2060and\u200d more\n", encoding="utf-8")
    assert read_text(file, "x.md", tmp_path) == "Kidney\u00ad\u200bdisease \u2060and\u200d more\n"


def test_a_direction_control_in_a_yaml_escape_is_refused_in_every_text_field():
    fields = (Field("note", "text", "A note."), Field("names", "names", "Names."), Field("tags", "text-list", "Tags."))
    data = {"note": "Dose \u202e25", "names": [{"family": "Smith\u2067"}], "tags": ["a", "\u200fb"]}
    _, problems = validate_mapping(data, fields, "x.yaml", {}, "x")
    assert [p.message for p in problems] == [
        "'note' holds an invisible direction control U+202E (RIGHT-TO-LEFT OVERRIDE), which can reorder the "
        "text as printed (a dose of 52 shown as 25); remove it",
        "'names' has a name that holds an invisible direction control U+2067 (RIGHT-TO-LEFT ISOLATE), which can "
        "reorder the text as printed (a dose of 52 shown as 25); remove it",
        "'tags' has an item that holds an invisible direction control U+200F (RIGHT-TO-LEFT MARK), which can "
        "reorder the text as printed (a dose of 52 shown as 25); remove it",
    ]


# 4. Byte-order mark ------------------------------------------------------------------------------

def test_one_leading_byte_order_mark_is_dropped(tmp_path):
    file = tmp_path / "x.md"
    file.write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n")
    assert read_text(file, "x.md", tmp_path) == "---\ntitle: T\n"
    file.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfx")
    assert read_text(file, "x.md", tmp_path) == "\ufeffx"  # only one: a second is no byte-order mark


def test_a_project_saved_with_byte_order_marks_checks_and_prepares(project):
    for name in ("booklet.yaml", "references.yaml", "CHANGELOG.md", "chapters/02-patient-only.md"):
        path = project / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = booklet(project, "check", "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    assert "ok: booklet.yaml, 4 references and 2 chapter(s) are valid" in result.stdout
    patient = next(o for o in prepare(project).plan.outputs if o.audience == "patient")
    assert [c.id for c in patient.chapters] == ["shared", "patient-only"]


# 5. Text fields of invisible characters only ------------------------------------------------------

@pytest.mark.parametrize("invisible", ["\u200b", "\u200c\u200d", "\u2060", "\u00ad", "\ufeff", "\u180e",
                                       "\u3164", "\u2800", "\u034f", "\ufe0f", "\u00a0\u200b", "\u2028\u200b",
                                       "\u3000\u200b\u205f"])
def test_a_title_of_invisible_characters_only_is_empty(invisible):
    escaped = "".join(f"\\u{ord(c):04X}" for c in invisible)
    front = FRONT.replace("title: Wound care", 'title: "' + escaped + '"')
    text = f"---{front}---\n{BODY}"
    _, problems = parse_chapter(text, "chapters/x.md")
    assert [str(p) for p in problems] == ["chapters/x.md:2: 'title' is empty once invisible characters are removed"]


def test_text_with_some_visible_characters_stays_as_written():
    front = FRONT.replace("title: Wound care", "title: Wound\u00adcare \u200bat home")
    chapter, problems = parse_chapter(f"---{front}---\n{BODY}", "chapters/x.md")
    assert problems == [] and chapter.title == "Wound\u00adcare \u200bat home"


# 6. A chapter with no text for an edition ---------------------------------------------------------

CLINICIAN_ONLY = "::: clinician\nClinician marker text [@web-reviewed].\n:::\n"


def test_readability_of_a_chapter_with_no_patient_text_is_none_not_a_crash():
    front = FRONT.replace("audience: patient", "audience: both")
    chapter, problems = parse_chapter(f"---{front}---\n{CLINICIAN_ONLY}", "chapters/x.md")
    assert problems == []
    assert running_text("") == [] and running_text("   \n") == []
    assert measure(chapter) is None
    words, _ = parse_chapter(f"---{FRONT}---\n... [@web-reviewed]\n", "chapters/x.md")
    assert measure(words) is None  # no words: nothing to score


def test_a_draft_with_no_patient_text_is_a_warning_and_check_finishes(project):
    front = FRONT.replace("audience: patient", "audience: both") + "status: draft\n"
    write_chapter(project, "03-draft.md", front, CLINICIAN_ONLY)
    result = booklet(project, "check", "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    assert ("chapters/03-draft.md:5: warning: 'audience' is both, but the chapter has no text for the patient "
            "edition (all of it is in '::: clinician' blocks): give it some, or make the audience clinician"
            in result.stderr.splitlines())
    assert "readability of the patient edition" in result.stdout


def test_a_chapter_with_no_patient_text_is_fine_when_the_booklet_has_no_patient_edition(project):
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("editions: [patient, clinician]", "editions: [clinician]"))
    (project / "chapters" / "02-patient-only.md").unlink()
    write_chapter(project, "03-both.md", FRONT.replace("audience: patient", "audience: both"), CLINICIAN_ONLY)
    result = booklet(project, "check", "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr


# 7. Files that cannot be read ---------------------------------------------------------------------

def _failing_open(monkeypatch, name: str, error: OSError) -> None:
    def fake(file, *args, **kwargs):
        if os.fspath(file).endswith(name):
            raise error
        return builtins.open(file, *args, **kwargs)
    monkeypatch.setattr("booklet.files.open", fake, raising=False)


@pytest.mark.parametrize("error, reason", [
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    (OSError(errno.ENAMETOOLONG, "File name too long"), "File name too long"),
    (IsADirectoryError(errno.EISDIR, "Is a directory"), "Is a directory"),
])
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_unreadable_chapter_is_one_line_naming_it(project, monkeypatch, error, reason, command):
    _failing_open(monkeypatch, "02-patient-only.md", error)
    result = booklet(project, command)
    assert result.returncode == 1
    assert result.stderr == f"chapters/02-patient-only.md: cannot be read: {reason}\n"


@pytest.mark.parametrize("name", ["booklet.yaml", "references.yaml", "CHANGELOG.md"])
def test_every_unreadable_input_is_one_line_naming_it(project, monkeypatch, name):
    _failing_open(monkeypatch, name, PermissionError(errno.EACCES, "Permission denied"))
    result = booklet(project, "check")
    assert result.returncode == 1
    assert result.stderr == f"{name}: cannot be read: Permission denied\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode; "
                    "test_an_unreadable_chapter_is_one_line_naming_it makes open() fail instead")
def test_a_chapter_without_read_permission_is_one_line(project):
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.chmod(0)
    try:
        result = booklet(project, "check")
    finally:
        chapter.chmod(0o644)
    assert result.returncode == 1
    assert result.stderr == "chapters/02-patient-only.md: cannot be read: Permission denied\n"


def test_a_brand_file_name_too_long_is_one_line(project):
    name = "a" * 300
    (project / "brands").mkdir()
    result = booklet(project, "build", "--brand", f"brands/{name}.yaml")
    assert result.returncode == 1
    assert result.stderr == f"brands/{name}.yaml: cannot be read: File name too long\n"


# 8. CHANGELOG.md ----------------------------------------------------------------------------------

def test_a_changelog_that_is_a_folder_is_not_called_missing(project):
    (project / "CHANGELOG.md").unlink()
    (project / "CHANGELOG.md").mkdir()
    assert booklet(project, "check").stderr == "CHANGELOG.md: is not a regular file\n"


# 9. Published after a review date ----------------------------------------------------------------

def _publish_on(project, day: str) -> None:
    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("published: 2026-01-15", f"published: {day}"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0 (2026-01-15)", f"## 2.1.0 ({day})"))


def test_publishing_on_the_review_date_itself_is_allowed(project):
    _publish_on(project, "2026-06-30")  # 02-patient-only is due on 2026-06-30
    assert booklet(project, "check", "--as-of", "2026-06-01").returncode == 0


def test_a_draft_due_for_review_does_not_stop_publication_and_several_due_are_counted(project):
    _publish_on(project, "2027-02-01")
    write_chapter(project, "03-draft.md", FRONT + "status: draft\n", BODY)  # due 2027-01-01, but a draft
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr == ("booklet.yaml:5: 'published' (2027-02-01) comes after the next review of chapter "
                             "'patient-only' (2026-06-30, chapters/02-patient-only.md:8): the booklet would be "
                             "printed already overdue for review; 1 other chapter(s) are due before then too\n")


# 10. https only ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, problem", [
    ("https://example.org/a", None),
    ("http://example.org/a", "'URL' must be an https:// address, not 'http://example.org/a': "
                             "use 'https://example.org/a'"),
    ("Http://example.org/a", "'URL' must be an https:// address, not 'Http://example.org/a': "
                             "use 'https://example.org/a'"),
    ("ftp://example.org/a", "'URL' must be a web address starting https://, not 'ftp://example.org/a'"),
])
def test_web_addresses_must_be_https(url, problem):
    _, problems = validate_mapping({"URL": url}, (Field("URL", "url", "An address."),), "x.yaml", {}, "x")
    assert [p.message for p in problems] == ([problem] if problem else [])
