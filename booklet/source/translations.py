"""translations/<language>/<chapter id>.po: a chapter's translation, one entry per block.

Each entry's context names the chapter, the copies that print the block and its kind
(`support:patient:item`), its msgid is the English block as it stands, and a comment keeps
the English text's digest. A translation is used only for the English it was made from: when
the English changes, `booklet translate update` keeps the old translation as a fuzzy entry
with the old English beside it (`#|`), so the translator sees exactly what changed, and until
then the block counts as not translated. The gettext PO format, read and written with Babel,
so Poedit and Weblate open the files.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape

from ..errors import WARNING, BookletError, Problem
from ..files import is_plain_file, read_text
from .blocks import Block, chapter_blocks, edition_of
from .chapters import Chapter

TRANSLATION_DIR = "translations"
LANGUAGE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
TRANSLATED_EDITIONS = ("patient", "clinician")
# booklet.yaml's texts that the copies print, translated in translations/<language>/_booklet.po.
BOOKLET_TEXTS = ("subtitle", "description", "disclaimer", "licence", "feedback")
BOOKLET_PO = "_booklet.po"  # "_" is in no chapter id, so no chapter file can take its name


def booklet_file(language: str) -> str:
    return f"{TRANSLATION_DIR}/{language}/{BOOKLET_PO}"


def po_file(language: str, chapter: Chapter) -> str:
    return f"{TRANSLATION_DIR}/{language}/{chapter.id}.po"


def context(chapter: Chapter, block: Block) -> str:
    return f"{chapter.id}:{block.edition}:{block.kind}"


def message_id(block: Block) -> str:
    """The block's English as the translator sees it: a paragraph's lines without the indent a
    box gives them (put back when the translation is printed)."""
    return "\n".join(line.strip() for line in block.text.split("\n"))


def catalogue_edition(catalogue: Catalog) -> str:
    """The edition a chapter's PO file translates, as `update` names it in the header comment
    ("..., patient edition, in cy.")."""
    return next((e for e in TRANSLATED_EDITIONS if f"{e} edition" in catalogue.header_comment), "patient")


def translatable(chapter: Chapter, source: str, edition: str) -> list[Block]:
    """The blocks of the chapter that the edition's copies print (the patient edition's include
    its quick guide's)."""
    if not chapter.is_for(edition):
        return []
    return [b for b in chapter_blocks(source)
            if edition_of(b, edition) or (edition == "patient" and edition_of(b, "quick-guide"))]


def read_catalogue(root: Path, path: str) -> Catalog:
    """A PO file, or a one-line error naming it (and the line where Babel knows it)."""
    if not is_plain_file(root / path):  # a link could lead anywhere: only the project's own files are read
        raise BookletError("is not a plain file in the project; a translation file must be one", path)
    try:
        data = (root / path).read_bytes()
        catalogue = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as err:
        line = getattr(err, "lineno", None)
        line = line + 1 if isinstance(line, int) else None  # Babel counts this one from 0
        reason = re.sub(r" on \d+$", "", str(err))
        raise BookletError(f"cannot read this translation file: {reason}", path, line) from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise BookletError(f"cannot read this translation file: {err}", path) from None
    for key, previous in _previous_ids(data.decode("utf-8")).items():
        if (entry := catalogue.get(*key)) is not None:
            entry.previous_id = [previous]
    return catalogue


def _previous_ids(text: str) -> dict[tuple[str, str | None], str]:
    """The English an entry's fuzzy translation was made for (the `#| msgid` lines), by the
    entry's msgid and msgctxt. Babel writes these but does not read them back."""
    found: dict[tuple[str, str | None], str] = {}
    for chunk in re.split(r"\n\s*\n", text):
        fields: dict[str, list[str]] = {}
        current = None
        for line in chunk.splitlines():
            if match := re.match(r'^(#\| )?(msgctxt|msgid|msgstr)\s+(".*")\s*$', line):
                current = ("previous " if match.group(1) else "") + match.group(2)
                fields[current] = [match.group(3)]
            elif current and (match := re.match(r'^(#\| )?(".*")\s*$', line)):
                fields[current].append(match.group(2))
            elif not line.startswith("#|"):
                current = None if not line.startswith('"') else current
        if "previous msgid" in fields and "msgid" in fields:
            def joined(name: str) -> str:
                return "".join(unescape(part) for part in fields[name])
            found[(joined("msgid"), joined("msgctxt") if "msgctxt" in fields else None)] = joined("previous msgid")
    return found


