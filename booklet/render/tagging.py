"""The PDF structure tree, built our way: WeasyPrint 70's tagging (weasyprint.pdf.tags) is
replaced by `add_tags` here, and its drawing marks some text as artifacts (patches.py installs
both, for the pinned version only).

What a screen reader or a checker meets, and WeasyPrint 70 gets wrong (its issue #1836):
- Running heads, footers, page numbers, the contents' leader dots and table headers repeated
  on a later page are /Artifact marked content with no MCID, so they are neither read nor in
  the tree (`flag_artifacts` marks the boxes before the first page is drawn; `marked` draws
  them). The last words on a line carry the space the line break stands for (/ActualText).
- One structure element per HTML element, however many pages it spans: WeasyPrint made a new
  list, section or table at every page break. Each element's content is added in page order,
  by marked-content references when it is on another page than the element's own.
- Lists as PDF wants them: LI holds Lbl and one LBody, and a nested list sits in the LBody;
  a definition list's term is the item's label and its definitions the body.
- Table header cells carry /Scope (no /Headers, so no ID tree is needed).
- A link is one Link element, whatever boxes it is drawn in (the contents' title, leader and
  page number), and its annotation's /Contents is words (the link's aria-label, else its text);
  a link with no words at all is an error, which fails the build.
- An element with role="img" and an aria-label (the space to write a number in) is a Figure
  with that label; a span's title is its expansion (/E: what the AI mark stands for); a
  picture's /BBox is in points on the page.
- Elements with nothing drawn in them are left out, but for table rows and cells.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.logger import LOGGER
from weasyprint.pdf.tags import _get_pdf_tag

ARTIFACT = "_booklet_artifact"  # attribute set on a box drawn as an artifact: its property list
LINE_END = "_booklet_line_end"  # attribute set on the last piece of text on a line
# Margin boxes above the page area are headers, the others footers (the PDF artifact subtypes).
HEADER_BOXES = ("@top-left-corner", "@top-left", "@top-center", "@top-right", "@top-right-corner")
INLINE_SPANS = {"strong", "em", "b", "i", "u", "code", "small", "abbr", "sub", "sup", "mark", "q", "cite", "time",
                "ins", "del"}
TABLE_GRID = ("TR", "TH", "TD")
BLOCK_GROUPS = {"nav": "Sect", "header": "Div", "footer": "Div", "aside": "Div", "figure": "Div", "dl": "L"}
PT = 0.75  # PDF points per CSS pixel
BROKEN_WORD = ("-", "\u00ad", "\u2010")  # a line ending inside a word


def flag_artifacts(pages: list[Any]) -> None:
    """Mark the boxes of a laid-out document that are drawn as artifacts, and the last piece of
    text on each line, before any page is drawn."""
    drawn_header_rows: set[int] = set()  # by element: a copy on a later page is pagination
    for page in pages:
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox):
                subtype = "/Header" if child.at_keyword in HEADER_BOXES else "/Footer"
                _flag_all(child, {"Type": "/Pagination", "Subtype": subtype})
            else:
                _flag_in_flow(child, drawn_header_rows)


def _flag_all(box: Any, properties: dict[str, str]) -> None:
    setattr(box, ARTIFACT, properties)
    for child in getattr(box, "children", ()):
        _flag_all(child, properties)


def _flag_in_flow(box: Any, drawn_header_rows: set[int]) -> None:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if box.is_leader:
        _flag_all(box, {"Type": "/Layout"})
        return
    if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer) and box.element is not None:
        if id(box.element) in drawn_header_rows:
            _flag_all(box, {"Type": "/Pagination"})
            return
        drawn_header_rows.add(id(box.element))
    if isinstance(box, boxes.LineBox):
        last = _last_text(box)
        if last is not None and last.text and not last.text[-1].isspace() and not last.text.endswith(BROKEN_WORD):
            setattr(last, LINE_END, True)
    for child in getattr(box, "children", ()):
        _flag_in_flow(child, drawn_header_rows)


def _last_text(box: Any) -> Any:
    for child in reversed(getattr(box, "children", ())):
        if isinstance(child, boxes.TextBox):
            return child
        if getattr(child, ARTIFACT, None) is None and (last := _last_text(child)) is not None:
            return last
    return None


@contextmanager
def marked(stream: Any, box: Any, tag: str, original: Any) -> Iterator[None]:
    """Draw a box's content as tagged content, or as an artifact if it was flagged one. The
    last text on a line carries its words with the space the line break stands for
    (/ActualText): WeasyPrint drops the space, and a reader taking the text in tag order
    heard "heal|slowly" as "healslowly"."""
    properties = getattr(box, ARTIFACT, None)
    if stream._tags is None or (properties is None and not getattr(box, LINE_END, False)):
        with original(stream, box, tag):
            yield
        return
    if properties is None:  # as WeasyPrint 70 marks tagged content, with the words added
        mcid = len(stream._tags)
        stream._tags[box] = {"tag": tag, "mcid": mcid}
        properties = {"MCID": mcid, "ActualText": pydyf.String(box.text + " ")}
    else:
        tag = "Artifact"
    pydyf.Stream.begin_marked_content(stream, tag, pydyf.Dictionary(properties))
    try:
        yield
    finally:
        pydyf.Stream.end_marked_content(stream)


@dataclass(eq=False)
class Node:
    """A structure element while the tree is built; `_write` adds it to the PDF."""
    tag: str
    element: Any = None
    parent: Node | None = None
    kids: list[Any] = field(default_factory=list)  # Node, ("mcid", page, mcid) or ("objr", page, annotation)
    attributes: dict[str, Any] = field(default_factory=dict)
    page: int | None = None  # the page of its first content
    body: Node | None = None  # a list item's LBody

    def child(self, tag: str, element: Any = None) -> Node:
        node = Node(tag, element, self)
        self.kids.append(node)
        return node

    def nearest(self, tag: str) -> Node | None:
        """This node or its nearest ancestor with this tag."""
        node: Node | None = self
        while node is not None and node.tag != tag:
            node = node.parent
        return node


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: list[Any]) -> None:
    """Replaces weasyprint.pdf.tags.add_tags (same arguments, same catalog entries)."""
    builder = TreeBuilder()
    for page_number, (page, stream) in enumerate(zip(document.pages, page_streams)):
        builder.add_page(page_number, page._page_box, stream._tags)

    parent_tree = pydyf.Dictionary({"Nums": pydyf.Array()})
    pdf.add_object(parent_tree)
    root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference})
    pdf.add_object(root)
    document_element, page_kids, annotations = builder.write(pdf, root, len(document.pages))
    root["K"] = pydyf.Array([document_element.reference])
    pdf.catalog["StructTreeRoot"] = root.reference
    if str(pdf_version) >= "2.0":  # as WeasyPrint does: PDF 2 names the standard namespace
        namespace = pydyf.Dictionary({"Type": "/Namespace", "NS": pydyf.String("http://iso.org/pdf2/ssn")})
        pdf.add_object(namespace)
        root["Namespaces"] = pydyf.Array([namespace.reference])
        document_element["NS"] = namespace.reference
    for page_number, kids in enumerate(page_kids):
        parent_tree["Nums"].extend((page_number, pydyf.Array(kids)))
    for key, (element_reference, annotation, words) in enumerate(annotations, start=len(page_kids)):
        parent_tree["Nums"].extend((key, element_reference))
        annotation["StructParent"] = key
        if words is not None:
            annotation["Contents"] = pydyf.String(words)
    root["ParentTreeNextKey"] = len(page_kids) + len(annotations)

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        LOGGER.error('Missing required "lang" attribute at the root of the document')
        pdf.catalog["Lang"] = pydyf.String()


class TreeBuilder:
    def __init__(self) -> None:
        self.document = Node("Document")
        self.nodes: dict[tuple[Any, str], Node] = {}
        self.last_term: dict[Any, Node] = {}  # a definition list's latest item, by list element
        self.page_number = 0
        self.tags: dict[Any, Any] = {}

    def add_page(self, page_number: int, page_box: Any, tags: dict[Any, Any]) -> None:
        self.page_number, self.tags = page_number, tags
        self.page_height = page_box.margin_height()
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):  # margin boxes are artifacts
                self._box(child, self.document)
        if tags:
            raise AssertionError(f"{len(tags)} pieces of tagged content on page {page_number + 1} "
                                 "have no place in the structure tree")

    def _node_for(self, box: Any, parent: Node) -> Node:
        """The structure element a box's content goes into: its element's (made once, the first
        time the element is met on any page), or the parent's for an anonymous box."""
        element = box.element
        if element is None or isinstance(box, boxes.PageBox) or box.element_tag in ("html", "body"):
            return parent
        element_tag = box.element_tag
        pseudo = "::" in element_tag
        if parent.element is element and not pseudo:
            return parent  # an anonymous box of the parent's own element
        key = (element, element_tag)
        if key in self.nodes:
            return self.nodes[key]
        tag = _tag(element_tag)
        if tag == "Link" and parent.nearest("Link") is not None:
            return parent  # a link's pseudo-element (the contents' leader and page number)
        if element_tag == "div" and parent.tag == "L" and getattr(parent.element, "tag", None) == "dl":
            return parent  # a group of terms and definitions: the items are the list's own
        if element_tag == "a" and "href" not in element.attrib:
            tag = "Span"  # an anchor, not a link
        words = " ".join(element.attrib.get("aria-label", "").split())
        if element.attrib.get("role") == "img" and words:
            tag = "Figure"  # a picture made of CSS (the space to write a number in), by its label
        if parent.tag == "LI" and tag != "Lbl":
            parent = self._list_body(parent)
        if element_tag in ("dt", "dd") and parent.tag == "L":
            node = self._definition(element_tag, element, parent)
        elif tag == "LI" and parent.tag != "L":
            node = parent.child("Div", element)  # an item outside a list (made so by CSS)
        else:
            node = parent.child(tag, element)
        self.nodes[key] = node
        self._describe(node, box)
        if tag == "Figure" and "Alt" in node.attributes:
            node.page = self.page_number  # kept, though nothing in it is text or an image
        return node

    def _list_body(self, item: Node) -> Node:
        if item.body is None:
            item.body = item.child("LBody", item.element)
        return item.body

    def _definition(self, element_tag: str, element: Any, parent: Node) -> Node:
        """In a definition list each term starts an item, as its label; the definitions after
        it are that item's body."""
        if element_tag == "dt":
            item = parent.child("LI")
            self.last_term[parent.element] = item
            return item.child("Lbl", element)
        term = self.last_term.get(parent.element)
        if term is None:
            term = self.last_term[parent.element] = parent.child("LI")
        return self._list_body(term).child("Div", element)

    def _describe(self, node: Node, box: Any) -> None:
        if node.tag == "Figure":
            alt = box.element.attrib.get("alt") or box.element.attrib.get("aria-label")
            if box.element.tag == "{http://www.w3.org/2000/svg}svg":
                title = box.element.find("{http://www.w3.org/2000/svg}title")
                alt = title.text if title is not None else None
            if alt:
                node.attributes["Alt"] = pydyf.String(alt)
            else:
                LOGGER.error('Image "%s" has no required alt description', box.element.attrib.get("src", "unknown"))
            if isinstance(box, boxes.ReplacedBox):
                # In PDF points from the page's bottom left (the layout's are CSS pixels from
                # the top left; WeasyPrint wrote those).
                x1, y1 = box.content_box_x(), box.content_box_y()
                x2, y2 = x1 + box.width, y1 + box.height
                node.attributes["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": pydyf.Array(
                    (x1 * PT, (self.page_height - y2) * PT, x2 * PT, (self.page_height - y1) * PT))})
        elif node.tag == "Span" and (expansion := " ".join(box.element.attrib.get("title", "").split())):
            node.attributes["E"] = pydyf.String(expansion)  # what the AI mark stands for, read in its place
        elif node.tag in ("TH", "TD"):
            cell = pydyf.Dictionary({"O": "/Table"})
            if getattr(box, "colspan", 1) != 1:
                cell["ColSpan"] = box.colspan
            if getattr(box, "rowspan", 1) != 1:
                cell["RowSpan"] = box.rowspan
            node.attributes["A"] = cell

    def _box(self, box: Any, parent: Node) -> None:
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if getattr(box, ARTIFACT, None) is not None:
            self._links_in_artifact(box)
            return
        node = self._node_for(box, parent)
        if box.link_annotation:
            link = node.nearest("Link") or node.child("Link", box.element)
            link.kids.append(("objr", self.page_number, box.link_annotation))
        if box.widget_annotation:  # a form field, as WeasyPrint 70 tags it
            node.child("Form", box.element).kids.append(("objr", self.page_number, box.widget_annotation))
        if isinstance(box, boxes.ReplacedBox):
            kid = self.tags.pop(box, None)
            if kid is not None:
                node.kids.append(("mcid", self.page_number, kid["mcid"]))
        children: list[Any] = list(getattr(box, "children", ()))
        if box.is_table_wrapper and box.get_wrapped_table() is not None:
            table = box.get_wrapped_table()  # the table's own box and its captions, in one Table
            children = [inner for child in children for inner in (child.children if child is table else [child])]
        for child in children:
            for inner in (child.children if isinstance(child, boxes.LineBox) else [child]):
                if isinstance(inner, boxes.TextBox):
                    kid = self.tags.pop(inner, None)
                    if kid is not None:
                        target = self._list_body(node) if node.tag == "LI" else node
                        target.kids.append(("mcid", self.page_number, kid["mcid"]))
                else:
                    self._box(inner, node)

    def _links_in_artifact(self, box: Any) -> None:
        """A link drawn again as pagination (in a repeated table header) is still clickable: its
        annotation joins the link's element from the first time it was drawn."""
        if box.link_annotation and (link := self.nodes.get((box.element, box.element_tag))) is not None:
            link.kids.append(("objr", self.page_number, box.link_annotation))
        for child in getattr(box, "children", ()):
            self._links_in_artifact(child)

    def write(self, pdf: Any, root: Any, page_count: int) -> tuple[Any, list[list[Any]], list[tuple[Any, Any, str | None]]]:
        """Add the tree's elements to the PDF. Returns the document element, each page's
        MCID-to-element list and each annotation with its element and its words."""
        pages: dict[int, dict[int, Any]] = {}
        annotations: list[tuple[Any, Any, str | None]] = []
        _first_pages(self.document)
        document = self._write(pdf, self.document, root, pages, annotations)
        page_kids = [[pages[p][mcid] for mcid in sorted(pages[p])] if p in pages else []
                     for p in range(page_count)]
        return document, page_kids, annotations

    def _write(self, pdf: Any, node: Node, parent: Any, pages: dict[int, dict[int, Any]],
               annotations: list[tuple[Any, Any, str | None]]) -> Any:
        element = pydyf.Dictionary({"Type": "/StructElem", "S": "/" + node.tag, "K": pydyf.Array(),
                                    "P": parent.reference})
        if node.page is not None:
            element["Pg"] = pdf.page_references[node.page]
        for name, value in node.attributes.items():
            element[name] = value
        if node.tag == "TH":
            element["A"]["Scope"] = "/" + _scope(node)
        pdf.add_object(element)
        for kid in node.kids:
            if isinstance(kid, Node):
                # An element with nothing drawn in it is left out, but for a table's rows and
                # cells: an empty cell (a space to write in) still has its place in the grid.
                if kid.page is not None or kid.tag in TABLE_GRID:
                    element["K"].append(self._write(pdf, kid, element, pages, annotations).reference)
            elif kid[0] == "mcid":
                _kind, page, mcid = kid
                pages.setdefault(page, {})[mcid] = element.reference
                element["K"].append(mcid if page == node.page else pydyf.Dictionary(
                    {"Type": "/MCR", "Pg": pdf.page_references[page], "MCID": mcid}))
            else:
                _kind, page, annotation = kid
                reference = pydyf.Dictionary(
                    {"Type": "/OBJR", "Obj": annotation.reference, "Pg": pdf.page_references[page]})
                pdf.add_object(reference)
                element["K"].append(reference.reference)
                words = link_words(node.element, annotation) if node.tag == "Link" else None
                annotations.append((element.reference, annotation, words))
        return element


