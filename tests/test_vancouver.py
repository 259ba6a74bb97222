"""Golden tests: each kind of reference entry, formatted exactly."""
from __future__ import annotations

import datetime as dt

from booklet.source.references import Reference
from booklet.dates import PartialDate
from booklet.source.fields import Name
from booklet.content.vancouver import format_reference, nlm_pages, patient_entry, review_status

PUBLISHED = dt.date(2026, 11, 21)


def article(**changes) -> Reference:
    base = dict(id="a", type="article-journal", title="Calciphylaxis",
                author=(Name("Nigwekar", "S U"), Name("Thadhani", "R"), Name("Brandenburg", "V M")),
                container_title="New England Journal of Medicine", container_title_short="N Engl J Med",
                issued=PartialDate(2018), volume="378", page="1704-1714", DOI="10.1056/NEJMra1505292")
    return Reference(**{**base, **changes})


def test_journal_article_with_doi_link():
    assert str(format_reference(article())) == (
        'Nigwekar SU, Thadhani R, Brandenburg VM. Calciphylaxis. N Engl J Med. 2018;378:1704-14. '
        'doi:<a href="https://doi.org/10.1056/NEJMra1505292">10.1056/NEJMra1505292</a>.')


def test_journal_article_with_issue_pmid_and_cut_author_list():
    ref = article(title="Calciphylaxis: risk factors, diagnosis, and treatment", more_authors=True,
                  author=(Name("Nigwekar", "S U"), Name("Kroshinsky", "D"), Name("Nazarian", "R M")),
                  container_title_short="Am J Kidney Dis", issued=PartialDate(2015), volume="66", issue="1",
                  page="133-146", DOI="10.1053/j.ajkd.2015.01.034", PMID="25960299")
    assert str(format_reference(ref)) == (
        "Nigwekar SU, Kroshinsky D, Nazarian RM, et al. Calciphylaxis: risk factors, diagnosis, and treatment. "
        "Am J Kidney Dis. 2015;66(1):133-46. "
        'doi:<a href="https://doi.org/10.1053/j.ajkd.2015.01.034">10.1053/j.ajkd.2015.01.034</a>. '
        'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/25960299/">25960299</a>.')


def test_more_than_six_authors_become_six_and_et_al():
    authors = tuple(Name(f"Author{i}", "A") for i in range(1, 8))
    text = str(format_reference(article(author=authors, DOI=None)))
    assert text.startswith("Author1 A, Author2 A, Author3 A, Author4 A, Author5 A, Author6 A, et al. Calciphylaxis.")
    assert "Author7" not in text


def test_exactly_six_authors_are_all_listed():
    authors = tuple(Name(f"Author{i}", "A") for i in range(1, 7))
    assert "et al" not in str(format_reference(article(author=authors)))


def test_nlm_page_ranges_drop_repeated_digits():
    assert [nlm_pages(p) for p in ("1704-1714", "38-41", "557-561", "123-129", "63", "e12-e19")] == [
        "1704-14", "38-41", "557-61", "123-9", "63", "e12-e19"]


def test_web_page_with_review_date_and_link():
    ref = Reference(id="w", type="webpage", title="Calciphylaxis", author=(Name(literal="Cleveland Clinic"),),
                    publisher="Cleveland Clinic", URL="https://example.org/c", accessed=PartialDate(2026, 11, 21),
                    last_reviewed=PartialDate(2024, 3, 25))
    assert str(format_reference(ref)) == (
        "Cleveland Clinic. Calciphylaxis [Internet]. [place unknown]: Cleveland Clinic; [reviewed 2024 Mar 25; cited 2026 Nov 21]. "
        'Available from: <a href="https://example.org/c">https://example.org/c</a>')


def test_web_page_with_authors_and_month_date():
    ref = Reference(id="n", type="webpage", title="Calciphylaxis",
                    author=(Name("Sinha", "Smeeta"), Name("Huish", "Sharon")),
                    publisher="National Kidney Federation (UK)", issued=PartialDate(2023, 7),
                    accessed=PartialDate(2026, 11, 21), next_review=PartialDate(2026, 7))
    assert str(format_reference(ref)) == (
        "Sinha S, Huish S. Calciphylaxis [Internet]. [place unknown]: National Kidney Federation (UK); 2023 Jul [cited 2026 Nov 21]. "
        "Web address not recorded.")


def test_undated_web_page_without_publisher_says_so():
    ref = Reference(id="q", type="webpage", title="What is calciphylaxis?", accessed=PartialDate(2026, 11, 21))
    assert str(format_reference(ref)) == (
        "What is calciphylaxis? [Internet]. [place unknown]: [publisher unknown]; [date unknown; cited 2026 Nov 21]. "
        "Web address not recorded.")


def test_trial_registration():
    ref = Reference(id="t", type="webpage", genre="trial registration", title="BEAT-CALCI",
                    container_title="ClinicalTrials.gov", number="NCT05018221",
                    URL="https://example.org/NCT05018221", accessed=PartialDate(2026, 11, 21))
    assert str(format_reference(ref)) == (
        "ClinicalTrials.gov [Internet]. Bethesda (MD): National Library of Medicine (US). "
        "Identifier NCT05018221, BEAT-CALCI; [cited 2026 Nov 21]. "
        'Available from: <a href="https://example.org/NCT05018221">https://example.org/NCT05018221</a>')


def test_markup_in_fields_is_escaped():
    assert "&lt;b&gt;" in str(format_reference(article(title="<b>bold</b>")))


def test_review_status_marks_a_source_past_its_own_review_date_as_overdue():
    ref = Reference(id="n", type="webpage", title="x", issued=PartialDate(2023, 7), next_review=PartialDate(2026, 7))
    assert review_status(ref, PUBLISHED) == (
        "Dated July 2023; next review July 2026 (overdue for review by its publisher at this edition's publication).")
    # Judged against the edition's publication date: the same source was not overdue in mid-2026.
    assert "overdue" not in review_status(ref, dt.date(2026, 7, 31))
    assert "overdue" in review_status(ref, dt.date(2026, 8, 1))


def test_review_status_of_undated_and_reviewed_sources():
    undated = Reference(id="q", type="webpage", title="x", note="Names no publisher.")
    assert review_status(undated, PUBLISHED) == "Undated; no next review date stated."  # the note prints apart
    reviewed = Reference(id="c", type="webpage", title="x", last_reviewed=PartialDate(2024, 3, 25))
    assert review_status(reviewed, PUBLISHED) == "Last reviewed 25 March 2024; no next review date stated."


def test_patient_entries_give_organisation_title_dates_and_link():
    ref = Reference(id="c", type="webpage", title="Calciphylaxis", publisher="Cleveland Clinic",
                    URL="https://example.org/c", last_reviewed=PartialDate(2024, 3, 25))
    assert str(patient_entry(ref, PUBLISHED)) == (
        "Cleveland Clinic: \u201cCalciphylaxis\u201d. Last checked by its authors 25 March 2024. "
        '<a href="https://example.org/c">https://example.org/c</a>')
    overdue = Reference(id="n", type="webpage", title="Calciphylaxis", publisher="NKF",
                        issued=PartialDate(2023, 7), next_review=PartialDate(2026, 7))
    assert str(patient_entry(overdue, PUBLISHED)) == (
        "NKF: \u201cCalciphylaxis\u201d. Written July 2023. "
        "It was due to be checked again by July 2026; that check is now overdue. No web address recorded.")
    undated = Reference(id="q", type="webpage", title="What is it?")
    assert "It gives no date." in str(patient_entry(undated, PUBLISHED))