@dataclass(frozen=True)
class Progress:
    """How much of a chapter's current English one language has translated."""
    chapter: str
    done: int  # translated, for the English as it is now
    fuzzy: int  # a translation of earlier English, waiting for the translator
    missing: int  # no translation for the English as it is now
    outdated: bool = False  # the file has entries for English the chapter no longer has: run `update`
    signed: tuple[str, ...] = ()  # the roles whose sign-off stands for the translation as it is now

    @property
    def total(self) -> int:
        return self.done + self.fuzzy + self.missing

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.missing == 0


def progress(chapter: Chapter, blocks: list[Block], catalogue: Catalog | None) -> Progress:
    current = {(message_id(block), context(chapter, block)) for block in blocks}
    return progress_of(chapter.id, current, catalogue)


def progress_of(name: str, current: set[tuple[str, str]], catalogue: Catalog | None) -> Progress:
    """How many of the `current` entries (English, context) the catalogue translates, for the
    English as it is now; outdated when it holds entries for English that is no longer there."""
    done = fuzzy = missing = 0
    for key in sorted(current):  # the same English twice in a chapter is one entry
        entry = catalogue.get(*key) if catalogue is not None else None
        if entry is None or not entry.string:
            missing += 1
        elif entry.fuzzy:
            fuzzy += 1
        else:
            done += 1
    outdated = catalogue is not None and any(
        entry.id and (str(entry.id), entry.context) not in current for entry in catalogue)
    return Progress(name, done, fuzzy, missing, outdated)


def booklet_texts(config) -> set[tuple[str, str]]:
    """booklet.yaml's printed texts as entries (English, context)."""
    return {(" ".join(str(getattr(config, f)).split()), f"booklet:{f}") for f in BOOKLET_TEXTS if getattr(config, f)}


# What a translation must carry over unchanged from the English: citations, glossary marks,
# contact slots, web addresses, and every number (doses, phone numbers, dates, units with them).
_KEEP = {
    "citations": re.compile(r"\[@[^\]]+\]"),
    "contact slots": re.compile(r"\{\{[a-z-]+\}\}"),
    "web addresses": re.compile(r"https?://[^\s>)]+"),
}
_GLOSSARY = re.compile(r"\[\[[^\]]+\]\]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mg|g|kg|ml|mL|l|L|mmol/L|mmol|µg|mcg|%|cm|mm|IU)\b")


def _citation_keys(text: str) -> list[str]:
    return sorted(key.strip().lstrip("@") for group in _KEEP["citations"].findall(text)
                  for key in group[1:-1].split(";"))


