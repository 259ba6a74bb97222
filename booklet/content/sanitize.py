"""Only harmless HTML reaches the PDF: chapters come from many hands.

A chapter's HTML (Markdown's output with any raw HTML the author typed, and any
attributes set with `{: ...}`) is parsed with tinyhtml5, the parser WeasyPrint
itself uses, so what is checked is what would be rendered. Any tag or attribute
outside the allowlist, and any link that is not a web, email, phone or in-page
address, is reported by name so the author can find it. What passes is then
cleaned by nh3 (the Rust ammonia sanitizer) with the same allowlist, a second
guard that does not depend on our own walk of the tree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.entities import html5
from urllib.parse import urlsplit

import nh3
import tinyhtml5

from ..files import DIRECTION_CONTROLS, direction_control
from .slots import SLOT_CLASSES

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "wbr",
})
# Not `dir`: right-to-left text reorders the words and numbers around it ("52 mg" read as "mg 52").
EVERY_TAG = frozenset({"class", "id", "title", "lang"})
ATTRIBUTES = {
    "a": {"href", "aria-label"},  # aria-label: what the link is, in words (citations carry one)
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type", "reversed"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "col": {"span"},
    "colgroup": {"span"},
}
LINK_SCHEMES = frozenset({"https", "mailto", "tel"})  # not http: a printed link should not lead to a
# page anyone on the way can change
# The classes a chapter's HTML may carry: those its Markdown makes (boxes, tick-box lists, the
# ruled lines of a notes box). The stylesheets give many other classes their meaning (the
# running heads, what one variant hides, the cover's page style), so a chapter using one of
# them could hide text in one copy only, fake a running head or drop a page's footer.
CHAPTER_CLASSES = frozenset({"admonition", "admonition-title", "urgent", "key", "tip", "notes", "checklist",
                             "task", "write-line", "keep-together", "ai-mark", "nowrap", *SLOT_CLASSES})
# Elements inside one another; a page needs a handful. WeasyPrint lays boxes out recursively,
# so a deeper tree would exhaust Python's stack during the render.
MAX_DEPTH = 40
# Tables: a cell may span at most MAX_SPAN columns or rows (HTML caps colspan at 1000, and
# WeasyPrint takes 10 s to lay out one cell spanning 65534 columns), and a table may hold at most
# MAX_TABLE_CELLS cells (WeasyPrint lays out about 2,000 cells a second here; a printed table
# longer than ten pages helps nobody). The widest table in the booklet has 6 columns.
MAX_SPAN = 50
MAX_TABLE_CELLS = 2000
# Markdown tables align columns with this style, and it is the only style allowed.
_ALIGNMENT = re.compile(r"\s*text-align:\s*(left|right|center);?\s*")


@dataclass(frozen=True)
class Unsafe:
    """Something not allowed in a chapter, and text to look for in the source to find its line."""

    message: str
    needle: re.Pattern


def _tag_needle(tag: str) -> re.Pattern:
    return re.compile(rf"<\s*{re.escape(tag)}\b", re.I)


def _attribute_needle(name: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(name)}\s*=", re.I)


def is_relative_address(src: str) -> bool:
    """An address relative to the chapter: no scheme (https:, file:, data:), host or absolute path."""
    parts = urlsplit(src.strip())
    return not (parts.scheme or parts.netloc or src.strip().startswith(("/", "\\")))


def _value_needle(name: str, value: str) -> re.Pattern:
    return re.compile(re.escape(value.strip())) if value.strip() else _attribute_needle(name)


def unsafe_html(html: str) -> list[Unsafe]:
    """Every disallowed tag, attribute and link in an HTML fragment, in document order."""
    found: list[Unsafe] = []
    body = tinyhtml5.parse(f"<body>{html}", namespace_html_elements=False).find("body")
    deepest, opening = _deepest(body)
    if deepest > MAX_DEPTH:
        found.append(Unsafe(f"elements are nested {deepest} levels deep; a chapter may nest at most {MAX_DEPTH}",
                            _tag_needle(opening)))
    for element in body.iter():
        tag = element.tag
        if not isinstance(tag, str) or element is body:
            continue  # comments
        if tag not in TAGS:
            found.append(Unsafe(f"<{tag}> is not allowed in a chapter: only simple formatting, lists, "
                                "tables and Markdown images are", _tag_needle(tag)))
            continue
        for name, value in element.attrib.items():
            if name not in EVERY_TAG | ATTRIBUTES.get(tag, set()):
                what = "event handlers" if name.lower().startswith("on") else "this attribute"
                if name.lower() == "dir":
                    found.append(Unsafe(f"attribute 'dir' on <{tag}> is not allowed: right-to-left text reorders "
                                        "the words and numbers around it", _attribute_needle(name)))
                    continue
                found.append(Unsafe(f"attribute '{name}' on <{tag}> is not allowed ({what} cannot be "
                                    "used in a chapter)", _attribute_needle(name)))
            elif name == "style" and not _ALIGNMENT.fullmatch(value):
                found.append(Unsafe(f"style '{value}' on <{tag}> is not allowed: use Markdown and the "
                                    "booklet's styles", _attribute_needle(name)))
            elif name == "class" and (unknown := _unknown_classes(value)):
                found.append(_class_problem(unknown[0]))
            elif name == "href" and not _safe_link(value):
                found.append(Unsafe(f"link to '{value}' is not allowed: links must be web (https://), "
                                    "email (mailto:) or phone (tel:) addresses, or #anchors",
                                    _value_needle(name, value)))
            elif name == "src" and not is_relative_address(value):
                found.append(Unsafe(f"image '{value}' is not a file inside the project: images must be "
                                    "stored in the project and linked by a relative path",
                                    _value_needle(name, value)))
    return found


def _unknown_classes(value: str) -> list[str]:
    return [name for name in value.split() if name not in CHAPTER_CLASSES]


def _class_problem(name: str) -> Unsafe:
    return Unsafe(f"class '{name}' is not allowed in a chapter: only {', '.join(sorted(CHAPTER_CLASSES))} "
                  "(which the boxes and lists make)",
                  re.compile(rf"""class\s*=\s*["']?[^"'>]*(?<![\w-]){re.escape(name)}(?![\w-])|"""
                             rf"""\{{[^}}]*\.{re.escape(name)}(?![\w-])"""))


