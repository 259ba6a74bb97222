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
from ..source.audience import in_view
from ..source.chapters import Chapter, source_line
from ..source.images import MAX_CHAPTER_PIXELS, image_pixels, project_image_problem
from .citation_links import CitationExtension, UnknownCitation
from .glossary import GlossaryTermExtension
from .slots import SLOT_CLASSES, SlotExtension, UnknownSlot, unknown_slot_error
from .unbreakable import NOWRAP, UnbreakableExtension
from .untranslated import mark_english
from .sanitize import MAX_DEPTH, cleaned_tags, id_needle, ids_in, is_relative_address, sanitized, sets_a_class


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


def image_problems(chapter: Chapter, src: str, target: Path | None, alt: str, root: Path) -> list[Problem]:
    """What is wrong with one image of a chapter: where it is, whether it exists and may be
    printed (its budget: source/images.py), and its text alternative (PDF/UA needs one)."""
    line = source_line(chapter, src) if src else source_line(chapter, _IMG_TAG)
    if target is None:
        return [Problem(chapter.path, line, f"image '{src}' is not a file inside the project: "
                        "images must be stored in the project and linked by a relative path")]
    problems = []
    if urlsplit(src).query or urlsplit(src).fragment:  # another address for the same file: decoded again
        problems.append(Problem(chapter.path, line, f"image '{src}' has a '?' or '#' part: link the file by its "
                                                    "name alone"))
    elif not os.path.lexists(target):
        problems.append(Problem(chapter.path, line, f"image '{src}' not found"))
    elif problem := project_image_problem(target, root):
        problems.append(Problem(chapter.path, line, f"image '{src}' {problem}"))
    if not alt.strip():
        problems.append(Problem(chapter.path, line, f"image '{src}' has no alt text: describe it, "
                                                    f"as in ![what the picture shows]({src})"))
    return problems


_IMG_TAG = re.compile(r"<\s*img\b", re.I)


class _ImageChecker(Treeprocessor):
    def __init__(self, md: markdown.Markdown, chapter: Chapter, where: Location, checked: set[str]):
        super().__init__(md)
        self.chapter = chapter
        self.where = where
        self.checked = checked  # the addresses written here, so the check of raw HTML skips them

    def run(self, root: ET.Element) -> None:
        problems = []  # every image's problems at once, so `check` lists them all
        for img in root.iter("img"):
            src = img.get("src", "")
            target = local_resource(src, self.where)
            problems += image_problems(self.chapter, src, target, img.get("alt", ""), self.where.root)
            if target is not None:
                img.set("src", Path(os.path.relpath(target, self.where.html_dir)).as_posix())
                self.checked.add(img.get("src", ""))
        if problems:
            raise ValidationFailed(problems)


def _pixel_problems(chapter: Chapter, cleaned: str, where: Location) -> list[Problem]:
    """The chapter's images together past MAX_CHAPTER_PIXELS, each address once (as the renderer
    decodes them), so many small files of huge, plain images cannot hold a render up."""
    total = 0
    addresses = {image.get("src", "") for image in cleaned_tags(cleaned, "img")}
    for src in addresses:
        if is_relative_address(src):
            total += image_pixels((where.html_dir / unquote(urlsplit(src).path)).resolve())
    if total <= MAX_CHAPTER_PIXELS:
        return []
    return [Problem(chapter.path, source_line(chapter, _IMG_TAG) or source_line(chapter, "!["),
                    f"the chapter's images come to {total / 1e6:,.0f} million pixels; a chapter's images are "
                    f"limited to {MAX_CHAPTER_PIXELS // 1_000_000} million together: make them smaller")]


def _raw_image_problems(html: str, chapter: Chapter, where: Location, checked: set[str]) -> list[Problem]:
    """Images typed as raw HTML, checked as the renderer will see them: their address is
    relative to the HTML document in build/html/, where the chapter's own folder is not."""
    problems = []
    for attributes in cleaned_tags(html, "img"):
        src = attributes.get("src", "")
        if src in checked:
            continue
        if not src.strip():
            problems.append(Problem(chapter.path, source_line(chapter, _IMG_TAG), "<img> has no src: write "
                                    "images in Markdown, as in ![what the picture shows](picture.png)"))
            continue
        target = None
        if is_relative_address(src):
            target = (where.html_dir / unquote(urlsplit(src).path)).resolve()
            target = target if target.is_relative_to(where.root.resolve()) else None
        problems += image_problems(chapter, src, target, attributes.get("alt", ""), where.root)
    return problems




class _ImageExtension(Extension):
    def __init__(self, chapter: Chapter, where: Location):
        super().__init__()
        self.chapter = chapter
        self.where = where
        self.checked: set[str] = set()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ImageChecker(md, self.chapter, self.where, self.checked), "booklet-images", 1)


