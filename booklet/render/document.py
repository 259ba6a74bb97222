"""Assembles one complete HTML document per output from the rendered chapters.

The document is written to build/html/ and must render on its own with the
`weasyprint` command, so every address in it is relative to that folder or a
file:// address of the installed font package.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import markdown

from ..content.chapter_html import SHORT_LIST, Location, chapter_html, document_id_problems, summary_html
from ..content.changes import EDITION_NAMES
from ..content.citation_links import AI_MARK, reference_words
from ..errors import BookletError, ValidationFailed
from ..content.slots import fill_slots
from ..content.vancouver import format_reference, patient_entry, review_status, short_entry, spoken_name
from ..source.audience import QUICK_GUIDE
from ..dates import long_date
from ..interface import N_, _, current_language, language_name, speaking
from ..source.chapters import Chapter, source_line
from ..source.citations import cited_keys
from ..source.references import Reference
from ..source.config import SIGN_OFF_ROLES
from ..source.signoffs import SignOffContext, required_roles
from .plan import AUDIENCE_LABELS, BOOKLET_PAPER, PAPERS, Output, Plan
from .resources import font_face_css, font_name, missing_characters, stylesheet_href, template_environment

GENERATOR = "booklet (calciphylaxis-booklet)"
_env = template_environment()


@dataclass(frozen=True)
class RenderedChapter:
    chapter: Chapter
    html: str
    sources: tuple[tuple[int, str], ...]  # (number in this edition, reference id) of each source cited
    summary: str = ""  # the main message as HTML, its citations numbered


@dataclass(frozen=True)
class ReferenceEntry:
    number: int
    reference: Reference
    html: str  # the Vancouver entry (clinician) or plain-language entry (patient)
    status: str  # review status, as the source states it


VARIANT_STYLES = {"large-print": "large-print.css", "booklet": "booklet.css", QUICK_GUIDE: "quick-guide.css"}
# Clear print asks for 60-70 characters a line: at 14 pt Atkinson Hyperlegible that is a
# 158 mm measure, so the patient reading copies get side margins to match on any paper.
PATIENT_MEASURE_MM = 158


def side_margin_mm(output: Output) -> float | None:
    if output.audience == "patient" and output.variant == "standard":
        return round((PAPERS[output.paper].width_mm - PATIENT_MEASURE_MM) / 2, 1)
    return None
NOTES_PAGE_LINES = {"a5": 15, "half-letter": 15}


def stylesheets(root: Path, html_dir: Path, output: Output) -> list[str]:
    names = ["base.css", f"{output.audience}.css"]
    if output.variant in VARIANT_STYLES:
        names.append(VARIANT_STYLES[output.variant])
    return [stylesheet_href(root, html_dir, name) for name in names]


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    date: dt.date
    html: str


def history_entries(plan: Plan) -> list[HistoryEntry]:
    """CHANGELOG sections as HTML; markup in the file is shown as text, never passed through."""
    return [HistoryEntry(e.version, e.date, _short_lists_kept(markdown.markdown(e.markdown.replace("<", "&lt;"))))
            for e in plan.history]


_LIST = re.compile(r"<ul>(.*?)</ul>", re.S)


def _short_lists_kept(html: str) -> str:
    """An edition's list of changes kept on one page when it is short, as chapters' lists are."""
    return _LIST.sub(lambda m: m.group(0) if m.group(1).count("<li>") >= SHORT_LIST
                     else f'<ul class="keep-together">{m.group(1)}</ul>', html)


def qr_code_data_url(url: str) -> str:
    """A QR code for `url` as an SVG data: address (made here, at build time; nothing is fetched)."""
    import segno

    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", xmldecl=False, scale=4, border=2, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def edition_chapter_html(chapter: Chapter, audience: str, where: Location, numbers: tuple[tuple[str, int], ...],
                         marked: frozenset[str] = frozenset(), names: tuple[tuple[str, str], ...] = ()) -> str:
    """One chapter's HTML, made once per edition and language: the variants of an edition share it
    (and `booklet check` makes it the same way). A character the typeface lacks fails it here."""
    return _chapter_html_in(current_language(), chapter, audience, where, numbers, marked, names)


@functools.lru_cache(maxsize=512)
def _chapter_html_in(language: str, chapter: Chapter, audience: str, where: Location,
                     numbers: tuple[tuple[str, int], ...], marked: frozenset[str],
                     names: tuple[tuple[str, str], ...]) -> str:
    """The cache behind edition_chapter_html, by language too: the words the chapter code adds
    (spaces to write in, link words) are the copy's language's."""
    html = chapter_html(chapter, audience, where, dict(numbers), marked, dict(names))
    if missing := missing_characters(html):
        raise missing_font_error(missing, chapter)
    return html





def missing_font_error(missing: list[str], chapter: Chapter) -> BookletError:
    """A character the typeface lacks would print in another font, or as a box: one line, naming
    the character, the chapter (and line) and the font."""
    first = missing[0]
    more = f" (and {len(missing) - 1} more: {' '.join(missing[1:6])})" if len(missing) > 1 else ""
    return BookletError(f"character '{first}' (U+{ord(first):04X}) is not in the font {font_name()}{more}: "
                        "use another character, or a word", chapter.path, source_line(chapter, first))


def slot_values(plan: Plan) -> dict[str, str | None]:
    """What each contact slot prints: the brand's numbers, else the booklet's emergency number."""
    brand = plan.brand
    return {"day-phone": brand.day_phone if brand else None,
            "out-of-hours-phone": brand.out_of_hours_phone if brand else None,
            "emergency-number": (brand.emergency_number if brand else None) or plan.config.emergency_number}


_CHAPTER_LINK = re.compile(r'<a href="#chapter-([a-z0-9-]+)">((?:(?!</a>).)*)</a>(\s*</(?:p|li)>)?', re.S)


def _links_within(html: str, present: set[str]) -> str:
    """Links to chapters this document leaves out (a quick guide's or a handout's) lead nowhere:
    one that closes its paragraph or list item, a pointer to more, is left out; one inside a
    sentence keeps its words and says where they are."""
    def kept(match: re.Match) -> str:
        if match.group(1) in present:
            return match.group(0)
        if match.group(3):
            return match.group(3)
        where = _("(in the full booklet)")  # not inside the f-string, where the catalogue cannot see it
        return f'<span class="elsewhere">{match.group(2)} {where}</span>'
    return _CHAPTER_LINK.sub(kept, html)


# The patient copies list the newest editions only: what changed lately is what a reader can use,
# and every section more is a page more to print. The clinician copies list them all.
PATIENT_HISTORY = 3


# What tells one copy from another in a reader's window title and the PDF's metadata.
VARIANT_LABELS = {"standard": "{paper}", "large-print": N_("large print, {paper}"),
                  "booklet": N_("folded booklet, {paper}"),
                  QUICK_GUIDE: "quick guide, {paper}", "handout": "{paper}"}


def copy_label(output: Output) -> str:
    return _(VARIANT_LABELS.get(output.variant, "{paper}")).format(paper=_(PAPERS[output.paper].name))


@dataclass(frozen=True)
class SignOffLine:
    """One line of the page saying who wrote and checked the booklet: a role, and who signed in
    it for which of the copy's chapters (as their text stands now)."""
    label: str
    text: str


