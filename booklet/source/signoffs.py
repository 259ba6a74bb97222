"""Sign-offs: who checked a chapter, in what role, and exactly which text they approved.

Each chapter's sign-offs live in reviews/<chapter id>.yaml, a list of entries that `booklet
review sign` appends to. An entry holds the SHA-256 of the chapter's text for one edition (its
title, main message and body as that edition prints them), so an edit after the sign-off voids
it, and only for the edition whose text changed: a patient-only edit leaves a clinician
reviewer's sign-off standing. booklet.yaml names the roles a release needs for each edition;
`booklet check` lists what is missing or void, and `booklet release` refuses an edition that
lacks them unless booklet.yaml marks it a draft for review.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ERROR, WARNING, BookletError, Problem
from ..files import read_text
from .chapters import Chapter
from .config import SIGN_OFF_ROLES, BookletConfig
from .fields import describe, fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

REVIEW_DIR = "reviews"
ROLES = SIGN_OFF_ROLES
ROLE_WORDS = {"author": "an author", "clinical-reviewer": "a clinical reviewer",
              "patient-reviewer": "a patient or lay reviewer", "editor": "an editor"}
EDITIONS = ("patient", "clinician")


@dataclass(frozen=True)
class SignOff:
    role: str = spec("choice", "The signer's role: author, clinical-reviewer, patient-reviewer (a patient or "
                               "lay reader) or editor.", choices=ROLES)
    name: str = spec("text", "The signer's name, as it may be printed.")
    date: dt.date = spec("date", "When they signed (YYYY-MM-DD).")
    checked: str = spec("text", "What they checked, in a sentence.")
    edition: str = spec("choice", "Which edition's text the sign-off covers: patient or clinician.",
                        choices=EDITIONS)
    text_sha256: str = spec("sha256", "SHA-256 of that text when they signed (written by 'booklet review "
                                      "sign'); a later edit voids the sign-off.", key="text-sha256")
    line: int | None = None  # where the entry starts in its file

    def covers(self, chapter: Chapter) -> bool:
        return self.text_sha256 == text_digest(chapter, self.edition)


SIGN_OFF_FIELDS = fields_of(SignOff)


def review_file(chapter_id: str) -> str:
    return f"{REVIEW_DIR}/{chapter_id}.yaml"


def approved_text(chapter: Chapter, edition: str) -> str:
    """The chapter as an edition prints it (title, main message, body), with line endings and
    trailing spaces made uniform, so that only a change of words voids a sign-off."""
    text = f"{chapter.title}\n\n{chapter.cited_text(edition)}"
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def text_digest(chapter: Chapter, edition: str) -> str:
    return hashlib.sha256(approved_text(chapter, edition).encode("utf-8")).hexdigest()


def chapter_editions(chapter: Chapter, config: BookletConfig) -> tuple[str, ...]:
    """The editions this booklet prints the chapter in."""
    return tuple(e for e in EDITIONS if e in config.editions and chapter.is_for(e))


def required_roles(config: BookletConfig, edition: str) -> tuple[str, ...]:
    return config.patient_sign_offs if edition == "patient" else config.clinician_sign_offs


def read_sign_offs(root: Path, chapters: tuple[Chapter, ...]) -> tuple[dict[str, tuple[SignOff, ...]], list[Problem]]:
    """Every chapter's sign-offs by chapter id, and every problem in the files."""
    folder = root / REVIEW_DIR
    found: dict[str, tuple[SignOff, ...]] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return found, problems
    ids = {chapter.id for chapter in chapters}
    for path in sorted(folder.iterdir()):
        shown = f"{REVIEW_DIR}/{path.name}"
        if path.suffix != ".yaml":
            continue
        if path.stem not in ids:
            problems.append(Problem(shown, None, f"no chapter has the id '{path.stem}': name the file after the "
                                                 "id of the chapter it signs off", WARNING))
            continue
        entries, file_problems = _read_file(path, shown, root)
        found[path.stem] = entries
        problems += file_problems
    return found, problems


def _read_file(path: Path, shown: str, root: Path) -> tuple[tuple[SignOff, ...], list[Problem]]:
    try:
        data, lines = load_yaml(read_text(path, shown, root), shown)
    except BookletError as err:
        return (), err.as_problems(shown)
    if data is None:
        return (), []
    if not isinstance(data, list):
        return (), [Problem(shown, 1, f"must be a list of sign-offs, not {describe(data)}")]
    entries, problems = [], []
    for index, item in enumerate(data):
        values, found = validate_mapping(item, SIGN_OFF_FIELDS, shown, lines, "a sign-off", (index,))
        problems += found
        if not found:
            entries.append(from_values(SignOff, SIGN_OFF_FIELDS, values, line=lines.get((index,))))
    return tuple(entries), problems


def void_sign_offs(config: BookletConfig, chapters: tuple[Chapter, ...],
                   records: dict[str, tuple[SignOff, ...]]) -> list[Problem]:
    """A warning for each sign-off an edit has voided: the text it approved is no longer printed."""
    problems = []
    for chapter in chapters:
        for entry in records.get(chapter.id, ()) if not chapter.is_draft else ():
            if entry.edition in chapter_editions(chapter, config) and not entry.covers(chapter):
                problems.append(Problem(review_file(chapter.id), entry.line,
                                        f"the {entry.role} sign-off by {entry.name} ({entry.date.isoformat()}) was "
                                        f"for other {entry.edition} text: the chapter changed after it, so it no "
                                        "longer counts; sign again once the change is checked", WARNING))
    return problems


def missing_sign_offs(config: BookletConfig, chapters: tuple[Chapter, ...],
                      records: dict[str, tuple[SignOff, ...]]) -> list[tuple[Chapter, str, tuple[str, ...]]]:
    """Each chapter and edition whose text, as it stands, lacks a role booklet.yaml requires."""
    missing = []
    for chapter in chapters:
        if chapter.is_draft:
            continue
        entries = records.get(chapter.id, ())
        for edition in chapter_editions(chapter, config):
            current = {entry.role for entry in entries if entry.edition == edition and entry.covers(chapter)}
            if lacking := tuple(role for role in required_roles(config, edition) if role not in current):
                missing.append((chapter, edition, lacking))
    return missing


def missing_sign_off_problems(config: BookletConfig, chapters: tuple[Chapter, ...],
                              records: dict[str, tuple[SignOff, ...]], severity: str) -> list[Problem]:
    return [Problem(chapter.path, None, f"the {edition} text, as it stands, is not signed off by "
                    f"{' and '.join(ROLE_WORDS[role] for role in roles)}: a release needs "
                    f"{'it' if len(roles) == 1 else 'both' if len(roles) == 2 else 'them'}"
                    + (" unless booklet.yaml says 'draft_for_review: true'" if severity == ERROR else ""), severity)
            for chapter, edition, roles in missing_sign_offs(config, chapters, records)]


def release_sign_off_errors(config: BookletConfig, chapters: tuple[Chapter, ...],
                            records: dict[str, tuple[SignOff, ...]]) -> list[Problem]:
    """What stops a release: the required sign-offs, unless the edition is a draft for review."""
    return [] if config.draft_for_review else missing_sign_off_problems(config, chapters, records, ERROR)


def sign_off_entry(chapter: Chapter, edition: str, role: str, name: str, checked: str, date: dt.date) -> str:
    """One sign-off as YAML list text, appended to the chapter's file (so comments stay)."""
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one

    return (f"- role: {role}\n  name: {quoted(name)}\n  date: {date.isoformat()}\n  checked: {quoted(checked)}\n"
            f"  edition: {edition}\n  text-sha256: {text_digest(chapter, edition)}\n")
