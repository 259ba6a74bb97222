"""The build: load and validate -> plan -> HTML -> PDF -> write and report."""
from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .brand import load_brand
from .cache import RenderCache
from .changelog import EditionEntry, read_changelog
from .chapters import Chapter, read_chapters
from .citations import check_citations
from .config import BookletConfig, config_problems
from .errors import BookletError, Problem, ValidationFailed
from .html import FONT_DIR, render_document, render_notes_pages, render_printing_note, xmp_metadata
from .lock import build_lock
from .newchapter import leftover_prompts
from .plan import Output, Plan, make_plan
from .references import Reference, load_references
from .rendering import ImposeJob, RenderedPdf, RenderJob
from .schedule import Later, Progress, RenderFailed, Scheduler, Work, default_jobs
from .writer import OutputFile, recover, write_outputs

BUILD_DIR = "build"


@dataclass(frozen=True)
class Project:
    root: Path
    config: BookletConfig
    chapters: tuple[Chapter, ...]
    references: dict[str, Reference]
    warnings: tuple[Problem, ...]
    history: tuple[EditionEntry, ...] = ()


def load_project(root: Path) -> Project:
    """Validate everything, reporting every problem in every file at once."""
    project, problems = gather_project(root)
    if project is None or any(p.severity == "error" for p in problems):
        raise ValidationFailed(problems)
    return project


def gather_project(root: Path) -> tuple[Project | None, list[Problem]]:
    """Whatever loads (None without a valid booklet.yaml), with every problem found: the chapters
    and references that are sound on their own are kept, so `check` can look further into them."""
    config, problems = config_problems(root)
    chapters: tuple[Chapter, ...] = ()
    chapter_problems: list[Problem] = []
    try:
        chapters, chapter_problems = read_chapters(root)
    except BookletError as err:
        chapter_problems = [Problem(err.path or "chapters", err.line, err.message)]
    references, reference_problems = load_references(root)
    history, history_problems = read_changelog(root, config.edition if config else None,
                                               config.published if config else None)
    problems += chapter_problems + reference_problems + history_problems
    if chapters and references:
        every_chapter_read = not any(p.severity == "error" for p in chapter_problems)
        problems += check_citations(chapters, references, every_chapter_read)
    for chapter in chapters:
        problems += leftover_prompts(chapter)
        if chapter.is_draft:
            problems.append(Problem(chapter.path, chapter.line_of("status"),
                                    "draft: builds leave this chapter out until its front-matter says "
                                    "'status: ready' (preview it with 'booklet build --chapter "
                                    f"{chapter.id}')", "warning"))
    if config is None:
        return None, problems
    return Project(root, config, chapters, references,
                   tuple(p for p in problems if p.severity == "warning"), history), problems


@dataclass(frozen=True)
class BuiltOutput:
    output: Output
    path: str
    pages: int
    bytes: int
    seconds: float = 0.0  # time spent making it in this build
    from_cache: bool = False


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[BuiltOutput, ...]
    written: tuple[str, ...]
    warnings: tuple[str, ...]
    folder: str = BUILD_DIR  # where they were written, relative to the project
    rendered: tuple[str, ...] = ()  # renders run, by output stem (the rest came from the cache)


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


def _brand_field(plan: Plan) -> dict:
    return {"brand": plan.brand.slug} if plan.brand else {}


def _overflow_error(output: Output, overflows) -> BookletError:
    """Content wider than the page is cut off in print: fail, naming the chapter."""
    by_section = {f"chapter-{chapter.id}": chapter.path for chapter in output.chapters}
    first = overflows[0]
    more = f" (and {len(overflows) - 1} more)" if len(overflows) > 1 else ""
    return BookletError(f"{first.describe()} of {output.pdf_name}{more}: narrow it, "
                        "or break long words and links", by_section.get(first.section_id, output.html_name))


def manifest_header(plan: Plan) -> dict:
    config = plan.config
    header = {"title": config.title, "slug": config.slug, "edition": config.edition,
              "published": config.published.isoformat(), "next_review": plan.next_review.isoformat()}
    if plan.brand:
        header["brand"] = {"slug": plan.brand.slug, "name": plan.brand.name}
    return header


def build(root: Path, brand_file: Path | None = None, chapter_id: str | None = None,
          jobs: int | None = None, progress: Progress | None = None) -> BuildResult:
    """Build under the project's build lock (see `_build`)."""
    root = root.resolve()
    with build_lock(root / BUILD_DIR):
        return _build(root, brand_file, chapter_id, jobs, progress)


