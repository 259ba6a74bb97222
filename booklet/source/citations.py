"""Pandoc-style citations in the chapter source, `[@key]`, `[@a; @b]`, `[@a, p. 3]`:
parsing, checking against references.yaml, and numbering.

Numbers follow Vancouver: by first citation within an edition, the same number
every time a source recurs. Numbering is a pass over the edition's text in
reading order, so the Markdown extension that prints them
(content/citation_links.py) only looks numbers up.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable

from ..errors import ERROR, WARNING, Problem
from .chapters import Chapter
from .fields import did_you_mean
from .references import REFERENCES_FILE, Reference

# A bracket holding at least one @key, not a link's text ("[x](url)", "[x][ref]") nor an image.
# (Reference-link definitions, "[x]: url", are removed by Markdown before inline parsing.)
# Linear in the text: each run is possessive and ends where the next part must begin (at the
# first "@", then at the closing "]"), so an unclosed "[@@@@..." is read once, not again from
# every "@" in it.
BRACKET = re.compile(r"(?<![\\!\]])\[([^\[\]\n@]*+@[^\[\]\n]*+)\](?![(\[])")
# Linear too: a key cannot hold an "@", so the run read from one "@" ends before the next.
KEY = re.compile(r"(?<![\w.@])-?@([A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?)")
# Code, where Markdown prints "[@key]" as it is written: fenced blocks and backtick spans (as
# Python-Markdown finds them: a run of backticks up to the next run of the same length, within
# a paragraph; see _code_spans).
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_BACKTICKS = re.compile(r"`+")
_PARAGRAPH_BREAK = re.compile(r"\n(?=[ \t]*\n)")  # where a blank line begins


@dataclass(frozen=True)
class CitationItem:
    key: str
    locator: str = ""


@dataclass(frozen=True)
class Citation:
    items: tuple[CitationItem, ...]
    start: int
    end: int


def parse_bracket(content: str) -> tuple[CitationItem, ...] | None:
    """The items of one bracket's content, or None when it is not a citation."""
    items = []
    for part in content.split(";"):
        match = KEY.search(part)
        if match is None or part[: match.start()].strip():
            return None  # every item must be a key (prefix text is not supported)
        locator = part[match.end():].strip().lstrip(",").strip()
        items.append(CitationItem(match.group(1), locator))
    return tuple(items)


