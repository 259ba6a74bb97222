"""`booklet init DIR`: a new booklet project that checks and builds as it is, to start from.

It holds booklet.yaml, an empty references.yaml, one chapter for each edition,
CHANGELOG.md, an example brand file and the JSON Schemas, so an organisation can
start a booklet on another condition. The chapters say how to write the real ones.
"""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path

from ..dates import months_later
from ..errors import BookletError, UsageError
from ..files import atomic_create
from .json_schemas import write_schemas
from .new import REVIEW_INTERVAL_MONTHS, slug_of, yaml_scalar

STARTER_DIR = Path(__file__).resolve().parent.parent / "starter"
TEMPLATED = (".yaml", ".md")  # files whose $title, $slug, $publisher, $today and $next_review are filled in
DEFAULT_TITLE = "My booklet"


@dataclass(frozen=True)
class StartedProject:
    folder: Path
    files: tuple[str, ...]  # relative to the folder, in the order written


def starter_files() -> list[Path]:
    return sorted(p for p in STARTER_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def init_project(folder: Path, today: dt.date, title: str = DEFAULT_TITLE,
                 publisher: str | None = None) -> StartedProject:
    """Write the starter project into `folder`, which must be new or empty."""
    title = " ".join(title.split())
    slug = slug_of(title)
    if not slug:
        raise UsageError("booklet: the title needs some letters or digits (they make the file names)")
    if folder.exists() and not folder.is_dir():
        raise BookletError("is not a folder: booklet init makes a new project in a new or empty folder",
                           folder)
    if folder.is_dir() and any(folder.iterdir()):
        raise BookletError("is not empty: booklet init makes a new project in a new or empty folder", folder)
    values = {"title": yaml_scalar(title), "slug": slug, "publisher": yaml_scalar(publisher or f"The {title} team"),
              "today": today.isoformat(), "next_review": months_later(today, REVIEW_INTERVAL_MONTHS).isoformat()}
    written = []
    try:
        for source in starter_files():
            relative = source.relative_to(STARTER_DIR).as_posix()
            data = source.read_bytes()
            if source.suffix in TEMPLATED:
                data = string.Template(data.decode("utf-8")).safe_substitute(values).encode("utf-8")
            atomic_create(folder / relative, data)
            written.append(relative)
        written += write_schemas(folder)
    except OSError as err:  # a folder that cannot be made or written: say so, in one line
        raise BookletError(f"cannot write the new project there: {err.strerror or err}", folder) from None
    return StartedProject(folder, tuple(written))
