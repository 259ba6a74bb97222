"""The EPUB 3 edition: one e-book per audience, cut from a printed copy's HTML and zipped with
the standard library so that the same inputs give the same bytes.

The patient e-book follows the folded A5 booklet, page for page: its page list
(`doc-pagelist`) and page-break markers come from where each printed page begins (the
render's page map, pdf._page_starts), so a reader can say "page 12" to someone holding the
paper copy. An edition with no A5 booklet (the clinician one) follows its A4 copy.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path


from ..interface import N_, _
from .htmltree import Element, serialize, text_blocks
from .resources import DEFAULT_STYLE_DIR, template_environment
from .typefaces import with_typeface
from .split import Parts, chapter_id, chapter_title, rewrite_links, split_document
from .plan import AUDIENCE_LABELS
from .web import picture_file, stored_name, urgent_regions, without_print_classes

EPUB_STYLESHEET = "epub.css"
MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".ttf": "font/ttf", ".css": "text/css",
               ".xhtml": "application/xhtml+xml"}
# The part names of the back matter, as the e-book's files and contents call them.
PART_TITLES = {"edition-history": N_("Edition history"), "changes": N_("Changes in this edition"),
               "who-wrote-it": N_("Who wrote and checked this booklet"), "back-cover": N_("Back cover")}

_env = template_environment()


@dataclass(frozen=True)
class Document:
    file: str  # within EPUB/
    title: str
    body: str  # XHTML
    in_contents: bool = True


@dataclass(frozen=True)
class PageSource:
    """The printed copy whose pages the e-book's page list follows."""
    stem: str  # e.g. calciphylaxis-patient-booklet-a5-1.4.0
    label: str  # e.g. "the folded A5 booklet"
    starts: tuple[tuple[int, str, str], ...]  # its page map (see pdf._page_starts)