# Box types authors may use with `!!! type "Title"`; the styles give each its look.
BOX_TYPES = ("urgent", "key", "tip", "notes")
# Lists shorter than this, and forms (tables with cells to write in) of fewer rows, are kept on
# one page (class keep-together). Other tables may break between rows: a tall one kept whole
# would leave most of a page empty before it.
SHORT_LIST = 8
SHORT_TABLE = 12


def is_short_form(table: ET.Element) -> bool:
    cells = list(table.iter("td"))
    return len(list(table.iter("tr"))) < SHORT_TABLE and any(not "".join(c.itertext()).strip() for c in cells)
NOTE_LINES = 15  # ruled lines in an empty notes box (a page to write on); drawn as borders, which print crisply
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
        for element in root.iter():  # kept on one page (render/page_fit.py checks that they were)
            if element.tag in ("ul", "ol") and len(element.findall("li")) < SHORT_LIST \
                    or element.tag == "table" and is_short_form(element):
                element.set("class", " ".join([*element.get("class", "").split(), "keep-together"]))
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
                parent.set("class", " ".join(["checklist", *parent.get("class", "").split()]))


class _AuthoredClasses(Treeprocessor):
    """Classes an author set (with `{: .name }`), found after attr_list and before this module's
    own processors add theirs. The stylesheets give classes their meaning, including the ones the
    boxes use (`.keep-together` keeps a list on one page), so an
    author's class could hide text in one copy only: chapters set none. Raw HTML is checked for
    the same after conversion (see _raw_class_problems)."""

    def __init__(self, md: markdown.Markdown, found: list[str]):
        super().__init__(md)
        self.found = found

    def run(self, root: ET.Element) -> None:
        titles = {id(box[0]) for box in root.iter("div") if "admonition" in box.get("class", "").split() and len(box)}
        for element in root.iter():
            classes = element.get("class", "").split()
            made = ({"admonition", *BOX_TYPES} if element.tag == "div" and "admonition" in classes
                    else {"admonition-title"} if element.tag == "p" and id(element) in titles
                    else {*SLOT_CLASSES, "ai-mark"} if element.tag == "span" and len(classes) == 1 and not len(element)
                    and (element.text or "") in ("", "AI")
                    else {NOWRAP} if element.tag == "span" and classes == [NOWRAP] and not len(element)
                    else set())
            self.found += [name for name in classes if name not in made]


def _class_problems(chapter: Chapter, authored: list[str], md: markdown.Markdown) -> list[Problem]:
    problems = [Problem(chapter.path, source_line(chapter, re.compile(rf"\{{[^}}]*\.{re.escape(name)}(?![\w-])")),
                        f"class '{name}' is not allowed: chapters set no classes of their own (boxes and "
                        "lists get theirs from their Markdown)") for name in dict.fromkeys(authored)]
    for block in md.htmlStash.rawHtmlBlocks:
        if isinstance(block, str) and sets_a_class(block):
            problems.append(Problem(chapter.path, source_line(chapter, re.compile(r"[\s/\"']class\s*=", re.I)),
                                    "raw HTML may not set a class: chapters set no classes of their own (boxes "
                                    "and lists get theirs from their Markdown)"))
            break
    return problems


class _BoxExtension(Extension):
    def __init__(self, chapter: Chapter):
        super().__init__()
        self.chapter = chapter
        self.authored: list[str] = []  # classes the author set

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_AuthoredClasses(md, self.authored), "booklet-classes", 5)
        md.treeprocessors.register(_BoxAndTaskChecker(md, self.chapter), "booklet-boxes", 2)


# "[@key]" left in rendered HTML: a citation Markdown did not turn into a number. The lookahead
# first makes sure the bracket is closed, so an unclosed "[@a @a @a ..." is refused in one pass
# rather than searched again to its end from every "@" in it.
UNRENDERED_CITATION = re.compile(r"\[(?=[^\[\]<]*+\])[^\[\]<]*?(?<![\w.@])@[A-Za-z0-9_][^\[\]<]*+\]")


_QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]")


def _nesting_problem(chapter: Chapter, audience: str) -> BookletError | None:
    """Quotes or lists nested past what a page can show, found in the source with their line.
    Python-Markdown nests them by recursion, quietly stopping where Python's stack runs short,
    so without this the result would depend on the stack (and take seconds to find out)."""
    for segment in chapter.segments:
        if not in_view(segment, audience):
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


def _without_code(html: str) -> str:
    """The HTML with its <code> elements left out, in one pass (a lazy regular expression would
    scan to the end again from every unclosed <code>)."""
    kept, at = [], 0
    while (start := html.find("<code>", at)) >= 0 and (end := html.find("</code>", start)) >= 0:
        kept.append(html[at:start])
        at = end + len("</code>")
    kept.append(html[at:])
    return "".join(kept)