def id_needle(value: str) -> re.Pattern:
    """What sets the id `value` in a chapter's source: an `id=` attribute or an attribute list."""
    return re.compile(rf"""id\s*=\s*["']?{re.escape(value)}(?![\w-])|\{{[^}}]*#{re.escape(value)}(?![\w-])""")


def cleaned_tags(html: str, tag: str) -> list[dict[str, str]]:
    """The attributes of every `tag` element in cleaned HTML (nh3 quotes every value)."""
    return [{name: unescape(value) for name, value in _ATTRIBUTE.findall(found)}
            for found in re.findall(rf"<{tag}\b[^<>]*>", html)]


_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def id_problems(html: str, prefix: str) -> list[Unsafe]:
    """Ids in a chapter's cleaned HTML that are not the chapter's own (each must begin with
    `prefix`, the chapter's id and a hyphen, as its headings' ids do) or that repeat one: a
    contents entry or a citation finds its page by id, so a stray or repeated one moves it."""
    found: list[Unsafe] = []
    seen: set[str] = set()
    for value in ids_in(html):
        needle = id_needle(value)
        if not value.startswith(prefix):
            found.append(Unsafe(f"id '{value}' is not allowed: ids in this chapter must begin with '{prefix}' "
                                "(headings get theirs automatically)", needle))
        elif value in seen:
            found.append(Unsafe(f"id '{value}' is used twice in the chapter: ids must be unique", needle))
        seen.add(value)
    return found


_SPAN = re.compile(r'<(?:td|th|col|colgroup)\b[^<>]*?\s(colspan|rowspan|span)="([^"]*)"')
_TABLE_TAG = re.compile(r"<(/?)(table|td|th)\b")


def table_problems(html: str) -> list[Unsafe]:
    """Spans and tables past their budgets in cleaned HTML, found before anything lays them out."""
    found = []
    for name, value in _SPAN.findall(html):
        if not value.strip().isdigit() or not 1 <= int(value) <= MAX_SPAN:
            found.append(Unsafe(f"{name}=\"{value[:20]}\" is not allowed: a cell may span 1 to {MAX_SPAN} "
                                "columns or rows", re.compile(rf"""{name}\s*=\s*["']?{re.escape(value[:20])}""")))
    cells: list[int] = []  # per open table
    for closing, tag in _TABLE_TAG.findall(html):
        if tag == "table":
            if not closing:
                cells.append(0)
            elif cells:
                cells.pop()
        elif not closing and cells:
            cells[-1] += 1
            if cells[-1] == MAX_TABLE_CELLS + 1:
                found.append(Unsafe(f"a table has more than {MAX_TABLE_CELLS:,} cells: split it, or "
                                    "put the figures in a shorter table", re.compile(r"<\s*table\b|^\s*\|")))
    return found