def entry_problems(entry: Message, path: str) -> list[Problem]:
    """What a translated entry changed that it must not: one problem per kind, at its PO line."""
    if not entry.id or not entry.string or entry.fuzzy:
        return []
    english, translated = str(entry.id), str(entry.string)
    found = []

    def problem(text: str) -> None:
        found.append(Problem(path, entry.lineno, text))

    if _citation_keys(english) != _citation_keys(translated):
        problem(f"the translation must cite {', '.join(_citation_keys(english)) or 'nothing'} as the English "
                f"does, not {', '.join(_citation_keys(translated)) or 'nothing'}")
    for what in ("contact slots", "web addresses"):
        if sorted(_KEEP[what].findall(english)) != sorted(_KEEP[what].findall(translated)):
            problem(f"the translation must keep the English {what} as they are: "
                    f"{' '.join(sorted(_KEEP[what].findall(english))) or 'none'}")
    if len(_GLOSSARY.findall(english)) != len(_GLOSSARY.findall(translated)):
        problem(f"the English marks {len(_GLOSSARY.findall(english))} glossary word(s) with [[...]], the "
                f"translation {len(_GLOSSARY.findall(translated))}")
    if english.count("**") != translated.count("**"):
        problem("the translation must mark as many words **bold** as the English does")
    without_keys = [_KEEP["citations"].sub("", text) for text in (english, translated)]
    numbers = [sorted(_NUMBER.findall(text)) for text in without_keys]
    if numbers[0] != numbers[1]:
        problem(f"the numbers differ from the English: it has {' '.join(numbers[0]) or 'none'}, the translation "
                f"{' '.join(numbers[1]) or 'none'}; a dose, phone number, time or date must keep its numbers")
    elif sorted(_UNIT.findall(english)) != sorted(_UNIT.findall(translated)):
        problem("the units after the numbers differ from the English (a dose must keep its unit)")
    return found


def catalogue_problems(catalogue: Catalog, path: str) -> list[Problem]:
    return [problem for entry in catalogue for problem in entry_problems(entry, path)]


def languages(root: Path) -> list[str]:
    """The languages with a folder in translations/ (real folders only, never through a link)."""
    folder = root / TRANSLATION_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and LANGUAGE.fullmatch(p.name))


def translation_problems(root: Path, chapters: tuple[Chapter, ...]) -> list[Problem]:
    """For `booklet check`: every translated entry's errors (see entry_problems), and a warning for
    each chapter whose translation is behind its English, so no stale translation goes unnoticed."""
    found: list[Problem] = []
    by_id = {chapter.id: chapter for chapter in chapters if not chapter.is_draft}
    for language in languages(root):
        for path in sorted((root / TRANSLATION_DIR / language).glob("*.po")):
            shown = path.relative_to(root).as_posix()
            if path.name == BOOKLET_PO:
                found += booklet_text_problems(root, shown)
                continue
            chapter = by_id.get(path.stem)
            if chapter is None:
                found.append(Problem(shown, None, f"no chapter has the id '{path.stem}': rename or remove the "
                                     "file", WARNING))
                continue
            try:
                catalogue = read_catalogue(root, shown)
            except BookletError as err:
                found += err.as_problems(shown)
                continue
            found += catalogue_problems(catalogue, shown)
            edition = catalogue_edition(catalogue)
            source = read_text(root / chapter.path, chapter.path, root)
            state = progress(chapter, translatable(chapter, source, edition), catalogue)
            if state.outdated:
                found.append(Problem(shown, None, f"the English of '{chapter.id}' changed since this file was "
                                     f"updated: run 'booklet translate update {language}', then revise the "
                                     "entries it marks fuzzy", WARNING))
            elif state.fuzzy:
                found.append(Problem(shown, None, f"{state.fuzzy} entr{'y' if state.fuzzy == 1 else 'ies'} marked "
                                     "fuzzy: the English changed, so the translation needs revising", WARNING))
    return found


def booklet_text_problems(root: Path, shown: str) -> list[Problem]:
    """The translated booklet.yaml texts: their entries' errors, and a warning when booklet.yaml
    changed since the file was updated."""
    from .config import load_config

    catalogue = read_catalogue(root, shown)
    found = catalogue_problems(catalogue, shown)
    if progress_of("", booklet_texts(load_config(root)), catalogue).outdated:
        language = Path(shown).parent.name
        found.append(Problem(shown, None, f"booklet.yaml's texts changed since this file was updated: run 'booklet "
                             f"translate update {language}'", WARNING))
    fuzzy = sum(1 for m in catalogue if m.id and m.fuzzy)
    if fuzzy:
        found.append(Problem(shown, None, f"{fuzzy} entr{'y' if fuzzy == 1 else 'ies'} marked fuzzy: booklet.yaml "
                             "changed, so the translation needs revising", WARNING))
    return found
