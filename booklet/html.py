"""Assembles one complete HTML document per output from the rendered chapters.

The document is written to build/html/ and must render on its own with the
`weasyprint` command, so every address in it is relative to that folder or a
file:// address of the installed font package.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson
import jinja2

from . import __version__
from .chapters import Chapter
from .citations import cited_keys
from .markup import Location, chapter_html
from .plan import AUDIENCE_LABELS, Output, Plan
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


def stylesheets(root: Path, html_dir: Path, audience: str) -> list[str]:
    names = ["base.css", f"{audience}.css"]
    return [Path(os.path.relpath(root / STYLE_DIR / name, html_dir)).as_posix() for name in names]


def render_document(plan: Plan, output: Output, root: Path, build_dir: Path) -> str:
    html_dir = build_dir / "html"
    numbers = dict(output.citations)
    chapters = []
    for chapter in output.chapters:
        html = chapter_html(chapter, output.audience, Location(root, root / chapter.path, html_dir), numbers)
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
        stylesheets=stylesheets(root, html_dir, output.audience),
        generator=f"booklet {__version__}",
    )
