"""`booklet translate extract|update|status LANGUAGE`: the chapters' PO files for one language.

extract and update do the same merge (extract is the word for the first time): every block of
every chapter the edition prints gets an entry; a translation made for the same English is
kept; one made for English that has since changed is kept as fuzzy, with that English as its
previous text (`#|`), the closest earlier block of the same kind in the chapter; English no
chapter has any more stays at the end of the file as obsolete (`#~`), so no translator's work
is lost. The same inputs give the same file, byte for byte (no clock time is written).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import normalize, write_po

from ..content.glossary import glossary_problems, unmark_terms
from ..errors import WARNING, BookletError, Problem, UsageError, ValidationFailed
from ..files import atomic_write, read_text, real_folder
from ..render.typefaces import characters, typeface
from ..source.chapters import Chapter, parse_chapter
from ..source.fields import did_you_mean
from ..source.config import CONFIG_FILE
from ..source.project import Project, load_project
from ..source.translated_copy import put_in_place, translation_files
from ..source.translation_signoffs import (TRANSLATION_ROLES, entries_digest, read_translation_sign_offs,
                                          sign_off_entry, sign_off_file, signed_roles)
from .sign import account, check_signature
from ..source.translations import (BOOKLET_TEXTS, LANGUAGE, TRANSLATED_EDITIONS, TRANSLATION_DIR, Progress,
                                   booklet_file, booklet_texts, catalogue_edition, catalogue_problems, progress_of,
                                   context, languages, message_id, po_file, progress, read_catalogue,
                                   translatable)

# How alike earlier English must be to a block's English now for its translation to be offered
# as fuzzy (difflib's ratio): below it the block starts empty.
FUZZY_RATIO = 0.6


@dataclass(frozen=True)
class Merged:
    path: str
    translated: int  # entries translated for the English as it is now
    fuzzy: int  # entries whose English changed: their earlier translation waits for the translator
    untranslated: int
    obsolete: int  # translations of English no chapter has any more, kept at the end of the file
    changed: bool  # the file was written


def _language(language: str) -> str:
    if not LANGUAGE.fullmatch(language) or language.lower() in ("en", "en-gb", "en_gb"):
        raise UsageError(f"booklet: '{language}' is not a language code to translate into (e.g. cy, ur, pl)")
    return language


@dataclass(frozen=True)
class Entry:
    """One piece of English to translate: its text, context, place and digest."""
    english: str
    context: str
    location: tuple[str, int]
    digest: str


def merge(chapter: Chapter, source: str, edition: str, old: Catalog | None, language: str,
          published: dt.date, project_name: str, edition_number: str = "") -> tuple[Catalog, Merged]:
    """The chapter's catalogue for the English as it is now, carrying over `old`'s work."""
    entries = [Entry(message_id(block), context(chapter, block), (po_source(chapter), block.line), block.digest)
               for block in translatable(chapter, source, edition)]
    header = (f"# {project_name}: the chapter \"{chapter.title}\" ({chapter.id}), {edition} edition, in {language}.")
    return _merged(entries, old, language, published, project_name, edition_number, header, po_file(language, chapter))


def merge_booklet(config, old: Catalog | None, language: str) -> tuple[Catalog, Merged]:
    """booklet.yaml's printed texts (subtitle, description, disclaimer, licence, feedback) for the
    language, carried over as the chapters' are."""
    entries = [Entry(" ".join(str(getattr(config, field)).split()), f"booklet:{field}",
                     (CONFIG_FILE, config.line_of(field) or 1),
                     hashlib.sha256(str(getattr(config, field)).encode()).hexdigest()[:16])
               for field in BOOKLET_TEXTS if getattr(config, field)]
    header = f"# {config.title}: the texts of booklet.yaml that the copies print, in {language}."
    return _merged(entries, old, language, config.published, config.title, config.edition, header,
                   booklet_file(language))


