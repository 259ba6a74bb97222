"""booklet.yaml: the booklet-wide settings, typed and validated in one pass."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BookletError, Problem, ValidationFailed
from ..files import read_text
from .fields import fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

CONFIG_FILE = "booklet.yaml"
AUDIENCES = ("patient", "clinician")
# Who may sign a chapter off (reviews/<chapter id>.yaml; see signoffs.py).
SIGN_OFF_ROLES = ("author", "clinical-reviewer", "patient-reviewer", "editor")


@dataclass(frozen=True, kw_only=True)
class BookletConfig:
    title: str = spec("text", "The booklet's title, printed on the cover and in the PDF metadata.")
    subtitle: str | None = spec("text", "A line under the title on the cover.", default=None)
    slug: str = spec("slug", "Short name used in output file names, e.g. calciphylaxis.")
    language: str = spec("language", "Language tag of the text, e.g. en-GB.")
    edition: str = spec("semver", "Edition number (semantic version), e.g. 1.0.0.")
    published: dt.date = spec("date", "Publication date of this edition (YYYY-MM-DD).")
    publisher: str = spec("text", "Publisher line for the cover; also the PDF author.")
    description: str | None = spec("text", "One-sentence description; the PDF subject.", default=None)
    keywords: tuple[str, ...] = spec("text-list", "PDF keywords.", default=())
    editions: tuple[str, ...] = spec("choice-list", "Which audiences to build.", choices=AUDIENCES)
    home_page: str | None = spec("url", "Web address where the current edition can be found; printed on the "
                                 "back cover with a QR code.", default=None)
    disclaimer: str | None = spec("text", "Printed inside the cover: what the booklet is not (advice for one "
                                  "person).", default=None)
    licence: str | None = spec("text", "Printed inside the cover: the terms on which the booklet may be "
                               "shared.", default=None)
    emergency_number: str | None = spec("phone", "The emergency phone number the urgent page tells readers "
                                        "to call, e.g. 999 in the UK; a brand file may set its own. Without "
                                        "one, copies print a line to write it on.",
                                        default=None)
    next_review: dt.date | None = spec("date", "Booklet-wide next review date; used when earlier than every "
                                       "chapter's.", default=None)
    feedback: str | None = spec("text", "How a reader can tell the authors about a mistake or a question, printed "
                                "on the page saying who wrote and checked the booklet.", default=None)
    draft_for_review: bool = spec("boolean", "True while this edition waits for the sign-offs a release "
                                  "needs: its cover and every page say it is a draft for review, and 'booklet "
                                  "release' accepts it without them.", default=False)
    patient_sign_offs: tuple[str, ...] = spec("choice-list", "The roles whose current sign-off each chapter's "
                                              "patient text needs before an edition that is not a draft can be "
                                              "released.", choices=SIGN_OFF_ROLES,
                                              default=("clinical-reviewer", "patient-reviewer"))
    clinician_sign_offs: tuple[str, ...] = spec("choice-list", "The same for each chapter's clinician text.",
                                                choices=SIGN_OFF_ROLES, default=("clinical-reviewer",))
    translations: tuple[str, ...] = spec("language-list", "Languages the patient edition is also made in, each "
                                         "from its translation in translations/<language>/ (e.g. [cy] for "
                                         "Welsh). A copy whose translation is not finished and signed off is "
                                         "marked a draft on every page, and a release leaves it out.", default=())
    # Line of each key in booklet.yaml, so later checks (the project's) can point at it.
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key)


CONFIG_FIELDS = fields_of(BookletConfig)


def load_config(root: Path) -> BookletConfig:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise BookletError(f"no {CONFIG_FILE} here: run the command in the booklet's folder", CONFIG_FILE)
    text = read_text(path, CONFIG_FILE, root)
    data, lines = load_yaml(text, CONFIG_FILE)
    values, problems = validate_mapping(data, CONFIG_FIELDS, CONFIG_FILE, lines, CONFIG_FILE)
    published, next_review = values.get("published"), values.get("next_review")
    if published and next_review and next_review < published:
        problems.append(Problem(CONFIG_FILE, lines.get(("published",)),
                                f"'published' ({published}) comes after the booklet's 'next_review' ({next_review}, "
                                f"line {lines.get(('next_review',))}): the booklet would be printed already "
                                "overdue for review"))
    if problems:
        raise ValidationFailed(problems)
    key_lines = tuple((key[0], line) for key, line in lines.items() if len(key) == 1 and isinstance(key[0], str))
    return from_values(BookletConfig, CONFIG_FIELDS, values, key_lines=key_lines)
