"""Pandoc-style citations, `[@key]`, `[@a; @b]`, `[@a, p. 3]`: parsing, checking, numbering.

Numbers follow Vancouver: by first citation within an edition, the same number
every time a source recurs. Numbering is a pass over the edition's text in
reading order, so the Markdown extension only looks numbers up.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Iterable

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .chapters import Chapter
from .errors import BookletError, Problem
from .references import REFERENCES_FILE, Reference
from .schema import did_you_mean

# A bracket holding at least one @key, not a link's text ("[x](url)", "[x][ref]") nor an image.
# (Reference-link definitions, "[x]: url", are removed by Markdown before inline parsing.)
BRACKET = re.compile(r"(?<![\\!\]])\[([^\[\]\n]*?@[^\[\]\n]*)\](?![(\[])")
KEY = re.compile(r"(?<![\w.@])-?@([A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?)")


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


def find_citations(text: str) -> list[Citation]:
    found = []
    for match in BRACKET.finditer(text):
        items = parse_bracket(match.group(1))
        if items:
            found.append(Citation(items, match.start(), match.end()))
    return found


def malformed_citations(text: str) -> list[str]:
    """Brackets that hold an @key but are not citations Markdown will render, e.g. "[see @a]"."""
    return [match.group(0) for match in BRACKET.finditer(text)
            if KEY.search(match.group(1)) and parse_bracket(match.group(1)) is None]


def cited_keys(text: str) -> list[str]:
    return [item.key for citation in find_citations(text) for item in citation.items]


def number_citations(texts: Iterable[str]) -> dict[str, int]:
    """Vancouver numbers: 1 for the first source cited, and so on, in reading order."""
    numbers: dict[str, int] = {}
    for text in texts:
        for key in cited_keys(text):
            numbers.setdefault(key, len(numbers) + 1)
    return numbers


def check_citations(chapters: tuple[Chapter, ...], references: dict[str, Reference],
                    all_chapters_read: bool = True) -> list[Problem]:
    """Unknown keys, undeclared or unused sources, uncited factual chapters and unused references.

    Unused references are only reported when every chapter could be read: a broken
    chapter's citations are unknown.
    """
    problems: list[Problem] = []
    used: set[str] = set()
    known = sorted(references)
    for chapter in chapters:
        sources_line = chapter.line_of("sources") or chapter.line_of("title")
        cited_here: set[str] = set()
        for segment in chapter.segments:
            for offset, line in enumerate(segment.text.split("\n")):
                for bad in malformed_citations(line):
                    problems.append(Problem(chapter.path, segment.first_line + offset,
                                            f"{bad} is not a citation: write [@key], [@a; @b] or [@a, p. 3]"))
                for key in cited_keys(line):
                    number = segment.first_line + offset
                    if key not in references:
                        problems.append(Problem(chapter.path, number, f"unknown reference '{key}'"
                                                                      f"{did_you_mean(key, known)}"))
                    elif key not in chapter.sources:
                        problems.append(Problem(chapter.path, number, f"cites '{key}', which the front-matter "
                                                                      "'sources' list does not name"))
                    cited_here.add(key)
        used |= cited_here
        for key in chapter.sources:
            if key not in references:
                problems.append(Problem(chapter.path, sources_line, f"'sources' names unknown reference "
                                                                    f"'{key}'{did_you_mean(key, known)}"))
            elif key not in cited_here:
                problems.append(Problem(chapter.path, sources_line, f"'sources' names '{key}', which the "
                                                                    "chapter never cites", "warning"))
        # A draft is being written, so what it still lacks is a warning until it is marked ready.
        lacking = "warning" if chapter.is_draft else "error"
        if chapter.factual and not cited_here:
            problems.append(Problem(chapter.path, chapter.line_of("title"),
                                    "the chapter cites no source: cite the source of each fact as [@key], "
                                    "or set 'factual: false' for a page with no facts (such as a notes page)",
                                    lacking))
        if chapter.factual and not chapter.sources:
            problems.append(Problem(chapter.path, chapter.line_of("title"),
                                    "the front-matter must list the chapter's sources: 'sources: [key, ...]'",
                                    lacking))
    for key in known if all_chapters_read else ():
        if key not in used:
            problems.append(Problem(REFERENCES_FILE, references[key].line,
                                    f"reference '{key}' is not cited by any chapter", "warning"))
    return problems


def format_numbers(numbers: list[int]) -> list[tuple[int, int]]:
    """Collapse sorted numbers into runs: [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


class UnknownCitation(BookletError):
    """A cited key missing from the numbering; chapter_html adds the chapter and line."""

    def __init__(self, key: str):
        super().__init__(f"unknown reference '{key}': it is not in the numbering of this edition")
        self.key = key


class _CitationProcessor(InlineProcessor):
    def __init__(self, numbers: dict[str, int]):
        super().__init__(BRACKET.pattern)
        self.numbers = numbers

    def handleMatch(self, match: re.Match, data: str):  # type: ignore[override]
        items = parse_bracket(match.group(1))
        if not items:
            return None, None, None
        if unknown := [i.key for i in items if i.key not in self.numbers]:
            raise UnknownCitation(unknown[0])
        by_number = {self.numbers[i.key]: i for i in items}
        groups: list[list[int | str]] = []
        plain = [n for n, item in by_number.items() if not item.locator]
        for first, last in format_numbers(plain):
            if first == last:
                groups.append([first])
            else:
                groups.append([first, ",\u00a0" if last == first + 1 else "\u2013", last])
        for number in sorted(n for n, item in by_number.items() if item.locator):
            groups.append([number, f" ({by_number[number].locator})"])
        parts: list[int | str] = ["["]
        for index, group in enumerate(groups):
            parts += ([",\u00a0"] if index else []) + group
        parts.append("]")
        return self._element(parts, by_number), match.start(0), match.end(0)

    @staticmethod
    def _element(parts: list[int | str], by_number: dict[int, CitationItem]) -> ET.Element:
        """<span class="cite">[<a href="#ref-key">1</a>, ...]</span>; the span is unwrapped later."""
        span = ET.Element("span", {"class": "cite"})
        span.text = ""
        last: ET.Element | None = None
        for part in parts:
            if isinstance(part, int):
                last = ET.SubElement(span, "a", {"href": f"#ref-{by_number[part].key}"})
                last.text, last.tail = str(part), ""
            elif last is None:
                span.text += part
            else:
                last.tail += part
        return span


class _CitationUnwrapper(Treeprocessor):
    """Leaves "[<a>1</a>]" loose in the text, without the span that built it.

    WeasyPrint 70 mis-breaks a line whose last inline box is followed by text with
    no break opportunity ("bed <span>[4]</span>."): it backtracks to the line's first
    word and leaves that word alone on the line. Bare links do not trigger it.
    """

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for index, child in reversed(list(enumerate(parent))):
                if child.tag == "span" and child.get("class") == "cite":
                    _unwrap(parent, index, child)


def _unwrap(parent: ET.Element, index: int, span: ET.Element) -> None:
    before = parent[index - 1] if index else None
    if before is None:
        parent.text = (parent.text or "") + (span.text or "")
    else:
        before.tail = (before.tail or "") + (span.text or "")
    links = list(span)
    links[-1].tail = (links[-1].tail or "") + (span.tail or "")
    parent.remove(span)
    for offset, link in enumerate(links):
        parent.insert(index + offset, link)


class CitationExtension(Extension):
    """Replaces `[@key]` with linked reference numbers from a fixed numbering."""

    def __init__(self, numbers: dict[str, int]):
        super().__init__()
        self.numbers = numbers

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before links (160) and reference links (170), which would claim the brackets.
        md.inlinePatterns.register(_CitationProcessor(self.numbers), "booklet-citation", 175)
        md.treeprocessors.register(_CitationUnwrapper(md), "booklet-citation-unwrap", 15)
