"""references.yaml: the sources in CSL-YAML, with review status as each source states it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..dates import PartialDate
from ..errors import BookletError, Problem
from ..files import read_text
from .fields import Name, describe, fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

REFERENCES_FILE = "references.yaml"
TRIAL_GENRE = "trial registration"



# How a source stands as to review by a person, as it says itself.
REVIEW_STATUSES = ("pending-human-review", "human-reviewed")


@dataclass(frozen=True, kw_only=True)
class Reference:
    id: str = spec("slug", "Citation key, cited in chapters as [@id].")
    type: str = spec("choice", "CSL item type.", choices=("article-journal", "webpage"))
    title: str = spec("text", "Title as the source gives it.")
    author: tuple[Name, ...] = spec("names", "Authors: {family, given} or {literal} for an organisation.",
                                    default=())
    more_authors: bool = spec("boolean", "True when the author list given is cut short (et al.).",
                              key="more-authors", default=False)
    container_title: str | None = spec("text", "Journal or website name.", key="container-title", default=None)
    container_title_short: str | None = spec("text", "NLM journal abbreviation.", key="container-title-short",
                                             default=None)
    publisher: str | None = spec("text", "Publishing organisation.", default=None)
    genre: str | None = spec("choice", "Set to 'trial registration' for a trial registry entry.",
                             choices=(TRIAL_GENRE,), default=None)
    number: str | None = spec("short-text", "Registry identifier of a trial, e.g. NCT05018221.", default=None)
    issued: PartialDate | None = spec("partial-date", "Publication date, as precise as the source states it.",
                                      default=None)
    volume: str | None = spec("short-text", "Journal volume.", default=None)
    issue: str | None = spec("short-text", "Journal issue.", default=None)
    page: str | None = spec("short-text", "Pages, e.g. 1704-1714.", default=None)
    DOI: str | None = spec("doi", "Digital Object Identifier, without https://doi.org/.", default=None)
    PMID: str | None = spec("pmid", "PubMed identifier.", default=None)
    URL: str | None = spec("url", "Web address.", default=None)
    accessed: PartialDate | None = spec("partial-date", "When the booklet's authors consulted it.", default=None)
    last_reviewed: PartialDate | None = spec("partial-date", "Last reviewed date, as the source states it.",
                                             key="last-reviewed", default=None)
    last_updated: PartialDate | None = spec("partial-date", "Last updated date, as the source states it.",
                                            key="last-updated", default=None)
    next_review: PartialDate | None = spec("partial-date", "The source's own next review date, if it gives "
                                           "one.", key="next-review", default=None)
    note: str | None = spec("text", "Short note on the source's status or limits.", default=None)
    review_status: str | None = spec("choice", "The source's own review standing, e.g. 'pending-human-review' "
                                     "for a page that says a person has not yet checked it.",
                                     key="review-status", choices=REVIEW_STATUSES, default=None)
    machine_generated: bool = spec("boolean", "True when the source says it was written by a program (AI).",
                                   key="machine-generated", default=False)
    line: int | None = None  # where the entry starts in references.yaml

    @property
    def is_unreviewed_ai(self) -> bool:
        """A source no person has vouched for: a statement resting on such sources alone is marked."""
        return self.review_status == "pending-human-review" or (self.machine_generated and
                                                                self.review_status != "human-reviewed")

    @property
    def standing(self) -> str | None:
        """The source's review standing in words, for the reference lists."""
        parts = []
        if self.machine_generated:
            parts.append("written with AI")
        if self.review_status == "pending-human-review":
            parts.append("pending human review")
        elif self.review_status == "human-reviewed":
            parts.append("reviewed by a person")
        return "; ".join(parts) or None

    @property
    def is_trial(self) -> bool:
        return self.genre == TRIAL_GENRE

    @property
    def is_undated(self) -> bool:
        """A document that states no date at all (a registry entry is dated by the registry)."""
        return not (self.is_trial or self.issued or self.last_reviewed or self.last_updated)

    def overdue(self, as_of: dt.date) -> bool:
        """True when the source's own next review date has passed by `as_of`."""
        return self.next_review is not None and self.next_review.last_day() < as_of


REFERENCE_FIELDS = fields_of(Reference)


def _type_problems(ref: Reference, path: str) -> list[Problem]:
    missing = []
    if ref.type == "article-journal":
        missing = [name for name, value in (("author", ref.author), ("issued", ref.issued),
                                            ("container-title", ref.container_title)) if not value]
    if ref.is_trial:
        missing = [name for name, value in (("number", ref.number), ("container-title", ref.container_title))
                   if not value]
    return [Problem(path, ref.line, f"reference '{ref.id}' ({ref.type}) needs '{name}'") for name in missing]


@dataclass(frozen=True)
class ReferenceList:
    """references.yaml as read: the sound entries by id, every problem, and the ids of entries
    too broken to use, so that citing one of them is not reported as citing an unknown source."""

    entries: dict[str, Reference]
    problems: list[Problem]
    broken_ids: frozenset[str] = frozenset()


def load_references(root: Path) -> tuple[dict[str, Reference], list[Problem]]:
    """Every sound reference by id, and every problem in the file."""
    found = read_references(root)
    return found.entries, found.problems


def read_references(root: Path) -> ReferenceList:
    path = root / REFERENCES_FILE
    if not path.exists() and not path.is_symlink():  # a link or a folder is read_text's to name
        return ReferenceList({}, [Problem(REFERENCES_FILE, None, "missing: the booklet needs its list of sources")])
    try:
        data, lines = load_yaml(read_text(path, REFERENCES_FILE, root), REFERENCES_FILE)
    except BookletError as err:
        return ReferenceList({}, err.as_problems(REFERENCES_FILE))
    prefix: tuple = ()
    if isinstance(data, dict) and set(data) == {"references"}:  # Pandoc's CSL-YAML layout
        data, prefix = data["references"], ("references",)
    if not isinstance(data, list):
        return ReferenceList({}, [Problem(REFERENCES_FILE, lines.get(prefix),
                                          f"must be a list of references under 'references:', not {describe(data)}")])
    references: dict[str, Reference] = {}
    problems: list[Problem] = []
    broken: set[str] = set()
    for index, item in enumerate(data):
        where = (*prefix, index)
        values, found = validate_mapping(item, REFERENCE_FIELDS, REFERENCES_FILE, lines, "a reference", where)
        problems += found
        if found:
            if isinstance(values.get("id"), str):
                broken.add(values["id"])
            continue
        ref = from_values(Reference, REFERENCE_FIELDS, values, line=lines.get(where))
        problems += _type_problems(ref, REFERENCES_FILE)
        if ref.id in references:
            problems.append(Problem(REFERENCES_FILE, ref.line, f"duplicate reference id '{ref.id}' "
                                                               f"(also on line {references[ref.id].line})"))
        references[ref.id] = ref
    return ReferenceList(references, problems, frozenset(broken))
