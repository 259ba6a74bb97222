"""Markdown to HTML for one chapter in one edition.

Images are checked here, where the chapter is known: only files inside the
project may be used, and their addresses are rewritten so the HTML document
in build/html/ finds them when opened on its own.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import Treeprocessor

from ..errors import BookletError, Problem, ValidationFailed
from ..source.chapters import Chapter, source_line
from .citation_links import CitationExtension, UnknownCitation
from .glossary import GlossaryTermExtension
from .sanitize import MAX_DEPTH, is_relative_address, sanitized


@dataclass(frozen=True)
class Location:
    """Where a chapter's resources resolve from and where its HTML will live."""

    root: Path
    chapter_file: Path
    html_dir: Path


def local_resource(src: str, where: Location) -> Path | None:
    """The file a chapter's image address names, or None when it is not a project file."""
    if not is_relative_address(src):
        return None  # http(s), file://, data:, absolute paths: never allowed in chapters
    target = (where.chapter_file.parent / unquote(urlsplit(src).path)).resolve()
    return target if target.is_relative_to(where.root.resolve()) else None


class _ImageChecker(Treeprocessor):
    def __init__(self, md: markdown.Markdown, chapter: Chapter, where: Location):
        super().__init__(md)
        self.chapter = chapter
        self.where = where

    def run(self, root: ET.Element) -> None:
        problems = []  # every image's problems at once, so `check` lists them all
        for img in root.iter("img"):
            src = img.get("src", "")
            target = local_resource(src, self.where)
            line = source_line(self.chapter, src)
            if target is None:
                problems.append(Problem(self.chapter.path, line, f"image '{src}' is not a file inside the project: "
                                        "images must be stored in the project and linked by a relative path"))
                continue
            if not target.is_file():
                problems.append(Problem(self.chapter.path, line, f"image '{src}' not found"))
            if not img.get("alt", "").strip():  # PDF/UA: every image needs a text alternative
                problems.append(Problem(self.chapter.path, line, f"image '{src}' has no alt text: describe it, "
                                                                 f"as in ![what the picture shows]({src})"))
            img.set("src", Path(os.path.relpath(target, self.where.html_dir)).as_posix())
        if problems:
            raise ValidationFailed(problems)


class _ImageExtension(Extension):
    def __init__(self, chapter: Chapter, where: Location):
        super().__init__()
        self.chapter = chapter
        self.where = where

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ImageChecker(md, self.chapter, self.where), "booklet-images", 1)


# Box types authors may use with `!!! type "Title"`; the styles give each its look.
BOX_TYPES = ("urgent", "key", "tip", "notes")
NOTE_LINES = 6  # ruled lines in an empty notes box; drawn as borders, which print crisply
_TASK_BOX = re.compile(r"^\[ \]\s+")


class _BoxAndTaskChecker(Treeprocessor):
    """Refuses unknown box types, and turns `- [ ] item` into a tick-box list item.

    A tick box is drawn by the style sheet rather than typed as a character, so it
    prints the same in every font and is not read aloud as "left bracket".
    """

    def __init__(self, md: markdown.Markdown, chapter: Chapter):
        super().__init__(md)
        self.chapter = chapter

    def run(self, root: ET.Element) -> None:
        for div in root.iter("div"):
            classes = div.get("class", "").split()
            if "admonition" in classes:
                kinds = [c for c in classes if c != "admonition"]
                if len(kinds) != 1 or kinds[0] not in BOX_TYPES:
                    raise BookletError(f"unknown box type '{' '.join(kinds)}': use one of "
                                       f"{', '.join(BOX_TYPES)} (as in '!!! tip \"Title\"')",
                                       self.chapter.path, source_line(self.chapter, "!!! " + " ".join(kinds)))
                if kinds == ["notes"] and len(div) == 1:  # only its title: a ruled space to write in
                    for _ in range(NOTE_LINES):
                        ET.SubElement(div, "div", {"class": "write-line"})
        for parent in root.iter():
            if parent.tag != "ul":
                continue
            items = parent.findall("li")
            for item in items:
                holder = item[0] if len(item) and item[0].tag == "p" and not (item.text or "").strip() else item
                if holder.text and _TASK_BOX.match(holder.text):
                    holder.text = _TASK_BOX.sub("", holder.text, count=1)
                    item.set("class", "task")
            if items and all(item.get("class") == "task" for item in items):
                parent.set("class", "checklist")


class _BoxExtension(Extension):
    def __init__(self, chapter: Chapter):
        super().__init__()
        self.chapter = chapter

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_BoxAndTaskChecker(md, self.chapter), "booklet-boxes", 2)


# "[@key]" left in rendered HTML: a citation Markdown did not turn into a number.
UNRENDERED_CITATION = re.compile(r"\[[^\[\]<]*?(?<![\w.@])@[A-Za-z0-9_][^\[\]<]*\]")


_QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]")


def _nesting_problem(chapter: Chapter, audience: str) -> BookletError | None:
    """Quotes or lists nested past what a page can show, found in the source with their line.
    Python-Markdown nests them by recursion, quietly stopping where Python's stack runs short,
    so without this the result would depend on the stack (and take seconds to find out)."""
    for segment in chapter.segments:
        if segment.audience not in (None, audience):
            continue
        for offset, line in enumerate(segment.text.split("\n")):
            markers = _QUOTE_MARKERS.match(line)
            quotes = markers.group(0).count(">") if markers else 0
            item = _LIST_ITEM.match(line)
            lists = len(item.group(1).replace("\t", "    ")) // 4 + 1 if item else 0  # 4 spaces a level
            for depth, what in ((quotes, "quotes"), (lists, "lists")):
                if depth > MAX_DEPTH:
                    return BookletError(f"{what} are nested {depth} levels deep; a chapter may nest at most "
                                        f"{MAX_DEPTH}", chapter.path, segment.first_line + offset)
    return None


def chapter_html(chapter: Chapter, audience: str, where: Location, citations: dict[str, int]) -> str:
    """The chapter's body for one edition as an HTML fragment, citations numbered."""
    if too_deep := _nesting_problem(chapter, audience):
        raise too_deep
    prefix = f"{chapter.id}-"
    md = markdown.Markdown(
        extensions=["tables", "attr_list", "sane_lists", "toc", "admonition", _BoxExtension(chapter),
                    _ImageExtension(chapter, where),
                    CitationExtension(citations), GlossaryTermExtension()],
        extension_configs={"toc": {"slugify": lambda value, sep: prefix + slugify(value, sep)}},
        output_format="html",
    )
    try:
        html = md.convert(chapter.markdown_for(audience))
    except RecursionError:  # Python-Markdown recurses once per level of nested lists and quotes
        raise BookletError("lists or quotes are nested too deeply to print", chapter.path) from None
    except UnknownCitation as unknown:  # check_citations reports these first; this keeps chapter_html safe alone
        raise BookletError(unknown.message, chapter.path, source_line(chapter, f"@{unknown.key}")) from None
    # Last guard: a citation Markdown did not turn into a number must not reach the PDF as "[@key]".
    if leftover := UNRENDERED_CITATION.search(re.sub(r"<code>.*?</code>", "", html, flags=re.S)):
        raise BookletError(f"citation '{leftover.group(0)}' was not rendered: write [@key] or [@a; @b]",
                           chapter.path, source_line(chapter, leftover.group(0)))
    cleaned, unsafe = sanitized(html)
    if unsafe:
        raise ValidationFailed([Problem(chapter.path, source_line(chapter, u.needle), u.message) for u in unsafe])
    return cleaned

