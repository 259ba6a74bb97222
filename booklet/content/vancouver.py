"""Reference entries in Vancouver style (ICMJE / NLM Citing Medicine), as HTML.

A small formatter of our own rather than a CSL processor: the booklet needs
three kinds of entry (journal articles, web pages, trial registrations), NLM's
bracketed status dates for web pages ([updated ...; cited ...]), and our own
review-status fields, which CSL styles cannot print.
"""
from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from ..dates import PartialDate, nlm_date, plain_date
from ..interface import N_, _
from ..source.fields import Name
from ..source.references import Reference

MAX_AUTHORS = 6


def nlm_name(name: Name) -> str:
    if name.literal:
        return name.literal
    initials = "".join(part[0] for part in (name.given or "").replace("-", " ").split())
    return f"{name.family} {initials}".strip()


def nlm_authors(ref: Reference) -> str:
    names = [nlm_name(n) for n in ref.author[:MAX_AUTHORS]]
    more = ref.more_authors or len(ref.author) > MAX_AUTHORS
    return ", ".join(names) + (", et al." if more else ".")


def nlm_pages(pages: str) -> str:
    """NLM drops repeated leading digits of the last page: 1704-1714 -> 1704-14."""
    first, dash, last = pages.partition("-")
    if not dash or not (first.isdigit() and last.isdigit()) or len(first) != len(last):
        return pages
    index = 0
    while index < len(last) - 1 and first[index] == last[index]:
        index += 1
    return f"{first}-{last[index:]}"


def _title(title: str) -> str:
    return title if title[-1] in ".?!" else f"{title}."


def _link(url: str, text: str | None = None) -> Markup:
    return Markup('<a href="{0}">{1}</a>').format(url, text or url)


def _with_url(text: str, ref: Reference, label: str = "Available from: ",
              missing: str = " Web address not recorded.") -> Markup:
    """Escaped entry text, then the web address as a live link; a reader told plainly when the
    captured copy recorded none, rather than left to wonder."""
    return escape(text) + (Markup(f" {label}") + _link(ref.URL) if ref.URL else escape(missing))


def _article(ref: Reference) -> Markup:
    journal = ref.container_title_short or ref.container_title
    source = f"{ref.issued.year}" if ref.issued else "[date unknown]"  # the loader requires it; stated anyway
    if ref.volume:
        source += f";{ref.volume}"
    if ref.issue:
        source += f"({ref.issue})"
    if ref.page:
        source += f":{nlm_pages(ref.page)}"
    parts = [escape(f"{nlm_authors(ref)} {_title(ref.title)} {journal}. {source}.")]
    if ref.DOI:
        parts.append(Markup("doi:") + _link(f"https://doi.org/{ref.DOI}", ref.DOI) + ".")
    if ref.PMID:
        parts.append(Markup("PMID: ") + _link(f"https://pubmed.ncbi.nlm.nih.gov/{ref.PMID}/", ref.PMID) + ".")
    return Markup(" ").join(parts)


def stated_dates(ref: Reference) -> list[tuple[str, PartialDate]]:
    """The dates a source states about itself, in the order written, issued first."""
    return [(kind, date) for kind, date in (("issued", ref.issued), ("reviewed", ref.last_reviewed),
                                            ("updated", ref.last_updated)) if date]


def _bracket_dates(ref: Reference) -> str:
    dates = ["date unknown"] if ref.is_undated else []
    dates += [f"{kind} {nlm_date(date)}" for kind, date in stated_dates(ref) if kind != "issued"]
    if ref.accessed:
        dates.append(f"cited {nlm_date(ref.accessed)}")
    return f"[{'; '.join(dates)}]" if dates else ""


def _webpage(ref: Reference) -> Markup:
    authors = f"{nlm_authors(ref)} " if ref.author else ""
    publisher = ref.publisher or ref.container_title or "[publisher unknown]"
    date = nlm_date(ref.issued) if ref.issued else ""
    when = " ".join(part for part in (date, _bracket_dates(ref)) if part)
    # NLM: "Place: Publisher"; no captured page states its place, so NLM's "[place unknown]".
    return _with_url(f"{authors}{ref.title} [Internet]. [place unknown]: {publisher}" +
                     (f"; {when}." if when else "."), ref)


def _trial(ref: Reference) -> Markup:
    return _with_url(f"{ref.container_title} [Internet]. Bethesda (MD): National Library of Medicine (US). "
                     f"Identifier {ref.number}, {ref.title}; {_bracket_dates(ref)}.", ref)


