"""Citations: Pandoc syntax, validation against references.yaml, Vancouver numbering."""
from __future__ import annotations

import markdown
import pytest

from booklet.source.chapters import parse_chapter
from booklet.content.citation_links import CitationExtension
from booklet.source.citations import CitationItem, check_citations, find_citations, number_citations
from booklet.source.references import Reference, load_references
from conftest import make_project

REFS = {k: Reference(id=k, type="webpage", title=k, line=i + 3) for i, k in enumerate(
    ("nkf-2023", "cleveland-2024", "rareshare-2021", "unused-one"))}


def items(text: str) -> list[tuple[CitationItem, ...]]:
    return [c.items for c in find_citations(text)]


def test_single_multiple_and_located_citations_are_parsed():
    assert items("Rare [@nkf-2023].") == [(CitationItem("nkf-2023"),)]
    assert items("[@a; @b]") == [(CitationItem("a"), CitationItem("b"))]
    assert items("[@a, p. 3; @b]") == [(CitationItem("a", "p. 3"), CitationItem("b"))]


@pytest.mark.parametrize("text", [
    "Write to [help@example.org] today.",   # an e-mail address, not a citation
    "[a link](https://example.org/@x)",      # a link's text
    "![image @x](pic.png)",
    "[see @a]",                              # prefix text is not supported: left as text
    "No brackets @a here.",
])
def test_things_that_are_not_citations_are_left_alone(text):
    assert items(text) == []


def test_numbers_follow_first_citation_and_are_reused():
    assert number_citations(["[@c] then [@a; @c]", "[@b] and [@a]"]) == {"c": 1, "a": 2, "b": 3}


def render(text: str, numbers: dict[str, int]) -> str:
    return markdown.markdown(text, extensions=[CitationExtension(numbers)])


def test_each_citation_link_says_which_reference_it_is_in_words():
    html = markdown.markdown("x [@a; @b]", extensions=[CitationExtension({"a": 1, "b": 2}, names={"a": "Cleveland Clinic"})])
    assert '<a aria-label="Reference 1: Cleveland Clinic" href="#ref-a">1</a>' in html
    assert '<a aria-label="Reference 2" href="#ref-b">2</a>' in html


def test_citations_render_as_linked_numbers_with_ranges():
    numbers = {"a": 1, "b": 2, "c": 3, "d": 5}
    assert render("x [@a]", numbers) == '<p>x [<a aria-label="Reference 1" href="#ref-a">1</a>]</p>'
    assert render("x [@b; @a]", numbers) == (
        '<p>x [<a aria-label="Reference 1" href="#ref-a">1</a>,\u00a0<a aria-label="Reference 2" href="#ref-b">2</a>]</p>')
    assert render("x [@c; @a; @b; @d]", numbers) == (
        '<p>x [<a aria-label="Reference 1" href="#ref-a">1</a>\u2013<a aria-label="Reference 3" href="#ref-c">3</a>,\u00a0<a aria-label="Reference 5" href="#ref-d">5</a>]</p>')
    assert render("x [@d, p. 4]", numbers) == '<p>x [<a aria-label="Reference 5" href="#ref-d">5</a> (p. 4)]</p>'


def test_citations_keep_their_place_next_to_other_inline_markup():
    numbers = {"a": 1, "b": 2}
    assert render("[@a] opens, **bold** [@b]. Tail.", numbers) == (
        '<p>[<a aria-label="Reference 1" href="#ref-a">1</a>] opens, <strong>bold</strong> [<a aria-label="Reference 2" href="#ref-b">2</a>]. Tail.</p>')


