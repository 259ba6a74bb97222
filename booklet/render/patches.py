"""Our changes to WeasyPrint 70 and pydyf 0.13, in one place, for the exact versions they were
written for.

Two patches replace functions whose results must not change, only their speed. The third
makes the bytes the same on every machine: WeasyPrint subsets the embedded fonts with the
system's libharfbuzz-subset when it finds one and with fontTools otherwise, and the two give
different bytes, so fontTools (pinned in requirements.lock) always does it. They reach into
private code, so they are applied only to the versions named here; on any other version
the build stops with one line rather than risk changed pages.
Another gives every glyph of a shaped cluster a ToUnicode entry (see `_mapped_to_unicode`).
The originals are kept, so the tests can compare each patch with what it replaces.
Importing this module imports neither library (a build with nothing to render, and the
version check before a build, stay fast); `apply` does, and the renderer calls it.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ..errors import BookletError

if TYPE_CHECKING:
    import pydyf

WRITTEN_FOR = {"weasyprint": "70.0", "pydyf": "0.13.0"}


def version_problem() -> str | None:
    """Why the patches cannot be applied here, or None. Reads package metadata only, so it is
    cheap enough to run before every build, without importing WeasyPrint."""
    for name, wanted in WRITTEN_FOR.items():
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "none"
        if found != wanted:
            pins = " and ".join(f"{n} {v}" for n, v in WRITTEN_FOR.items())
            return (f"booklet's rendering changes were written for {pins}, but {name} {found} is installed: "
                    "install the versions in requirements.lock (make does)")
    return None


def check_versions() -> None:
    problem = version_problem()
    if problem:
        raise BookletError(problem)


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf 0.13 rebuilds the list of every page for each tagged element that names its page,
    which makes PDF/UA tagging quadratic in the page count (26 million steps for a 500-page
    booklet). Pages are only ever appended, so the list is kept until the page count changes."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_booklet_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_booklet_page_references"] = cached
    return cached[1]


def _set_page_type_computed_styles(page_type, html, style_for) -> None:
    """WeasyPrint 70 looks for a page's margin-box styles by scanning the styles of every
    page laid out so far (each page is its own page type), which is quadratic in the page
    count. The margin boxes a page can have are those named in the style sheets' @page
    rules, so only those are looked up; the styles computed are the same."""
    style_for.add_page_declarations(page_type)
    root = html.etree_element
    style_for.set_computed_styles(page_type, root=root, parent=root, base_url=html.base_url)
    pseudo_types = style_for.__dict__.get("_booklet_page_pseudo_types")
    if pseudo_types is None:
        pseudo_types = tuple(dict.fromkeys(
            selector[1] for sheet, _origin, _specificity in style_for._sheets
            for _rule, selectors, _declarations in sheet.page_rules for selector in selectors if selector[1]))
        style_for.__dict__["_booklet_page_pseudo_types"] = pseudo_types
    cascaded = style_for.get_cascaded_styles()
    for pseudo_type in pseudo_types:
        if (page_type, pseudo_type) in cascaded:
            style_for.set_computed_styles(page_type, pseudo_type=pseudo_type, root=root, parent=page_type,
                                          base_url=html.base_url)


def _without_nested_links(links: list[Any]) -> list[Any]:
    """WeasyPrint gives every box inside a link its own annotation to the same place (a
    contents entry had three: the title, the leader and the page number). A link's
    pseudo-element box (the leader and page number) joins the annotation of the link's own
    box on the same line, and an annotation inside another to the same place is dropped: a
    click lands on the same target and a screen reader meets the link once. Each rectangle
    is two corners, (x1, y1, x2, y2), in CSS pixels from the page's top left."""
    merged: list[list[Any]] = []
    for kind, target, (x1, y1, x2, y2), box in links:
        own = None
        if "::" in (box.element_tag or ""):
            own = next((entry for entry in reversed(merged)
                        if entry[3].element is box.element and entry[:2] == [kind, target]
                        and entry[2][1] < y2 and y1 < entry[2][3]), None)  # on the same line
        if own is not None:
            ox1, oy1, ox2, oy2 = own[2]
            own[2] = (min(ox1, x1), min(oy1, y1), max(ox2, x2), max(oy2, y2))
        else:
            merged.append([kind, target, (x1, y1, x2, y2), box])
    kept = []
    for index, (kind, target, rectangle, box) in enumerate(merged):
        x1, y1, x2, y2 = rectangle
        inside = any(
            other[:2] == [kind, target] and (other_index < index or other[2] != rectangle)
            and other[2][0] <= x1 + 0.01 and other[2][1] <= y1 + 0.01
            and x2 <= other[2][2] + 0.01 and y2 <= other[2][3] + 0.01
            for other_index, other in enumerate(merged) if other_index != index)
        if not inside:
            kept.append((kind, target, rectangle, box))
    return kept


PATCHED_PAGE_REFERENCES = property(_page_references)
# What each patch replaces, by name, recorded when the patches are first applied.
ORIGINALS: dict[str, Any] = {}


