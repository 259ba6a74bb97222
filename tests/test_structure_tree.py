"""The tagged PDFs as a screen reader and a PDF/UA checker read them: the structure tree
(render/tagging.py), the artifacts, the links' words and the XMP packet. The real booklet's
nine tagged copies are read with pikepdf (structure), pdfplumber (which text is an artifact)
and `page-validation` (PDF/UA-1); small documents show the cases the booklet may not have."""
from __future__ import annotations

import functools
import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import page
import pdfplumber
import pikepdf
import pytest
from weasyprint import HTML

from booklet.content.citation_links import AI_MARK_WORDS
from booklet.render import patches

TAGGED = ("patient-standard-a4", "patient-standard-letter", "patient-large-print-a4", "patient-booklet-a5",
          "patient-booklet-half-letter", "patient-quick-guide-a5", "patient-quick-guide-half-letter",
          "clinician-standard-a4", "clinician-standard-letter")
# The Welsh and Urdu drafts (one of each layout), checked as the English are.
TRANSLATED = ("patient-standard-a4-cy", "patient-booklet-a5-cy", "patient-quick-guide-a5-cy",
              "patient-large-print-a4-cy", "patient-standard-a4-ur", "patient-booklet-a5-ur")
# One of each layout (the Letter copies are laid out as the A4 ones are), for the slower text reads.
LAYOUTS = ("patient-standard-a4", "patient-large-print-a4", "patient-booklet-a5", "patient-quick-guide-a5",
           "clinician-standard-letter")
RAW_ID = re.compile(r"^#?[a-z0-9]+(-[a-z0-9]+)+$")


def _copy(real_build: Path, copy: str) -> Path:
    return next((real_build / "build").glob(f"calciphylaxis-{copy}-[0-9]*.pdf"))


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(root: pikepdf.Object) -> list[tuple[pikepdf.Object, pikepdf.Object | None]]:
    """Every structure element under the root, with its parent element, in reading order."""
    found: list[tuple[pikepdf.Object, pikepdf.Object | None]] = []

    def walk(element: pikepdf.Object, parent: pikepdf.Object | None) -> None:
        found.append((element, parent))
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR"):
                walk(kid, element)

    for top in _kids(root):
        walk(top, None)
    return found


def _tag(element: pikepdf.Object | None) -> str | None:
    return None if element is None else str(element.get("/S"))


class _HtmlCounts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1


def _html_counts(real_build: Path, copy: str) -> Counter[str]:
    html = next((real_build / "build" / "html").glob(f"calciphylaxis-{copy}-[0-9]*.html"))
    parser = _HtmlCounts()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser.tags


@pytest.mark.parametrize("copy", TAGGED + TRANSLATED)
def test_every_tagged_copy_passes_page_validation_for_pdf_ua_1(real_build, copy):
    report = page.validate_pdf(_copy(real_build, copy), profile="ua1")
    assert [(f.rule_id, f.message) for f in report.failures] == []
    assert report.is_compliant


@pytest.mark.parametrize("copy", TAGGED + TRANSLATED)
def test_the_structure_tree_has_one_element_per_list_table_and_section_and_lists_nest_in_items(real_build, copy):
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        elements = _elements(pdf.Root.StructTreeRoot)
        tags = Counter(_tag(element) for element, _ in elements)
        html = _html_counts(real_build, copy)
        # A page break no longer starts a new element: as many as the HTML has (or fewer, for
        # one that draws nothing in this copy), where WeasyPrint made one per page.
        assert tags["/L"] <= html["ul"] + html["ol"] + html["dl"]
        assert tags["/Table"] == html["table"]
        assert tags["/Sect"] <= html["section"] + html["nav"] + _padding_pages(pdf)
        for element, parent in elements:
            tag = _tag(element)
            if tag == "/L":
                assert _tag(parent) in (None, "/LBody", "/Sect", "/Div", "/Document", "/TD", "/TH"), \
                    f"a list inside {_tag(parent)}"
            if tag == "/LI":
                assert {_tag(kid) for kid in _kids(element)} <= {"/Lbl", "/LBody"}
                assert _tag(parent) == "/L"
            if tag == "/TH":
                assert element.A.Scope in (pikepdf.Name.Column, pikepdf.Name.Row)


