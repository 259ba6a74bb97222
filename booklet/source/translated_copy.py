"""A language's copy of the booklet: its chapters with every finished translation put in place,
the English kept (and marked) where a block has none yet, and how far it is from being more
than a draft.

A block is printed in the language only when its PO entry is translated and not fuzzy: an old
translation of a changed sentence (a dose, a warning) is never printed. Every other block keeps
its English between two private-use characters, which the chapter's HTML turns into an element
with lang="en" and the "untranslated" class (content/untranslated.py), so the reader sees which
words are still English and a screen reader speaks them as English.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from babel.messages.catalog import Catalog

from ..errors import BookletError
from ..files import read_text
from .chapters import Chapter, parse_chapter
from .config import BookletConfig
from .translation_signoffs import TRANSLATION_ROLES, entries_digest, read_translation_sign_offs, signed_roles
from .translations import (BOOKLET_TEXTS, TRANSLATED_EDITIONS, booklet_file, catalogue_edition, context,
                           message_id, po_file, read_catalogue, translatable)

ENGLISH_OPEN, ENGLISH_CLOSE = "\ue000", "\ue001"  # around a block printed in English
MARKED_KINDS = ("paragraph", "item", "cell", "heading", "box-title")  # a title or summary is marked by its chapter


@dataclass(frozen=True)
class TranslatedCopy:
    language: str  # the folder in translations/, e.g. cy
    config: BookletConfig  # the language's tag, and booklet.yaml's texts translated where done
    english_config: BookletConfig
    chapters: tuple[Chapter, ...]  # the editions' chapters, translated where done
    english_chapters: tuple[Chapter, ...]  # the same chapters in English, by the same ids
    blocks: int  # the blocks the copies print
    in_english: int  # of those, the ones not (or no longer) translated
    english_parts: frozenset[tuple[str, str]]  # (chapter id, "title" or "summary") still in English
    signed: int  # chapters signed off by a translator and a reviewer who reads the language
    status: tuple[str, ...]  # what the PO files' headers say of the translation ("# Status: ...")
    sign_offs: tuple[tuple[str, str, str], ...] = ()  # (role, name, chapter id) of each that still stands

    @property
    def complete(self) -> bool:
        return self.in_english == 0

    @property
    def is_draft(self) -> bool:
        """Until every block is translated and every chapter signed off, the copies are drafts."""
        return not self.complete or self.signed < len(self.chapters) or any("DRAFT" in s for s in self.status)

    def english_chapter(self, chapter_id: str) -> Chapter:
        return next(c for c in self.english_chapters if c.id == chapter_id)

    def draft_reason(self) -> str:
        """Why the copies are drafts, in a line for the build's report."""
        parts = []
        if self.in_english:
            parts.append(f"{self.in_english} of {self.blocks} blocks still in English")
        if self.signed < len(self.chapters):
            parts.append(f"{self.signed} of {len(self.chapters)} chapters signed off")
        if any("DRAFT" in s for s in self.status):
            parts.append("its files say it is a machine-assisted draft")
        return "; ".join(parts)


def translation_files(root: Path, chapters: tuple[Chapter, ...], language: str, edition: str | None = None
                  ) -> Iterator[tuple[Chapter, str, Catalog | None, str]]:
    """Each chapter a language translates (not drafts; only the edition's, when given), with its PO
    file's path, the file read (None while there is none) and the chapter's English source."""
    for chapter in chapters:
        if chapter.is_draft or edition is not None and not chapter.is_for(edition):
            continue
        path = po_file(language, chapter)
        catalogue = read_catalogue(root, path) if (root / path).is_file() else None
        yield chapter, path, catalogue, read_text(root / chapter.path, chapter.path, root)


def put_in_place(chapter: Chapter, source: str, edition: str, catalogue: Catalog | None,
                 mark_english: bool = False) -> tuple[str, list[str]]:
    """The chapter file with every block whose translation is done (not fuzzy) put in its place,
    and the kinds of the blocks that keep their English. The Markdown around the blocks is the
    English file's; a translated title or summary is written as a quoted YAML string. With
    `mark_english`, a body block kept in English is put between ENGLISH_OPEN and ENGLISH_CLOSE."""
    out: list[str] = []
    at = 0
    kept: list[str] = []
    for block in sorted(translatable(chapter, source, edition), key=lambda b: b.start):
        entry = catalogue.get(message_id(block), context(chapter, block)) if catalogue is not None else None
        if block.start < at:
            continue
        if entry is None or not entry.string or entry.fuzzy:
            kept.append(block.kind)
            if mark_english and block.kind in MARKED_KINDS:
                out += [source[at:block.start], ENGLISH_OPEN, source[block.start:block.end], ENGLISH_CLOSE]
                at = block.end
            continue
        start, end, text = block.start, block.end, str(entry.string)
        if block.kind in ("title", "summary"):
            if source[start - 1:start] == '"' and source[end:end + 1] == '"':
                start, end = start - 1, end + 1
            text = json.dumps(" ".join(text.split()), ensure_ascii=False)
        else:
            # A block's later lines go back under its first (inside a box, or after a list marker).
            prefix = source[source.rfind("\n", 0, block.start) + 1:block.start]
            text = text.replace("\n", "\n" + " " * len(prefix))
        out += [source[at:start], text]
        at = end
    out.append(source[at:])
    return "".join(out), kept


