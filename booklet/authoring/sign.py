"""`booklet review sign`: record that someone checked a chapter, bound to its text as it is now.

The entry is appended to reviews/<chapter id>.yaml as text, so the file's comments and earlier
entries stay as they were; it is checked as `booklet check` would read it before the file is
replaced (atomically) with the new version.
"""
from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

from ..errors import BookletError, ValidationFailed
from ..files import atomic_write, read_text, real_folder
from ..source.fields import did_you_mean, validate_mapping
from ..source.project import load_project
from ..source.yamlfile import load_yaml
from ..source.signoffs import (REVIEW_DIR, SIGN_OFF_FIELDS, SignOffContext, chapter_editions, review_file,
                               sign_off_entry)

MAX_NAME, MAX_CHECKED = 120, 500


def account() -> str:
    """Who ran the command, as the computer knows them: recorded, never typed."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


HEADER = ("# yaml-language-server: $schema=../schemas/sign-offs.schema.json\n"
          "# Sign-offs for chapter '{id}': written by 'booklet review sign'. Each holds the SHA-256 of what\n"
          "# one edition printed of the chapter when it was signed; a change after it voids that sign-off.\n")


def check_signature(name: str, checked: str, date: dt.date, shown: str) -> None:
    """A sign-off records a check already done, by someone named in a line, saying what they checked."""
    if date > dt.date.today():
        raise BookletError(f"--date {date.isoformat()} is after today: a sign-off records a check already done",
                           shown)
    if not name.strip() or "\n" in name or len(name) > MAX_NAME or "\n" in checked or len(checked) > MAX_CHECKED:
        raise BookletError(f"--name (one line, up to {MAX_NAME} characters) and --checked (one line, up to "
                           f"{MAX_CHECKED}) are needed as a line each", shown)


def sign_chapter(root: Path, chapter_id: str, role: str, name: str, checked: str, date: dt.date,
                 edition: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Append one sign-off per edition the chapter prints in (or for `edition` alone); returns
    the file written and the editions signed."""
    project = load_project(root)
    chapters = {chapter.id: chapter for chapter in project.chapters}
    if chapter_id not in chapters:
        raise BookletError(f"no chapter has the id '{chapter_id}'{did_you_mean(chapter_id, sorted(chapters))}",
                           "reviews")
    chapter = chapters[chapter_id]
    editions = chapter_editions(chapter, project.config)
    if edition is not None:
        if edition not in editions:
            raise BookletError(f"chapter '{chapter_id}' is not printed in the {edition} edition", chapter.path)
        editions = (edition,)
    shown = review_file(chapter_id)
    check_signature(name, checked, date, shown)
    context = SignOffContext(root, project.config, project.references)
    text = "".join(sign_off_entry(chapter, e, role, name, checked, date, context, account()) for e in editions)
    problems = []
    entries, lines = load_yaml(text, shown)  # read back as `booklet check` reads the file
    for index, entry in enumerate(entries):
        problems += validate_mapping(entry, SIGN_OFF_FIELDS, shown, lines, "a sign-off", (index,))[1]
    if problems:
        raise ValidationFailed(problems)
    folder = real_folder(root / REVIEW_DIR, root)
    path = folder / f"{chapter_id}.yaml"
    existing = read_text(path, shown, root) if path.exists() else HEADER.format(id=chapter_id)
    if existing and not existing.endswith("\n"):
        existing += "\n"
    atomic_write(path, (existing + text).encode("utf-8"))
    return shown, editions