def _padding_pages(pdf: pikepdf.Pdf) -> int:
    """The notes pages a booklet copy is padded with, from a document of their own: a section
    holding its heading alone (the ruled lines are drawn as artifacts)."""
    return sum(1 for element, _ in _elements(pdf.Root.StructTreeRoot)
               if _tag(element) == "/Sect" and [_tag(kid) for kid in _kids(element)] == ["/H2"])


def _lists(real_build: Path, copy: str) -> int:
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        return sum(_tag(element) == "/L" for element, _ in _elements(pdf.Root.StructTreeRoot))


def test_a_list_over_a_page_break_is_one_list(real_build):
    """The A5 copy has more page breaks than the A4 one, but no more lists."""
    assert _lists(real_build, "patient-booklet-a5") == _lists(real_build, "patient-standard-a4") \
        == _lists(real_build, "patient-large-print-a4")


@pytest.mark.parametrize("copy", TAGGED + TRANSLATED)
def test_all_tagged_content_hangs_from_the_tree(real_build, copy):
    """WeasyPrint 70 left the margin boxes' elements outside the tree (its issue #1836)."""
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        reachable = {element.objgen for element, _ in _elements(pdf.Root.StructTreeRoot)}
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        for key, value in zip(nums[::2], nums[1::2]):
            for element in (value if isinstance(value, pikepdf.Array) else [value]):
                assert element.objgen in reachable, f"parent tree entry {key} is outside the tree"