def _merged(entries: list[Entry], old: Catalog | None, language: str, published: dt.date, project_name: str,
            edition_number: str, header: str, path: str) -> tuple[Catalog, Merged]:
    """A catalogue of `entries`: a translation made for the same English is kept; one made for
    English that has since changed is kept as fuzzy, the closest earlier entry of the same context
    (its English shown as the previous text); the rest of `old` stays at the end as obsolete."""
    when = dt.datetime.combine(published, dt.time(), tzinfo=dt.timezone.utc)
    catalogue = Catalog(locale=language.replace("-", "_"), project=project_name, version=edition_number,
                        creation_date=old.creation_date if old is not None else when, revision_date=when,
                        fuzzy=False, header_comment=f"{header}\n# Made by `booklet translate`: "
                        "translate each msgstr; an entry marked fuzzy was made for the English shown after #|."
                        + "".join(f"\n{line}" for line in _status_lines(old)))
    previous = {(str(m.id), m.context): m for m in old if m.id} if old is not None else {}
    used: set[tuple[str, str | None]] = set()
    for item in entries:
        key = (item.english, item.context)
        comment = f"English digest: {item.digest}"
        location = item.location
        if (same := catalogue.get(key[0], key[1])) is not None:  # the same English again
            same.locations.append(location)
            continue
        if (earlier := previous.get(key)) is not None:
            used.add(key)
            catalogue.add(key[0], earlier.string, [location], flags=earlier.flags, auto_comments=[comment],
                          previous_id=earlier.previous_id, context=key[1])
            continue
        candidates = [m for k, m in previous.items() if k[1] == key[1] and k not in used and m.string]
        best = max(candidates, key=lambda m: difflib.SequenceMatcher(None, str(m.id), key[0]).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, str(best.id), key[0]).ratio() >= FUZZY_RATIO:
            used.add((str(best.id), best.context))
            catalogue.add(key[0], best.string, [location], flags={"fuzzy"}, auto_comments=[comment],
                          previous_id=str(best.previous_id[0]) if best.fuzzy and best.previous_id else str(best.id),
                          context=key[1])
            continue
        catalogue.add(key[0], "", [location], auto_comments=[comment], context=key[1])
    obsolete = 0
    for k, m in previous.items():
        if k not in used and m.string:
            catalogue.obsolete[_obsolete_key(m)] = m
            obsolete += 1
    for m in (old.obsolete.values() if old is not None else ()):
        if _obsolete_key(m) not in catalogue.obsolete and m.string:
            catalogue.obsolete[_obsolete_key(m)] = m
            obsolete += 1
    # What the file holds now, as the translator will find it (an entry kept from earlier counts
    # as what it is: translated, still fuzzy, or still empty).
    found = [m for m in catalogue if m.id]
    done = sum(1 for m in found if m.string and not m.fuzzy)
    waiting = sum(1 for m in found if m.fuzzy)
    return catalogue, Merged(path, done, waiting, len(found) - done - waiting, obsolete, False)


def _status_lines(old: Catalog | None) -> list[str]:
    """The lines of an earlier header that say what state the translation is in ("# Status: ..."),
    which a translator or reviewer writes and an update keeps."""
    if old is None:
        return []
    return [line for line in old.header_comment.splitlines() if line.startswith("# Status:")]


def _obsolete_key(message: Message) -> str | tuple[str, str]:
    """How Babel keys an entry: by its msgid, with its context when it has one."""
    return (str(message.id), message.context) if message.context else str(message.id)


def po_source(chapter: Chapter) -> str:
    return chapter.path


_PREVIOUS_TAG = "x-booklet-previous-"


def po_bytes(catalogue: Catalog) -> bytes:
    """The catalogue as a PO file. The earlier English of a fuzzy entry (`#| msgid`) is written
    here, not by Babel, which wraps that comment like prose, mid-string, into lines that gettext,
    Poedit and Weblate reject as broken strings (and that it cannot read back)."""
    previous: dict[str, str] = {}
    for number, message in enumerate(catalogue):
        if message.id and message.previous_id:
            tag = f"{_PREVIOUS_TAG}{number}"
            previous[tag] = str(message.previous_id[0])
            message.flags.add(tag)  # marks where the comment goes: after the flags, as gettext has it
    out = io.BytesIO()
    try:
        write_po(out, catalogue, width=0, sort_output=False, include_previous=False, omit_header=False)
    finally:
        for message in catalogue:
            message.flags = {flag for flag in message.flags if not flag.startswith(_PREVIOUS_TAG)}

    def with_previous(match: re.Match) -> str:
        flags = [flag for flag in match.group(1).split(", ") if not flag.startswith(_PREVIOUS_TAG)]
        tag = next(flag for flag in match.group(1).split(", ") if flag.startswith(_PREVIOUS_TAG))
        shown = f"#, {', '.join(flags)}\n" if flags else ""
        return f"{shown}#| msgid {normalize(previous[tag], prefix='#| ', width=0)}\n"

    text = re.sub(rf"^#, (.*{_PREVIOUS_TAG}\d+.*)\n", with_previous, out.getvalue().decode("utf-8"), flags=re.M)
    return text.encode("utf-8")


