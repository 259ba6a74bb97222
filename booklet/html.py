"""Assembles one complete HTML document per output from the rendered chapters.

The document is written to build/html/ and must render on its own with the
`weasyprint` command, so every address in it is relative to that folder or a
file:// address of the installed font package.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson
import jinja2
import markdown

from . import __version__
from .chapters import Chapter
from .citations import cited_keys
from .errors import BookletError, Problem, ValidationFailed
from .markup import Location, chapter_html
from .plan import AUDIENCE_LABELS, BOOKLET_PAPER, PAPERS, Output, Plan
from .references import Reference
from .vancouver import format_reference, patient_entry, review_status

STYLE_DIR = "styles"
FONT_DIR = atkinson.ROOT / "files"
FONT_FACES = (  # (file, weight, style)
    ("AtkinsonHyperlegible-Regular.ttf", 400, "normal"),
    ("AtkinsonHyperlegible-Bold.ttf", 700, "normal"),
    ("AtkinsonHyperlegible-Italic.ttf", 400, "italic"),
    ("AtkinsonHyperlegible-BoldItalic.ttf", 700, "italic"),
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("booklet", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def long_date(day: dt.date) -> str:
    """'21 November 2026': the same in every locale, as a printed booklet needs."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


_env.filters["long_date"] = long_date


@dataclass(frozen=True)
class RenderedChapter:
    chapter: Chapter
    html: str
    sources: tuple[tuple[int, str], ...]  # (number in this edition, reference id) of each source cited


@dataclass(frozen=True)
class ReferenceEntry:
    number: int
    reference: Reference
    html: str  # the Vancouver entry (clinician) or plain-language entry (patient)
    status: str  # review status, as the source states it