def sets_a_class(html: str) -> bool:
    """Whether raw HTML sets a class on any element, as a browser would parse it (`<p/class=x>`
    and `<p id="a"class="b">` included)."""
    if "class" not in html.lower():
        return False
    body = tinyhtml5.parse(f"<body>{html}", namespace_html_elements=False).find("body")
    return any("class" in element.attrib for element in body.iter() if isinstance(element.tag, str))


def ids_in(html: str) -> list[str]:
    """Every id in cleaned HTML, in document order."""
    return [unescape(value) for value in _ID.findall(html)]


def class_problems(html: str) -> list[Unsafe]:
    """Classes outside CHAPTER_CLASSES in a chapter's cleaned HTML (nh3 quotes every value)."""
    return [_class_problem(name) for value in _CLASS.findall(html) for name in _unknown_classes(unescape(value))]


# Attributes in nh3's output, which quotes every value and escapes '"' and '<' in text.
_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]*)"')
_CLASS = re.compile(r'<[a-zA-Z][^<>]*?\sclass="([^"]*)"')


def _deepest(root) -> tuple[int, str]:
    """The depth of the deepest element below `root`, and that element's tag (without recursing)."""
    deepest, tag = 0, ""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > deepest:
            deepest, tag = depth, element.tag if isinstance(element.tag, str) else ""
        stack.extend((child, depth + 1) for child in element)
    return deepest, tag


def _safe_link(href: str) -> bool:
    href = href.strip()
    if href.startswith("#"):
        return True
    return urlsplit(href).scheme.lower() in LINK_SCHEMES and "\\" not in href


def _local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: drops what the allowlist alone would let through (an image
    from the web), so that `sanitized` sees a change and the full check reports it."""
    return None if tag == "img" and attribute == "src" and not is_relative_address(value) else value


def clean(html: str) -> str:
    """The fragment as nh3 keeps it under the allowlist."""
    return nh3.clean(html, tags=set(TAGS), attributes={tag: set(EVERY_TAG | ATTRIBUTES.get(tag, set()))
                                                         for tag in TAGS},
                     url_schemes=set(LINK_SCHEMES), link_rel=None, strip_comments=True,
                     filter_style_properties={"text-align"}, attribute_filter=_local_images_only)


# A tag in nh3's output, which always quotes attribute values and escapes text, so this is exact there.
_SERIALIZED_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*\s*/?>')
_VOID = frozenset({"br", "hr", "img", "col", "wbr"})


def _serialized_depth(html: str) -> int:
    depth = deepest = 0
    for match in _SERIALIZED_TAG.finditer(html):
        if match.group(2).lower() in _VOID:
            continue
        depth += -1 if match.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


def sanitized(html: str, id_prefix: str = "") -> tuple[str, list[Unsafe]]:
    """The fragment cleaned by nh3, and what is not allowed in it: tags, attributes, links,
    classes and ids. When nh3 keeps everything as it was (the usual case) and the nesting is
    shallow, the slower tinyhtml5 walk is skipped."""
    cleaned = clean(html)
    if cleaned.replace("&nbsp;", "\u00a0") == html and _serialized_depth(cleaned) <= MAX_DEPTH:
        return cleaned, _cleaned_problems(cleaned, id_prefix)
    return cleaned, unsafe_html(html) or _cleaned_problems(cleaned, id_prefix)


def _cleaned_problems(cleaned: str, id_prefix: str) -> list[Unsafe]:
    return (table_problems(cleaned) + class_problems(cleaned) + id_problems(cleaned, id_prefix)
            + direction_problems(cleaned))


def direction_problems(cleaned: str) -> list[Unsafe]:
    """A direction control written as a character reference (&#x202E;), which the check of the
    file's text cannot see: it would reorder the printed text all the same."""
    found = DIRECTION_CONTROLS.search(unescape(cleaned))
    if found is None:
        return []
    code = ord(found.group())
    return [Unsafe(f"invisible direction control {direction_control(found.group())}, written as a character "
                   "reference, can reorder the text as printed (a dose of 52 shown as 25); remove it",
                   re.compile("|".join([rf"&#(?:x0*{code:x}|0*{code})", *(
                       re.escape("&" + name.rstrip(";")) for name, value in html5.items() if value == found.group())]),
                       re.I))]
