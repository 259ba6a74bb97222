"""Glossary terms: `[[term]]` in a chapter marks a word the glossary must explain.

The mark prints as the plain word (`[[biopsy|biopsies]]` prints "biopsies" and
looks up "biopsy"), so marking terms never changes a page. The glossary is the
chapter whose id is `glossary`; each of its list items defines the bold words
before its first colon, as in `- **C-reactive protein** or **CRP**: ...`.
"""
from __future__ import annotations

import re

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from ..errors import WARNING, Problem
from ..source.chapters import Chapter

GLOSSARY_ID = "glossary"
# Linear in the text: a mark's parts cannot hold "[" or "]", so the search from one "[[" ends
# before the next "[[" begins.
TERM = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")
# The head is the item's text before its first colon, holding a "**"; the lookahead looks for the
# "**" once, where "[^:\n]*\*\*[^:\n]*?:" tried every "**" against the rest of the line.
_DEFINED = re.compile(r"^\s*+[-*+]\s++(?P<head>(?=[^:\n]*?\*\*)[^:\n]*+):")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def term_key(term: str) -> str:
    return " ".join(term.split()).casefold()


def shown_text(match: re.Match) -> str:
    return (match.group(2) or match.group(1)).strip()


def unmark_terms(text: str) -> str:
    """The text as it prints: every `[[term|shown]]` replaced by its shown words."""
    return TERM.sub(shown_text, text)


class _TermProcessor(InlineProcessor):
    def handleMatch(self, match: re.Match, data: str) -> tuple[str, int, int]:
        return shown_text(match), match.start(0), match.end(0)


class GlossaryTermExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Above links (160) and reference links (170), which would otherwise read "[[x]]" as brackets.
        md.inlinePatterns.register(_TermProcessor(TERM.pattern, md), "booklet-glossary-term", 175)


def defined_terms(glossary: Chapter) -> set[str]:
    """The terms a glossary chapter defines, by `term_key`."""
    terms = set()
    for segment in glossary.segments:
        for line in segment.text.split("\n"):
            if head := _DEFINED.match(line):
                terms |= {term_key(bold) for bold in _BOLD.findall(head["head"])}
    return terms


def glossary_problems(chapters: tuple[Chapter, ...]) -> list[Problem]:
    """A warning for each marked term the glossary does not define (drafts included)."""
    glossary = next((c for c in chapters if c.id == GLOSSARY_ID), None)
    defined = defined_terms(glossary) if glossary else set()
    problems = []
    for chapter in chapters:
        for segment in chapter.segments:
            for offset, line in enumerate(segment.text.split("\n")):
                for match in TERM.finditer(line):
                    term = match.group(1).strip()
                    if term_key(term) in defined:
                        continue
                    where = (f"the glossary ({glossary.path})" if glossary else
                             f"the booklet, which has no glossary chapter (id: {GLOSSARY_ID})")
                    problems.append(Problem(chapter.path, segment.first_line + offset,
                                            f"glossary term '{term}' is not defined in {where}", WARNING))
    return problems