def update(root: Path, language: str, edition: str = "patient") -> list[Merged]:
    """Bring every PO file of the language up to the chapters' English (see the module's note)."""
    language = _language(language)
    if edition not in TRANSLATED_EDITIONS:
        raise UsageError(f"booklet: '{edition}' is not an edition: choose {' or '.join(TRANSLATED_EDITIONS)}")
    project = load_project(root)
    folder = real_folder(root / TRANSLATION_DIR / language, root)
    results = []
    for chapter, path, old, source in translation_files(root, project.chapters, language, edition):
        catalogue, merged = merge(chapter, source, edition, old, language, project.config.published,
                                  project.config.title, project.config.edition)
        data = po_bytes(catalogue)
        changed = not (folder / Path(path).name).is_file() or (root / path).read_bytes() != data
        if changed:
            atomic_write(root / path, data)
        results.append(dataclasses.replace(merged, changed=changed))
    path = booklet_file(language)
    old = read_catalogue(root, path) if (root / path).is_file() else None
    catalogue, merged = merge_booklet(project.config, old, language)
    data = po_bytes(catalogue)
    changed = not (root / path).is_file() or (root / path).read_bytes() != data
    if changed:
        atomic_write(root / path, data)
    results.append(dataclasses.replace(merged, changed=changed))
    return results


def status_notes(root: Path, language: str) -> list[str]:
    """The state its translators or reviewers wrote in the files' headers ("# Status: ..."), each once."""
    notes: list[str] = []
    folder = root / TRANSLATION_DIR / language
    for path in sorted(folder.glob("*.po")) if folder.is_dir() and not folder.is_symlink() else ():
        for line in _status_lines(read_catalogue(root, path.relative_to(root).as_posix())):
            text = line.removeprefix("# Status:").strip()
            if text not in notes:
                notes.append(text)
    return notes


def status(root: Path, language: str, edition: str = "patient") -> tuple[list[Progress], list[Problem]]:
    """How far each chapter's translation has come, and the problems its entries have."""
    language = _language(language)
    project: Project = load_project(root)
    if not (root / TRANSLATION_DIR / language).is_dir():
        raise UsageError(f"booklet: there is no translation into '{language}' yet: 'booklet translate extract "
                         f"{language}' starts one")
    found: list[Progress] = []
    sign_offs, problems = read_translation_sign_offs(root, language)
    for chapter, path, catalogue, source in translation_files(root, project.chapters, language, edition):
        blocks = translatable(chapter, source, edition)
        signed = tuple(signed_roles(chapter, entries_digest(chapter, blocks, catalogue), sign_offs))
        found.append(dataclasses.replace(progress(chapter, blocks, catalogue), signed=signed))
        if catalogue is not None:
            problems += catalogue_problems(catalogue, path)
    # booklet.yaml's texts, as one more row.
    path = booklet_file(language)
    catalogue = read_catalogue(root, path) if (root / path).is_file() else None
    if entries := booklet_texts(project.config):
        found.append(progress_of(CONFIG_FILE, entries, catalogue))
        if catalogue is not None:
            problems += catalogue_problems(catalogue, path)
    return found, problems


