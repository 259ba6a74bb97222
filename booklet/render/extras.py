"""The web site and the e-books of a build, made from what the PDFs were made from: each
audience's HTML documents, the PDFs themselves (to download) and the page maps of the copies
the e-books follow. Taken from the render cache while all of that and our code are unchanged.
"""
from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..interface import LOCALE_DIR, N_, _, primary
from .cache import CACHE_FORMAT, RenderCache, code_digest
from .document import GENERATOR, copy_label
from .epub import PageSource, make_epub
from .jobs import RenderedPdf
from .plan import PAPERS, Output, Plan
from .resources import library_versions
from .typefaces import typeface
from .web import WEB_DIR, Download, SiteFile, render_site


@dataclass(frozen=True)
class Made:
    """A build up to its PDFs, as far as the web site and e-books need it."""
    plan: Plan
    root: Path
    build_dir: Path
    documents: dict[str, str]  # each linear output's HTML document, by stem
    header: dict  # the manifest's header (title, edition, dates, brand)


@dataclass(frozen=True)
class BuiltExtra:
    """A web site or an e-book: made from the outputs' HTML, PDFs and page maps, and taken from the
    render cache while those and our code are unchanged."""
    path: str  # web/ for the site, or the .epub file
    files: int
    bytes: int
    seconds: float
    from_cache: bool = False


# The copies an e-book may follow, best first: the folded A5 booklet, then the standard A4 copy.
PAGE_SOURCE_RANK = {("booklet", "a5"): 0, ("standard", "a4"): 1}


def page_sources(plan: Plan) -> dict[str, Output]:
    """The printed copy each audience's e-book follows page for page (see PAGE_SOURCE_RANK)."""
    sources: dict[str, Output] = {}
    for output in plan.outputs:
        rank = PAGE_SOURCE_RANK.get((output.variant, output.paper))
        best = sources.get(output.audience)
        if rank is not None and (best is None or rank < PAGE_SOURCE_RANK[(best.variant, best.paper)]):
            sources[output.audience] = output
    return sources


def reading_copies(plan: Plan) -> dict[str, Output]:
    """Each audience's standard A4 copy, whose HTML the web pages are cut from."""
    return {o.audience: o for o in plan.outputs if o.variant == "standard" and o.paper == "a4"}


PAGE_SOURCE_LABELS = {"booklet": N_("the folded {paper} booklet"), "standard": N_("the {paper} copy")}


def epub_name(plan: Plan, audience: str) -> str:
    """e.g. calciphylaxis-patient-1.5.2.epub, or calciphylaxis-patient-cy-1.5.2.epub in Welsh."""
    slug = f"{plan.config.slug}-{plan.brand.slug}" if plan.brand else plan.config.slug
    return f"{slug}-{audience}{plan.language_part}-{plan.config.edition}.epub"


def site_folder(plan: Plan) -> str:
    """Where a copy's web site goes: web/, or web/<language>/ for a translated copy's."""
    return WEB_DIR if plan.translation is None else f"{WEB_DIR}/{plan.translation.language}"


def language_entry(plan: Plan) -> dict:
    """What the manifest says of a translated copy's files: its language and whether it is a draft."""
    if plan.translation is None:
        return {}
    return {"language": plan.translation.language, "translation": "draft" if plan.translation.is_draft else "done"}


def _make(made: Made, rendered: dict[str, RenderedPdf], wanted: frozenset[str] | set[str]
          ) -> tuple[list[SiteFile], list[BuiltExtra]]:
    """The web site and the e-books, from the HTML documents, the PDFs and the page maps."""
    plan, root, build_dir = made.plan, made.root, made.build_dir
    html_dir = build_dir / "html"
    files: list[SiteFile] = []
    extras: list[BuiltExtra] = []
    brand = ({"brand": plan.brand.slug} if plan.brand else {}) | language_entry(plan)
    books: list[Download] = []
    if "epub" in wanted:
        for audience, source in page_sources(plan).items():
            started = time.perf_counter()
            result = rendered[source.stem]
            label = _(PAGE_SOURCE_LABELS[source.variant]).format(paper=_(PAPERS[source.paper].name))
            data = make_epub(made.documents[source.stem], audience, plan.config,
                             PageSource(source.stem, label, result.page_starts or ()), html_dir, root,
                             source.review_date(plan), GENERATOR)
            name = epub_name(plan, audience)
            files.append(SiteFile(name, data, {"audience": audience, "format": "epub", "page_list": source.pdf_name,
                                               "pages": result.pages,
                                               "next_review": source.review_date(plan).isoformat()} | brand))
            extras.append(BuiltExtra(name, 1, len(data), time.perf_counter() - started))
            books.append(Download(name, audience, _("E-book"), result.pages, len(data), False, data, "EPUB",
                                  _("; its page numbers are those of {copy}").format(copy=label)))
    if "web" in wanted:
        started = time.perf_counter()
        downloads = [Download(o.pdf_name, o.audience, _download_label(o), rendered[o.stem].pages,
                              len(rendered[o.stem].data), o.is_imposed, rendered[o.stem].data)
                     for o in sorted(plan.outputs, key=lambda o: (o.audience != "patient", o.is_imposed))]
        downloads += books
        documents = {audience: made.documents[o.stem] for audience, o in reading_copies(plan).items()}
        site = render_site(documents, downloads, plan.config, html_dir, root, GENERATOR, plan.next_review)
        copies = reading_copies(plan)
        folder = site_folder(plan)
        for item in site:
            entry = item.entry
            item = SiteFile(folder + item.path.removeprefix(WEB_DIR), item.data, item.entry)
            if entry["format"] == "html":
                edition = entry.get("audience")
                review = copies[edition].review_date(plan) if edition else plan.next_review
                entry = entry | {"next_review": review.isoformat()}
            files.append(SiteFile(item.path, item.data, entry | brand))
        extras.append(BuiltExtra(f"{folder}/", len(site), sum(len(f.data) for f in site),
                                 time.perf_counter() - started))
    return files, extras