def translated_config(root: Path, config: BookletConfig, language: str, editions: tuple[str, ...]
                      ) -> tuple[BookletConfig, int, int]:
    """booklet.yaml for the language's copies: its tag, its editions, and the printed texts
    translated where done; with how many texts there are and how many keep their English."""
    texts_done: dict[str, str] = {}
    path = booklet_file(language)
    catalogue = read_catalogue(root, path) if (root / path).is_file() else None
    texts = kept = 0
    for name in BOOKLET_TEXTS:
        value = getattr(config, name)
        if not value:
            continue
        texts += 1
        entry = catalogue.get(" ".join(str(value).split()), f"booklet:{name}") if catalogue is not None else None
        if entry is None or not entry.string or entry.fuzzy:
            kept += 1
        else:
            texts_done[name] = " ".join(str(entry.string).split())
    translated = dataclasses.replace(config, language=language, editions=editions, translations=())
    return dataclasses.replace(translated, **texts_done), texts, kept  # type: ignore[arg-type]  # (all str fields)


def translated_copy(root: Path, config: BookletConfig, chapters: tuple[Chapter, ...], language: str
                    ) -> TranslatedCopy:
    """The language's copy of the editions it has translation files for."""
    found = [(c, p, cat, s) for c, p, cat, s in translation_files(root, chapters, language) if cat is not None]
    editions = tuple(e for e in TRANSLATED_EDITIONS if e in config.editions
                     and any(catalogue_edition(cat) == e for _c, _p, cat, _s in found))
    if not editions:
        raise BookletError(f"'translations' asks for copies in '{language}', but translations/{language}/ has no "
                           f"translation files: run 'booklet translate extract {language}'", "booklet.yaml",
                           config.line_of("translations"))
    sign_offs, _problems = read_translation_sign_offs(root, language)  # `booklet check` reports the problems
    translated: list[Chapter] = []
    english: list[Chapter] = []
    english_parts: set[tuple[str, str]] = set()
    blocks = in_english = signed = 0
    status: list[str] = []
    standing: list[tuple[str, str, str]] = []
    for chapter, path, catalogue, source in translation_files(root, chapters, language):
        if not any(chapter.is_for(e) for e in editions):
            continue
        edition = catalogue_edition(catalogue) if catalogue is not None else editions[0]
        text, kept = put_in_place(chapter, source, edition, catalogue, mark_english=True)
        parsed, problems = parse_chapter(text, path if catalogue is not None else chapter.path)
        if parsed is None:
            raise BookletError(f"with its {language} translation in place, the chapter does not read: "
                               f"{problems[0].message}", path, problems[0].line)
        parsed = dataclasses.replace(parsed, path=chapter.path)  # messages name the chapter the text is in
        blocks += len(translatable(chapter, source, edition))
        in_english += len(kept)
        english_parts |= {(chapter.id, kind) for kind in ("title", "summary") if kind in kept}
        if catalogue is not None:
            digest = entries_digest(chapter, translatable(chapter, source, edition), catalogue)
            signed += set(signed_roles(chapter, digest, sign_offs)) == set(TRANSLATION_ROLES)
            standing += [(e.role, e.name, chapter.id) for e in sign_offs
                         if e.chapter == chapter.id and e.entries_sha256 == digest]
            status += [line.removeprefix("# Status:").strip() for line in catalogue.header_comment.splitlines()
                       if line.startswith("# Status:")]
        translated.append(parsed)
        english.append(chapter)
    copy_config, texts, texts_kept = translated_config(root, config, language, editions)
    return TranslatedCopy(language, copy_config, config, tuple(translated), tuple(english), blocks + texts,
                          in_english + texts_kept, frozenset(english_parts), signed, tuple(dict.fromkeys(status)),
                          tuple(standing))