def _code_spans(text: str) -> list[tuple[int, int]]:
    r"""(start, end) of each backtick code span, left to right: a run of backticks not preceded by a
    backslash, up to the next run of exactly as many, with no blank line between them. (The regex
    `(?<![\\`])(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)` with re.S says the same, but it reads
    to the end of the paragraph again for every run left unclosed.) Here each run's closer comes
    from a table built in one pass and its paragraph's end from a bisection: no text is read twice."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    closer: list[int | None] = [None] * len(runs)  # the next run of the same length
    latest: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index] = latest.get(length)
        latest[length] = index
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        close = closer[index]
        if close is not None and (start == 0 or text[start - 1] != "\\"):
            paragraph_end = bisect_left(breaks, end)
            if paragraph_end == len(breaks) or runs[close][0] < breaks[paragraph_end]:
                spans.append((start, runs[close][1]))
                index = close + 1
                continue
        index += 1
    return spans


def mask_code(text: str) -> str:
    """The text with its code blanked out (newlines kept, so lines and offsets stay the same):
    a citation written inside code is printed as written, never numbered."""
    lines, fenced = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            lines.append(" " * len(line))
        else:
            lines.append(" " * len(line) if fenced else line)
    unfenced = "\n".join(lines)
    pieces: list[str] = []
    done = 0
    for start, end in _code_spans(unfenced):
        pieces += [unfenced[done:start], re.sub(r"[^\n]", " ", unfenced[start:end])]
        done = end
    pieces.append(unfenced[done:])
    return "".join(pieces)


def _citations(masked: str) -> list[Citation]:
    found = []
    for match in BRACKET.finditer(masked):
        items = parse_bracket(match.group(1))
        if items:
            found.append(Citation(items, match.start(), match.end()))
    return found


def _malformed(masked: str) -> list[str]:
    return [match.group(0) for match in BRACKET.finditer(masked)
            if KEY.search(match.group(1)) and parse_bracket(match.group(1)) is None]


def find_citations(text: str) -> list[Citation]:
    return _citations(mask_code(text))


def malformed_citations(text: str) -> list[str]:
    """Brackets that hold an @key but are not citations Markdown will render, e.g. "[see @a]"."""
    return _malformed(mask_code(text))


def cited_keys(text: str) -> list[str]:
    return [item.key for citation in find_citations(text) for item in citation.items]


def number_citations(texts: Iterable[str]) -> dict[str, int]:
    """Vancouver numbers: 1 for the first source cited, and so on, in reading order."""
    numbers: dict[str, int] = {}
    for text in texts:
        for key in cited_keys(text):
            numbers.setdefault(key, len(numbers) + 1)
    return numbers


def _cited_lines(chapter: Chapter):
    """(line number, text, whether it is the summary) of every line that may cite: the summary,
    printed as the main message, and the body (its code masked, once and whole)."""
    if chapter.summary:
        yield chapter.line_of("summary"), chapter.summary, True
    for segment in chapter.segments:
        for offset, line in enumerate(mask_code(segment.text).split("\n")):
            yield segment.first_line + offset, line, False


@dataclass(frozen=True)
class MarkedStatement:
    """A statement whose citation names only sources in `marked` (unreviewed AI): it prints with
    the AI mark, and `booklet check` lists it so its author sees what rests on such sources alone."""

    path: str
    line: int
    text: str  # the words before the citation, from the start of their sentence


def marked_statements(chapter: Chapter, marked: frozenset[str]) -> list[MarkedStatement]:
    found = []
    for number, line, _ in _cited_lines(chapter):
        for citation in _citations(line):
            if all(item.key in marked for item in citation.items):
                before = BRACKET.sub("", line[:citation.start]).strip(" -*>").rstrip()
                sentence = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
                found.append(MarkedStatement(chapter.path, number, " ".join(sentence.split())))
    return found


def check_citations(chapters: tuple[Chapter, ...], references: dict[str, Reference],
                    every_chapter_read: bool = True, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Unknown keys, undeclared or unused sources, uncited factual chapters and unused references.

    Unused references are only reported when every chapter could be read: a broken
    chapter's citations are unknown. Keys in `broken` name entries of references.yaml too
    broken to load, whose own problems are reported there; citing them is not an error here.
    """
    problems: list[Problem] = []
    used: set[str] = set()
    known = sorted(set(references) | broken)  # suggestions may name a broken entry: it is meant
    for chapter in chapters:
        sources_line = chapter.line_of("sources") or chapter.line_of("title")
        cited_here: set[str] = set()
        summary_cites = False
        for number, line, in_summary in _cited_lines(chapter):
            for bad in _malformed(line):
                problems.append(Problem(chapter.path, number,
                                        f"{bad} is not a citation: write [@key], [@a; @b] or [@a, p. 3]"))
            for key in (item.key for citation in _citations(line) for item in citation.items):
                summary_cites = summary_cites or in_summary
                if key in broken:
                    pass
                elif key not in references:
                    problems.append(Problem(chapter.path, number, f"unknown reference '{key}'"
                                                                  f"{did_you_mean(key, known)}"))
                elif key not in chapter.sources:
                    problems.append(Problem(chapter.path, number, f"cites '{key}', which the front-matter "
                                                                  "'sources' list does not name"))
                cited_here.add(key)
        used |= cited_here
        for key in chapter.sources:
            if key in broken:
                continue
            if key not in references:
                problems.append(Problem(chapter.path, sources_line, f"'sources' names unknown reference "
                                                                    f"'{key}'{did_you_mean(key, known)}"))
            elif key not in cited_here:
                problems.append(Problem(chapter.path, sources_line, f"'sources' names '{key}', which the "
                                                                    "chapter never cites", WARNING))
        # A draft is being written, so what it still lacks is a warning until it is marked ready.
        lacking = WARNING if chapter.is_draft else ERROR
        if chapter.factual and not cited_here:
            problems.append(Problem(chapter.path, chapter.line_of("title"),
                                    "the chapter cites no source: cite the source of each fact as [@key], "
                                    "or set 'factual: false' for a page with no facts (such as a notes page)",
                                    lacking))
        if chapter.factual and cited_here and not summary_cites:
            # The main message is printed first and read most: its facts are cited like any others.
            problems.append(Problem(chapter.path, chapter.line_of("summary"),
                                    "the summary (printed as the main message) cites no source: cite its facts "
                                    "as the chapter does, e.g. summary: No treatment is proven [@key].",
                                    WARNING))
        if chapter.factual and not chapter.sources:
            problems.append(Problem(chapter.path, chapter.line_of("title"),
                                    "the front-matter must list the chapter's sources: 'sources: [key, ...]'",
                                    lacking))
    for key in sorted(references) if every_chapter_read else ():
        if key not in used:
            problems.append(Problem(REFERENCES_FILE, references[key].line,
                                    f"reference '{key}' is not cited by any chapter", WARNING))
    return problems