SIGN_OFF_LABELS = {"author": N_("Written by"), "clinical-reviewer": N_("Checked by a clinical reviewer"),
                   "patient-reviewer": N_("Checked by a patient or lay reviewer"), "editor": N_("Edited by")}
# The same in everyday words, for the patient edition.
PATIENT_SIGN_OFF_LABELS = {**SIGN_OFF_LABELS, "clinical-reviewer": N_("Checked by a doctor or nurse"),
                           "patient-reviewer": N_("Checked by a patient or carer")}


def sign_off_lines(plan: Plan, output: Output, root: Path) -> list[SignOffLine]:
    """Who wrote the copy's chapters, and who checked them in each reviewer's role (the ones the
    edition needs first), "not yet" where no one has; then any other role someone signed in."""
    edition = output.audience  # the patient or clinician edition, whose sign-offs count here
    context = plan.sign_off_context or SignOffContext(root, plan.config, plan.references)
    labels = PATIENT_SIGN_OFF_LABELS if edition == "patient" else SIGN_OFF_LABELS
    shown = {"author", "clinical-reviewer", *required_roles(plan.config, edition),
             *(("patient-reviewer",) if edition == "patient" else ())}
    chapters = [chapter for chapter in output.chapters if chapter.is_for(edition)]
    # A translated copy's chapters are signed off as their English (the translation has its own sign-offs).
    english = {c.id: plan.translation.english_chapter(c.id) if plan.translation else c for c in chapters}
    lines = []
    for role in SIGN_OFF_ROLES:
        signers: dict[str, tuple[dt.date, list[str]]] = {}
        for chapter in chapters:
            for entry in plan.sign_offs.get(chapter.id, ()):
                if entry.role == role and entry.edition == edition and entry.covers(english[chapter.id], context):
                    date, titles = signers.get(entry.name, (entry.date, []))
                    if chapter.title not in titles:
                        titles.append(chapter.title)
                    signers[entry.name] = (max(date, entry.date), titles)
        if not signers and role not in shown:
            continue
        if not signers:
            lines.append(SignOffLine(_(labels[role]), _("not yet.")))
            continue
        every = _("every chapter")
        parts = [f"{name}, {long_date(date)} ({every if len(titles) == len(chapters) else ', '.join(titles)})"
                 for name, (date, titles) in signers.items()]
        covered = {title for _date, titles in signers.values() for title in titles}
        missing = [chapter.title for chapter in chapters if chapter.title not in covered]
        text = "; ".join(parts) + (_(". Not yet for: {chapters}.").format(chapters=", ".join(missing)) if missing
                                   else ".")
        lines.append(SignOffLine(_(labels[role]), text))
    if plan.translation is not None:
        for role, label in TRANSLATION_SIGN_OFF_LABELS.items():
            names = sorted({name for r, name, _chapter in plan.translation.sign_offs if r == role})
            lines.append(SignOffLine(_(label), "; ".join(names) + "." if names else _("not yet.")))
    return lines


