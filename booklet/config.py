"""booklet.yaml: the booklet-wide settings, typed and validated in one pass."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .errors import BookletError, Problem, ValidationFailed
from .schema import Field, validate_mapping
from .textfile import read_text
from .yamlfile import load_yaml

CONFIG_FILE = "booklet.yaml"
AUDIENCES = ("patient", "clinician")

CONFIG_FIELDS: tuple[Field, ...] = (
    Field("title", "text", "The booklet's title, printed on the cover and in the PDF metadata."),
    Field("subtitle", "text", "A line under the title on the cover.", required=False),
    Field("slug", "slug", "Short name used in output file names, e.g. calciphylaxis."),
    Field("language", "language", "Language tag of the text, e.g. en-GB."),
    Field("edition", "semver", "Edition number (semantic version), e.g. 1.0.0."),
    Field("published", "date", "Publication date of this edition (YYYY-MM-DD)."),
    Field("publisher", "text", "Publisher line for the cover; also the PDF author."),
    Field("description", "text", "One-sentence description; the PDF subject.", required=False),
    Field("keywords", "text-list", "PDF keywords.", required=False),
    Field("editions", "choice-list", "Which audiences to build.", choices=AUDIENCES),
    Field("home_page", "url", "Web address where the current edition can be found; printed on the back "
          "cover with a QR code.", required=False),
    Field("disclaimer", "text", "Printed inside the cover: what the booklet is not (advice for one person).",
          required=False),
    Field("licence", "text", "Printed inside the cover: the terms on which the booklet may be shared.",
          required=False),
    Field("next_review", "date",
          "Booklet-wide next review date; used when earlier than every chapter's.", required=False),
)


@dataclass(frozen=True)
class BookletConfig:
    title: str
    slug: str
    language: str
    edition: str
    published: dt.date
    publisher: str
    editions: tuple[str, ...]
    subtitle: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    next_review: dt.date | None = None
    disclaimer: str | None = None
    licence: str | None = None
    home_page: str | None = None


def load_config(root: Path) -> BookletConfig:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise BookletError(f"no {CONFIG_FILE} here: run the command in the booklet's folder", CONFIG_FILE)
    text = read_text(path, CONFIG_FILE, root)
    data, lines = load_yaml(text, CONFIG_FILE)
    values, problems = validate_mapping(data, CONFIG_FIELDS, CONFIG_FILE, lines, CONFIG_FILE)
    if problems:
        raise ValidationFailed(problems)
    return BookletConfig(**values)


def config_problems(root: Path) -> tuple[BookletConfig | None, list[Problem]]:
    """Load the config, returning problems instead of raising (for whole-project checks)."""
    try:
        return load_config(root), []
    except ValidationFailed as err:
        return None, err.problems
    except BookletError as err:
        return None, [Problem(err.path or CONFIG_FILE, err.line, err.message)]