def status_lines(language: str, found: list[Progress]) -> list[str]:
    width = max((len(p.chapter) for p in found), default=10)
    lines = [f"{'chapter':<{width}}  {'done':>5}  {'fuzzy':>5}  {'missing':>7}  signed off by"]
    for item in found:
        note = "  (the English changed: run booklet translate update)" if item.outdated else ""
        signed = ", ".join(SIGNED_WORDS[role] for role in item.signed) or "no one yet"
        if item.chapter == CONFIG_FILE:
            signed = "(its translation cannot be signed off yet)"
        lines.append(f"{item.chapter:<{width}}  {item.done:>5}  {item.fuzzy:>5}  {item.missing:>7}  {signed}{note}")
    done, total = sum(p.done for p in found), sum(p.total for p in found)
    complete = all(p.complete and not p.outdated for p in found) and found
    # Rounded down: 364 of 365 is 99%, never the 100% that would read as finished.
    lines.append(f"{language}: {done} of {total} blocks translated ({done * 100 // total}%)" if total else
                 f"{language}: nothing to translate")
    lines.append("complete: every block is translated for the English as it is now" if complete else
                 "not complete: the language's copies stay drafts until every block is done")
    chapters = [p for p in found if p.chapter != CONFIG_FILE]
    both = sum(1 for p in chapters if set(p.signed) == set(TRANSLATION_ROLES))
    lines.append(f"signed off: {both} of {len(chapters)} chapters by a translator and by a reviewer who reads the "
                 f"language ('booklet translate sign'); until every chapter is, the copies stay drafts")
    return lines


SIGNED_WORDS = {"translator": "translator", "language-reviewer": "language reviewer"}
SIGN_OFF_HEADER = ("# Sign-offs of the {language} translation: written by 'booklet translate sign'. Each holds the\n"
                   "# SHA-256 of a chapter's translation entries (its English and their translation) when it was\n"
                   "# signed; a change to either voids that sign-off.\n")


def sign_translation(root: Path, language: str, chapter_id: str, role: str, name: str, checked: str,
                     date: dt.date) -> str:
    """Append a sign-off of one chapter's translation, bound to its entries as they are now."""
    language = _language(language)
    project = load_project(root)
    chapters = {c.id: c for c in project.chapters if not c.is_draft}
    shown = sign_off_file(language)
    if chapter_id not in chapters:
        raise BookletError(f"no chapter has the id '{chapter_id}'{did_you_mean(chapter_id, sorted(chapters))}",
                           shown)
    chapter = chapters[chapter_id]
    path = po_file(language, chapter)
    if not (root / path).is_file():
        raise BookletError(f"there is no translation of '{chapter_id}' to sign: run 'booklet translate extract "
                           f"{language}' and translate it first", path)
    check_signature(name, checked, date, shown)
    catalogue = read_catalogue(root, path)
    edition = catalogue_edition(catalogue)
    blocks = translatable(chapter, read_text(root / chapter.path, chapter.path, root), edition)
    state = progress(chapter, blocks, catalogue)
    if not state.complete or state.outdated:
        raise BookletError(f"the translation of '{chapter_id}' is not complete ({state.fuzzy} fuzzy, "
                           f"{state.missing} missing): a sign-off is for a finished translation", path)
    if problems := catalogue_problems(catalogue, path):
        raise ValidationFailed(problems)
    sign_offs, wrong = read_translation_sign_offs(root, language)
    if wrong:
        raise ValidationFailed(wrong)
    digest = entries_digest(chapter, blocks, catalogue)
    standing = [entry for entry in sign_offs if entry.chapter == chapter_id and entry.entries_sha256 == digest]
    if any(entry.role == role and entry.name == name for entry in standing):
        raise BookletError(f"{name} has already signed this translation of '{chapter_id}' as {role}", shown)
    if any(entry.role != role and entry.name == name for entry in standing):
        raise BookletError(f"{name} signed this translation of '{chapter_id}' in the other role: the translator and "
                           "the reviewer who reads the language must be two people", shown)
    text = sign_off_entry(chapter, role, name, checked, date, digest, account())
    target = real_folder(root / TRANSLATION_DIR / language, root) / "sign-offs.yaml"
    existing = read_text(target, shown, root) if target.exists() else SIGN_OFF_HEADER.format(language=language)
    atomic_write(target, (existing.rstrip("\n") + "\n" + text).encode("utf-8"))
    return shown


