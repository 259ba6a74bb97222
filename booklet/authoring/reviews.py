"""Review dates as of a given day: which sources and chapters are past due.

PDFs never use this (they judge against the edition's publication date, so a
rebuild gives the same file); `booklet check` does, as of today by default.
"""
from __future__ import annotations

import datetime as dt

from ..dates import plain_date
from ..errors import WARNING, Problem
from ..source.chapters import Chapter
from ..source.references import REFERENCES_FILE, Reference


def review_warnings(chapters: tuple[Chapter, ...], references: dict[str, Reference],
                    as_of: dt.date) -> list[Problem]:
    warnings = []
    for ref in sorted(references.values(), key=lambda r: r.line or 0):
        if ref.next_review is not None and ref.overdue(as_of):
            warnings.append(Problem(REFERENCES_FILE, ref.line,
                                    f"source '{ref.id}' was due for review by its publisher by "
                                    f"{plain_date(ref.next_review)} (as of {as_of.isoformat()}): "
                                    "check it for a newer version", WARNING))
    for chapter in chapters:
        if chapter.next_review < as_of:
            warnings.append(Problem(chapter.path, chapter.line_of("next_review"),
                                    f"chapter was due for review on {chapter.next_review.isoformat()} "
                                    f"(as of {as_of.isoformat()})", WARNING))
    return warnings
