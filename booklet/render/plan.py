"""Decides what to build: one Output per edition, variant and paper size."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import BookletError, UsageError
from ..interface import N_, is_source_language
from ..source.brand import Brand
from ..source.audience import QUICK_GUIDE
from ..source.changelog import EditionEntry
from ..source.chapters import Chapter
from ..source.citations import number_citations
from ..source.config import CONFIG_FILE, BookletConfig
from ..source.fields import did_you_mean
from ..source.references import Reference
from ..content.changes import ChapterChange
from ..source.signoffs import SignOff, SignOffContext
from ..source.translated_copy import TranslatedCopy

@dataclass(frozen=True)
class Paper:
    css_size: str  # the CSS @page size
    width_mm: float
    height_mm: float
    name: str  # as printed for readers

    @property
    def landscape_points(self) -> tuple[float, float]:
        """Width and height of the sheet turned sideways, in PDF points to 0.01 pt."""
        return round(self.height_mm * 72 / 25.4, 2), round(self.width_mm * 72 / 25.4, 2)


# Papers by the names used in file names and the manifest.
PAPERS = {
    "a4": Paper("A4", 210, 297, N_("A4")),
    "letter": Paper("letter", 215.9, 279.4, N_("US Letter")),
    "a5": Paper("A5", 148, 210, N_("A5")),
    "half-letter": Paper("5.5in 8.5in", 139.7, 215.9, N_("US half-letter")),
}
AUDIENCE_LABELS = {"patient": N_("For patients and families"), "clinician": N_("For healthcare professionals")}


@dataclass(frozen=True)
class Variant:
    name: str
    paper: str
    audiences: tuple[str, ...]
    imposed_from: str | None = None  # paper of the booklet this one imposes 2-up


# Every output `make` builds. Booklets are made natively on A5 and US half-letter (scaling A5
# onto half-letter would print at 94%), then imposed 2-up on A4 and Letter for folding.
VARIANTS: tuple[Variant, ...] = (
    Variant("standard", "a4", ("patient", "clinician")),
    Variant("standard", "letter", ("patient", "clinician")),
    Variant("large-print", "a4", ("patient",)),
    Variant("booklet", "a5", ("patient",)),
    Variant("booklet", "half-letter", ("patient",)),
    Variant("booklet-imposed", "a4", ("patient",), imposed_from="a5"),
    Variant("booklet-imposed", "letter", ("patient",), imposed_from="half-letter"),
    # The quick guide: the chapters' `::: quick-guide` blocks on four A5 (or half-letter) pages, one
    # sheet folded, handed over on the day; made when any patient chapter has such a block.
    Variant(QUICK_GUIDE, "a5", ("patient",)),
    Variant(QUICK_GUIDE, "half-letter", ("patient",)),
    Variant(f"{QUICK_GUIDE}-imposed", "a4", ("patient",), imposed_from="a5"),
    Variant(f"{QUICK_GUIDE}-imposed", "letter", ("patient",), imposed_from="half-letter"),
)
QUICK_GUIDE_PAGES = 4
BOOKLET_PAPER = {v.paper: v.imposed_from for v in VARIANTS if v.imposed_from}  # sheet -> booklet page


@dataclass(frozen=True)
class Output:
    audience: str
    variant: str
    paper: str
    stem: str  # file name without extension, e.g. calciphylaxis-patient-standard-a4-1.0.0
    chapters: tuple[Chapter, ...]
    # (reference id, number) in order of first citation within this edition
    citations: tuple[tuple[str, int], ...] = ()
    imposed_from: str | None = None  # stem of the booklet output this one imposes
    # When what this output prints is next due for review: its edition's earliest chapter date (the
    # quick guide shares its booklet's), so a reader never meets two dates for the same copy.
    next_review: dt.date | None = None

    @property
    def is_imposed(self) -> bool:
        return self.imposed_from is not None

    @property
    def booklet_stem(self) -> str:
        """The stem of the linear booklet an imposed output lays out."""
        if self.imposed_from is None:
            raise ValueError(f"{self.stem} imposes no booklet")
        return self.imposed_from

    @property
    def is_booklet(self) -> bool:
        return self.variant == "booklet"

    def review_date(self, plan: "Plan") -> dt.date:
        """This output's next review date (the whole plan's when the output has none of its own)."""
        return self.next_review or plan.next_review

    @property
    def is_quick_guide(self) -> bool:
        return self.variant in (QUICK_GUIDE, f"{QUICK_GUIDE}-imposed")

    @property
    def view(self) -> str:
        """Which text of its chapters the output prints: its audience's, or the quick guide's blocks."""
        return QUICK_GUIDE if self.is_quick_guide else self.audience

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"

    @property
    def html_name(self) -> str:
        return f"html/{self.stem}.html"

    @property
    def page_size(self) -> str:
        return PAPERS[self.paper].css_size


@dataclass(frozen=True)
class Plan:
    config: BookletConfig
    outputs: tuple[Output, ...]
    next_review: dt.date
    references: dict[str, Reference]
    history: tuple[EditionEntry, ...] = ()  # CHANGELOG.md, newest first
    brand: Brand | None = None
    sign_offs: dict[str, tuple[SignOff, ...]] = field(default_factory=dict)  # reviews/, by chapter id
    # What changed in the text since the newest earlier edition with a snapshot (editions/).
    awaiting_sign_off: bool = False  # some text lacks a sign-off a release needs
    # Shared by every copy, so that each chapter's digests are made once (pipeline.prepare sets it).
    sign_off_context: SignOffContext | None = None
    changes_since: str | None = None
    changes: tuple[ChapterChange, ...] = ()
    # A language's copies (config.language is then the language's): their translation's state.
    translation: TranslatedCopy | None = None

    @property
    def language_part(self) -> str:
        """What file names add for a translated copy: '-cy', or '' in English."""
        return "" if self.translation is None else f"-{self.translation.language}"


def booklet_next_review(config: BookletConfig, chapters: tuple[Chapter, ...]) -> dt.date:
    """The earliest chapter review date, unless booklet.yaml sets an earlier one."""
    dates = [c.next_review for c in chapters]
    if config.next_review is not None:
        dates.append(config.next_review)
    return min(dates)


def _stem(slug: str, config: BookletConfig, audience: str, variant: str, paper: str) -> str:
    """e.g. calciphylaxis-patient-standard-a4-1.5.2, or ...-a4-cy-1.5.2 for a copy in Welsh."""
    language = "" if is_source_language(config.language) else f"-{config.language}"
    return f"{slug}-{audience}-{variant}-{paper}{language}-{config.edition}"


# A single-chapter handout: the reading copy of one chapter, for each audience it is written for.
HANDOUT_VARIANTS: tuple[Variant, ...] = (
    Variant("handout", "a4", ("patient", "clinician")),
    Variant("handout", "letter", ("patient", "clinician")),
)


def make_plan(config: BookletConfig, chapters: tuple[Chapter, ...], references: dict[str, Reference],
              history: tuple[EditionEntry, ...] = (), brand: Brand | None = None,
              chapter_id: str | None = None, include_drafts: bool = False,
              sign_offs: dict[str, tuple[SignOff, ...]] | None = None) -> Plan:
    """Every output to build; with `chapter_id`, only that chapter's handouts.

    Drafts are left out of the booklet (`check` plans with them, to check them too);
    a draft's own handout is how its author previews it.
    """
    slug = f"{config.slug}-{brand.slug}" if brand else config.slug
    variants = VARIANTS
    if chapter_id is None:
        chapters = tuple(c for c in chapters if include_drafts or not c.is_draft)
    else:
        chosen = [c for c in chapters if c.id == chapter_id]
        if not chosen:
            hint = did_you_mean(chapter_id, [c.id for c in chapters])
            raise UsageError(f"booklet: no chapter has id '{chapter_id}'{hint}")
        chapters, variants, slug = tuple(chosen), HANDOUT_VARIANTS, f"{slug}-{chapter_id}"
    outputs = []
    for audience in config.editions:
        included = tuple(c for c in chapters if c.is_for(audience) and c.markdown_for(audience).strip())
        if not included:
            if chapter_id is not None:
                continue  # the chapter is not written for this audience
            raise BookletError(f"the {audience} edition has no chapters: give a chapter "
                               f"'audience: {audience}' or 'audience: both'", CONFIG_FILE)
        numbers = number_citations(c.cited_text(audience) for c in included)
        quick = tuple(c for c in included if c.markdown_for(QUICK_GUIDE).strip()) if audience == "patient" else ()
        quick_numbers = number_citations(c.markdown_for(QUICK_GUIDE) for c in quick)
        for variant in variants:
            if audience not in variant.audiences:
                continue
            is_quick = variant.name.startswith(QUICK_GUIDE)
            if is_quick and not quick:
                continue
            source = (_stem(slug, config, audience, variant.name.removesuffix("-imposed"), variant.imposed_from)
                      if variant.imposed_from else None)
            outputs.append(Output(audience, variant.name, variant.paper,
                                  _stem(slug, config, audience, variant.name, variant.paper),
                                  quick if is_quick else included,
                                  tuple((quick_numbers if is_quick else numbers).items()), imposed_from=source,
                                  next_review=booklet_next_review(config, included)))
    return Plan(config, tuple(outputs), booklet_next_review(config, chapters), references, history, brand,
                dict(sign_offs or {}))