def translated_glossary_problems(root: Path, chapters: tuple[Chapter, ...]) -> list[Problem]:
    """Each glossary mark in a language's chapters must name a word that language's glossary
    defines: the translations are put in place, and the chapters checked as the English are."""
    found: list[Problem] = []
    for language in languages(root):
        translated: list[Chapter] = []
        for chapter, path, catalogue, source in translation_files(root, chapters, language):
            # A chapter with no translation yet is printed in English, glossary marks and all.
            edition = catalogue_edition(catalogue) if catalogue is not None else "patient"
            text, _kept = put_in_place(chapter, source, edition, catalogue)
            parsed, problems = parse_chapter(text, path)
            if parsed is None:
                found.append(Problem(path, None, f"with its translation in place, the chapter does not read: "
                                     f"{problems[0].message}"))
                continue
            translated.append(parsed)
        found += [Problem(p.path, None, p.message.replace("not defined in the glossary",
                                                          f"not defined in the {language} glossary"), p.severity)
                  for p in glossary_problems(tuple(translated))]
    return found


def missing_glyphs(root: Path, language: str) -> dict[str, int]:
    """The characters the language's translations use that the booklet's typeface cannot draw
    (the font-coverage check), with how many entries use each: a copy printed with them would
    fail the build, or show another font. The typeface is the language's own (render/typefaces.py)."""
    have = characters(typeface(language))
    counts: dict[str, int] = {}
    folder = root / TRANSLATION_DIR / language
    for path in sorted(folder.glob("*.po")) if folder.is_dir() and not folder.is_symlink() else ():
        for entry in read_catalogue(root, path.relative_to(root).as_posix()):
            if entry.id and entry.string:
                for character in sorted(set(unmark_terms(str(entry.string)))):
                    if ord(character) not in have and not character.isspace():
                        counts[character] = counts.get(character, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def font_lines(root: Path, language: str) -> list[str]:
    missing = missing_glyphs(root, language)
    name = typeface(language).name
    if not missing:
        return [f"typeface: {name} draws every character the {language} translation uses"]
    listed = ", ".join(f"{c} (U+{ord(c):04X}, {n} entr{'y' if n == 1 else 'ies'})" for c, n in missing.items())
    return [f"typeface: {name} cannot draw {listed}: the {language} copies need a typeface that has them"]


def translation_font_problems(root: Path) -> list[Problem]:
    """For `booklet check`: a warning per language whose translation uses characters the typeface lacks."""
    return [Problem(f"{TRANSLATION_DIR}/{language}", None, font_lines(root, language)[0].removeprefix("typeface: "),
                    WARNING) for language in languages(root) if missing_glyphs(root, language)]


def translation_sign_off_problems(root: Path, chapters: tuple[Chapter, ...]) -> list[Problem]:
    """For `booklet check`: a language's sign-offs that no longer stand (its English or translation
    changed since), and how many chapters still lack both, as warnings."""
    found: list[Problem] = []
    for language in languages(root):
        sign_offs, wrong = read_translation_sign_offs(root, language)
        found += wrong
        shown = sign_off_file(language)
        complete = counted = 0
        for chapter, path, catalogue, source in translation_files(root, chapters, language):
            if catalogue is None:
                continue
            digest = entries_digest(chapter, translatable(chapter, source, catalogue_edition(catalogue)), catalogue)
            counted += 1
            complete += set(signed_roles(chapter, digest, sign_offs)) == set(TRANSLATION_ROLES)
            for entry in sign_offs:
                if entry.chapter == chapter.id and entry.entries_sha256 != digest:
                    found.append(Problem(shown, entry.line, f"{entry.name}'s sign-off of '{chapter.id}' as "
                                         f"{entry.role} no longer stands: its English or translation changed "
                                         "since; they need to check it again and sign anew", WARNING))
        if counted and complete < counted:
            found.append(Problem(f"{TRANSLATION_DIR}/{language}", None, f"{complete} of {counted} chapters are signed "
                                 "off by a translator and a reviewer who reads the language: the translation is a "
                                 "draft until all are", WARNING))
    return found
