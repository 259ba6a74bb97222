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

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ERROR, WARNING, BookletError, Problem
from ..files import read_text
from ..dates import PartialDate
from .chapters import Chapter
from .citations import cited_keys
from .references import Reference
from .config import AUDIENCES, SIGN_OFF_ROLES, BookletConfig
from .fields import describe, fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

REVIEW_DIR = "reviews"
ROLE_WORDS = {"author": "an author", "clinical-reviewer": "a clinical reviewer",
              "patient-reviewer": "a patient or lay reviewer", "editor": "an editor"}


@dataclass(frozen=True)
class SignOff:
    role: str = spec("choice", "The signer's role: author, clinical-reviewer, patient-reviewer (a patient or "
                               "lay reader) or editor.", choices=SIGN_OFF_ROLES)
    name: str = spec("text", "The signer's name, as it may be printed.")
    date: dt.date = spec("date", "When they signed (YYYY-MM-DD).")
    checked: str = spec("text", "What they checked, in a sentence.")
    edition: str = spec("choice", "Which edition's text the sign-off covers: patient or clinician.",
                        choices=AUDIENCES)
    text_sha256: str = spec("sha256", "SHA-256 of what the edition printed of the chapter when they signed: "
                                      "its text, the sources it cites, its pictures and the booklet's emergency "
                                      "number (written by 'booklet review sign'); any change voids the sign-off.",
                            key="text-sha256")
    recorded_by: str | None = spec("text", "The computer account that ran 'booklet review sign' (written by it).",
                                   key="recorded-by", default=None)
    line: int | None = None  # where the entry starts in its file

    def covers(self, chapter: Chapter, context: SignOffContext) -> bool:
        return self.text_sha256 == text_digest(chapter, self.edition, context)


SIGN_OFF_FIELDS = fields_of(SignOff)


def review_file(chapter_id: str) -> str:
    return f"{REVIEW_DIR}/{chapter_id}.yaml"


def approved_text(chapter: Chapter, edition: str) -> str:
    """The chapter as an edition prints it (title, main message, body), with line endings and
    trailing spaces made uniform, so that only a change of words voids a sign-off."""
    text = f"{chapter.title}\n\n{chapter.cited_text(edition)}"
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


@dataclass(frozen=True)
class SignOffContext:
    """What a chapter prints that is not in its file: the booklet's emergency number (the brand's
    unit numbers are each unit's own), the entries of the sources it cites, its pictures."""
    root: Path
    config: BookletConfig
    references: dict[str, Reference]
    # Each chapter's digest per edition, made once: a build compares every sign-off for every copy.
    digests: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict, compare=False, repr=False)


_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def _plain(value: object) -> object:
    if isinstance(value, PartialDate):
        return [value.year, value.month, value.day]
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def printed_context(chapter: Chapter, edition: str, context: SignOffContext) -> str:
    """The rest of what the chapter prints, as text: a change to any of it voids a sign-off."""
    text = chapter.cited_text(edition)
    parts = [f"emergency number: {context.config.emergency_number}"]
    for key in sorted(set(cited_keys(text))):
        ref = context.references.get(key)
        plain = _plain(ref)
        entry = {k: v for k, v in plain.items() if k != "line"} if isinstance(plain, dict) else None
        parts.append(f"source {key}: {json.dumps(entry, sort_keys=True, ensure_ascii=False)}")
    folder = (context.root / chapter.path).parent
    for src in sorted(set(_IMAGE.findall(text))):
        path = (folder / src).resolve()
        inside = path.is_relative_to(context.root.resolve()) and path.is_file()
        parts.append(f"picture {src}: {hashlib.sha256(path.read_bytes()).hexdigest() if inside else 'missing'}")
    return "\n".join(parts) + "\n"


def text_digest(chapter: Chapter, edition: str, context: SignOffContext) -> str:
    key = (chapter.path, edition)
    if key not in context.digests:
        printed = approved_text(chapter, edition) + "\n--\n" + printed_context(chapter, edition, context)
        context.digests[key] = hashlib.sha256(printed.encode("utf-8")).hexdigest()
    return context.digests[key]


def chapter_editions(chapter: Chapter, config: BookletConfig) -> tuple[str, ...]:
    """The editions this booklet prints the chapter in."""
    return tuple(e for e in AUDIENCES if e in config.editions and chapter.is_for(e))


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
    return read_entry_list(path, shown, root, SignOff, SIGN_OFF_FIELDS)


