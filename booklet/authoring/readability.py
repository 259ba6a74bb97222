"""Readability of the patient edition, chapter by chapter.

Measured on running text only: headings, box titles, tables, code and citation
brackets are left out, because they are not read as sentences. Each paragraph
and list item counts as its own sentence (a list item without a full stop would
otherwise run into the next and inflate the grade). Scores come from textstat
0.7.3, pinned because later versions download a pronouncing dictionary at run
time; it counts syllables with pyphen's British English patterns.
"""
from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

with warnings.catch_warnings():  # textstat 0.7.3 imports pkg_resources, which setuptools 80 says is going
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    from textstat.textstat import textstatistics

from ..content.glossary import unmark_terms
from ..errors import WARNING, Problem, visible
from ..source.chapters import Chapter, source_line
from ..source.citations import BRACKET

# A patient who is unwell reads at a lower grade than usual: Flesch-Kincaid 6 and SMOG 8 at most per
# chapter, and no sentence over 20 words (the patient-information limits the renal nurses asked for).
GRADE_LIMITS = {"Flesch-Kincaid": 6, "SMOG": 8}
GRADE_LIMIT = max(GRADE_LIMITS.values())
SENTENCE_WORD_LIMIT = 20

_SKIPPED = {"h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "code", "script", "style"}
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")  # textstat's own sentence rule, so our counts agree
_TASK_BOX = re.compile(r"^\s*\[[ xX]\]\s*")
_STASHED_HTML = re.compile("\x02[^\x03]*\x03")


@dataclass(frozen=True)
class Readability:
    chapter: Chapter
    words: int
    sentences: int
    flesch_kincaid: float
    smog: float
    long_sentences: tuple[str, ...]

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


class _TreeKeeper(Treeprocessor):
    """Keeps the finished element tree (after inline processing) for us to walk."""

    def run(self, root: ET.Element) -> None:
        self.md.kept_tree = root


class _KeepTree(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_TreeKeeper(md), "booklet-keep-tree", 0)


def _own_text(element: ET.Element, nested: set[str]) -> str:
    """An element's text without the text of its nested blocks."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in nested:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _blocks(element: ET.Element, found: list[str]) -> None:
    for child in element:
        classes = child.get("class", "").split()
        if child.tag in _SKIPPED or "admonition-title" in classes:
            continue
        if child.tag == "p":
            found.append("".join(child.itertext()))
        elif child.tag == "li":
            found.append(_TASK_BOX.sub("", _own_text(child, {"p", "ul", "ol", "div"})))
            _blocks(child, found)
        else:
            _blocks(child, found)


def running_text(markdown_text: str) -> list[str]:
    """The paragraphs and list items of a chapter as plain sentences."""
    without_citations = BRACKET.sub("", unmark_terms(markdown_text))
    if not without_citations.strip():  # Markdown returns at once for blank text, running no tree processor
        return []
    md = markdown.Markdown(extensions=["tables", "admonition", "sane_lists", _KeepTree()])
    md.convert(without_citations)
    found: list[str] = []
    kept = getattr(md, "kept_tree", None)
    if kept is not None:
        _blocks(kept, found)
    sentences = []
    for block in found:
        text = _STASHED_HTML.sub("", " ".join(block.split()))
        text = re.sub(r"\s+([.,;:!?])", r"\1", text).strip()
        if text:
            sentences.append(text if text[-1] in ".!?" else text + ".")
    return sentences


def measure(chapter: Chapter, audience: str = "patient") -> Readability | None:
    """Scores for the chapter's text in one edition; None when it has no running text (none at all,
    as in a draft whose patient text is still to come, or no words: headings only, or '...')."""
    blocks = running_text(chapter.markdown_for(audience))
    if not blocks:
        return None
    text = " ".join(blocks)
    stats = textstatistics()
    stats.set_lang("en_GB")
    if not stats.lexicon_count(text):
        return None
    long_sentences = tuple(
        sentence.strip() for block in blocks for sentence in _SENTENCE.findall(block)
        if stats.lexicon_count(sentence) > SENTENCE_WORD_LIMIT)
    return Readability(chapter, stats.lexicon_count(text), stats.sentence_count(text),
                       stats.flesch_kincaid_grade(text), stats.smog_index(text), long_sentences)


def patient_readability(chapters: tuple[Chapter, ...]) -> list[Readability]:
    return [r for c in chapters if c.is_for("patient") and (r := measure(c)) is not None]


def readability_problems(results: list[Readability]) -> list[Problem]:
    """Warnings for chapters above the grade limit and sentences over the word limit."""
    problems = []
    for result in results:
        chapter = result.chapter
        for score, name in ((result.flesch_kincaid, "Flesch-Kincaid"), (result.smog, "SMOG")):
            if score > GRADE_LIMITS[name]:
                problems.append(Problem(chapter.path, chapter.line_of("title"),
                                        f"patient text reads at grade {score:.1f} ({name}), above the "
                                        f"limit of {GRADE_LIMITS[name]}: use shorter sentences and everyday words",
                                        WARNING))
        for sentence in result.long_sentences:
            words = len(sentence.split())
            opening = r"\W+".join(map(re.escape, re.findall(r"\w+", sentence)[:4]))  # its first few words
            problems.append(Problem(chapter.path, source_line(chapter, re.compile(opening)) if opening else None,
                                    f"sentence of {words} words (limit {SENTENCE_WORD_LIMIT}): "
                                    f"'{' '.join(sentence.split()[:8])} ...'", WARNING))
    return problems


def readability_table(results: list[Readability]) -> list[str]:
    """The per-chapter figures `booklet check` prints."""
    limits = ", ".join(f"{name} {limit}" for name, limit in GRADE_LIMITS.items())
    lines = [f"readability of the patient edition (limits: {limits}; "
             f"sentences of {SENTENCE_WORD_LIMIT} words at most)",
             f"  {'chapter':<28} {'words':>6} {'sentences':>9} {'words/sentence':>14} "
             f"{'FK grade':>8} {'SMOG':>5}"]
    for r in results:
        name = f"{r.chapter.id} (draft)" if r.chapter.is_draft else r.chapter.id
        lines.append(visible(f"  {name:<28} {r.words:>6} {r.sentences:>9} {r.words_per_sentence:>14.1f} "
                     f"{r.flesch_kincaid:>8.1f} {r.smog:>5.1f}"))
    return lines
