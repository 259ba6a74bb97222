"""`booklet new`: a draft chapter with complete front-matter, ready to be written.

The file's prompts (the summary and the body's instructions, source/drafts.py)
are fixed sentences, so a chapter marked ready that still contains one is refused.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..dates import months_later
from ..errors import BookletError, UsageError
from ..files import atomic_create, real_folder
from ..source.chapters import CHAPTER_DIR, CHAPTER_FIELDS, DRAFT, Chapter, chapter_files, read_chapters
from ..source.drafts import BODY_PROMPTS, SUMMARY_PROMPT
from ..source.fields import unprintable

REVIEW_INTERVAL_MONTHS = 12  # chapters are reviewed yearly, like most of the booklet's sources
MAX_TITLE = 120
ORDER_BOUNDS = next(f.bounds for f in CHAPTER_FIELDS if f.name == "order")  # what the front-matter accepts

@dataclass(frozen=True)
class NewChapter:
    path: str  # relative to the project
    id: str
    order: int
    next_review: dt.date
    after: str | None = None  # the title of the chapter it follows
    free: tuple[tuple[int, int], ...] = ()  # unused orders below the last one, as ranges


def free_orders(taken: set[int]) -> tuple[tuple[int, int], ...]:
    """Gaps in the orders in use, e.g. {1, 2, 3, 10, 11} -> ((4, 9),)."""
    gaps, start = [], None
    for number in range(1, max(taken, default=0) + 1):
        if number not in taken and start is None:
            start = number
        if number in taken and start is not None:
            gaps.append((start, number - 1))
            start = None
    return tuple(gaps)


def slug_of(title: str) -> str:
    """'Wound care & dressings' -> 'wound-care-dressings' (accents dropped, as file names need)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")


def _taken_orders(root: Path, chapters: tuple[Chapter, ...]) -> set[int]:
    """Orders in use, including those of chapter files too broken to read (from their NN- prefix;
    a prefix no order could have, 0 or 123456789-, is no order)."""
    low, high = ORDER_BOUNDS
    taken = {c.order for c in chapters}
    for file in chapter_files(root):
        prefix = re.match(r"^(\d+)-", file.name)
        if prefix and len(prefix[1]) <= len(str(high)) and low <= int(prefix[1]) <= high:
            taken.add(int(prefix[1]))
    return taken


def _free_hint(taken: set[int]) -> str:
    """Which orders are free, for a message: 'the next free one (4)' or 'a free one (free: 3-9998)'."""
    low, high = ORDER_BOUNDS
    following = max(taken, default=0) + 1
    if following <= high:
        return f"leave out --order to use the next free one ({following})"
    gaps = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in free_orders(taken)[:5])
    return f"give a free one with --order N (free: {gaps})" if gaps else f"every order from {low} to {high} is taken"


def _body(audience: str) -> str:
    write, patient_only, clinician_only = BODY_PROMPTS
    parts = ["## First section", "", write, ""]
    if audience == "both":
        parts += ["::: patient", patient_only, ":::", "", "::: clinician", clinician_only, ":::", ""]
    return "\n".join(parts)


def yaml_scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=1000, default_style=None).removesuffix("\n...\n") \
        .strip()


def new_chapter(root: Path, title: str, audience: str, today: dt.date, order: int | None = None) -> NewChapter:
    """Write chapters/NN-slug.md as a draft; refuse to overwrite anything."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise UsageError(f"booklet: the title must be 1 to {MAX_TITLE} characters")
    if problem := unprintable(title):
        raise UsageError(f"booklet: the title {problem}")
    chapter_id = slug_of(title)
    if not chapter_id:
        raise UsageError("booklet: the title needs some letters or digits (they make the chapter's id)")
    real_folder(root / CHAPTER_DIR, root)  # never a link to a folder elsewhere, to read from or write into
    try:
        chapters, _ = read_chapters(root)
    except BookletError:  # no chapters yet
        chapters = ()
    same_id = [c for c in chapters if c.id == chapter_id]
    if same_id:
        raise UsageError(f"booklet: chapter {same_id[0].path} already has the id '{chapter_id}': "
                         "choose a different title")
    taken = _taken_orders(root, chapters)
    low, high = ORDER_BOUNDS
    if order is None:
        order = max(taken, default=0) + 1
        if order > high:
            raise UsageError(f"booklet: the last chapter has order {order - 1}, the highest a chapter may have; "
                             f"{_free_hint(taken)}")
    elif not low <= order <= high:
        raise UsageError(f"booklet: --order must be from {low} to {high}, not {order}")
    elif order in taken:
        raise UsageError(f"booklet: order {order} is taken; {_free_hint(taken)}")
    reviewed = today
    next_review = months_later(today, REVIEW_INTERVAL_MONTHS)
    front = "\n".join([
        f"title: {yaml_scalar(title)}",
        f"id: {chapter_id}",
        f"order: {order}",
        f"audience: {audience}",
        f"summary: {SUMMARY_PROMPT}",
        f"reviewed: {reviewed.isoformat()}",
        f"next_review: {next_review.isoformat()}",
        "sources: []  # the keys from references.yaml that this chapter cites",
        f"status: {DRAFT}  # change to 'ready' when the chapter is finished; until then builds leave it out",
    ])
    relative = f"{CHAPTER_DIR}/{order:02d}-{chapter_id}.md"
    try:
        atomic_create(root / relative, f"---\n{front}\n---\n\n{_body(audience)}".encode("utf-8"))
    except FileExistsError:
        raise UsageError(f"booklet: {relative} already exists") from None
    before = [c for c in chapters if c.order < order]
    return NewChapter(relative, chapter_id, order, next_review,
                      max(before, key=lambda c: c.order).title if before else None, free_orders(taken | {order}))