def _identifier(config, audience: str) -> str:
    """The same e-book identifier for the same booklet, audience and edition, on any machine."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'booklet:{config.slug}:{audience}:{config.edition}')}"


HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_RANK = {"start": 0, "within": 1, "end": 2}


def place_page_breaks(parts: Parts, kept: set[int], starts: tuple[tuple[int, str, str], ...]) -> int:
    """Put a page-break marker where each printed page begins (see pdf._page_starts): before a
    heading, or first inside another text block (a paragraph, list item or table cell, where
    nothing may stand between it and its list or row); inside a paragraph carried over from the
    page before, just before the words the page begins with; at the end of the last block before
    a notes page. A page that begins in a part the e-book leaves out (the printed contents page)
    gets its marker at the start of the next part it keeps. Markers never go back in reading
    order. Returns how many were placed."""
    blocks = text_blocks(parts.tree)
    owner: dict[int, Element] = {}
    parent: dict[int, Element] = {}
    for part in parts.order:
        for element in part.iter():
            owner[id(element)] = part
            for child in element.elements:
                parent[id(child)] = element
    usable = [i for i, block in enumerate(blocks) if id(owner.get(id(block))) in kept]
    if not usable:
        return 0
    at: dict[tuple[int, int, int], list[int]] = {}  # (block, where, offset) -> pages there, in order
    latest = (usable[0], 0, 0)
    for page, (block, where, words) in enumerate(starts, start=1):
        if not 0 <= block < len(blocks) or where not in _RANK:
            block, where = latest[0], "start"
        elif id(owner.get(id(blocks[block]))) not in kept:
            block, where = next((i for i in usable if i > block), usable[-1]), "start"
        offset = _offset(blocks[block], words) if where == "within" else 0
        if offset is None:
            where, offset = "end", 0  # the words are not found: the block's end is the nearest safe place
        latest = max((block, _RANK[where], offset), latest)
        at.setdefault(latest, []).append(page)
    # From the last place back, so that inserting never moves a place still to come.
    for (block, rank, offset), pages in sorted(at.items(), reverse=True):
        markers = [Element("span", {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}",
                                    "aria-label": str(page)}) for page in pages]
        _insert(blocks[block], rank, offset, markers, parent)
    return sum(len(pages) for pages in at.values())


def _words(text: str) -> str:
    return " ".join(text.split())


def _offset(block: Element, words: str) -> int | None:
    """Where in the block's text (whitespace collapsed) the page's first words begin."""
    if not words:
        return None
    found = _words(block.text()).find(_words(words))
    return found if found >= 0 else None


def _insert(block: Element, rank: int, offset: int, markers: list[Element], parent: dict[int, Element]) -> None:
    if rank == 2:
        block.children.extend(markers)
        return
    if rank == 0:
        holder = parent.get(id(block))
        if block.tag in HEADINGS and holder is not None:
            index = holder.children.index(block)
            holder.children[index:index] = markers
        else:
            block.children[:0] = markers
        return
    if not _insert_at_text(block, offset, markers):
        block.children.extend(markers)


def _insert_at_text(element: Element, offset: int, markers: list[Element]) -> bool:
    """Split the text node holding the `offset`-th character (of the element's text, whitespace
    collapsed) and put the marker there."""
    remaining = [offset]

    def visit(node: Element, pending: list[bool]) -> bool:
        for index, child in enumerate(node.children):
            if isinstance(child, Element):
                if visit(child, pending):
                    return True
                continue
            # Count this text as _words would: runs of whitespace as one space.
            count = 0
            for position, character in enumerate(child):
                is_space = character.isspace()
                if is_space and pending[0]:
                    continue
                pending[0] = is_space
                if count == remaining[0]:
                    node.children[index:index + 1] = [child[:position], *markers, child[position:]]
                    return True
                count += 1
            remaining[0] -= count
        return False

    return visit(element, [True])


def _embed_images(root: Element, html_dir: Path, project: Path, files: dict[str, tuple[str, bytes]]) -> None:
    """Pictures become files of the e-book (a QR code's data: address too), named by their bytes."""
    for image in root.find_all(lambda e: e.tag == "img"):
        src = image.get("src") or ""
        if src not in files:
            if src.startswith("data:image/svg+xml;base64,"):
                data, suffix = base64.b64decode(src.partition(",")[2]), ".svg"
            else:
                data, suffix = picture_file(src, html_dir, project)
            files[src] = (stored_name("images", data, suffix), data)
        image.attrs["src"] = files[src][0]


def _part_name(part: Element) -> str:
    if part.has_class("chapter"):
        return chapter_id(part)
    return part.get("id") or next((c for c in part.classes), "part")


def make_epub(html: str, audience: str, config, source: PageSource, html_dir: Path, project: Path,
              next_review: dt.date, generator: str) -> bytes:
    """The e-book for one audience from the HTML document of the copy its pages follow."""
    parts = split_document(html)
    groups: list[tuple[str, str, list[Element]]] = []  # (file, title, parts)
    for part in parts.order:
        if part is parts.contents:
            continue  # the e-book's own contents (nav.xhtml) takes its place
        if part is parts.inside_cover and groups and groups[-1][0] == "cover.xhtml":
            groups[-1][2].append(part)
            continue
        if part is parts.cover:
            groups.append(("cover.xhtml", config.title, [part]))
            continue
        name = _part_name(part)
        title = chapter_title(part) if part.has_class("chapter") or part is parts.references \
            else _(PART_TITLES[name]) if name in PART_TITLES else chapter_title(part)
        groups.append((f"{name}.xhtml", title, [part]))
    kept = {id(part) for _file, _title, members in groups for part in members}
    markers = place_page_breaks(parts, kept, source.starts)
    target: dict[str, str] = {}
    for file, _title, members in groups:
        for part in members:
            for element in part.iter():
                if element.get("id"):
                    target[element.get("id") or ""] = f"{file}#{element.get('id')}"
            if part.get("id"):
                target[part.get("id") or ""] = file
    images: dict[str, tuple[str, bytes]] = {}
    documents = []
    draft_notice = parts.cover.find(lambda e: e.has_class("cover-review-draft")) if parts.cover else None
    draft = " ".join(draft_notice.text().split()) if draft_notice is not None else ""
    for file, title, members in groups:
        for part in members:
            rewrite_links(part, target, file)
            _embed_images(part, html_dir, project, images)
            urgent_regions(part)
            without_print_classes(part)
            if part.has_class("chapter"):
                part.attrs.update({"epub:type": "chapter", "role": "doc-chapter"})
            elif part is parts.references:
                part.attrs.update({"epub:type": "bibliography", "role": "doc-bibliography"})
            if part.tag == "section" and "aria-label" not in part.attrs:
                heading = part.find(lambda e: e.tag in ("h1", "h2"))
                if heading is not None and not heading.get("id"):
                    heading.attrs["id"] = f"{_part_name(part)}-title"
                if heading is not None:
                    part.attrs["aria-labelledby"] = heading.get("id") or ""
        body = "\n".join(serialize(p, xhtml=True) for p in members)
        if draft and file != "cover.xhtml":  # print says it on every page; the e-book on every file
            body = f'<p class="draft-note">{escape(draft)}</p>\n{body}'
        documents.append(Document(file, title, body))
    pages = [(page, target.get(f"page-{page}")) for page in range(1, len(source.starts) + 1)]
    context = dict(language=config.language, generator=generator, stylesheet=EPUB_STYLESHEET)
    xhtml = {doc.file: _env.get_template("epub-page.xhtml.j2").render(title=doc.title, body=doc.body, **context)
             for doc in documents}
    nav = _env.get_template("epub-nav.xhtml.j2").render(
        title=f"{config.title}: {_(AUDIENCE_LABELS[audience]).lower()}", documents=documents,
        pages=[(page, href) for page, href in pages if href], first_chapter=next(
            (d.file for d in documents if d.file != "cover.xhtml"), documents[0].file), **context)
    items: list[tuple[str, str, str, str | None]] = [("nav", "nav.xhtml", "application/xhtml+xml", "nav")]
    items += [(f"doc-{i}", doc.file, MEDIA_TYPES[".xhtml"], None) for i, doc in enumerate(documents)]
    items.append(("css", EPUB_STYLESHEET, "text/css", None))
    css, faces = with_typeface((DEFAULT_STYLE_DIR / EPUB_STYLESHEET).read_bytes())
    fonts = [(f"fonts/{name}", data) for name, data in faces]
    items += [(f"font-{i}", name, MEDIA_TYPES[".ttf"], None) for i, (name, _data) in enumerate(fonts)]
    pictures = sorted(dict(images.values()).items())
    items += [(f"img-{i}", name, MEDIA_TYPES[Path(name).suffix], None) for i, (name, _data) in enumerate(pictures)]
    package = _env.get_template("epub-package.opf.j2").render(
        identifier=_identifier(config, audience), title=f"{config.title}: {_(AUDIENCE_LABELS[audience]).lower()}",
        language=config.language, publisher=config.publisher, description=config.description or config.title,
        published=config.published.isoformat(), edition=config.edition, next_review=next_review.isoformat(),
        page_source=f"urn:booklet:{source.stem}", page_source_label=source.label, has_pages=bool(markers),
        has_images=bool(pictures), items=items, spine=["doc-0", "nav", *(f"doc-{i}" for i in range(1, len(documents)))],
        generator=generator)
    files = [("mimetype", b"application/epub+zip"),
             ("META-INF/container.xml", _env.get_template("epub-container.xml.j2").render().encode()),
             ("EPUB/package.opf", package.encode("utf-8")), ("EPUB/nav.xhtml", nav.encode("utf-8"))]
    files += [(f"EPUB/{doc.file}", xhtml[doc.file].encode("utf-8")) for doc in documents]
    files.append((f"EPUB/{EPUB_STYLESHEET}", css))
    files += [(f"EPUB/{name}", data) for name, data in fonts]
    files += [(f"EPUB/{name}", data) for name, data in pictures]
    return reproducible_zip(files, config.published)


def reproducible_zip(files: list[tuple[str, bytes]], day: dt.date) -> bytes:
    """An EPUB container: `mimetype` first and stored, the rest deflated, every entry with the
    same time (the publication day) and permissions, in the order given."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, wherever it is made
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if name == "mimetype" else 9)
    return buffer.getvalue()
