"""Hostile text: lines built to make a parser backtrack (citation brackets that never close, runs
of "[", "@" or backticks, glossary marks left open) are read in time that grows with their length,
not its square, and a line over the cap is refused before anything reads it.

The limit on each call is generous (the machines are noisy): the patterns these tests guard
against took from seconds to minutes on the same text.
"""
from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booklet.content.chapter_html import UNRENDERED_CITATION, Location, chapter_html
from booklet.content.glossary import _DEFINED, defined_terms, glossary_problems, unmark_terms
from booklet.errors import BookletError
from booklet.source.audience import split_audiences
from booklet.source.chapters import MAX_LINE_CHARS, Chapter, parse_chapter
from booklet.source.citations import (BRACKET, _code_spans, check_citations, find_citations,
                                      malformed_citations, mask_code)
from booklet.source.references import Reference

LIMIT = 2.0  # seconds for one call
PATH = "chapters/t.md"
FRONT = ("---\ntitle: T\nid: {id}\norder: 1\naudience: patient\nsummary: S.\nreviewed: 2026-01-01\n"
         "next_review: 2027-01-01\nsources: [a]\n---\n")
BODY_LINE = 11  # the body's first line in the file
REFS = {"a": Reference(id="a", type="webpage", title="A", line=2)}


def fill(unit: str, length: int = MAX_LINE_CHARS) -> str:
    """`unit` again and again, cut to `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


def unequal_backtick_runs(length: int, separator: str = "a") -> str:
    """Runs of 1, 2, 3, ... backticks: none has a partner of its own length to close it."""
    runs, size, total = [], 1, 0
    while total + size + len(separator) <= length:
        runs.append("`" * size + separator)
        total += size + len(separator)
        size += 1
    return "".join(runs).ljust(length, "a")


# Each exactly as long as a line may be.
N = MAX_LINE_CHARS
HOSTILE = {
    "unclosed-citation-bracket": "[@" + fill("web reviewed ", N - 2),
    "unclosed-bracket-of-at-signs": "[" + "@" * (N - 1),
    "unclosed-bracket-of-keys": "[" + fill(" @a", N - 1),
    "bracket-of-keys-closed-by-a-link": "[" + fill("@a ", N - 4) + "](x",
    "many-unclosed-citations": fill("[@"),
    "many-brackets": "[" * N,
    "many-closing-brackets": "]" * N,
    "many-at-signs": "@" * N,
    "many-keys": fill("-@a."),
    "key-with-a-long-tail": "[@a" + "." * (N - 3),
    "e-mail-look-alikes-in-a-bracket": "[" + fill("x@y @a", N - 1),
    "unequal-backtick-runs": unequal_backtick_runs(N),
    "many-backticks": "`" * N,
    "unclosed-code-spans": "`" + fill("``a", N - 1),
    "backtick-then-citations": "`" + fill("[@a] ", N - 1),
    "unclosed-glossary-marks": fill("[[a|"),
    "unclosed-glossary-mark": "[[" + "a" * (N - 2),
    "glossary-mark-of-bars": "[[a" + "|" * (N - 3),
    "glossary-definition-of-stars": "- " + "*" * (N - 2),
    "glossary-definition-of-bold-words": "- " + fill("**a", N - 2),
    "glossary-definition-with-no-colon": "-" + " " * (N - 2) + "x",
    "emphasis": fill("*_"),
    "strong-emphasis": fill("**a"),
    "raw-html": fill("<a "),
    "images": fill("![]("),
    "links": fill("[a]("),
    "reference-links": fill("[a]["),
    "escapes": "\\" * N,
    "quote-markers": fill(" >"),
    "audience-fence-with-a-long-name": ":::a" + "-" * (N - 6) + " x",
    "audience-fence-with-long-spacing": ":::a" + " " * (N - 5) + "x",
}


def quickly(call: Callable, *args):
    """The call's result (None for our own error), after checking it took less than LIMIT."""
    start = time.perf_counter()
    try:
        result = call(*args)
    except BookletError:
        result = None
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT, f"{getattr(call, '__name__', call)} took {elapsed:.1f} s"
    return result


