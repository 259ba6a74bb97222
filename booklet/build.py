"""The build: load and validate -> plan -> HTML -> PDF -> write and report."""
from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .chapters import Chapter, read_chapters
from .citations import check_citations
from .config import BookletConfig, config_problems
from .references import Reference, load_references
from .errors import BookletError, Problem, ValidationFailed
from .html import FONT_DIR, render_document
from .plan import Output, Plan, make_plan
from .writer import OutputFile, write_outputs

BUILD_DIR = "build"


@dataclass(frozen=True)
class Project:
    root: Path
    config: BookletConfig
    chapters: tuple[Chapter, ...]
    references: dict[str, Reference]
    warnings: tuple[Problem, ...]


def load_project(root: Path) -> Project:
    """Validate everything, reporting every problem in every file at once."""
    config, problems = config_problems(root)
    chapters: tuple[Chapter, ...] = ()
    chapter_problems: list[Problem] = []
    try:
        chapters, chapter_problems = read_chapters(root)
    except BookletError as err:
        chapter_problems = [Problem(err.path or "chapters", err.line, err.message)]
    references, reference_problems = load_references(root)
    problems += chapter_problems + reference_problems
    if chapters and references:
        every_chapter_read = not any(p.severity == "error" for p in chapter_problems)
        problems += check_citations(chapters, references, every_chapter_read)
    if config is None or any(p.severity == "error" for p in problems):
        raise ValidationFailed(problems)
    return Project(root, config, chapters, references,
                   tuple(p for p in problems if p.severity == "warning"))


@dataclass(frozen=True)
class BuiltOutput:
    output: Output
    path: str
    pages: int
    bytes: int


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[BuiltOutput, ...]
    written: tuple[str, ...]
    warnings: tuple[str, ...]


def _blamer(output: Output):
    """Find which chapter mentions a URL in a render error, so the message names it."""
    def blame(text: str) -> str | None:
        urls = re.findall(r"[a-z][a-z0-9+.-]*:[^\s'\"<>]+", text) or [text]
        for url in urls:
            candidates = [url, url.split("://", 1)[-1]]
            if url.startswith("file:"):
                candidates.append(Path(unquote(urlsplit(url).path)).name)  # a relative src names the file
            for chapter in output.chapters:
                source = chapter.markdown_for(output.audience)
                if any(candidate and candidate in source for candidate in candidates):
                    return chapter.path
        return None
    return blame


def _overflow_error(output: Output, overflows) -> BookletError:
    """Content wider than the page is cut off in print: fail, naming the chapter."""
    by_section = {f"chapter-{chapter.id}": chapter.path for chapter in output.chapters}
    first = overflows[0]
    more = f" (and {len(overflows) - 1} more)" if len(overflows) > 1 else ""
    return BookletError(f"{first.describe()} of {output.pdf_name}{more}: narrow it, "
                        "or break long words and links", by_section.get(first.section_id, output.html_name))


def manifest_header(plan: Plan) -> dict:
    config = plan.config
    return {"title": config.title, "slug": config.slug, "edition": config.edition,
            "published": config.published.isoformat(), "next_review": plan.next_review.isoformat()}


def build(root: Path) -> BuildResult:
    root = root.resolve()
    project = load_project(root)
    plan = make_plan(project.config, project.chapters, project.references)
    build_dir = root / BUILD_DIR
    documents = {output: render_document(plan, output, root, build_dir) for output in plan.outputs}

    from .pdf import render_pdf  # WeasyPrint is slow to import: only when rendering

    epoch = calendar.timegm(plan.config.published.timetuple())
    files: list[OutputFile] = []
    built: list[BuiltOutput] = []
    warnings = [str(w) for w in project.warnings]
    for output, html in documents.items():
        html_path = build_dir / output.html_name
        rendered = render_pdf(
            html, html_path, allowed=(root, FONT_DIR),
            identifier=hashlib.sha256(output.stem.encode()).digest()[:16],
            source_date_epoch=epoch, blame=_blamer(output),
        )
        warnings += [f"{output.html_name}: warning: {w}" for w in rendered.warnings]
        if rendered.overflows:
            raise _overflow_error(output, rendered.overflows)
        files.append(OutputFile(output.html_name, html.encode("utf-8")))
        files.append(OutputFile(output.pdf_name, rendered.data, {
            "audience": output.audience, "variant": output.variant, "paper": output.paper,
            "format": output.format, "pages": rendered.pages}))
        built.append(BuiltOutput(output, output.pdf_name, rendered.pages, len(rendered.data)))
    written = write_outputs(build_dir, manifest_header(plan), files)
    return BuildResult(tuple(built), tuple(written), tuple(warnings))