def test_a_line_ending_in_a_citation_breaks_after_as_many_words_as_fit():
    """WeasyPrint 70 left the first word alone on a line when a citation span ended it."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import LineBox

    sentence = ("Most patients lose mobility and spend long stretches of the day in a wheelchair "
                "or in bed [@a; @b].")
    body = render(sentence, {"a": 1, "b": 2})
    first_lines = []
    for width in range(560, 700, 4):
        page = HTML(string=f'<div style="width: {width}px; font: 11pt sans-serif">{body}</div>').render().pages[0]
        lines = [box for box in page._page_box.descendants() if isinstance(box, LineBox)]
        if len(lines) > 1:
            first_lines.append(" ".join(box.text for box in lines[0].descendants() if hasattr(box, "text")))
    assert first_lines, "the sentence should need two lines at some of these widths"
    assert all(len(line.split()) > 5 for line in first_lines), first_lines


def chapter(body: str, sources: str = "[nkf-2023]", extra: str = ""):
    text = (f"---\ntitle: T\nid: t\norder: 1\naudience: both\nsummary: S.\nreviewed: 2026-01-01\n"
            f"next_review: 2027-01-01\nsources: {sources}\n{extra}---\n{body}")
    parsed, problems = parse_chapter(text, "chapters/t.md")
    assert problems == [], problems
    return parsed


def messages(*chapters, refs=REFS) -> list[str]:
    return [str(p) for p in check_citations(chapters, refs)]


def test_unknown_reference_names_line_and_suggests_a_key():
    found = messages(chapter("Line one.\n\nIt is rare [@nkf-2032].\n"))
    assert "chapters/t.md:13: unknown reference 'nkf-2032' (did you mean 'nkf-2023'?)" in found


def test_citing_a_source_not_listed_in_front_matter_is_an_error():
    found = messages(chapter("Rare [@nkf-2023; @cleveland-2024].\n"))
    assert "chapters/t.md:11: cites 'cleveland-2024', which the front-matter 'sources' list does not name" in found


def test_listed_but_never_cited_source_is_a_warning():
    found = messages(chapter("Rare [@nkf-2023].\n", sources="[nkf-2023, rareshare-2021]"))
    assert "chapters/t.md:9: warning: 'sources' names 'rareshare-2021', which the chapter never cites" in found


def test_reference_nobody_cites_is_a_warning():
    found = messages(chapter("Rare [@nkf-2023].\n"))
    assert "references.yaml:6: warning: reference 'unused-one' is not cited by any chapter" in found


def test_factual_chapter_without_citations_is_an_error():
    found = messages(chapter("A fact with no source.\n"))
    assert any("chapters/t.md:2: the chapter cites no source" in m for m in found)


def test_page_marked_not_factual_needs_no_citation():
    found = messages(chapter("Write your notes here.\n", sources="[]", extra="factual: false\n"))
    assert not [m for m in found if "warning" not in m]


def test_repository_references_are_valid_and_complete(tmp_path):
    from conftest import REPO
    refs, problems = load_references(REPO)
    assert problems == []
    # the seven source documents, the seven articles and the two trials
    assert len(refs) == 16
    assert refs["nkf-2023"].next_review.last_day().isoformat() == "2026-07-31"
    assert refs["qa-whatis"].is_undated


def test_bad_reference_entries_are_each_reported(tmp_path):
    root = make_project(tmp_path / "p")
    (root / "references.yaml").write_text("""references:
- id: ok-one
  type: webpage
  title: Fine
- id: bad-date
  type: webpage
  title: Bad
  issued: 2023-13
- id: bad-doi
  type: article-journal
  title: X
  author: [{family: A, given: B}]
  container-title: J
  issued: 2020
  DOI: https://doi.org/10.1/x
  tittle: typo
- id: ok-one
  type: webpage
  title: Duplicate
""")
    refs, problems = load_references(root)
    lines = [str(p) for p in problems]
    assert "references.yaml:8: 'issued' is not a real date: 2023-13" in lines
    assert any(line.startswith("references.yaml:15: 'DOI' must be a DOI like") for line in lines)
    assert "references.yaml:16: unknown key 'tittle' in a reference (did you mean 'title'?)" in lines
    assert "references.yaml:17: duplicate reference id 'ok-one' (also on line 2)" in lines


def test_citation_before_punctuation_is_rendered():
    assert render("any of these [@a]:", {"a": 1}) == (
        '<p>any of these [<a aria-label="Reference 1" href="#ref-a">1</a>]:</p>')


def test_bracket_that_looks_like_a_citation_but_is_not_is_an_error():
    found = messages(chapter("Rare [@nkf-2023]. See [see @nkf-2023] too.\n"))
    assert "chapters/t.md:11: [see @nkf-2023] is not a citation: write [@key], [@a; @b] or [@a, p. 3]" in found


def test_citing_an_entry_too_broken_to_load_is_not_also_an_unknown_reference(project):
    """The broken entry's own problem is reported; a real unknown key still is too."""
    from conftest import booklet

    references = project / "references.yaml"
    references.write_text(references.read_text().replace("  title: A reviewed page", "  titel: A reviewed page", 1))
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("[@web-reviewed]", "[@web-reviewd]"))
    result = booklet(project, "check")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line]
    assert "chapters/02-patient-only.md:11: unknown reference 'web-reviewd' (did you mean 'web-reviewed'?)" in lines
    assert any(line.startswith("references.yaml:") and "'titel'" in line for line in lines)
    assert not any("chapters/01-shared.md" in line for line in lines)  # it cites web-reviewed, which is broken
