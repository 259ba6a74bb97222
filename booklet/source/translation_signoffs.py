"""translations/<language>/sign-offs.yaml: who checked a chapter's translation, bound to it.

A translation needs two people: a translator, and a reviewer who reads the language (for the
patient edition, ideally a clinician who speaks it). Each entry holds the SHA-256 of the
chapter's translation entries as they were when signed (the English of each block and its
translation, in the chapter's current blocks), so a change to either voids it: a reviewer
never stands behind a translation of English that has since changed. Without both roles
standing for every chapter, the language's copies are drafts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from ..errors import BookletError, Problem
from ..files import is_plain_file
from .blocks import Block
from .chapters import Chapter
from .fields import fields_of, spec
from .signoffs import read_entry_list
from .translations import TRANSLATION_DIR, context, message_id

TRANSLATION_ROLES = ("translator", "language-reviewer")
ROLE_WORDS = {"translator": "a translator", "language-reviewer": "a reviewer who reads the language"}


@dataclass(frozen=True)
class TranslationSignOff:
    chapter: str = spec("slug", "The chapter's id.")
    role: str = spec("choice", "translator, or language-reviewer (someone who reads the language: for the "
                               "patient edition, ideally a clinician who speaks it).", choices=TRANSLATION_ROLES)
    name: str = spec("text", "The signer's name, as it may be printed.")
    date: dt.date = spec("date", "When they signed (YYYY-MM-DD).")
    checked: str = spec("text", "What they checked, in a sentence.")
    entries_sha256: str = spec("sha256", "SHA-256 of the chapter's translation entries when they signed (written "
                                         "by 'booklet translate sign'); any change to the English or the "
                                         "translation voids the sign-off.", key="entries-sha256")
    recorded_by: str | None = spec("text", "The computer account that ran 'booklet translate sign'.",
                                   key="recorded-by", default=None)
    line: int | None = None


SIGN_OFF_FIELDS = fields_of(TranslationSignOff)


def sign_off_file(language: str) -> str:
    return f"{TRANSLATION_DIR}/{language}/sign-offs.yaml"


def entries_digest(chapter: Chapter, blocks: list[Block], catalogue: Catalog | None) -> str:
    """The chapter's translation as a reviewer approves it: for each of its current blocks, the
    English, the translation and whether it is marked fuzzy."""
    rows = []
    for key in sorted({(message_id(b), context(chapter, b)) for b in blocks}):
        entry = catalogue.get(*key) if catalogue is not None else None
        rows.append([key[1], key[0], str(entry.string) if entry is not None and entry.string else "",
                     bool(entry is not None and entry.fuzzy)])
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def read_translation_sign_offs(root: Path, language: str) -> tuple[tuple[TranslationSignOff, ...], list[Problem]]:
    shown = sign_off_file(language)
    path = root / shown
    if not path.exists():
        return (), []
    if not is_plain_file(path):
        raise BookletError("is not a plain file in the project; a sign-off file must be one", shown)
    return read_entry_list(path, shown, root, TranslationSignOff, SIGN_OFF_FIELDS)


def signed_roles(chapter: Chapter, digest: str, sign_offs: tuple[TranslationSignOff, ...]) -> list[str]:
    """The roles whose sign-off stands for the chapter's translation as it is now."""
    return [role for role in TRANSLATION_ROLES
            if any(s.chapter == chapter.id and s.role == role and s.entries_sha256 == digest for s in sign_offs)]


def sign_off_entry(chapter: Chapter, role: str, name: str, checked: str, date: dt.date, digest: str,
                   account: str) -> str:
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return (f"- chapter: {chapter.id}\n  role: {role}\n  name: {quoted(name)}\n  date: {date.isoformat()}\n"
            f"  checked: {quoted(checked)}\n  entries-sha256: {digest}\n  recorded-by: {quoted(account)}\n")