def chapter_with(body: str, chapter_id: str = "t") -> Chapter:
    """A chapter of `body`, split as parse_chapter splits it (even where a fence in it is wrong,
    or a line is over the cap, so the parsers after it can be tried on any text)."""
    base, problems = parse_chapter(FRONT.format(id=chapter_id) + "Text [@a].\n", PATH)
    assert base is not None, problems
    segments, _ = split_audiences(body, BODY_LINE, PATH)
    return dataclasses.replace(base, segments=segments)


def test_a_line_over_the_cap_is_refused_with_its_line_and_length():
    line = "Words and more words. " * (MAX_LINE_CHARS // 22 + 1)
    chapter, problems = parse_chapter(FRONT.format(id="t") + "Short.\n\n" + line + "\n", PATH)
    assert chapter is None
    assert [str(p) for p in problems] == [
        f"{PATH}:{BODY_LINE + 2}: line is {len(line):,} characters long; lines are limited to "
        f"{MAX_LINE_CHARS:,}: break it into paragraphs"]


def test_each_line_over_the_cap_is_reported_but_not_the_front_matter_which_is_yaml():
    title = "T" * MAX_LINE_CHARS  # a long YAML value: the front-matter's own limits apply to it
    text = FRONT.format(id="t").replace("title: T", "title: " + title) + "x" * (MAX_LINE_CHARS + 1) + "\n\n" + "y" * 3000
    _, problems = parse_chapter(text, PATH)
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (BODY_LINE, f"line is {MAX_LINE_CHARS + 1:,} characters long"), (BODY_LINE + 2, "line is 3,000 characters long")]


def test_a_line_at_the_cap_is_accepted():
    chapter, problems = parse_chapter(FRONT.format(id="t") + "Text [@a]. " + fill("x", MAX_LINE_CHARS - 11), PATH)
    assert chapter is not None and problems == []


@pytest.mark.parametrize("name", HOSTILE)
def test_citations_in_a_hostile_line_are_read_quickly(name):
    line = HOSTILE[name]
    assert len(line) == MAX_LINE_CHARS
    _, problems = parse_chapter(FRONT.format(id="t") + line + "\n", PATH)
    assert not any("characters long" in p.message for p in problems)  # at the cap, not over it
    text = f"Text [@a].\n\n{line}\n"
    quickly(find_citations, text)
    quickly(malformed_citations, text)
    quickly(check_citations, (chapter_with(text),), REFS)


@pytest.mark.parametrize("name", HOSTILE)
def test_glossary_marks_in_a_hostile_line_are_read_quickly(name):
    text = f"Text [@a].\n\n{HOSTILE[name]}\n"
    quickly(unmark_terms, text)
    quickly(glossary_problems, (chapter_with(text),))
    quickly(defined_terms, chapter_with(text, "glossary"))


@pytest.mark.parametrize("name", HOSTILE)
def test_audience_blocks_in_a_hostile_line_are_read_quickly(name):
    quickly(split_audiences, f"Text.\n\n{HOSTILE[name]}\n", BODY_LINE, PATH)
    quickly(split_audiences, f"::: patient\n{HOSTILE[name]}\n", BODY_LINE, PATH)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_line_becomes_html_quickly(name, tmp_path: Path):
    where = Location(tmp_path, tmp_path / PATH, tmp_path / "html")
    quickly(chapter_html, chapter_with(f"Text [@a].\n\n{HOSTILE[name]}\n"), "patient", where, {"a": 1})


