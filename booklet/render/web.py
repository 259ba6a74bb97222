"""The web edition: a static site per audience in build/web/, cut from the reading copy's HTML.

Each audience's standard A4 document (the one its A4 PDF is rendered from) is split into
its parts (split.py): an index with the most important things first, a page per chapter,
the references and "About this edition". So the pages carry the same words, citations,
provenance marks, review dates and sign-offs as the PDFs. Everything the pages use (the
stylesheet, the fonts, the pictures, the PDFs themselves) is copied into the site: it works
from a folder, from any web server, with no JavaScript and nothing fetched from elsewhere.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit


from ..dates import long_date
from ..errors import BookletError
from ..interface import N_, _
from .htmltree import Element, inner, serialize
from .plan import AUDIENCE_LABELS
from .resources import DEFAULT_STYLE_DIR, FONT_DIR, template_environment
from .typefaces import FAMILY as FONT_NAME, with_typeface
from .split import Parts, chapter_id, chapter_title, demote_headings, rewrite_links, split_document

WEB_DIR = "web"
ASSETS = "assets"
DOWNLOADS = "downloads"
WEB_STYLESHEET = "web.css"
ABOUT_TITLE = N_("Edition history and who checked this booklet")


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the build folder, e.g. web/patient/index.html
    data: bytes
    entry: dict  # the manifest's entry: every file of the site is listed, and in SHA256SUMS


@dataclass(frozen=True)
class Download:
    """A PDF the site links to, as the index lists it."""
    file: str  # its name in build/ (and in web/downloads/)
    audience: str
    label: str  # e.g. "Large print, A4"
    pages: int
    size: int  # in bytes
    for_printing_only: bool
    data: bytes
    kind: str = "PDF"  # or "EPUB"
    note: str = ""  # said after its size


@dataclass(frozen=True)
class WebPage:
    file: str  # within the audience's folder
    title: str
    main: str  # the <main> element's inner HTML
    kind: str  # index, chapter, references, about


def size_text(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{max(1, round(count / 1024))} KB"


def picture_file(src: str, html_dir: Path, project: Path) -> tuple[bytes, str]:
    """The bytes and suffix of a picture the print HTML shows from a file (relative to its folder,
    or a file: address), which must lie in the project; an SVG with words gets its typeface."""
    path = (Path(unquote(urlsplit(src).path)) if src.startswith("file:") else html_dir / unquote(src)).resolve()
    if not path.is_relative_to(project.resolve()) or not path.is_file():
        raise BookletError(f"a picture the pages show is not a file in the project: {src}")
    data, suffix = path.read_bytes(), path.suffix.lower()
    return (svg_with_its_font(data) if suffix == ".svg" else data), suffix


def stored_name(folder: str, data: bytes, suffix: str) -> str:
    """A picture's file name from its bytes: the same picture is stored once, and a changed one
    gets a new name (so no browser or reading system shows an old copy)."""
    return f"{folder}/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def _local_files(root: Element, html_dir: Path, project: Path, folder: str,
                 files: dict[str, tuple[str, bytes]]) -> None:
    """Every picture the parts show from a file is copied into the site's `folder`, and `src`
    points there. data: addresses stay as they are."""
    for image in root.find_all(lambda e: e.tag == "img"):
        src = image.get("src") or ""
        if not src or src.startswith("data:"):
            continue
        if src not in files:
            data, suffix = picture_file(src, html_dir, project)
            files[src] = (stored_name(folder, data, suffix), data)
        image.attrs["src"] = files[src][0]


_SVG_TEXT = re.compile(rb"<(?:text|tspan)\b[^>]*>([^<]*)", re.S)


def svg_with_its_font(svg: bytes) -> bytes:
    """A picture shown with <img> cannot use the page's fonts, so its words would be drawn in
    another, wider typeface, and run past their boxes: the booklet's typeface goes inside it,
    cut down to the letters its words use (a few kilobytes). In the PDF, WeasyPrint draws it
    with the font already."""
    if FONT_NAME.encode() not in svg or b"<text" not in svg:
        return svg
    letters = "".join(sorted(set(unescape(b"".join(_SVG_TEXT.findall(svg)).decode("utf-8", "replace")))))
    faces = [("AtkinsonHyperlegible-Regular.ttf", 400)]
    if re.search(rb'font-weight="(?:bold|700)"|font-weight:\s*(?:bold|700)', svg):
        faces.append(("AtkinsonHyperlegible-Bold.ttf", 700))
    rules = []
    for file, weight in faces:
        rules.append(f"@font-face{{font-family:'{FONT_NAME}';font-weight:{weight};"
                     f"src:url(data:font/ttf;base64,{base64.b64encode(_subset(file, letters)).decode()})}}")
    opening = re.search(rb"<svg\b[^>]*>", svg)
    if opening is None:
        return svg
    style = f"<style>{''.join(rules)}</style>".encode()
    return svg[:opening.end()] + style + svg[opening.end():]


@functools.lru_cache(maxsize=16)
def _subset(file: str, letters: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(FONT_DIR / file, recalcTimestamp=False)
    subsetter = subset.Subsetter(subset.Options(layout_features=["kern", "liga"], name_IDs=[], notdef_outline=True))
    subsetter.populate(text=letters + " ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)  # recalcTimestamp is off: the same letters give the same bytes
    return out.getvalue()


def urgent_regions(root: Element) -> None:
    """The urgent box becomes a labelled region (a landmark a screen reader can jump to) whose
    title is a heading: the NHS care card for "urgent", in our own markup."""
    for number, box in enumerate(root.find_all(lambda e: e.tag == "div" and e.has_class("urgent")), start=1):
        box.tag = "section"
        title = next((c for c in box.elements if c.has_class("admonition-title")), None)
        if title is None:
            box.attrs["aria-label"] = "Urgent"
            continue
        title.tag = "h2"
        title.attrs["id"] = f"urgent-{number}"
        # As the NHS care card does: a screen reader hears what kind of box this is first.
        title.children.insert(0, Element("span", {"class": "visually-hidden"}, [_("Urgent advice: ")]))
        box.attrs["aria-labelledby"] = f"urgent-{number}"


def screen_spaces(root: Element) -> None:
    """A space to write a number in makes no sense on a screen: it says what belongs there
    instead (its own label, "space to write your kidney unit's daytime number", less the first
    words). The numbers the booklet prints (999, a brand's) can be called with a tap."""
    for space in root.find_all(lambda e: e.tag == "span" and e.has_class("write-in")):
        prefix = _("space to write {what}").partition("{what}")[0]  # as content/slots.py labels it
        label = (space.get("aria-label") or "").removeprefix(prefix).strip()
        space.attrs = {"class": "write-in-screen"}
        space.children = [f"({label})" if label else _("(ask your kidney team)")]
    for number in root.find_all(lambda e: e.has_class("slot-value")):
        digits = re.sub(r"[^0-9+]", "", number.text())
        if digits and not number.find(lambda e: e.tag == "a"):
            number.children = [Element("a", {"href": f"tel:{digits}"}, number.children)]


def explained_marks(root: Element) -> None:
    """The AI mark says what it means in words a screen reader reads (its title, a tooltip, is
    not shown on a touch screen, and is read unevenly)."""
    for mark in root.find_all(lambda e: e.tag == "span" and e.has_class("ai-mark")):
        words = (mark.get("title") or "").removeprefix("AI: ")
        if words and not mark.find(lambda e: e.has_class("visually-hidden")):
            mark.children.append(Element("span", {"class": "visually-hidden"}, [f" ({words})"]))


def scrolling_tables(root: Element) -> None:
    """A table wider than a phone scrolls sideways in a box of its own, not the page (a table's
    rows and columns are the one thing WCAG's reflow lets scroll both ways); the box is a named
    region the keyboard can reach, so it can be scrolled without a mouse."""
    heading = ""
    for parent in [root, *root.iter()]:
        for index, child in enumerate(parent.children):
            if isinstance(child, Element) and re.fullmatch(r"h[1-6]", child.tag):
                heading = " ".join(child.text().split())
            if isinstance(child, Element) and child.tag == "table":
                heads = [" ".join(th.text().split()) for th in child.find_all(lambda e: e.tag == "th")][:4]
                label = _("Table: {name}").format(name=heading or ", ".join(heads)) if heading or heads else _("Table")
                parent.children[index] = Element("div", {"class": "table-scroll", "role": "region",
                                                         "aria-label": label, "tabindex": "0"}, [child])


def without_print_classes(root: Element) -> None:
    """Classes that only steer page breaks in print say nothing on screen."""
    for element in root.iter():
        classes = [c for c in element.classes if c != "keep-together"]
        if "class" in element.attrs:
            if classes:
                element.attrs["class"] = " ".join(classes)
            else:
                del element.attrs["class"]


def _index_main(parts: Parts, chapters: list[tuple[str, str, Element]], downloads: list[Download],
                audience: str, other: str | None) -> str:
    """The index: title and dates, the urgent box (the first one in the booklet, whole), the
    chapters with their main messages, what can be downloaded and printed, and the notes
    inside the cover."""
    out: list[str] = []
    cover = parts.cover
    title = next((e for e in cover.iter() if e.tag == "h1"), None) if cover else None
    out.append(f"<h1>{serialize(title.text()) if title is not None else ''}</h1>")
    if cover is not None:
        subtitle = cover.find(lambda e: e.has_class("cover-subtitle"))
        if subtitle is not None:
            out.append(f'<p class="lede">{inner(subtitle)}</p>')
    urgent = next((box for _file, _title, section in chapters
                   for box in section.find_all(lambda e: e.tag == "section" and e.has_class("urgent"))), None)
    if urgent is not None:  # first: on a phone, on the first screen
        home, home_title = next((file, title) for file, title, section in chapters if urgent in section.iter())
        out.append(serialize(urgent))
        more = _("More on this: {title}").format(title=home_title)
        out.append(f'<p><a href="{home}">{serialize(more)}</a></p>')
    facts = cover.find(lambda e: e.tag == "dl") if cover is not None else None
    if facts is not None:
        facts.attrs["class"] = "facts"
        out.append(serialize(facts))
    contents = _("Contents")  # outside the f-string, where the catalogue can see it
    out.append(f'<h2 id="contents">{serialize(contents)}</h2>\n<ol class="contents-list">')
    for file, title_text, section in chapters:
        summary = section.find(lambda e: e.has_class("chapter-summary"))
        message = ""
        if summary is not None:
            summary = copy.deepcopy(summary)
            for link in summary.find_all(lambda e: e.tag == "a"):
                link.tag = "span"  # citations are on the chapter's page; here they would be noise
                link.attrs = {}
            message = f'<p class="contents-summary">{inner(summary)}</p>'
        out.append(f'<li><a href="{file}">{serialize(title_text)}</a>{message}</li>')
    if parts.references is not None:
        out.append(f'<li><a href="references.html">{serialize(chapter_title(parts.references))}</a></li>')
    out.append(f'<li><a href="about.html">{serialize(_(ABOUT_TITLE))}</a></li>\n</ol>')
    mine = [d for d in downloads if d.audience == audience]
    if mine:
        download = _("Print or download")
        out.append(f'<h2 id="download">{serialize(download)}</h2>\n<ul class="downloads">')
        for item in mine:
            note = _(", for printing only: print both sides and fold") if item.for_printing_only else ""
            pages = _("{count} pages, ").format(count=item.pages) if item.kind == "PDF" else ""
            out.append(f'<li><a href="../{DOWNLOADS}/{item.file}">{serialize(item.label)}</a> '
                       f'({item.kind}, {pages}{size_text(item.size)}{note}{serialize(item.note)})</li>')
        out.append("</ul>")
    if other:
        version = _("a version of this booklet {for_whom}").format(
            for_whom=_(AUDIENCE_LABELS[other])[0].lower() + _(AUDIENCE_LABELS[other])[1:])
        there = _("There is also {link}.").format(link=f'<a href="../{other}/index.html">{serialize(version)}</a>')
        out.append(f"<p>{there}</p>")
    if parts.inside_cover is not None:
        inside = copy.deepcopy(parts.inside_cover)
        for heading in inside.find_all(lambda e: e.tag == "h2"):
            heading.attrs.pop("class", None)
        out.append(inner(inside))
    if parts.back_cover is not None:
        team = parts.back_cover.find(lambda e: e.has_class("team-box"))
        if team is not None and team.find(lambda e: e.has_class("brand-name")) is not None:
            team.attrs["class"] = "inset team"
            out.append(serialize(team))
    return "\n".join(out)


def site_pages(html: str, audience: str, other: str | None, downloads: list[Download],
               html_dir: Path, project: Path, images: dict[str, tuple[str, bytes]]) -> tuple[Parts, list[WebPage]]:
    """The pages of one audience's site from its reading copy's HTML document."""
    parts = split_document(html)
    chapters = [(f"{chapter_id(section)}.html", chapter_title(section), section) for section in parts.chapters]
    target: dict[str, str] = {}
    placed: list[tuple[str, Element]] = [(file, section) for file, _t, section in chapters]
    if parts.references is not None:
        placed.append(("references.html", parts.references))
    placed += [("about.html", section) for section in parts.about]
    for file, section in placed:
        for element in section.iter():
            if element.get("id"):
                target[element.get("id") or ""] = f"{file}#{element.get('id')}"
        if section.get("id"):
            target[section.get("id") or ""] = file if file != "about.html" else f"{file}#{section.get('id')}"
    for file, section in placed:
        rewrite_links(section, target, file)
        _local_files(section, html_dir, project, f"../{ASSETS}/images", images)
        urgent_regions(section)
        screen_spaces(section)
        explained_marks(section)
        scrolling_tables(section)
        without_print_classes(section)
    if parts.back_cover is not None:
        _local_files(parts.back_cover, html_dir, project, f"../{ASSETS}/images", images)
    pages = [WebPage("index.html", "Home", _index_main(parts, chapters, downloads, audience, other), "index")]
    for file, title, section in chapters:
        pages.append(WebPage(file, title, inner(section).strip(), "chapter"))
    if parts.references is not None:
        pages.append(WebPage("references.html", chapter_title(parts.references),
                             inner(parts.references).strip(), "references"))
    if parts.about:
        body = []
        for section in parts.about:
            demote_headings(section)
            section.tag = "section"
            body.append(serialize(section))
        legend = parts.inside_cover.find(lambda e: e.has_class("ai-legend")) if parts.inside_cover else None
        if legend is not None:  # the AI mark's key, where the marks of the history and sign-offs are
            body.insert(0, f'<h2 id="ai-mark">The AI mark</h2>\n{serialize(legend)}')
        about = _(ABOUT_TITLE)
        pages.append(WebPage("about.html", about, f"<h1>{serialize(about)}</h1>\n" + "\n".join(body),
                             "about"))
    return parts, pages


def site_assets() -> list[SiteFile]:
    """The stylesheet and the typeface, shared by every audience's pages."""
    css, fonts = with_typeface((DEFAULT_STYLE_DIR / WEB_STYLESHEET).read_bytes())
    files = [SiteFile(f"{WEB_DIR}/{ASSETS}/{WEB_STYLESHEET}", css, {"format": "css"})]
    files += [SiteFile(f"{WEB_DIR}/{ASSETS}/fonts/{name}", data, {"format": "font"}) for name, data in fonts]
    return files


_env = template_environment()


def _draft_note(parts: Parts) -> str:
    """What the cover says of a draft (a draft translation first), for the banner of each page."""
    return " ".join(t for t in (_text(parts, "inside-translation-draft"), _text(parts, "cover-review-draft")) if t)


def _text(parts: Parts, css_class: str) -> str:
    found = parts.tree.find(lambda e: e.has_class(css_class))
    return " ".join(found.text().split()) if found is not None else ""


def render_site(documents: dict[str, str], downloads: list[Download], config, html_dir: Path, project: Path,
                generator: str, next_review: dt.date) -> list[SiteFile]:
    """Every file of build/web/: each audience's pages from its reading copy's HTML (documents, by
    audience), the home page that leads to them, the assets, and the PDFs to download."""
    images: dict[str, tuple[str, bytes]] = {}
    files: list[SiteFile] = []
    audiences = list(documents)
    facts = publisher = home_draft = ""
    home_facts = _("Edition {edition}, published {published}. Next review by {due}.").format(
        edition=config.edition, published=long_date(config.published), due=long_date(next_review))
    for audience, html in documents.items():
        other = next((a for a in audiences if a != audience), None)
        parts, pages = site_pages(html, audience, other, downloads, html_dir, project, images)
        facts, publisher = _text(parts, "back-facts"), _text(parts, "back-publisher")
        if audience == audiences[0]:
            home_draft = _draft_note(parts)
        chapters = [page for page in pages if page.kind == "chapter"]
        for page in pages:
            at = chapters.index(page) if page in chapters else None
            text = _env.get_template("web-page.html.j2").render(
                language=config.language, page=page, title=config.title, audience=audience,
                audience_label=_(AUDIENCE_LABELS[audience]), description=_("{what} ({for_whom}), edition {edition}").format(
                    what=config.description or config.title, for_whom=_(AUDIENCE_LABELS[audience]).lower(),
                    edition=config.edition),
                generator=generator, assets=ASSETS, stylesheet=WEB_STYLESHEET,
                has_references=parts.references is not None,
                references_label=chapter_title(parts.references) if parts.references is not None else "",
                has_downloads=any(d.audience == audience for d in downloads),
                other=other, other_label=_(AUDIENCE_LABELS[other]) if other else "",
                draft_note=_draft_note(parts),
                previous=chapters[at - 1] if at else None,
                next=chapters[at + 1] if at is not None and at + 1 < len(chapters) else None,
                facts=facts, publisher=publisher)
            files.append(SiteFile(f"{WEB_DIR}/{audience}/{page.file}", text.encode("utf-8"),
                                  {"audience": audience, "format": "html"}))
    home = _env.get_template("web-home.html.j2").render(
        language=config.language, title=config.title, subtitle=config.subtitle, description=config.description or
        config.title, generator=generator, assets=ASSETS, stylesheet=WEB_STYLESHEET,
        audiences=[(a, _(AUDIENCE_LABELS[a])) for a in audiences], facts=home_facts, publisher=publisher,
        draft_note=home_draft)
    files.insert(0, SiteFile(f"{WEB_DIR}/index.html", home.encode("utf-8"), {"format": "html"}))
    files += site_assets()
    files += [SiteFile(f"{WEB_DIR}/{ASSETS}/images/{name.rpartition('/')[2]}", data, {"format": "image"})
              for name, data in sorted(dict(images.values()).items())]
    files += [SiteFile(f"{WEB_DIR}/{DOWNLOADS}/{d.file}", d.data, {"format": "download", "copy_of": d.file})
              for d in downloads]
    return files