def format_reference(ref: Reference) -> Markup:
    """One Vancouver entry, with DOI, PMID and URL as live links."""
    if ref.type == "article-journal":
        return _article(ref)
    if ref.is_trial:
        return _trial(ref)
    return _webpage(ref)


def review_status(ref: Reference, published: dt.date) -> str:
    """The source's own dates as it states them, judged against the edition's publication date."""
    if ref.type == "article-journal" or ref.is_trial:
        return ""  # dated by the journal or the registry; the reference itself gives the date
    labels = {"issued": "dated", "reviewed": "last reviewed", "updated": "last updated"}
    parts = [f"{labels[kind]} {plain_date(date)}" for kind, date in stated_dates(ref)]
    if ref.is_undated:
        parts.append("undated")
    if ref.next_review:
        due = f"next review {plain_date(ref.next_review)}"
        if ref.overdue(published):
            due += " (overdue for review by its publisher at this edition's publication)"
        parts.append(due)
    else:
        parts.append("no next review date stated")
    status = "; ".join(parts)
    return status[0].upper() + status[1:] + "."


def spoken_name(ref: Reference) -> str:
    """A source in a few words, for a link to it read aloud: "National Kidney Federation (UK)",
    "Nigwekar and others, 2018"."""
    if ref.type == "article-journal" and ref.author:
        first = ref.author[0].literal or ref.author[0].family or ""
        others = " and others" if len(ref.author) > 1 or ref.more_authors else ""
        return f"{first}{others}, {ref.issued.year}" if ref.issued else f"{first}{others}"
    if ref.is_trial and ref.number:
        return f"{ref.container_title or ref.title}, {ref.number}"
    return _organisation(ref) or ref.title


def _organisation(ref: Reference) -> str | None:
    """Who stands behind a web page, for the plain-words entries: publisher, site or author."""
    return ref.publisher or ref.container_title or (ref.author[0].literal if ref.author else None)


# How the plain-words entries say what each of a source's own dates is.
PATIENT_DATE_WORDS = {"issued": N_("Written {date}."), "reviewed": N_("Last checked by its authors {date}."),
                      "updated": N_("Last updated {date}.")}


def patient_entry(ref: Reference, published: dt.date) -> Markup:
    """'Where this information comes from': organisation, title, year, last reviewed, link."""
    organisation = _organisation(ref)
    if ref.type == "article-journal":
        authors = nlm_name(ref.author[0]) + (_(" and others") if len(ref.author) > 1 or ref.more_authors else "")
        year = f", {ref.issued.year}" if ref.issued else ""
        text = f"{authors}. \u201c{ref.title}\u201d. {ref.container_title}{year}."
        return escape(text)
    if ref.is_trial:
        return _with_url(_("{title}: a research study registered as {number} on {registry}.").format(
            title=ref.title, number=ref.number, registry=ref.container_title), ref, label="")
    lead = f"{organisation}: \u201c{ref.title}\u201d." if organisation else \
        _("\u201c{title}\u201d (the article does not say who published it).").format(title=ref.title)
    dates = [_(PATIENT_DATE_WORDS[kind]).format(date=plain_date(date)) for kind, date in stated_dates(ref)]
    if ref.is_undated:
        dates.append(_("It gives no date."))
    if ref.next_review:
        if ref.overdue(published):
            dates.append(_("It was due to be checked again by {date}; that check is now overdue.").format(
                date=plain_date(ref.next_review)))
        else:
            dates.append(_("Next check due {date}.").format(date=plain_date(ref.next_review)))
    return _with_url(" ".join([lead, *dates]), ref, label="", missing=_(" No web address recorded."))


def short_entry(ref: Reference) -> Markup:
    """A source in a line, for the quick guide's four pages: who, what and when (the full booklet
    lists each in full)."""
    if ref.type == "article-journal":
        who = nlm_name(ref.author[0]) + (_(" and others") if len(ref.author) > 1 or ref.more_authors else "")
        when = f" {ref.issued.year}" if ref.issued else ""
        return escape(f"{who}, {ref.container_title_short or ref.container_title}{when}.")
    if ref.is_trial:
        return escape(f"{ref.title} ({ref.number}).")
    publisher = _organisation(ref)
    dates = [plain_date(date) for _, date in stated_dates(ref)]
    when = f", {dates[0]}" if dates else _(", undated")
    return escape(f"{publisher + ': ' if publisher else ''}\u201c{ref.title}\u201d{when}.")