def font_face_css() -> str:
    rules = []
    for file, weight, style in FONT_FACES:
        rules.append(
            "@font-face { font-family: 'Atkinson Hyperlegible'; "
            f"src: url('{(FONT_DIR / file).as_uri()}'); font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


VARIANT_STYLES = {"large-print": "large-print.css", "booklet": "booklet.css"}
# Clear print asks for 60-70 characters a line: at 14 pt Atkinson Hyperlegible that is a
# 158 mm measure, so the patient reading copies get side margins to match on any paper.
PATIENT_MEASURE_MM = 158


def side_margin_mm(output: Output) -> float | None:
    if output.audience == "patient" and output.variant == "standard":
        return round((PAPERS[output.paper].width_mm - PATIENT_MEASURE_MM) / 2, 1)
    return None
NOTES_PAGE_LINES = {"a5": 13, "half-letter": 13}


def stylesheets(root: Path, html_dir: Path, output: Output) -> list[str]:
    names = ["base.css", f"{output.audience}.css"]
    if output.variant in VARIANT_STYLES:
        names.append(VARIANT_STYLES[output.variant])
    return [Path(os.path.relpath(root / STYLE_DIR / name, html_dir)).as_posix() for name in names]


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    date: dt.date
    html: str


def history_entries(plan: Plan) -> list[HistoryEntry]:
    """CHANGELOG sections as HTML; markup in the file is shown as text, never passed through."""
    return [HistoryEntry(e.version, e.date, markdown.markdown(e.markdown.replace("<", "&lt;")))
            for e in plan.history]


def qr_code_data_url(url: str) -> str:
    """A QR code for `url` as an SVG data: address (made here, at build time; nothing is fetched)."""
    import segno

    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", xmldecl=False, scale=4, border=2, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


@functools.lru_cache(maxsize=512)
def _chapter_html(chapter: Chapter, audience: str, where: Location, numbers: tuple[tuple[str, int], ...]) -> str:
    """One chapter's HTML, made once per edition: the variants of an edition share it."""
    return chapter_html(chapter, audience, where, dict(numbers))


def render_document(plan: Plan, output: Output, root: Path, build_dir: Path) -> str:
    """The output's complete HTML document."""
    html_dir = build_dir / "html"
    numbers = dict(output.citations)
    chapters = []
    for chapter in output.chapters:
        html = _chapter_html(chapter, output.audience, Location(root, root / chapter.path, html_dir),
                             tuple(sorted(numbers.items())))
        used = sorted({(numbers[key], key) for key in cited_keys(chapter.markdown_for(output.audience))})
        chapters.append(RenderedChapter(chapter, html, tuple(used)))
    config = plan.config
    published = config.published
    references = []
    for key, number in output.citations:
        ref = plan.references[key]
        entry = patient_entry(ref, published) if output.audience == "patient" else format_reference(ref)
        references.append(ReferenceEntry(number, ref, entry, review_status(ref, published)))
    return _env.get_template("document.html.j2").render(
        config=config,
        output=output,
        audience_label=AUDIENCE_LABELS[output.audience],
        chapters=chapters,
        references=references,
        next_review=plan.next_review,
        font_css=font_face_css(),
        stylesheets=stylesheets(root, html_dir, output),
        history=history_entries(plan),
        qr_code=qr_code_data_url(config.home_page) if config.home_page else None,
        brand=plan.brand,
        brand_logo=(Path(os.path.relpath(plan.brand.logo, html_dir)).as_posix()
                    if plan.brand and plan.brand.logo else None),
        side_margin_mm=side_margin_mm(output),
        generator=f"booklet {__version__}",
    )


def render_printing_note(plan: Plan, output: Output, booklet_pages: int, linear_file: str) -> str:
    """The instruction sheet that opens an imposed booklet: how to print, fold and staple it."""
    return _env.get_template("printing-note.html.j2").render(
        config=plan.config,
        audience_label=AUDIENCE_LABELS[output.audience],
        sheet_size=PAPERS[output.paper].css_size,
        sheet_paper=PAPERS[output.paper].name,
        booklet_paper=PAPERS[BOOKLET_PAPER[output.paper]].name,
        pages=booklet_pages,
        sheets=booklet_pages // 4,
        linear_file=linear_file,
        font_css=font_face_css(),
    )



def xmp_metadata(plan: Plan, output: Output) -> bytes:
    """Edition facts in the PDF's XMP packet, where they survive tools that drop the Info dictionary."""
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    fields = {"edition": plan.config.edition, "published": plan.config.published.isoformat(),
              "nextReview": plan.next_review.isoformat(), "audience": output.audience,
              "variant": output.variant, "paper": output.paper}
    body = "".join(f"<booklet:{key}>{esc(value)}</booklet:{key}>" for key, value in fields.items())
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description rdf:about="" xmlns:booklet="{XMP_NAMESPACE}">{body}</rdf:Description>'
            "</rdf:RDF>").encode()


# Our own XMP schema; ".invalid" is reserved, so the name can never point at someone else's site.
XMP_NAMESPACE = "http://ns.calciphylaxis-booklet.invalid/edition/1.0/"


def render_notes_pages(plan: Plan, output: Output, root: Path, build_dir: Path) -> str:
    """Three ruled "Notes" pages in the booklet's page style, for padding it to a multiple of 4."""
    return _env.get_template("notes-pages.html.j2").render(
        config=plan.config, output=output, font_css=font_face_css(),
        stylesheets=stylesheets(root, build_dir / "html", output),
        notes_lines=NOTES_PAGE_LINES.get(output.paper, 18),
    )


def chapter_problems(plan: Plan, root: Path, build_dir: Path) -> list[Problem]:
    """Every chapter turned into HTML once for each edition, as the build will do it: the
    problems found (boxes, images, raw HTML, citations), in every chapter at once."""
    problems: list[Problem] = []
    done: set[str] = set()
    for output in plan.outputs:
        if output.audience in done:
            continue
        done.add(output.audience)
        numbers = tuple(sorted(dict(output.citations).items()))
        for chapter in output.chapters:
            try:
                _chapter_html(chapter, output.audience, Location(root, root / chapter.path, build_dir / "html"),
                              numbers)
            except ValidationFailed as failed:
                problems += failed.problems
            except BookletError as err:
                problems.append(Problem(err.path or chapter.path, err.line, err.message))
    return list(dict.fromkeys(problems))