@pytest.mark.parametrize("copy", LAYOUTS)
def test_running_heads_footers_and_page_numbers_are_artifacts_and_nothing_else_is_untagged(real_build, copy):
    with pdfplumber.open(_copy(real_build, copy)) as pdf:
        count = len(pdf.pages)
        for index in (2, count // 2):
            chars = pdf.pages[index].chars
            artifacts = "".join(c["text"] for c in chars if c.get("tag") == "Artifact")
            tagged = "".join(c["text"] for c in chars if c.get("tag") != "Artifact")
            assert all(c.get("mcid") is not None for c in chars if c.get("tag") != "Artifact")
            if "quick-guide" not in copy:
                number = f"{index + 1}" if "booklet" in copy else f"Page {index + 1} of {count}"
                assert number in artifacts and "Next review" in artifacts, f"page {index + 1}"
            assert not re.search(r"Page \d+ of \d+|Edition \d+\.\d+\.\d+ \u2022", tagged), f"page {index + 1}"


def _contents_entries(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    elements = _elements(pdf.Root.StructTreeRoot)
    for element, _ in elements:
        if _tag(element) == "/Sect" and any(_tag(k) == "/L" for k in _kids(element)):
            heading = next(k for k in _kids(element) if isinstance(k, pikepdf.Dictionary))
            if _tag(heading) == "/H2":
                items = [i for i in _kids(next(k for k in _kids(element) if _tag(k) == "/L")) if _tag(i) == "/LI"]
                if len(items) > 10:
                    return items
    raise AssertionError("no contents list")


@pytest.mark.parametrize("copy", ("patient-standard-a4", "patient-booklet-a5", "clinician-standard-a4"))
def test_each_contents_entry_is_one_link_with_its_page_number_and_the_leader_dots_are_artifacts(real_build, copy):
    path = _copy(real_build, copy)
    with pikepdf.open(path) as pdf:
        entries = _contents_entries(pdf)
        for entry in entries:
            body = next(k for k in _kids(entry) if _tag(k) == "/LBody")
            links = [k for k in _kids(body) if _tag(k) == "/Link"]
            assert len(links) == 1
            annotations = [k for k in _kids(links[0]) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
            assert len(annotations) == 1, "one annotation for the title, leader and page number"
            assert str(annotations[0].Obj.Contents).startswith(("Chapter: ", "Where ", "References", "Edition", "Who "))
    with pdfplumber.open(path) as plumber:
        contents = plumber.pages[2]
        tagged = "".join(c["text"] for c in contents.chars if c.get("tag") != "Artifact")
        assert "Contents" in tagged and "..." not in tagged
        assert len(re.findall(r"\d+", tagged)) >= len(entries), "each entry's page number is read with it"
        assert contents.chars and sum(c["text"] == "." for c in contents.chars if c.get("tag") == "Artifact") > 200


@pytest.mark.parametrize("copy", TAGGED + TRANSLATED)
def test_every_link_says_in_words_where_it_goes(real_build, copy):
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        words = [str(annotation.Contents) for pdf_page in pdf.pages for annotation in pdf_page.get("/Annots", [])]
    assert words
    assert not [w for w in words if RAW_ID.match(w)]
    language = copy.rpartition("-")[2] if copy.endswith(("-cy", "-ur")) else "en-GB"
    word = _said(language, "Reference {number}").removesuffix(" {number}").removeprefix("{number} ")
    references = [w for w in words if w.startswith(word + " ")]
    if "quick-guide" not in copy:
        assert references and all(re.match(rf"{word} \d+: \S", w) for w in references)
        if copy.startswith("patient"):
            assert f"{word} 2: National Kidney Federation (UK)" in words
        else:
            assert any(re.match(r"Reference \d+: [A-Z][a-z]+ and others, \d{4}$", w) for w in references)


@pytest.mark.parametrize("copy", ("patient-large-print-a4", "clinician-standard-letter", "patient-quick-guide-a5"))
def test_the_edition_and_next_review_are_in_the_main_xmp_packet(real_build, copy):
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        packet = pdf.Root.Metadata.read_bytes().decode()
    assert packet.count("<rdf:RDF") == 1
    rdf = packet[packet.index("<rdf:RDF"):packet.index("</rdf:RDF>")]
    assert re.search(r"<booklet:edition>\d+\.\d+\.\d+</booklet:edition>", rdf)
    assert re.search(r"<booklet:nextReview>\d{4}-\d\d-\d\d</booklet:nextReview>", rdf)
    assert "pdfuaid:part=\"1\"" in rdf and "<dc:title>" in rdf


patches.apply()  # as the renderer does

LONG = """<!DOCTYPE html><html lang="en"><head><title>Tags</title><style>
  @page { size: A7; margin: 12mm 8mm; @top-center { content: "Running head" } @bottom-center { content: "Page " counter(page) } }
  body { font-size: 9pt }
</style></head><body><section><h1>Lists</h1><p>""" + "Words in a long paragraph. " * 120 + """</p>
<ul>""" + "".join(f"<li>Item {n}</li>" for n in range(40)) + """
<li>Parent<ul><li>Child one</li><li>Child two</li></ul></li></ul>
<dl><dt>Term</dt><dd>Its meaning</dd></dl>
<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>""" + "".join(
    f"<tr><td>Row {n}</td><td>{n}</td></tr>" for n in range(40)) + """
<tr><th>Total</th><td>780</td></tr></tbody></table></section></body></html>"""


@functools.lru_cache(maxsize=1)
def _long_pdf() -> bytes:
    return HTML(string=LONG).write_pdf(pdf_variant="pdf/ua-1")


def test_a_list_and_a_table_over_page_breaks_are_one_each_with_nested_lists_in_their_item_and_header_scopes():
    with pikepdf.open(io.BytesIO(_long_pdf())) as pdf:
        assert len(pdf.pages) >= 3
        elements = _elements(pdf.Root.StructTreeRoot)
        tags = Counter(_tag(element) for element, _ in elements)
        assert tags["/L"] == 3 and tags["/Table"] == 1 and tags["/Sect"] == 1
        nested = [element for element, parent in elements if _tag(element) == "/L" and _tag(parent) == "/LBody"]
        assert len(nested) == 1
        assert tags["/TH"] == 3, "the header row repeated on later pages is not read again"
        scopes = [str(element.A.Scope) for element, _ in elements if _tag(element) == "/TH"]
        assert scopes == ["/Column", "/Column", "/Row"]
        labels = [element for element, parent in elements if _tag(element) == "/Lbl" and _tag(parent) == "/LI"]
        assert len(labels) == 44  # 43 bullets and the definition list's term
        # Content on a later page than its element's first is referred to with its page.
        assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"
                   for element, _ in elements for kid in _kids(element))
    report = page.validate_pdf_bytes(_long_pdf(), profile="ua1")
    assert [(f.rule_id, f.message) for f in report.failures] == []


def test_the_repeated_header_row_and_the_margin_boxes_are_drawn_as_artifacts():
    with pdfplumber.open(io.BytesIO(_long_pdf())) as pdf:
        later = pdf.pages[len(pdf.pages) - 1].chars
        artifacts = "".join(c["text"] for c in later if c.get("tag") == "Artifact")
        assert "Running head" in artifacts and "Page" in artifacts
        table_pages = [p for p in pdf.pages if "Row" in "".join(c["text"] for c in p.chars)]
        assert len(table_pages) >= 2, "the fixture's table spans pages"
        for table_page in table_pages[1:]:
            head = "".join(c["text"] for c in table_page.chars if c.get("tag") == "Artifact")
            assert "NameValue" in head
            assert "Name" not in "".join(c["text"] for c in table_page.chars if c.get("tag") != "Artifact")


@pytest.mark.parametrize("copy", ("patient-standard-a4", "patient-large-print-a4", "clinician-standard-a4"))
def test_link_areas_stay_on_the_page_and_on_their_line(real_build, copy):
    """A contents entry's area covers its title, leader and page number, and ends at the page's
    edge; a link that wraps keeps one area a line."""
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        for number, pdf_page in enumerate(pdf.pages, 1):
            width, height = float(pdf_page.MediaBox[2]), float(pdf_page.MediaBox[3])
            for annotation in pdf_page.get("/Annots", []):
                (x1, x2), (y1, y2) = sorted(map(float, annotation.Rect[::2])), sorted(map(float, annotation.Rect[1::2]))
                assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height, f"page {number}: {list(annotation.Rect)}"
                assert y2 - y1 < 40, f"page {number}: an area {y2 - y1:.0f} pt tall"


@pytest.mark.parametrize("copy", ("patient-standard-a4", "clinician-standard-a4"))
def test_pictures_write_in_spaces_and_the_ai_mark_are_described(real_build, copy):
    with pikepdf.open(_copy(real_build, copy)) as pdf:
        elements = [element for element, _ in _elements(pdf.Root.StructTreeRoot)]
        width, height = float(pdf.pages[0].MediaBox[2]), float(pdf.pages[0].MediaBox[3])
        figures = [element for element in elements if _tag(element) == "/Figure"]
        assert all(str(figure.Alt).strip() for figure in figures)
        assert figures or copy.startswith("clinician")  # the clinician edition has no pictures
        for figure in figures:
            if "/A" in figure:  # an image: its box, in points on the page
                x1, y1, x2, y2 = map(float, figure.A.BBox)
                assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        expansions = {str(element.E) for element in elements if "/E" in element}
    assert expansions == {AI_MARK_WORDS}
    if copy.startswith("patient"):
        assert "space to write your kidney unit's daytime number" in {str(figure.Alt) for figure in figures}


def test_the_last_words_on_a_line_carry_the_space_the_line_break_stands_for():
    with pikepdf.open(io.BytesIO(_long_pdf())) as pdf:
        words = [str(operands[1].ActualText) for pdf_page in pdf.pages
                 for operands, operator in pikepdf.parse_content_stream(pdf_page)
                 if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                 and "/ActualText" in operands[1]]
    assert len(words) > 20 and all(w.endswith(" ") and w.strip() for w in words)
    assert "Words in a long paragraph." in " ".join(words)


def test_rendering_one_document_twice_tags_its_table_headers_both_times():
    document = HTML(string=LONG).render()
    for _ in range(2):
        with pikepdf.open(io.BytesIO(document.write_pdf(pdf_variant="pdf/ua-1"))) as pdf:
            assert Counter(_tag(e) for e, _ in _elements(pdf.Root.StructTreeRoot))["/TH"] == 3


def test_two_links_to_one_place_on_two_lines_both_stay_clickable_and_a_link_without_words_is_an_error(caplog):
    html = ('<!DOCTYPE html><html lang="en"><head><title>Links</title><style>@page { size: A7 }</style></head><body>'
            '<h1 id="target">Target</h1><p>Read <a href="#target">the part about the target heading</a> first, '
            'and then <a href="#target">the target</a> again.</p>'
            '<p><a href="#target" style="display: inline-block; width: 20px; height: 10px"></a></p></body></html>')
    with caplog.at_level("ERROR", logger="weasyprint"):
        data = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "A link to target has no words to say where it goes: give it text or an aria-label"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        links = [e for e, _ in _elements(pdf.Root.StructTreeRoot) if _tag(e) == "/Link"]
        assert len(links) == 3
        assert all(any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR" for k in _kids(link))
                   for link in links)


def _said(language: str, message: str) -> str:
    from booklet.interface import _, speaking

    with speaking(language):
        return _(message)