def read_entry_list(path: Path, shown: str, root: Path, kind: type, fields) -> tuple[tuple, list[Problem]]:
    """A YAML file holding a list of sign-offs (of chapters, or of translations): each entry
    validated against `fields` and made a `kind`, with every problem found."""
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
        values, found = validate_mapping(item, fields, shown, lines, "a sign-off", (index,))
        problems += found
        if not found:
            entries.append(from_values(kind, fields, values, line=lines.get((index,))))
    return tuple(entries), problems


def sign_off_warnings(context: SignOffContext, chapters: tuple[Chapter, ...],
                      records: dict[str, tuple[SignOff, ...]]) -> list[Problem]:
    """A warning for each sign-off a change has voided and no later one of the same role
    replaces, and for a reviewer who is also the chapter's author (a review is someone else's)."""
    problems = []
    for chapter in chapters:
        entries = records.get(chapter.id, ()) if not chapter.is_draft else ()
        editions = chapter_editions(chapter, context.config)
        for index, entry in enumerate(entries):
            if entry.edition not in editions or entry.covers(chapter, context):
                continue
            if any(later.role == entry.role and later.edition == entry.edition and later.covers(chapter, context)
                   for later in entries[index + 1:]):
                continue  # superseded: kept as the record of an earlier approval
            problems.append(Problem(review_file(chapter.id), entry.line,
                                    f"the {entry.edition} text changed after {entry.name} signed it as "
                                    f"{entry.role} ({entry.date.isoformat()}), so that sign-off no longer counts: "
                                    "see what changed with 'booklet diff', then sign again", WARNING))
        authors = {entry.name for entry in entries if entry.role == "author"}
        for entry in entries:
            if entry.role in ("clinical-reviewer", "patient-reviewer") and entry.name in authors:
                problems.append(Problem(review_file(chapter.id), entry.line,
                                        f"{entry.name} signed as both author and {entry.role}: a review must be "
                                        "by someone other than the author", WARNING))
    return problems


def missing_sign_offs(context: SignOffContext, chapters: tuple[Chapter, ...],
                      records: dict[str, tuple[SignOff, ...]]) -> list[tuple[Chapter, str, tuple[str, ...]]]:
    """Each chapter and edition whose text, as it stands, lacks a role booklet.yaml requires."""
    missing = []
    for chapter in chapters:
        if chapter.is_draft:
            continue
        entries = records.get(chapter.id, ())
        for edition in chapter_editions(chapter, context.config):
            current = {e.role for e in entries if e.edition == edition and e.covers(chapter, context)}
            if lacking := tuple(role for role in required_roles(context.config, edition) if role not in current):
                missing.append((chapter, edition, lacking))
    return missing


def missing_sign_off_problems(context: SignOffContext, chapters: tuple[Chapter, ...],
                              records: dict[str, tuple[SignOff, ...]], severity: str) -> list[Problem]:
    return [Problem(chapter.path, None, f"the {edition} text, as it stands, is not signed off by "
                    f"{' and '.join(ROLE_WORDS[role] for role in roles)}: a release needs "
                    f"{'it' if len(roles) == 1 else 'both' if len(roles) == 2 else 'them'}"
                    + (" unless booklet.yaml says 'draft_for_review: true'" if severity == ERROR else ""), severity)
            for chapter, edition, roles in missing_sign_offs(context, chapters, records)]


def release_sign_off_errors(context: SignOffContext, chapters: tuple[Chapter, ...],
                            records: dict[str, tuple[SignOff, ...]]) -> list[Problem]:
    """What stops a release: the required sign-offs, unless the edition is a draft for review."""
    return [] if context.config.draft_for_review else missing_sign_off_problems(context, chapters, records, ERROR)


def sign_off_entry(chapter: Chapter, edition: str, role: str, name: str, checked: str, date: dt.date,
                   context: SignOffContext, recorded_by: str) -> str:
    """One sign-off as YAML list text, appended to the chapter's file (so comments stay)."""
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one

    return (f"- role: {role}\n  name: {quoted(name)}\n  date: {date.isoformat()}\n  checked: {quoted(checked)}\n"
            f"  edition: {edition}\n  text-sha256: {text_digest(chapter, edition, context)}\n"
            f"  recorded-by: {quoted(recorded_by)}\n")
