"""The booklet's own words in other languages: the catalogue the code marks, the Welsh one,
and what the content code prints while a copy's language is set."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po

from booklet.authoring.interface_catalogue import catalogue_bytes, template_catalogue
from booklet.content.citation_links import reference_words
from booklet.content.slots import fill_slots
from booklet.dates import PartialDate, long_date, plain_date
from booklet.errors import BookletError
from booklet.interface import CATALOGUE_TEMPLATE, LOCALE_DIR, speaking


def test_the_catalogue_template_is_what_the_code_marks():
    """Run `python -m booklet.authoring.interface_catalogue cy` after changing a marked word."""
    assert CATALOGUE_TEMPLATE.read_bytes() == catalogue_bytes(template_catalogue())


def test_the_welsh_catalogue_translates_every_word_and_keeps_each_placeholder():
    template = {m.id for m in template_catalogue() if m.id}
    with open(LOCALE_DIR / "cy.po", "rb") as handle:
        welsh = {m.id: m for m in read_po(handle, locale="cy") if m.id}
    assert set(welsh) == template
    for english, entry in welsh.items():
        assert entry.string and not entry.fuzzy, english
        places = r"\{\w+\}|%\(\w+\)s"  # str.format's and the templates' (gettext's)
        assert sorted(re.findall(places, english)) == sorted(re.findall(places, entry.string)), english


def test_dates_and_words_follow_the_language_of_the_copy_and_english_is_unchanged():
    day = dt.date(2026, 12, 2)
    assert long_date(day) == "2 December 2026"
    with speaking("cy"):
        assert long_date(day) == "2 Rhagfyr 2026"
        assert plain_date(PartialDate(2023, 7, None)) == "Gorffennaf 2023"
        assert reference_words(3, "Cleveland Clinic") == "Cyfeiriad 3: Cleveland Clinic"
        assert 'aria-label="lle i ysgrifennu y rhif argyfwng"' in fill_slots(
            '<span class="slot-emergency-number"></span>', {})
    assert reference_words(3, "Cleveland Clinic") == "Reference 3: Cleveland Clinic"
    assert plain_date(PartialDate(2023, 7, None)) == "July 2023"


def test_a_language_with_no_catalogue_is_refused_before_anything_is_made():
    with pytest.raises(BookletError, match="no catalogue of the booklet's own words for 'pl'"):
        with speaking("pl"):
            pass


def test_a_copy_made_in_welsh_prints_the_templates_words_and_dates_in_welsh(built_mini):
    """HTML only: the document an English copy's PDF is made from, made again in Welsh."""
    from booklet.pipeline import prepare
    from booklet.render.document import render_document

    prepared = prepare(built_mini)
    output = next(o for o in prepared.plan.outputs if o.stem == "fixture-patient-standard-a4-2.1.0")
    english = render_document(prepared.plan, output, prepared.root, prepared.build_dir)
    assert english == prepared.documents[output.stem]  # the same words as ever in English
    with speaking("cy"):
        welsh = render_document(prepared.plan, output, prepared.root, prepared.build_dir)
    for words in ("<dt>Argraffiad</dt>", "<dt>Yr adolygiad nesaf</dt>", "Y brif neges:", "15 Ionawr 2026",
                  '"Tudalen " counter(page) " o " counter(pages)', "O ble mae'r wybodaeth hon yn dod"):
        assert words in welsh, words
    for english_words in ("<dt>Edition</dt>", "Main message:", "January 2026", "Where this information comes from"):
        assert english_words not in welsh, english_words
