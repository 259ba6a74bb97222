"""Page-fit rules, checked on the laid-out pages: what a reader holding the printed copy meets.

- a box, a list of fewer than SHORT_LIST items or a short form to fill in is on one page (the stylesheets ask for this; here the pages are checked to have kept it);
- no page holds only a chapter's closing "Reviewed ..." line;
- no page of a chapter is less than a third full unless it is the chapter's last page.

Covers, contents, notes pages and pages left blank on purpose are not judged. Each problem is
a warning naming the page and the section (<section id>), which the pipeline turns into the
chapter's file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weasyprint.formatting_structure.boxes import LineBox, MarginBox, ReplacedBox

from ..content.chapter_html import SHORT_LIST, is_short_form
LEAST_FILL = 1 / 3
# Sections that are pages of their own by design, never judged for how full they are.
_UNJUDGED = ("cover", "inside-cover", "contents", "back-cover", "notes-page", "quick-back")


@dataclass(frozen=True)
class PageFit:
    section_id: str | None
    page: int
    message: str

    def as_warning(self) -> str:
        """One line; the section goes first, before a tab, for the pipeline to name the chapter."""
        return f"{self.section_id or ''}\tpage {self.page}: {self.message}"


def _kept_together(element) -> str | None:
    """What to call an element that must stay on one page, or None."""
    tag, classes = element.tag, (element.get("class") or "").split()
    if tag == "div" and "admonition" in classes:
        return "a box"
    if tag in ("ul", "ol"):
        items = sum(1 for child in element if child.tag == "li")
        return f"a list of {items} items" if items < SHORT_LIST else None
    if tag == "table" and is_short_form(element):
        return "a form to fill in"
    return None


@dataclass
class _Page:
    number: int
    sections: list[str]  # ids (or classes, for the unnamed ones) of the sections on the page
    top: float
    height: float
    lowest: float  # the bottom of the lowest thing printed, or `top` on an empty page
    review_only: bool = False


def page_fit_problems(document) -> list[PageFit]:
    """Every page-fit problem of a rendered WeasyPrint document."""
    pages: list[_Page] = []
    seen_on: dict[int, tuple[str, str | None, list[int]]] = {}  # element -> (what, section, pages)

    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box  # WeasyPrint 70 keeps the laid-out tree here
        info = _Page(number, [], page_box.content_box_y(), page_box.height, page_box.content_box_y())
        lines = {True: 0, False: 0}  # lines of text inside and outside a chapter's review line
        stack: list[tuple[Any, str | None, bool]] = [(child, None, False) for child in page_box.children]
        while stack:
            box, section, in_review = stack.pop()
            if isinstance(box, MarginBox):
                continue  # running heads and footers are on every page
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "element_tag", None) == element.tag:
                classes = (element.get("class") or "").split()
                if element.tag == "section":
                    section = element.get("id") or (classes[0] if classes else None)
                    if section and section not in info.sections:
                        info.sections.append(section)
                in_review = in_review or (element.tag == "p" and "chapter-review" in classes)
                what = _kept_together(element)
                if what is not None:
                    entry = seen_on.setdefault(id(element), (what, section, []))
                    if number not in entry[2]:
                        entry[2].append(number)
            children = getattr(box, "children", None)
            if isinstance(box, (LineBox, ReplacedBox)) or not children:
                if box.border_height() > 0:
                    info.lowest = max(info.lowest, box.border_box_y() + box.border_height())
                if isinstance(box, LineBox):
                    lines[in_review] += 1
                    continue
            stack.extend((child, section, in_review) for child in children or ())
        info.review_only = lines[True] > 0 and lines[False] == 0
        pages.append(info)

    problems = [PageFit(section, pages_of[0], f"{what} runs over from page {pages_of[0]} to page {pages_of[-1]}")
                for what, section, pages_of in seen_on.values() if len(pages_of) > 1]
    for index, page in enumerate(pages):
        section = page.sections[-1] if page.sections else None
        if page.review_only:
            problems.append(PageFit(section, page.number, "holds only the chapter's closing 'Reviewed' line"))
            continue
        if section is None or section in _UNJUDGED or page.lowest <= page.top:  # a cover, or blank on purpose
            continue
        following = pages[index + 1].sections[:1] if index + 1 < len(pages) else []
        if following != [section]:
            continue  # the last page of its section may be as short as it is
        fill = (page.lowest - page.top) / page.height
        if fill < LEAST_FILL:
            problems.append(PageFit(section, page.number, f"is only {fill:.0%} full, and the text goes on "
                                                          f"overleaf: something that must stay whole was "
                                                          f"pushed to the next page"))
    return sorted(problems, key=lambda p: p.page)
