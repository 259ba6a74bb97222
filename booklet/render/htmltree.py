"""A small element tree for the HTML this package writes: parsed with the standard library,
changed in place, and written out again as HTML or as XHTML (well-formed XML, for EPUB).

The web pages and the EPUB are cut from the very documents the PDFs are rendered from, so
they carry the same words, citations, provenance marks and dates. Those documents are
ours (templates and sanitized chapter HTML), so this is no general HTML5 parser: it keeps
the tree as written, closes void elements, and ignores an end tag that matches nothing open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Callable, Iterator, Union

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
RAW_TEXT = frozenset(("style", "script"))
# Elements holding a run of text that a printed page can begin in: the page map counts these, in
# document order, in the renderer's tree and here, so a page number finds its place (see epub.py).
TEXT_BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 dt dd th td caption figcaption".split())


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Union["Element", str]] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def has_class(self, name: str) -> bool:
        return name in self.classes

    def iter(self) -> Iterator["Element"]:
        """This element and every element inside it, in document order."""
        stack: list[Element] = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed([c for c in element.children if isinstance(c, Element)]))

    def find(self, match: Callable[["Element"], bool]) -> "Element | None":
        return next((e for e in self.iter() if match(e)), None)

    def find_all(self, match: Callable[["Element"], bool]) -> list["Element"]:
        return [e for e in self.iter() if match(e)]

    @property
    def elements(self) -> list["Element"]:
        return [c for c in self.children if isinstance(c, Element)]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self.open[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def parse(html: str) -> Element:
    """The tree of an HTML document or fragment, under a '#document' element (comments and the
    doctype are left out: whoever writes it out again gives its own)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _attributes(element: Element, xhtml: bool) -> str:
    parts = []
    for name, value in element.attrs.items():
        if value is None:
            value = name if xhtml else ""
            if not xhtml:
                parts.append(f" {name}")
                continue
        parts.append(f' {name}="{escape(value, quote=True)}"')
    return "".join(parts)


def serialize(node: Element | str, xhtml: bool = False) -> str:
    """The node written out; XHTML closes void elements itself and escapes style text."""
    if isinstance(node, str):
        return escape(node, quote=False)
    out: list[str] = []
    _write(node, xhtml, out)
    return "".join(out)


def inner(element: Element, xhtml: bool = False) -> str:
    return "".join(serialize(child, xhtml) for child in element.children)


def _write(element: Element, xhtml: bool, out: list[str]) -> None:
    if element.tag == "#document":
        for child in element.children:
            out.append(escape(child, quote=False) if isinstance(child, str) else serialize(child, xhtml))
        return
    attributes = _attributes(element, xhtml)
    if element.tag in VOID:
        out.append(f"<{element.tag}{attributes}{' /' if xhtml else ''}>")
        return
    out.append(f"<{element.tag}{attributes}>")
    for child in element.children:
        if isinstance(child, str):
            out.append(escape(child, quote=False) if xhtml or element.tag not in RAW_TEXT else child)
        else:
            _write(child, xhtml, out)
    out.append(f"</{element.tag}>")


def text_blocks(root: Element) -> list[Element]:
    """The elements the page map counts, in document order."""
    return [element for element in root.iter() if element.tag in TEXT_BLOCKS]