TRANSLATION_SIGN_OFF_LABELS = {"translator": N_("Translated by"),
                               "language-reviewer": N_("Translation checked by")}


def translation_notes(plan: Plan) -> tuple[str, str]:
    """What a draft translation's cover says of it, in its language and in English."""
    copy = plan.translation
    if copy is None:
        return "", ""
    language = copy.config.language
    notes = []
    for speaking_in in (language, "en"):
        with speaking(speaking_in):
            name = language_name(language, speaking_in)
            note = _("A machine-assisted draft translation into {language}. A qualified translator and a clinician "
                     "who speaks {language} have not checked it yet. It must not be handed out as it is.").format(
                         language=name)
            if copy.in_english:
                note += " " + _("{count} of {total} parts are still in English: they have a grey background and "
                                "dashed lines at their sides.").format(count=copy.in_english, total=copy.blocks)
            notes.append(note)
    return notes[0], notes[1]


def _english_marks(plan: Plan):
    """The template's helpers for a chapter's title and summary that keep their English."""
    from markupsafe import Markup, escape

    parts = plan.translation.english_parts if plan.translation else frozenset()

    def mark(chapter_id: str, part: str, css_class: str) -> Markup:
        if (chapter_id, part) in parts:
            return Markup(f'class="{escape(css_class)} untranslated" lang="en" dir="ltr"')
        return Markup(f'class="{escape(css_class)}"')

    def wrap(chapter_id: str, part: str, text) -> Markup:
        if (chapter_id, part) in parts:
            return Markup('<span class="untranslated" lang="en" dir="ltr">{}</span>').format(text)
        return escape(text)
    return mark, wrap