def chapter_html(chapter: Chapter, audience: str, where: Location, citations: dict[str, int],
                 marked: frozenset[str] = frozenset(), names: dict[str, str] | None = None) -> str:
    """The chapter's body for one edition as an HTML fragment, citations numbered."""
    if too_deep := _nesting_problem(chapter, audience):
        raise too_deep
    prefix = f"{chapter.id}-"
    images = _ImageExtension(chapter, where)
    boxes = _BoxExtension(chapter)
    md = markdown.Markdown(
        extensions=["tables", "attr_list", "sane_lists", "toc", "admonition", boxes,
                    images,
                    CitationExtension(citations, marked, names), GlossaryTermExtension(), SlotExtension(),
                    UnbreakableExtension()],
        extension_configs={"toc": {"slugify": lambda value, sep: prefix + slugify(value, sep)}},
        output_format="html",
    )
    try:
        html = md.convert(chapter.markdown_for(audience))
    except RecursionError:  # Python-Markdown recurses once per level of nested lists and quotes
        raise BookletError("lists or quotes are nested too deeply to print", chapter.path) from None
    except UnknownSlot as unknown:
        raise unknown_slot_error(unknown.name, chapter.path, source_line(chapter, "{{")) from None
    except UnknownCitation as unknown:  # check_citations reports these first; this keeps chapter_html safe alone
        raise BookletError(unknown.message, chapter.path, source_line(chapter, f"@{unknown.key}")) from None
    # Last guard: a citation Markdown did not turn into a number must not reach the PDF as "[@key]".
    if leftover := UNRENDERED_CITATION.search(_without_code(html)):
        raise BookletError(f"citation '{leftover.group(0)}' was not rendered: write [@key] or [@a; @b]",
                           chapter.path, source_line(chapter, leftover.group(0)))
    cleaned, unsafe = sanitized(html, prefix)
    problems = _class_problems(chapter, boxes.authored, md) + _pixel_problems(chapter, cleaned, where)
    problems += [Problem(chapter.path, source_line(chapter, u.needle), u.message)  # each looked for in the source
                 for u in unsafe[:MAX_ID_PROBLEMS] if not (problems and u.message.startswith("class '"))]
    if not problems:  # (an image whose address nh3 dropped is reported above already)
        problems = _raw_image_problems(cleaned, chapter, where, images.checked)
    if problems:
        raise ValidationFailed(problems)
    return mark_english(cleaned)



def summary_html(chapter: Chapter, citations: dict[str, int], marked: frozenset[str] = frozenset(),
                 names: dict[str, str] | None = None) -> str:
    """The chapter's summary, printed as its main message, as inline HTML with its citations
    numbered (and marked) like the body's. Markup typed in it is shown as text."""
    md = markdown.Markdown(extensions=[CitationExtension(citations, marked, names), GlossaryTermExtension()],
                           output_format="html")
    try:
        html = md.convert(chapter.summary.replace("&", "&amp;").replace("<", "&lt;"))
    except UnknownCitation as unknown:
        raise BookletError(unknown.message, chapter.path, chapter.line_of("summary")) from None
    return html.removeprefix("<p>").removesuffix("</p>")


# Ids the page templates give their own elements; a chapter's must differ from these and from
# one another's, or a contents entry or citation link would find the wrong page.
TEMPLATE_IDS = ("references", "edition-history")


_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t#]*$")


def _heading_line(chapter: Chapter, value: str) -> int | None:
    """The line of the heading whose automatic id is `value`."""
    for segment in chapter.segments:
        for offset, line in enumerate(segment.text.split("\n")):
            heading = _HEADING.match(line)
            if heading and re.sub(r"_\d+$", "", value) == f"{chapter.id}-{slugify(heading.group(1), '-')}":
                return segment.first_line + offset
    return None


def document_id_problems(rendered: list[tuple[Chapter, str]], reference_keys: list[str]) -> list[Problem]:
    """Ids that the chapters of one document share with one another or with the templates."""
    reserved = {*TEMPLATE_IDS, *(f"chapter-{c.id}" for c, _ in rendered), *(f"ref-{k}" for k in reference_keys)}
    owners: dict[str, Chapter] = {}
    problems = []
    for chapter, html in rendered:
        for value in dict.fromkeys(ids_in(html)):
            if value in reserved:
                problems.append(Problem(chapter.path, _id_line(chapter, value), f"id '{value}' is one the booklet "
                                        "uses for its own pages: rename the heading or the id"))
            elif value in owners and owners[value] is not chapter:
                problems.append(Problem(chapter.path, _id_line(chapter, value), f"id '{value}' is also used in "
                                        f"{owners[value].path}: rename a heading or an id"))
            owners.setdefault(value, chapter)
            if len(problems) >= MAX_ID_PROBLEMS:  # each is looked for in the source: enough to act on
                return problems
    return problems


MAX_ID_PROBLEMS = 20


def _id_line(chapter: Chapter, value: str) -> int | None:
    return source_line(chapter, id_needle(value)) or _heading_line(chapter, value) or chapter.line_of("title")