# Far past the cap (as in the report that found them: "[@" and then 200,000 characters), our
# own parsers still take a moment: it is not the cap that keeps them fast.
FAR = 200_000
FAR_PAST_THE_CAP = {
    "unclosed-citation-bracket": "[@" + fill("web reviewed ", FAR),
    "unclosed-bracket-of-at-signs": "[" + "@" * FAR,
    "unclosed-bracket-of-keys": "[" + fill(" @a", FAR),
    "bracket-of-keys-closed-by-a-link": "[" + fill("@a ", FAR) + "](x",
    "glossary-definition-of-stars": "- " + "*" * FAR,
    "glossary-definition-of-bold-words": "- " + fill("**a", FAR),
    "glossary-definition-with-no-colon": "-" + " " * FAR + "x",
    # A paragraph of short lines: backtick spans may run across lines, so the cap cannot bound them.
    "unequal-backtick-runs-in-one-paragraph": unequal_backtick_runs(1_000_000, " a\nb "),
}


@pytest.mark.parametrize("name", FAR_PAST_THE_CAP)
def test_our_parsers_stay_quick_far_past_the_cap(name):
    text = f"Text [@a].\n\n{FAR_PAST_THE_CAP[name]}\n"
    chapter = chapter_with(text)
    quickly(find_citations, text)
    quickly(malformed_citations, text)
    quickly(check_citations, (chapter,), REFS)
    quickly(glossary_problems, (chapter,))
    quickly(defined_terms, chapter_with(text, "glossary"))
    quickly(UNRENDERED_CITATION.search, text)


def test_an_unclosed_citation_far_past_the_cap_is_left_alone_and_the_next_line_still_read():
    text = "[@" + fill("a ", FAR) + "\n[see @a] and [@a].\n"
    assert [c.items[0].key for c in quickly(find_citations, text)] == ["a"]
    assert quickly(malformed_citations, text) == ["[see @a]"]


# The patterns as they were, quadratic on the text above, kept to check that the linear ones
# find exactly what these found.
OLD_BRACKET = re.compile(r"(?<![\\!\]])\[([^\[\]\n]*?@[^\[\]\n]*)\](?![(\[])")
OLD_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
OLD_DEFINED = re.compile(r"^\s*[-*+]\s+(?P<head>[^:\n]*\*\*[^:\n]*?):")
OLD_UNRENDERED_CITATION = re.compile(r"\[[^\[\]<]*?(?<![\w.@])@[A-Za-z0-9_][^\[\]<]*\]")

SAME = settings(max_examples=250, deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow])


def made_of(*pieces: str):
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


@SAME
@given(made_of("`", "``", "```", "\\", "\n", "\n\n", "\n \t\n", " ", "\t", "a", "[@a]", "~~~\n", "```\n"))
def test_code_spans_are_the_ones_the_old_pattern_found(text):
    assert _code_spans(text) == [m.span() for m in OLD_CODE_SPAN.finditer(text)]
    unfenced = mask_code(text)
    assert len(unfenced) == len(text) and unfenced.count("\n") == text.count("\n")


@SAME
@given(made_of("[", "]", "@", "@a", "a", " ", "\n", "\\", "!", "(", ";", ", p. 2", "x@y", "-@"))
def test_citation_brackets_are_the_ones_the_old_pattern_found(text):
    for start in range(0, len(text) + 1, 3):  # Markdown searches on from where its last match ended
        assert ([(m.span(), m.groups()) for m in BRACKET.finditer(text, start)] ==
                [(m.span(), m.groups()) for m in OLD_BRACKET.finditer(text, start)])


@SAME
@given(made_of("-", "*", "+", "**", " ", "\t", "\u00a0", ":", "a", "b:", "\n", "\x1c"))
def test_glossary_definitions_are_the_ones_the_old_pattern_found(line):
    new, old = _DEFINED.match(line), OLD_DEFINED.match(line)
    assert (new and (new.span(), new["head"])) == (old and (old.span(), old["head"]))


@SAME
@given(made_of("[", "]", "<", "@", "@k", "a", ".", "_", " ", "x@", "\n", "-", "</p>"))
def test_unrendered_citations_are_the_ones_the_old_pattern_found(html):
    assert ([m.span() for m in UNRENDERED_CITATION.finditer(html)] ==
            [m.span() for m in OLD_UNRENDERED_CITATION.finditer(html)])