def _build(root: Path, brand_file: Path | None, chapter_id: str | None, jobs: int | None,
           progress: Progress | None) -> BuildResult:
    """Build every output into build/; a brand's copies go to build/brands/<brand>/, and one
    chapter's handouts to build/handouts/<chapter id>/ (inside the brand's folder when branded).

    Outputs whose inputs are unchanged come from the render cache; the rest render in
    `jobs` processes at once (default: one per core).
    """
    project = load_project(root)
    brand = load_brand(root, brand_file) if brand_file else None
    plan = make_plan(project.config, project.chapters, project.references, project.history, brand, chapter_id)
    build_dir = root / BUILD_DIR / "brands" / brand.slug if brand else root / BUILD_DIR
    if chapter_id is not None:
        build_dir = build_dir / "handouts" / chapter_id
    linear = [output for output in plan.outputs if not output.is_imposed]
    by_stem = {output.stem: output for output in plan.outputs}
    # Every chapter is turned into HTML (and so checked) before the first slow render.
    documents = {output.stem: render_document(plan, output, root, build_dir) for output in linear}
    epoch = calendar.timegm(plan.config.published.timetuple())

    def job(output: Output, html: str, accessible: bool = True, name: str | None = None) -> RenderJob:
        padding = render_notes_pages(plan, output, root, build_dir) if output.is_booklet else None
        return RenderJob(html, build_dir / output.html_name, (root, FONT_DIR),
                         hashlib.sha256((name or output.stem).encode()).digest()[:16], epoch, accessible,
                         xmp_metadata(plan, output) if accessible else None, padding)

    recover(build_dir)  # a build killed while renaming its outputs into place is finished first
    cache = RenderCache(build_dir)
    scheduler = Scheduler(cache, jobs or default_jobs(), progress)
    imposed = [o for o in plan.outputs if o.is_imposed]
    def printing_note(output: Output, results: dict[str, RenderedPdf]) -> RenderJob:
        booklet = results[output.imposed_from]
        return job(output, render_printing_note(plan, output, booklet.pages, f"{output.imposed_from}.pdf"),
                   accessible=False, name=output.stem + "-note")

    def imposition(output: Output, results: dict[str, RenderedPdf]) -> ImposeJob:
        return ImposeJob(results[output.imposed_from].data, results[f"{output.stem}-note"].data,
                         f"{plan.config.title}: {output.stem} (for printing only)", output.paper)

    # Booklets are padded to a multiple of 4 pages inside their render (see RenderJob).
    work: dict[str, Work] = {o.stem: job(o, documents[o.stem]) for o in linear}
    for o in imposed:
        work[f"{o.stem}-note"] = Later((o.imposed_from,), partial(printing_note, o))
        work[o.stem] = Later((o.imposed_from, f"{o.stem}-note"), partial(imposition, o))
    try:
        rendered = scheduler.run(work)
    except RenderFailed as failed:
        output = by_stem[failed.name.removesuffix("-note")]
        raise BookletError(failed.error.message, _blamer(output)(failed.error.clue) or output.html_name) from None
    finally:
        scheduler.close()
    for name, result in rendered.items():
        if result.overflows:
            raise _overflow_error(by_stem[name.removesuffix("-note")], result.overflows)
    for output in linear:
        if output.is_booklet and rendered[output.stem].pages % 4:
            raise BookletError(f"{output.pdf_name} has {rendered[output.stem].pages} pages after padding "
                               "with notes pages; a booklet needs a multiple of 4", output.html_name)

    files: list[OutputFile] = []
    built: list[BuiltOutput] = []
    warnings = [str(w) for w in project.warnings]
    for output in linear:
        result = rendered[output.stem]
        warnings += [f"{output.html_name}: warning: {w}" for w in result.warnings]
        files.append(OutputFile(output.html_name, documents[output.stem].encode("utf-8")))
        files.append(OutputFile(output.pdf_name, result.data, {
            "audience": output.audience, "variant": output.variant, "paper": output.paper,
            "format": output.format, "pages": result.pages, "tagged": True, **_brand_field(plan)}))
        built.append(BuiltOutput(output, output.pdf_name, result.pages, len(result.data), result.seconds,
                                 result.from_cache))
    for output in imposed:
        result = rendered[output.stem]
        files.append(OutputFile(output.pdf_name, result.data, {
            "audience": output.audience, "variant": output.variant, "paper": output.paper,
            "format": output.format, "pages": result.pages, "tagged": False, "for_printing_only": True,
            "imposes": f"{output.imposed_from}.pdf", "sheets": 1 + rendered[output.imposed_from].pages // 4,
            **_brand_field(plan)}))
        note = rendered[f"{output.stem}-note"]
        built.append(BuiltOutput(output, output.pdf_name, result.pages, len(result.data),
                                 result.seconds + note.seconds, result.from_cache and note.from_cache))
    written = write_outputs(build_dir, manifest_header(plan), files)
    cache.prune()
    return BuildResult(tuple(built), tuple(written), tuple(warnings), build_dir.relative_to(root).as_posix(),
                       rendered=tuple(scheduler.rendered))