def apply() -> None:
    """Check the versions, then install the patches (applying them again changes nothing)."""
    check_versions()  # before importing the code to patch: a different version may not even import
    import pydyf
    from weasyprint.layout import page as weasyprint_page

    import weasyprint.pdf as weasyprint_pdf
    import weasyprint.document as weasyprint_document
    from weasyprint.document import Page
    from weasyprint.pdf import fonts as weasyprint_fonts
    from weasyprint.pdf.metadata import DocumentMetadata
    from weasyprint.pdf.stream import Stream

    from . import tagging, xmp

    if not ORIGINALS:
        ORIGINALS["page_references"] = pydyf.PDF.__dict__["page_references"]
        ORIGINALS["set_page_type_computed_styles"] = weasyprint_page.set_page_type_computed_styles
        ORIGINALS["harfbuzz_subset"] = weasyprint_fonts.harfbuzz_subset
        ORIGINALS["add_tags"] = weasyprint_pdf.add_tags
        ORIGINALS["marked"] = Stream.marked
        ORIGINALS["generate_pdf"] = weasyprint_document.generate_pdf
        ORIGINALS["page_init"] = Page.__init__
        ORIGINALS["include_in_pdf"] = DocumentMetadata.include_in_pdf
        ORIGINALS["build_fonts_dictionary"] = weasyprint_pdf.build_fonts_dictionary
    pydyf.PDF.page_references = PATCHED_PAGE_REFERENCES
    weasyprint_page.set_page_type_computed_styles = _set_page_type_computed_styles
    weasyprint_fonts.harfbuzz_subset = None  # WeasyPrint then subsets with fontTools

    # The structure tree (tagging.py): margin boxes, leaders and repeated table headers drawn
    # as artifacts, and the tree built from the HTML's elements rather than page by page.
    original_marked, original_generate, original_init = (
        ORIGINALS["marked"], ORIGINALS["generate_pdf"], ORIGINALS["page_init"])

    def marked(stream: Any, box: Any, tag: str) -> Any:
        return tagging.marked(stream, box, tag, original_marked)

    def generate_pdf(document: Any, target: Any, zoom: Any, **options: Any) -> Any:
        tagging.flag_artifacts(document.pages)  # before any page is drawn
        return original_generate(document, target, zoom, **options)

    def page_init(page: Any, page_box: Any) -> None:
        original_init(page, page_box)
        page.links[:] = _without_nested_links(page.links)

    def include_in_pdf(metadata: Any, pdf: Any, variant: Any, version: Any, conformance: Any, compress: bool) -> None:
        """As WeasyPrint 70 writes the XMP packet, with the extra metadata (the edition and
        its next review) inside the main rdf:RDF rather than in a second one after it."""
        rdf = xmp.merge_rdf(metadata.generate_rdf_metadata(variant, version, conformance), metadata.xmp_metadata)
        packet = b"\n".join((b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">',
                              rdf, b'</x:xmpmeta>\n<?xpacket end="r"?>'))
        stream = pydyf.Stream([packet], {"Type": "/Metadata", "Subtype": "/XML"}, compress)
        pdf.add_object(stream)
        pdf.catalog["Metadata"] = stream.reference

    original_fonts = ORIGINALS["build_fonts_dictionary"]

    def build_fonts_dictionary(pdf: Any, fonts: Any, compress: Any, subset: Any, options: Any) -> Any:
        for font in fonts.values():
            _mapped_to_unicode(font.to_unicode)
        return original_fonts(pdf, fonts, compress, subset, options)

    weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary
    weasyprint_pdf.add_tags = tagging.add_tags
    DocumentMetadata.include_in_pdf = include_in_pdf
    Stream.marked = marked
    weasyprint_document.generate_pdf = generate_pdf
    Page.__init__ = page_init


# What a glyph with no text of its own stands for in the ToUnicode map: a joiner, which reads as
# nothing and keeps the letters round it joined.
JOINER = "\u200d"


def _mapped_to_unicode(to_unicode: dict[int, str]) -> None:
    """WeasyPrint 70 gives a glyph the text of its cluster, so the second glyph of a cluster (as
    Arabic shaping makes: a letter and its dots) gets none, and is written to the ToUnicode map
    as "<>", which PDF/UA checkers call malformed and readers turn into stray letters (seen in
    the Urdu copies). Each such glyph is mapped to a zero-width joiner instead."""
    for glyph, text in to_unicode.items():
        if not text:
            to_unicode[glyph] = JOINER


SPEED_PATCHES = ("page_references", "set_page_type_computed_styles")


def restore(names: tuple[str, ...] = (*SPEED_PATCHES, "harfbuzz_subset")) -> None:
    """Put the originals of the patches named back (for the tests that compare the two)."""
    apply()  # so that the originals are recorded, whatever has been imported before
    import pydyf
    from weasyprint.layout import page as weasyprint_page
    from weasyprint.pdf import fonts as weasyprint_fonts

    if "page_references" in names:
        pydyf.PDF.page_references = ORIGINALS["page_references"]
    if "set_page_type_computed_styles" in names:
        weasyprint_page.set_page_type_computed_styles = ORIGINALS["set_page_type_computed_styles"]
    if "harfbuzz_subset" in names:
        weasyprint_fonts.harfbuzz_subset = ORIGINALS["harfbuzz_subset"]


# WeasyPrint warns, for every font, when it subsets with fontTools: that is our choice (above).
FONTTOOLS_NOTICE = "Using fontTools instead of HarfBuzz-Subset for font"
