"""Property-based tests: any text gives a result or our own error, never another exception.

Bounded for CI: a fixed number of examples each, no deadline (the machines are noisy),
the database kept out of the repository, and derandomized, so CI runs the same examples
every time and a failure repeats. To search further, set derandomize=False and raise max_examples.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booklet.source.audience import split_audiences, text_for
from booklet.source.chapters import parse_chapter
from booklet.source.citations import find_citations, malformed_citations, number_citations, parse_bracket
from booklet.errors import BookletError
from booklet.content.chapter_html import Location
from booklet.content.sanitize import sanitized, unsafe_html

FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow])

# Text built from the pieces these parsers care about, so the search reaches their corners
# rather than staying in plain words.
PIECES = st.sampled_from([
    "---", "...", "\n", ": ", "title", "id", "order", "audience", "reviewed", "next_review", "sources",
    "summary", "2026-02-30", "2026-01-01", "[", "]", "{", "}", "&a", "*a", "!!python/object", "- ", "'",
    '"', "\t", "#", "::: patient", "::: clinician", "::: both", ":::", "```", "~~~", "[@", "@key", ";",
    ", p. 2", "-@", "\\", "\u00e9", "\ufeff", "\x00", "\r\n", " ",
])
FRAGMENTS = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@FUZZ
@given(FRAGMENTS)
def test_front_matter_loader_gives_a_chapter_or_problems(text):
    chapter, problems = parse_chapter(text, "chapters/fuzz.md")
    assert chapter is not None or problems
    for problem in problems:
        assert problem.path == "chapters/fuzz.md"
        assert problem.line is None or problem.line >= 1


@FUZZ
@given(st.text(max_size=300))
def test_front_matter_loader_survives_arbitrary_text(text):
    parse_chapter(text, "chapters/fuzz.md")


@FUZZ
@given(FRAGMENTS, st.integers(min_value=1, max_value=500))
def test_audience_blocks_give_segments_or_problems(body, first_line):
    segments, problems = split_audiences(body, first_line, "chapters/fuzz.md")
    lines = body.split("\n")
    starts = [segment.first_line for segment in segments]
    assert starts == sorted(starts)
    for segment in segments:
        assert segment.audience in (None, "patient", "clinician")
        # Each line of a segment is the body's line at that number (a refused fence line is kept
        # blank), so a message about any of them points at the right line.
        for offset, line in enumerate(segment.text.rstrip("\n").split("\n")):
            assert line in ("", lines[segment.first_line - first_line + offset])
    if not problems:
        for audience in ("patient", "clinician"):
            shown = text_for(segments, audience)
            for segment in segments:
                assert (segment.text in shown) or segment.audience not in (None, audience)


@FUZZ
@given(FRAGMENTS)
def test_citation_parser_finds_citations_or_reports_malformed_ones(text):
    citations = find_citations(text)
    for bad in malformed_citations(text):  # brackets that hold an @key but are not citations
        assert bad in text and "@" in bad and parse_bracket(bad[1:-1]) is None
    numbers = number_citations([text])
    for citation in citations:
        for item in citation.items:
            assert item.key in numbers
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))


@FUZZ
@given(st.text(max_size=80))
def test_citation_bracket_parser_gives_items_or_none(content):
    items = parse_bracket(content)
    assert items is None or all(item.key for item in items)


@FUZZ
@given(st.lists(st.sampled_from(["<", ">", "/", "=", '"', "'", "script", "a", "img", "on", "href",
                                 "javascript:", "src", " ", "!--", "-->", "&", "#x3c;", "https:", "style",
                                 "text-align: left", "color: red", "<img src=", "<a href=", "</span>"]), max_size=30).map("".join))
def test_html_check_gives_findings_never_an_exception(html):
    findings = unsafe_html(html)
    for unsafe in findings:
        assert unsafe.message and unsafe.needle.pattern
    # The fast path (nh3 changed nothing) never passes what the full check would refuse.
    _, fast = sanitized(html)
    assert fast == findings


BODY_PIECES = st.sampled_from([
    "\n", "\n\n", "Text ", "[@k]", "[@k, p. 2]", "[@nope]", "!!! tip \"T\"\n    ", "!!! notes\n", "!!! odd\n",
    "- [ ] ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "![alt](pic.png)", "![](x.png)", "<span>", "</span>",
    "<script>", "<b onclick='x'>", "[link](javascript:x)", "[link](https://example.org)", "{: .box }",
    "# Heading\n", "```\n", "    ", "*", "_", "<!-- c -->", "&amp;", "<", ">",
])


@FUZZ
@given(st.lists(st.one_of(BODY_PIECES, st.text(max_size=6)), max_size=30).map("".join))
def test_any_chapter_body_gives_html_or_our_error(tmp_path_factory, body):
    from booklet.content.chapter_html import chapter_html

    root = tmp_path_factory.getbasetemp()
    text = ("---\ntitle: T\nid: t\norder: 1\naudience: patient\nsummary: S.\nreviewed: 2026-01-01\n"
            "next_review: 2027-01-01\nsources: [k]\n---\n" + body)
    chapter, _ = parse_chapter(text, "chapters/t.md")
    if chapter is None:
        return
    try:
        html = chapter_html(chapter, "patient", Location(root, root / "chapters/t.md", root / "html"), {"k": 1})
    except BookletError as err:
        assert str(err)
    else:
        assert not unsafe_html(html)
