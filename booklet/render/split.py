"""Cuts a print document (document.html.j2) into its parts, for the web pages and the EPUB.

The parts are the top-level sections the template writes, by what they hold. Links
between them are rewritten by the caller, which knows where each part ends up.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .htmltree import Element, parse

# The sections of the back of the booklet that go together on one "About this edition" page.
ABOUT_PARTS = ("edition-history", "changes", "who-wrote-it")


@dataclass
class Parts:
    tree: Element  # the whole parsed document (the parts are elements of it)
    title: str = ""
    cover: Element | None = None
    inside_cover: Element | None = None
    contents: Element | None = None
    chapters: list[Element] = field(default_factory=list)  # section.chapter, in order
    references: Element | None = None
    about: list[Element] = field(default_factory=list)  # edition history, changes, who wrote it
    back_cover: Element | None = None
    order: list[Element] = field(default_factory=list)  # every top-level part, in document order


def body_of(tree: Element) -> Element:
    body = tree.find(lambda e: e.tag == "body")
    if body is None:
        raise ValueError("the document has no body")
    return body


def split_document(html: str) -> Parts:
    tree = parse(html)
    title = tree.find(lambda e: e.tag == "title")
    parts = Parts(tree, title.text() if title is not None else "")
    for part in body_of(tree).elements:
        parts.order.append(part)
        if part.has_class("cover"):
            parts.cover = part
        elif part.has_class("inside-cover"):
            parts.inside_cover = part
        elif part.has_class("contents"):
            parts.contents = part
        elif part.has_class("chapter"):
            parts.chapters.append(part)
        elif part.has_class("references"):
            parts.references = part
        elif any(part.has_class(name) for name in ABOUT_PARTS):
            parts.about.append(part)
        elif part.has_class("back-cover"):
            parts.back_cover = part
    return parts


def chapter_id(section: Element) -> str:
    return (section.get("id") or "").removeprefix("chapter-")


def chapter_title(section: Element) -> str:
    heading = section.find(lambda e: e.tag == "h1")
    return heading.text().strip() if heading is not None else chapter_id(section)


def rewrite_links(root: Element, target: dict[str, str], here: str) -> None:
    """Each in-document link `#id` leads to where that id is now: `target` gives, for every id,
    'file' or 'file#id'; a link to an id on the page `here` keeps its plain '#id'."""
    for link in root.find_all(lambda e: e.tag == "a" and (e.get("href") or "").startswith("#")):
        where = target.get((link.get("href") or "")[1:])
        if where is None:
            continue
        file, _, fragment = where.partition("#")
        link.attrs["href"] = f"#{fragment}" if file == here and fragment else where


def demote_headings(root: Element, levels: int = 1) -> None:
    """Every heading inside `root` down by `levels` (h1 -> h2), for a part set under a page's own h1."""
    for heading in root.find_all(lambda e: len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1] in "123456"):
        heading.tag = f"h{min(int(heading.tag[1]) + levels, 6)}"