def render_document(plan: Plan, output: Output, root: Path, build_dir: Path) -> str:
    """The output's complete HTML document."""
    html_dir = build_dir / "html"
    numbers = dict(output.citations)
    present = {chapter.id for chapter in output.chapters}
    values = slot_values(plan)
    marked = frozenset(key for key, ref in plan.references.items() if ref.is_unreviewed_ai)
    names = {key: spoken_name(plan.references[key]) for key in numbers}
    chapters = []
    for chapter in output.chapters:
        html = edition_chapter_html(chapter, output.view, Location(root, root / chapter.path, html_dir),
                                    tuple(sorted(numbers.items())), marked, tuple(sorted(names.items())))
        html = _links_within(fill_slots(html, values), present)
        used = sorted({(numbers[key], key) for key in cited_keys(chapter.cited_text(output.view))})
        summary = "" if output.is_quick_guide else summary_html(chapter, numbers, marked, names)
        if missing := missing_characters(summary):
            raise missing_font_error(missing, chapter)
        chapters.append(RenderedChapter(chapter, html, tuple(used), summary))
    uses_mark = any(AI_MARK in c.html or AI_MARK in c.summary for c in chapters)
    if clashes := document_id_problems([(c.chapter, c.html) for c in chapters], [k for k, _ in output.citations]):
        raise ValidationFailed(clashes)
    config = plan.config
    published = config.published
    references = []
    for key, number in output.citations:
        ref = plan.references[key]
        entry = (short_entry(ref) if output.is_quick_guide else patient_entry(ref, published)
                 if output.audience == "patient" else format_reference(ref))
        references.append(ReferenceEntry(number, ref, entry, review_status(ref, published)))
    template = "quick-guide.html.j2" if output.is_quick_guide else "document.html.j2"
    english_mark, english_wrap = _english_marks(plan)
    note, note_english = translation_notes(plan)
    document = _env.get_template(template).render(
        translation=plan.translation,
        translation_note=note,
        translation_note_english=note_english,
        english_mark=english_mark,
        english_wrap=english_wrap,
        config=config,
        output=output,
        audience_label=_(AUDIENCE_LABELS[output.audience]),
        copy_label=copy_label(output),
        chapters=chapters,
        references=references,
        next_review=output.review_date(plan),
        font_css=font_face_css(root, html_dir),
        stylesheets=stylesheets(root, html_dir, output),
        history=history_entries(plan)[:PATIENT_HISTORY if output.audience == "patient" else None],
        history_count=len(plan.history),
        qr_code=qr_code_data_url(config.home_page) if config.home_page else None,
        brand=plan.brand,
        ai_mark=AI_MARK if uses_mark else None,  # the legend, printed where a mark is
        ai_mark_img=AI_MARK,  # the mark beside an unreviewed source in the references
        marked=marked,
        sign_offs=sign_off_lines(plan, output, root),
        # A draft for review, or text that lacks a sign-off a release needs: every copy says so.
        review_draft=plan.config.draft_for_review or plan.awaiting_sign_off,
        # The clinician edition shows what changed in both editions' text since the last snapshot.
        show_changes=plan.changes_since is not None and output.audience == "clinician"
        and output.variant != "handout",
        changes_since=plan.changes_since,
        changes=plan.changes,
        change_editions=EDITION_NAMES,
        reference_words={key: reference_words(number, names[key]) for key, number in numbers.items()},
        brand_logo=(Path(os.path.relpath(plan.brand.logo, html_dir)).as_posix()
                    if plan.brand and plan.brand.logo else None),
        side_margin_mm=side_margin_mm(output),
        # Not the tool's version: that would make the same inputs give other bytes after an upgrade
        # that changes nothing on the page (the manifest names the version that built each file).
        generator=GENERATOR,
    )
    # The pages' own words (booklet.yaml, references, the brand) are checked like the chapters'.
    if missing := missing_characters(document[document.index("<body"):]):
        raise BookletError(f"character '{missing[0]}' (U+{ord(missing[0]):04X}) is not in the font {font_name()}: "
                           "change it in booklet.yaml, references.yaml or the brand file", output.html_name)
    return document


def render_printing_note(plan: Plan, output: Output, booklet_pages: int, linear_file: str, root: Path,
                         build_dir: Path) -> str:
    """The instruction sheet that opens an imposed booklet: how to print, fold and staple it."""
    return _env.get_template("printing-note.html.j2").render(
        config=plan.config,
        audience_label=_(AUDIENCE_LABELS[output.audience]),
        sheet_size=PAPERS[output.paper].css_size,
        sheet_paper=PAPERS[output.paper].name,
        booklet_paper=PAPERS[BOOKLET_PAPER[output.paper]].name,
        pages=booklet_pages,
        sheets=booklet_pages // 4,
        linear_file=linear_file,
        font_css=font_face_css(root, build_dir / "html"),
    )



def render_notes_pages(plan: Plan, output: Output, root: Path, build_dir: Path) -> str:
    """Three ruled "Notes" pages in the booklet's page style, for padding it to a multiple of 4."""
    return _env.get_template("notes-pages.html.j2").render(
        config=plan.config, output=output, font_css=font_face_css(root, build_dir / "html"),
        translation=plan.translation,
        stylesheets=stylesheets(root, build_dir / "html", output),
        notes_lines=NOTES_PAGE_LINES.get(output.paper, 18),
    )
