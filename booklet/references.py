"""references.yaml: the sources in CSL-YAML, with review status as each source states it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .errors import BookletError, Problem
from .schema import Field, Name, PartialDate, describe, validate_mapping
from .textfile import read_text
from .yamlfile import load_yaml

REFERENCES_FILE = "references.yaml"
TRIAL_GENRE = "trial registration"

REFERENCE_FIELDS: tuple[Field, ...] = (
    Field("id", "slug", "Citation key, cited in chapters as [@id]."),
    Field("type", "choice", "CSL item type.", choices=("article-journal", "webpage")),
    Field("title", "text", "Title as the source gives it."),
    Field("author", "names", "Authors: {family, given} or {literal} for an organisation.", required=False),
    Field("more-authors", "boolean", "True when the author list given is cut short (et al.).", required=False),
    Field("container-title", "text", "Journal or website name.", required=False),
    Field("container-title-short", "text", "NLM journal abbreviation.", required=False),
    Field("publisher", "text", "Publishing organisation.", required=False),
    Field("genre", "choice", "Set to 'trial registration' for a trial registry entry.", required=False,
          choices=(TRIAL_GENRE,)),
    Field("number", "short-text", "Registry identifier of a trial, e.g. NCT05018221.", required=False),
    Field("issued", "partial-date", "Publication date, as precise as the source states it.", required=False),
    Field("volume", "short-text", "Journal volume.", required=False),
    Field("issue", "short-text", "Journal issue.", required=False),
    Field("page", "short-text", "Pages, e.g. 1704-1714.", required=False),
    Field("DOI", "doi", "Digital Object Identifier, without https://doi.org/.", required=False),
    Field("PMID", "pmid", "PubMed identifier.", required=False),
    Field("URL", "url", "Web address.", required=False),
    Field("accessed", "partial-date", "When the booklet's authors consulted it.", required=False),
    Field("last-reviewed", "partial-date", "Last reviewed date, as the source states it.", required=False),
    Field("last-updated", "partial-date", "Last updated date, as the source states it.", required=False),
    Field("next-review", "partial-date", "The source's own next review date, if it gives one.", required=False),
    Field("note", "text", "Short note on the source's status or limits.", required=False),
)


@dataclass(frozen=True)
class Reference:
    id: str
    type: str
    title: str
    line: int | None = None
    author: tuple[Name, ...] = ()
    more_authors: bool = False
    container_title: str | None = None
    container_title_short: str | None = None
    publisher: str | None = None
    genre: str | None = None
    number: str | None = None
    issued: PartialDate | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    DOI: str | None = None
    PMID: str | None = None
    URL: str | None = None
    accessed: PartialDate | None = None
    last_reviewed: PartialDate | None = None
    last_updated: PartialDate | None = None
    next_review: PartialDate | None = None
    note: str | None = None

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


def _type_problems(ref: Reference, path: str) -> list[Problem]:
    missing = []
    if ref.type == "article-journal":
        missing = [name for name, value in (("author", ref.author), ("issued", ref.issued),
                                            ("container-title", ref.container_title)) if not value]
    if ref.is_trial:
        missing = [name for name, value in (("number", ref.number), ("container-title", ref.container_title))
                   if not value]
    return [Problem(path, ref.line, f"reference '{ref.id}' ({ref.type}) needs '{name}'") for name in missing]


def load_references(root: Path) -> tuple[dict[str, Reference], list[Problem]]:
    """Every reference by id, and every problem in the file."""
    path = root / REFERENCES_FILE
    if not path.is_file():
        return {}, [Problem(REFERENCES_FILE, None, "missing: the booklet needs its list of sources")]
    try:
        data, lines = load_yaml(read_text(path, REFERENCES_FILE, root), REFERENCES_FILE)
    except BookletError as err:
        return {}, [Problem(REFERENCES_FILE, err.line, err.message)]
    prefix: tuple = ()
    if isinstance(data, dict) and set(data) == {"references"}:  # Pandoc's CSL-YAML layout
        data, prefix = data["references"], ("references",)
    if not isinstance(data, list):
        return {}, [Problem(REFERENCES_FILE, lines.get(prefix),
                            f"must be a list of references under 'references:', not {describe(data)}")]
    references: dict[str, Reference] = {}
    problems: list[Problem] = []
    for index, item in enumerate(data):
        where = (*prefix, index)
        values, found = validate_mapping(item, REFERENCE_FIELDS, REFERENCES_FILE, lines, "a reference", where)
        problems += found
        if found:
            continue
        ref = Reference(line=lines.get(where), **{k.replace("-", "_"): v for k, v in values.items()})
        problems += _type_problems(ref, REFERENCES_FILE)
        if ref.id in references:
            problems.append(Problem(REFERENCES_FILE, ref.line, f"duplicate reference id '{ref.id}' "
                                                               f"(also on line {references[ref.id].line})"))
        references[ref.id] = ref
    return references, problems
