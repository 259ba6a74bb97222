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
import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from .htmltree import Element, serialize, text_blocks
from .resources import DEFAULT_STYLE_DIR, FONT_DIR, FONT_FACES, TEMPLATE_DIR
from .split import Parts, chapter_id, chapter_title, rewrite_links, split_document
from .web import AUDIENCE_NAMES, urgent_regions, without_print_classes

EPUB_STYLESHEET = "epub.css"
MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".ttf": "font/ttf", ".css": "text/css",
               ".xhtml": "application/xhtml+xml"}
# The part names of the back matter, as the e-book's files and contents call them.
PART_TITLES = {"edition-history": "Edition history", "changes": "Changes in this edition",
               "who-wrote-it": "Who wrote and checked this booklet", "back-cover": "Back cover"}

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


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
    starts: tuple[int, ...]  # its page map (see pdf._page_starts)


def _identifier(config, audience: str) -> str:
    """The same e-book identifier for the same booklet, audience and edition, on any machine."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'booklet:{config.slug}:{audience}:{config.edition}')}"


def place_page_breaks(parts: Parts, kept: set[int], starts: tuple[int, ...]) -> int:
    """Put a page-break marker where each printed page begins: as the first thing inside the
    text block the page starts with (the marker may stand inside a paragraph, list item or
    heading alike). A page that starts no block gets its marker beside the previous page's; a
    page that starts in a part the e-book leaves out (the printed contents page), at the start
    of the next part it keeps. Returns how many markers were placed."""
    blocks = text_blocks(parts.tree)
    if not blocks:
        return 0
    owner: dict[int, Element] = {}
    for part in parts.order:
        for element in part.iter():
            owner[id(element)] = part
    usable = [i for i, block in enumerate(blocks) if id(owner.get(id(block))) in kept]
    if not usable:
        return 0
    where: list[tuple[int, int]] = []  # (block index, page number)
    previous = usable[0]
    for page, start in enumerate(starts, start=1):
        if 0 <= start < len(blocks):
            index = next((i for i in usable if i >= start), usable[-1])
        else:
            index = previous
        index = max(index, previous)  # never behind the page before (reading order)
        where.append((index, page))
        previous = index
    at_block: dict[int, list[int]] = {}
    for index, page in where:
        at_block.setdefault(index, []).append(page)
    for index, pages in at_block.items():
        markers = [Element("span", {"epub:type": "pagebreak", "role": "doc-pagebreak", "id": f"page-{page}",
                                    "aria-label": str(page)}) for page in pages]
        blocks[index].children[:0] = markers
    return len(where)


def _embed_images(root: Element, html_dir: Path, project: Path, files: dict[str, tuple[str, bytes]]) -> None:
    """Pictures become files of the e-book (a QR code's data: address too), named by their bytes."""
    for image in root.find_all(lambda e: e.tag == "img"):
        src = image.get("src") or ""
        if src in files:
            image.attrs["src"] = files[src][0]
            continue
        if src.startswith("data:image/svg+xml;base64,"):
            data, suffix = base64.b64decode(src.partition(",")[2]), ".svg"
        else:
            path = (Path(unquote(urlsplit(src).path)) if src.startswith("file:") else html_dir / unquote(src)).resolve()
            if not path.is_relative_to(project.resolve()):
                raise ValueError(f"picture outside the project: {src}")
            data, suffix = path.read_bytes(), path.suffix.lower()
        name = f"images/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        files[src] = (name, data)
        image.attrs["src"] = name


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
            else PART_TITLES.get(name, chapter_title(part))
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
        documents.append(Document(file, title, "\n".join(serialize(p, xhtml=True) for p in members)))
    pages = [(page, target.get(f"page-{page}")) for page in range(1, len(source.starts) + 1)]
    context = dict(language=config.language, generator=generator, stylesheet=EPUB_STYLESHEET)
    xhtml = {doc.file: _env.get_template("epub-page.xhtml.j2").render(title=doc.title, body=doc.body, **context)
             for doc in documents}
    nav = _env.get_template("epub-nav.xhtml.j2").render(
        title=f"{config.title}: {AUDIENCE_NAMES[audience].lower()}", documents=documents,
        pages=[(page, href) for page, href in pages if href], first_chapter=next(
            (d.file for d in documents if d.file != "cover.xhtml"), documents[0].file), **context)
    items: list[tuple[str, str, str, str | None]] = [("nav", "nav.xhtml", "application/xhtml+xml", "nav")]
    items += [(f"doc-{i}", doc.file, MEDIA_TYPES[".xhtml"], None) for i, doc in enumerate(documents)]
    items.append(("css", EPUB_STYLESHEET, "text/css", None))
    fonts = [(f"fonts/{file}", (FONT_DIR / file).read_bytes()) for file, _w, _s in FONT_FACES]
    items += [(f"font-{i}", name, MEDIA_TYPES[".ttf"], None) for i, (name, _data) in enumerate(fonts)]
    pictures = sorted(dict(images.values()).items())
    items += [(f"img-{i}", name, MEDIA_TYPES[Path(name).suffix], None) for i, (name, _data) in enumerate(pictures)]
    package = _env.get_template("epub-package.opf.j2").render(
        identifier=_identifier(config, audience), title=f"{config.title}: {AUDIENCE_NAMES[audience].lower()}",
        language=config.language, publisher=config.publisher, description=config.description or config.title,
        published=config.published.isoformat(), edition=config.edition, next_review=next_review.isoformat(),
        page_source=f"urn:booklet:{source.stem}", page_source_label=source.label, has_pages=bool(markers),
        has_images=bool(pictures), items=items, spine=["nav"] + [f"doc-{i}" for i in range(len(documents))],
        generator=generator)
    files = [("mimetype", b"application/epub+zip"),
             ("META-INF/container.xml", _env.get_template("epub-container.xml.j2").render().encode()),
             ("EPUB/package.opf", package.encode("utf-8")), ("EPUB/nav.xhtml", nav.encode("utf-8"))]
    files += [(f"EPUB/{doc.file}", xhtml[doc.file].encode("utf-8")) for doc in documents]
    files.append((f"EPUB/{EPUB_STYLESHEET}", (DEFAULT_STYLE_DIR / EPUB_STYLESHEET).read_bytes()))
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