def _first_pages(node: Node) -> int | None:
    """Give each element the page of its first content (None when nothing is drawn in it)."""
    for kid in node.kids:
        page = _first_pages(kid) if isinstance(kid, Node) else kid[1]
        if page is not None and node.page is None:
            node.page = page
    return node.page


def _tag(element_tag: str) -> str:
    if element_tag.endswith("::marker"):
        return "Lbl"
    if "::" not in element_tag:
        if element_tag in BLOCK_GROUPS:
            return BLOCK_GROUPS[element_tag]
        if element_tag in INLINE_SPANS:
            return "Span"
    return _get_pdf_tag(element_tag)


def _scope(header: Node) -> str:
    """A header cell's scope: as the HTML says, else the column for a cell in the table's head
    or in a row of headers only, else the row."""
    scope = (header.element.attrib.get("scope", "") if header.element is not None else "").lower()
    if scope in ("row", "col", "column"):
        return "Row" if scope == "row" else "Column"
    if header.nearest("THead") is not None:
        return "Column"
    row = header.nearest("TR")
    if row is not None and any(isinstance(kid, Node) and kid.tag == "TD" for kid in row.kids):
        return "Row"
    return "Column"


def link_words(element: Any, annotation: Any) -> str:
    """What a link is, in words, for its annotation: the HTML's aria-label, else its title,
    else its text and its pictures' descriptions. A link with none of them fails the build."""
    if element is not None:
        for name in ("aria-label", "title"):
            words = " ".join(element.attrib.get(name, "").split())
            if words:
                return words
        pictures = [e.attrib.get("alt", "") for e in element.iter() if e.tag == "img"]
        words = " ".join(" ".join(["".join(element.itertext()), *pictures]).split())
        if words:
            return words
    target = annotation.get("Dest") or annotation.get("A", {}).get("URI")
    where = getattr(target, "string", target)
    LOGGER.error("A link to %s has no words to say where it goes: give it text or an aria-label", where)
    return str(where)
