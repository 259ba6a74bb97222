"""Citations printed as Vancouver numbers: `[@a; @b]` becomes "[1, 2]", each number a link
to its entry in the references.

The numbering itself is made once per edition (source/citations.py); this
Markdown extension only looks the numbers up, in the manner of Python-Markdown's
footnotes extension.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from ..errors import BookletError
from ..interface import _
from ..source.citations import BRACKET, CitationItem, parse_bracket


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


# The mark after a citation whose sources are all unreviewed AI: the letters "AI", boxed by the
# stylesheet. They are text, so the mark is found by a search of the PDF; its meaning is in the
# legend inside the cover, and in its title, which a screen reader says in its place (the tagged
# PDF's /E) and a web page shows as a tooltip.
AI_MARK_WORDS = "AI: a source written by a computer program, not yet checked by a person"
AI_MARK = f'<span class="ai-mark" title="{AI_MARK_WORDS}">AI</span>'


class _CitationProcessor(InlineProcessor):
    def __init__(self, numbers: dict[str, int], marked: frozenset[str], names: dict[str, str]):
        super().__init__(BRACKET.pattern)
        self.numbers = numbers
        self.marked = marked
        self.names = names

    def handleMatch(self, match: re.Match, data: str):
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
        span = self._element(parts, by_number, self.names)
        if all(item.key in self.marked for item in items):  # the statement rests on such sources alone
            mark = ET.SubElement(span, "span", {"class": "ai-mark", "title": AI_MARK_WORDS})
            mark.text, mark.tail = "AI", ""
        return span, match.start(0), match.end(0)

    @staticmethod
    def _element(parts: list[int | str], by_number: dict[int, CitationItem], names: dict[str, str]) -> ET.Element:
        """<span class="cite">[<a href="#ref-key">1</a>, ...]</span>; the span is unwrapped later.
        Each link says in words where it goes (the PDF's link description and a screen reader's
        words for it): "Reference 3: National Kidney Federation"."""
        span = ET.Element("span", {"class": "cite"})
        span.text = ""
        last: ET.Element | None = None
        for part in parts:
            if isinstance(part, int):
                key = by_number[part].key
                last = ET.SubElement(span, "a", {"href": f"#ref-{key}", "aria-label": reference_words(part, names.get(key))})
                last.text, last.tail = str(part), ""
            elif last is None:
                span.text = (span.text or "") + part
            else:
                last.tail = (last.tail or "") + part
        return span


def reference_words(number: int, name: str | None) -> str:
    """What a citation link says where it goes, read aloud: 'Reference 3: Cleveland Clinic'."""
    return _("Reference {number}: {name}").format(number=number, name=name) if name else \
        _("Reference {number}").format(number=number)


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
    """Replaces `[@key]` with linked reference numbers from a fixed numbering, and marks a
    citation whose every source is an unreviewed AI page."""

    def __init__(self, numbers: dict[str, int], marked: frozenset[str] = frozenset(),
                 names: dict[str, str] | None = None):
        super().__init__()
        self.numbers = numbers
        self.marked = marked  # keys of unreviewed AI sources: citing only these draws the AI mark
        self.names = names or {}  # each source in a few words, for its links' descriptions

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before links (160) and reference links (170), which would claim the brackets.
        md.inlinePatterns.register(_CitationProcessor(self.numbers, self.marked, self.names), "booklet-citation", 175)
        md.treeprocessors.register(_CitationUnwrapper(md), "booklet-citation-unwrap", 15)