# Our code and package files that shape the web site and the e-books, besides the HTML documents.
EXTRAS_CODE = ("htmltree.py", "split.py", "web.py", "epub.py", "typefaces.py", "../interface.py", "../templates/web-page.html.j2",
               "../templates/web-home.html.j2", "../templates/epub-page.xhtml.j2", "../templates/epub-nav.xhtml.j2",
               "../templates/epub-package.opf.j2", "../templates/epub-container.xml.j2", "../styles/web.css",
               "../styles/epub.css")
EXTRAS_LIBRARIES = ("Jinja2", "MarkupSafe", "fontpkg-atkinson-hyperlegible", "fonttools")


def _key(made: Made, rendered: dict[str, RenderedPdf], wanted: frozenset[str] | set[str]) -> str:
    """What the web site and the e-books are made from: the documents they are cut from, every
    PDF (with its page map), the booklet's details, our code and templates, and the libraries."""
    plan = made.plan
    config = plan.config
    digest = hashlib.sha256(json.dumps({
        "what": "extras", "format": CACHE_FORMAT, "code": code_digest(*EXTRAS_CODE),
        "libraries": library_versions(EXTRAS_LIBRARIES), "wanted": sorted(wanted), "header": made.header,
        "config": [config.language, config.description, config.subtitle, config.publisher, config.title],
        "root": made.build_dir.relative_to(made.root).as_posix(),
        # A translated copy's: its interface words and its typeface's packages.
        "language": [config.language, _catalogue_digest(config.language),
                     typeface(config.language).versions()],
    }, sort_keys=True).encode())
    for stem, html in sorted(made.documents.items()):
        digest.update(f"|{stem}|".encode() + hashlib.sha256(html.encode()).digest())
    for output in plan.outputs:
        result = rendered[output.stem]
        digest.update(f"|{output.pdf_name}|{result.pages}|{result.page_starts}|".encode()
                      + hashlib.sha256(result.data).digest())
    return digest.hexdigest()


def _catalogue_digest(language: str) -> str:
    path = LOCALE_DIR / f"{primary(language)}.po"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def web_and_epub(made: Made, rendered: dict[str, RenderedPdf], wanted: frozenset[str] | set[str],
                 cache: RenderCache | None) -> tuple[list[SiteFile], list[BuiltExtra]]:
    """The web site and e-books from the render cache when nothing they are made from changed
    (kept there as one uncompressed zip with their manifest entries), else made now."""
    if cache is None:
        return _make(made, rendered, wanted)
    key = _key(made, rendered, wanted)
    folders = (made.root,)
    if (hit := cache.get(key, folders)) is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(hit.data)) as archive:
                index = json.loads(archive.read("index.json"))
                files = [SiteFile(item["path"], archive.read(item["path"]), item["entry"]) for item in index["files"]]
                extras = [BuiltExtra(item["path"], item["files"], item["bytes"], 0.0, from_cache=True)
                          for item in index["extras"]]
            return files, extras
        except (KeyError, ValueError, zipfile.BadZipFile):
            pass  # an entry that does not read back is made again
    files, extras = _make(made, rendered, wanted)
    index = {"files": [{"path": f.path, "entry": f.entry} for f in files],
             "extras": [{"path": e.path, "files": e.files, "bytes": e.bytes} for e in extras]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("index.json", json.dumps(index))
        for item in files:
            archive.writestr(item.path, item.data)
    cache.put(key, buffer.getvalue(), 0, ())
    return files, extras


def _download_label(output: Output) -> str:
    """How the web site's list of PDFs names a copy, e.g. 'Large print, A4'."""
    if output.is_imposed:
        what = _("Quick guide") if output.is_quick_guide else _("Folded booklet")
        return _("{what}, printed 2 pages to a side on {paper}").format(what=what, paper=_(PAPERS[output.paper].name))
    label = copy_label(output)
    if output.variant == "standard":
        return _("Standard copy, {paper}").format(paper=label)
    return label[0].upper() + label[1:]


