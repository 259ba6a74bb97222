"""Audience blocks: `::: patient` ... `:::` holds text for one edition only.

`::: quick-guide` ... `:::` is patient text that the quick guide takes as well: the
quick guide is made from these blocks alone, so its words are never a copy to keep
in step with the booklet's.

The body is split into segments once, at load time, so validation can name the
line of an unclosed or misplaced fence and each edition just joins the
segments meant for it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .config import AUDIENCES
from ..errors import Problem
from .fields import did_you_mean

OPEN = re.compile(r"^:::\s*([A-Za-z][\w-]*)\s*$")
CLOSE = re.compile(r"^:::\s*$")
CODE_FENCE = re.compile(r"^(```|~~~)")


# The view of a chapter that the quick guide is made from (see text_for).
QUICK_GUIDE = "quick-guide"
BLOCK_NAMES = (*AUDIENCES, QUICK_GUIDE)


@dataclass(frozen=True)
class Segment:
    audience: str | None  # None: shown in every edition
    text: str
    first_line: int  # line in the chapter file where the segment's text starts
    quick: bool = False  # a `::: quick-guide` block: patient text the quick guide takes too


def split_audiences(body: str, first_line: int, path: str) -> tuple[tuple[Segment, ...], list[Problem]]:
    """Split a chapter body into shared and audience-only segments."""
    segments: list[Segment] = []
    problems: list[Problem] = []
    current: list[str] = []
    current_start = first_line
    audience: str | None = None
    quick = False
    opened_at = 0
    in_code = False

    def flush(next_start: int) -> None:
        nonlocal current, current_start
        if any(line.strip() for line in current):
            segments.append(Segment(audience, "\n".join(current) + "\n", current_start, quick))
        current = []
        current_start = next_start

    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if CODE_FENCE.match(line.strip()):
            in_code = not in_code
        if in_code or not line.startswith(":::"):
            current.append(line)
            continue
        if match := OPEN.match(line):
            name = match.group(1)
            if audience is not None:
                inside = QUICK_GUIDE if quick else audience
                problems.append(Problem(path, number, f"'::: {name}' opens a block inside the "
                                                      f"'{inside}' block opened on line {opened_at}; "
                                                      "close that one first with ':::'"))
                current.append("")  # the line stays counted, so the lines after it keep their numbers
                continue
            if name not in BLOCK_NAMES:
                problems.append(Problem(path, number, f"unknown block '::: {name}': use "
                                                      f"{', '.join(AUDIENCES)} or {QUICK_GUIDE}"
                                                      f"{did_you_mean(name, BLOCK_NAMES)}"))
                current.append("")
                continue
            flush(number + 1)
            quick = name == QUICK_GUIDE
            audience, opened_at = ("patient" if quick else name), number
        elif CLOSE.match(line):
            if audience is None:
                problems.append(Problem(path, number, "':::' closes a block that was never opened"))
                current.append("")
                continue
            flush(number + 1)
            audience, quick = None, False
        else:
            problems.append(Problem(path, number, f"malformed block fence {line.strip()!r}: "
                                                  "write '::: patient', '::: clinician', '::: quick-guide' or ':::'"))
            current.append("")
    if audience is not None:
        problems.append(Problem(path, opened_at, f"'::: {QUICK_GUIDE if quick else audience}' block opened here is never closed "
                                                 "(add a line ':::' after it)"))
    flush(0)
    return tuple(segments), problems


def text_for(segments: tuple[Segment, ...], view: str) -> str:
    """The Markdown an edition sees: shared segments plus its own blocks, in order; for the
    quick guide's view, its blocks alone."""
    return "\n".join(s.text for s in segments if in_view(s, view))


def in_view(segment: Segment, view: str) -> bool:
    """Whether `text_for(..., view)` takes this segment."""
    return segment.quick if view == QUICK_GUIDE else segment.audience in (None, view)
