"""The pipeline, stage by stage: load and validate -> plan -> HTML -> PDF -> write and report;
and a release, which builds and then files the edition.

Each stage lives in its own subpackage (source, content, render, output); this
module only runs them in order, so it is the one place that shows the whole build.
"""
from __future__ import annotations

import calendar
import dataclasses
import hashlib
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import __version__
from .errors import BookletError, ValidationFailed
from .output.editions import (EDITIONS_FILE, copy_release, current_inputs, read_editions, record_edition,
                              refusal, release_is_complete)
from .output.lock import build_lock
from .files import atomic_write, real_folder
from .output.writer import CHECKSUMS, MANIFEST, OutputFile, recover, write_outputs
from .render.cache import CACHE_DIR, RenderCache
from .render.document import render_document, render_notes_pages, render_printing_note
from .render.extras import BuiltExtra, Made, language_entry, page_sources, web_and_epub
from .render.jobs import ImposeJob, RenderedPdf, RenderJob
from .render.patches import version_problem
from .render.plan import QUICK_GUIDE_PAGES, Output, Plan, make_plan
from .render.resources import DEFAULT_STYLE_DIR, FONT_DIR
from .render.schedule import Later, Progress, RenderFailed, Scheduler, Work, default_jobs
from .render.xmp import xmp_metadata
from .source.brand import load_brand
from .source.project import BUILD_DIR, Project, load_project
from .source.signoffs import SignOffContext, missing_sign_offs, release_sign_off_errors, review_file
from .interface import speaking
from .source.translated_copy import translated_copy
from .source.snapshots import SNAPSHOT_DIR, make_snapshot, previous_version, read_snapshot, snapshot_file, snapshot_json
from .content.changes import compare


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
    extras: tuple[BuiltExtra, ...] = ()  # the web site and the e-books


# What a build makes: the PDFs always; the web site and the e-books unless left out.
FORMATS = ("pdf", "web", "epub")


def _blamer(output: Output):
    """Find which chapter mentions a URL in a render error, so the message names it."""
    def blame(text: str) -> str | None:
        urls = re.findall(r"[a-z][a-z0-9+.-]*:[^\s'\"<>]+", text) or [text]
        for url in urls:
            candidates = [url, url.split("://", 1)[-1]]
            if url.startswith("file:"):
                candidates.append(Path(unquote(urlsplit(url).path)).name)  # a relative src names the file
            for chapter in output.chapters:
                source = chapter.markdown_for(output.view)
                if any(candidate and candidate in source for candidate in candidates):
                    return chapter.path
        return None
    return blame


def _overflow_error(output: Output, overflows) -> BookletError:
    """Content wider than the page is cut off in print: fail, naming the chapter."""
    by_section = {f"chapter-{chapter.id}": chapter.path for chapter in output.chapters}
    first = overflows[0]
    more = f" (and {len(overflows) - 1} more)" if len(overflows) > 1 else ""
    advice = "make it shorter" if first.edge == "bottom" else "narrow it, or break long words and links"
    return BookletError(f"{first.describe()} of {output.pdf_name}{more}: {advice}",
                        by_section.get(first.section_id, output.html_name))


def manifest_header(plan: Plan) -> dict:
    config = plan.config
    header: dict[str, object] = {"title": config.title, "slug": config.slug, "edition": config.edition,
                                 "published": config.published.isoformat(),
                                 "next_review": plan.next_review.isoformat(), "made_by": f"booklet {__version__}"}
    if plan.brand:
        header["brand"] = {"slug": plan.brand.slug, "name": plan.brand.name}
    return header


@dataclass(frozen=True)
class Prepared:
    """A build up to its HTML: what the slow renders will be given."""

    root: Path
    project: Project
    plan: Plan
    build_dir: Path  # where the outputs go: build/, build/brands/<brand>/, .../handouts/<chapter>/
    documents: dict[str, str]  # each linear output's HTML document, by stem
    chapter_id: str | None = None  # a handout's chapter

    def html(self, stem_part: str) -> str:
        """The HTML of the one output whose stem contains `stem_part` (e.g. 'patient-standard-a4')."""
        found = [stem for stem in self.documents if stem_part in stem]
        if len(found) != 1:
            raise KeyError(f"{stem_part!r} matches {found or 'no output'}")
        return self.documents[found[0]]


def project_snapshot(project: Project) -> dict:
    return make_snapshot(project.config, project.chapters, project.references, project.sign_offs)


def prepare(root: Path, brand_file: Path | None = None, chapter_id: str | None = None,
            project: Project | None = None) -> Prepared:
    """Load and validate, plan, and make every HTML document: every chapter is turned into HTML
    (and so checked) before the first slow render. Reads the project; writes nothing."""
    root = root.resolve()
    project = project or load_project(root)
    brand = load_brand(root, brand_file) if brand_file else None
    plan = make_plan(project.config, project.chapters, project.references, project.history, brand, chapter_id,
                     sign_offs=project.sign_offs)
    context = SignOffContext(root, project.config, project.references)
    plan = dataclasses.replace(plan, sign_off_context=context,
                               awaiting_sign_off=bool(missing_sign_offs(context, project.chapters, project.sign_offs)))
    if (since := previous_version(root, project.config.edition)) is not None:
        plan = dataclasses.replace(plan, changes_since=since,
                                   changes=tuple(compare(read_snapshot(root, since), project_snapshot(project))))
    build_dir = root / BUILD_DIR / "brands" / brand.slug if brand else root / BUILD_DIR
    if chapter_id is not None:
        build_dir = build_dir / "handouts" / chapter_id
    documents = {output.stem: render_document(plan, output, root, build_dir)
                 for output in plan.outputs if not output.is_imposed}
    return Prepared(root, project, plan, build_dir, documents, chapter_id)


def prepare_translations(english: Prepared, drafts: bool = True) -> list[Prepared]:
    """Each language booklet.yaml asks for (translations:), made like the English from its
    translated chapters, in its words, dates and typeface; leaving out the drafts unless `drafts`.
    The merged faces of its typeface are made into build/.fonts/ here, once."""
    if english.chapter_id is not None:
        return []  # a handout is the author's preview of the English
    project, root = english.project, english.root
    made = []
    for language in project.config.translations:
        copy = translated_copy(root, project.config, project.chapters, language)
        if copy.is_draft and not drafts:
            continue
        with speaking(language):
            plan = make_plan(copy.config, copy.chapters, project.references, project.history, english.plan.brand,
                             sign_offs=project.sign_offs)
            plan = dataclasses.replace(plan, sign_off_context=english.plan.sign_off_context,
                                       awaiting_sign_off=english.plan.awaiting_sign_off, translation=copy)
            documents = {output.stem: render_document(plan, output, root, english.build_dir)
                         for output in plan.outputs if not output.is_imposed}
        made.append(Prepared(root, project, plan, english.build_dir, documents))
    return made


def build(root: Path, brand_file: Path | None = None, chapter_id: str | None = None,
          jobs: int | None = None, progress: Progress | None = None,
          formats: tuple[str, ...] = FORMATS, draft_translations: bool = True) -> BuildResult:
    """Build every output into build/; a brand's copies go to build/brands/<brand>/, and one
    chapter's handouts to build/handouts/<chapter id>/ (inside the brand's folder when branded).

    Outputs whose inputs are unchanged come from the render cache; the rest render in
    `jobs` processes at once (default: one per core). One build runs at a time.
    """
    root = root.resolve()
    with build_lock(real_folder(root / BUILD_DIR, root)):
        prepared = prepare(root, brand_file, chapter_id)
        copies = [prepared, *prepare_translations(prepared, drafts=draft_translations)]
        for folder in (prepared.build_dir / "html", prepared.build_dir / CACHE_DIR):
            real_folder(folder, root)
        # A build killed while renaming its outputs into place is finished first.
        recover(prepared.build_dir, set().union(*(_named(copy.plan) for copy in copies)))
        cache = RenderCache(prepared.build_dir)
        wanted = set(formats) if chapter_id is None else {"pdf"}
        made: list[Rendered] = []
        for copy in copies:
            with speaking(copy.plan.config.language):
                made.append(Rendered(copy, *_render(copy, cache, jobs, progress)))
        result = _write(made, wanted, cache)
        cache.prune()  # the entries this build did not use
        return result


@dataclass(frozen=True)
class Rendered:
    """One copy's PDFs (the English, or a language's), ready to be written."""
    prepared: Prepared
    results: dict[str, RenderedPdf]
    made: tuple[str, ...]  # the renders actually run


def _named(plan: Plan) -> set[str]:
    """Every PDF and HTML file a build of this plan writes, relative to its build folder (the
    web site's and e-books' files are known once they are made; the writer accepts those by
    where they lie, see writer.is_output_path)."""
    return ({o.pdf_name for o in plan.outputs} | {o.html_name for o in plan.outputs if not o.is_imposed}
            | {CHECKSUMS, MANIFEST})


def _render(prepared: Prepared, cache: RenderCache, jobs: int | None, progress: Progress | None
            ) -> tuple[dict[str, RenderedPdf], tuple[str, ...]]:
    """Every PDF of the plan (from the cache where its inputs are unchanged), checked: the
    results by name, and the names of the renders actually run."""
    if problem := version_problem():
        raise BookletError(problem)
    plan, root, build_dir = prepared.plan, prepared.root, prepared.build_dir
    epoch = calendar.timegm(plan.config.published.timetuple())
    linear = [output for output in plan.outputs if not output.is_imposed]
    imposed = [output for output in plan.outputs if output.is_imposed]
    by_stem = {output.stem: output for output in plan.outputs}
    # Always asked for (it costs a walk over the laid-out pages), so that a build without the
    # e-books renders exactly what a full one does, and the two share the cache.
    mapped = {o.stem for o in page_sources(plan).values()}

    def job(output: Output, html: str, accessible: bool = True, name: str | None = None) -> RenderJob:
        # Folded copies are padded with notes pages to a multiple of 4 (the quick guide, to its 4).
        padding = (render_notes_pages(plan, output, root, build_dir)
                   if output.is_booklet or output.is_quick_guide else None)
        return RenderJob(html, build_dir / output.html_name, root, (FONT_DIR, DEFAULT_STYLE_DIR),
                         hashlib.sha256((name or output.stem).encode()).digest()[:16], epoch, accessible,
                         xmp_metadata(plan, output) if accessible else None, padding,
                         page_map=accessible and output.stem in mapped)

    def printing_note(output: Output, results: dict[str, RenderedPdf]) -> RenderJob:
        booklet = results[output.booklet_stem]
        return job(output, render_printing_note(plan, output, booklet.pages, f"{output.booklet_stem}.pdf", root, build_dir),
                   accessible=False, name=output.stem + "-note")

    def imposition(output: Output, results: dict[str, RenderedPdf]) -> ImposeJob:
        # The quick guide is one sheet: how to fold it goes without a sheet of its own.
        note = b"" if output.is_quick_guide else results[f"{output.stem}-note"].data
        return ImposeJob(results[output.booklet_stem].data, note,
                         f"{plan.config.title}: {output.stem} (for printing only)", output.paper)

    # Booklets are padded to a multiple of 4 pages inside their render (see RenderJob).
    work: dict[str, Work] = {o.stem: job(o, prepared.documents[o.stem]) for o in linear}
    for o in imposed:
        if o.is_quick_guide:
            work[o.stem] = Later((o.booklet_stem,), partial(imposition, o))
            continue
        work[f"{o.stem}-note"] = Later((o.booklet_stem,), partial(printing_note, o))
        work[o.stem] = Later((o.booklet_stem, f"{o.stem}-note"), partial(imposition, o))
    scheduler = Scheduler(cache, jobs or default_jobs(), progress)
    try:
        rendered = scheduler.run(work)
    except RenderFailed as failed:
        output = by_stem[failed.name.removesuffix("-note")]
        raise BookletError(failed.error.message, _blamer(output)(failed.error.clue) or output.html_name) from None
    except BaseException:  # Ctrl-C, or a bug: the workers stop now
        scheduler.abort()
        raise
    finally:
        scheduler.close()
    for name, result in rendered.items():
        if result.overflows:
            raise _overflow_error(by_stem[name.removesuffix("-note")], result.overflows)
    for output in linear:
        if output.is_quick_guide:
            _check_quick_guide(output, rendered[output.stem].pages, translated=plan.translation is not None)
        if output.is_booklet and rendered[output.stem].pages % 4:
            raise BookletError(f"{output.pdf_name} has {rendered[output.stem].pages} pages after padding "
                               "with notes pages; a booklet needs a multiple of 4", output.html_name)
    return rendered, tuple(scheduler.rendered)


def _render_warning(output: Output, warning: str) -> str:
    """A render's warning as a line; a page-fit warning (section id, tab, text) names the chapter."""
    section, tab, text = warning.partition("\t")
    if not tab:
        return f"{output.html_name}: warning: {warning}"
    by_section = {f"chapter-{chapter.id}": chapter.path for chapter in output.chapters}
    return f"{by_section.get(section, output.html_name)}: warning: {output.pdf_name} {text}"


def _check_quick_guide(output: Output, pages: int, translated: bool = False) -> None:
    """The quick guide is one sheet folded: exactly its four pages, never a fifth (a shorter guide is
    padded to four with notes pages, a longer one to eight, so any other count ran over). A
    translation may take two sheets: its words are often longer (Welsh by a fifth), and a shorter
    guide would have to leave out what the English says; the build warns of it."""
    if translated and pages == 2 * QUICK_GUIDE_PAGES:
        return
    if pages != QUICK_GUIDE_PAGES:
        raise BookletError(f"{output.pdf_name} runs past {QUICK_GUIDE_PAGES} pages; the quick guide must have "
                           f"{QUICK_GUIDE_PAGES} (one sheet, folded): shorten the '::: quick-guide' blocks in "
                           f"{', '.join(c.path for c in output.chapters)}", output.html_name)


def _write(copies: list[Rendered], wanted: frozenset[str] | set[str] = frozenset(FORMATS),
           cache: RenderCache | None = None) -> BuildResult:
    """Every copy's outputs, the manifest and SHA256SUMS into the build folder, all or nothing."""
    english = copies[0].prepared
    warnings = [str(w) for w in english.project.warnings]
    if english.plan.awaiting_sign_off and not english.project.config.draft_for_review:
        warnings.append("booklet.yaml: warning: some chapters lack the sign-offs a release needs ('booklet check' lists "
                        "them), so every copy says 'Draft for review'")
    files: list[OutputFile] = []
    built: list[BuiltOutput] = []
    extras: list[BuiltExtra] = []
    for copy in copies:
        with speaking(copy.prepared.plan.config.language):
            _copy_files(copy.prepared, copy.results, wanted, cache, files, built, warnings, extras)
    written = write_outputs(english.build_dir, manifest_header(english.plan), files)
    return BuildResult(tuple(built), tuple(written), tuple(warnings),
                       english.build_dir.relative_to(english.root).as_posix(),
                       rendered=tuple(name for copy in copies for name in copy.made), extras=tuple(extras))


def _copy_files(prepared: Prepared, rendered: dict[str, RenderedPdf], wanted: frozenset[str] | set[str],
                cache: RenderCache | None, files: list[OutputFile], built: list[BuiltOutput], warnings: list[str],
                extras: list[BuiltExtra]) -> None:
    """One copy's outputs (PDFs, HTML, web site, e-books), added to `files`."""
    plan, build_dir = prepared.plan, prepared.build_dir
    brand = ({"brand": plan.brand.slug} if plan.brand else {}) | language_entry(plan)
    if plan.translation is not None and plan.translation.is_draft:
        warnings.append(f"translations/{plan.translation.language}: warning: the {plan.translation.language} copies "
                        f"are drafts ({plan.translation.draft_reason()}): every page says so, and a release "
                        "leaves them out")
    # Reading copies first, then the copies for printing only.
    for output in sorted(plan.outputs, key=lambda o: o.is_imposed):
        result = rendered[output.stem]
        entry = {"audience": output.audience, "variant": output.variant, "paper": output.paper, "format": "pdf",
                 "pages": result.pages, "tagged": not output.is_imposed,
                 "next_review": output.review_date(plan).isoformat()}
        seconds, from_cache = result.seconds, result.from_cache
        if output.is_quick_guide and not output.is_imposed and result.pages > QUICK_GUIDE_PAGES:
            warnings.append(f"{output.html_name}: warning: {output.pdf_name} takes {result.pages // 4} sheets, not one: "
                            f"its translation is longer than the English; shortening it to fit one sheet is "
                            "for the translator")
        if output.is_imposed and output.is_quick_guide:
            entry |= {"for_printing_only": True, "imposes": f"{output.booklet_stem}.pdf",
                      "sheets": rendered[output.booklet_stem].pages // 4}
        elif output.is_imposed:
            note = rendered[f"{output.stem}-note"]
            entry |= {"for_printing_only": True, "imposes": f"{output.booklet_stem}.pdf",
                      "sheets": 1 + rendered[output.booklet_stem].pages // 4}
            seconds, from_cache = seconds + note.seconds, from_cache and note.from_cache
        else:
            warnings += [_render_warning(output, w) for w in result.warnings]
            files.append(OutputFile(output.html_name, prepared.documents[output.stem].encode("utf-8")))
        files.append(OutputFile(output.pdf_name, result.data, entry | brand))
        built.append(BuiltOutput(output, output.pdf_name, result.pages, len(result.data), seconds, from_cache))
    upto = Made(plan, prepared.root, build_dir, prepared.documents, manifest_header(plan))
    site, made = (web_and_epub(upto, rendered, wanted, cache)
                  if prepared.chapter_id is None and wanted - {"pdf"} else ([], []))
    extras += made
    extra_files = [OutputFile(f.path, f.data, f.entry) for f in site]
    for folder in sorted({Path(f.path).parent for f in extra_files} - {Path(".")}):
        real_folder(build_dir / folder, prepared.root)  # never written through a link
    files += extra_files


@dataclass(frozen=True)
class ReleaseResult:
    edition: str
    folder: str
    recorded: bool  # False when the edition was already recorded with these inputs
    build: BuildResult | None = None  # None when the release folder was already complete
    left_out: tuple[str, ...] = ()  # lines saying which languages' copies are drafts, so not released


def release_exclusions(project: Project) -> tuple[str, ...]:
    """Files that do not decide an edition's pages: drafts, and the edition's own snapshot, which
    the release writes (the earlier editions' snapshots do: "Changes in this edition")."""
    return (*(c.path for c in project.drafts), *(review_file(c.id) for c in project.drafts),
            snapshot_file(project.config.edition))


def write_snapshot(project: Project) -> None:
    folder = real_folder(project.root / SNAPSHOT_DIR, project.root)
    target = folder / f"{project.config.edition}.json"
    text = snapshot_json(project_snapshot(project)).encode("utf-8")
    if not target.is_file() or target.read_bytes() != text:
        atomic_write(target, text)


def release(root: Path, progress: Progress | None = None) -> ReleaseResult:
    """Build, copy the outputs into build/release/<edition>/ and record the edition in
    editions.lock; refused when the edition was recorded from different inputs."""
    root = root.resolve()
    with build_lock(real_folder(root / BUILD_DIR, root)):
        project = load_project(root)
        config = project.config
        # The sign-offs booklet.yaml requires, unless this edition is a draft for review.
        context = SignOffContext(root, config, project.references)
        if unsigned := release_sign_off_errors(context, project.chapters, project.sign_offs):
            raise ValidationFailed(unsigned)
        inputs = current_inputs(root, release_exclusions(project))
        previous = read_editions(root).get(config.edition)
        if previous is not None and (refused := refusal(previous, inputs)):
            raise BookletError(refused, EDITIONS_FILE, previous.line)
        folder = real_folder(root / BUILD_DIR / "release", root) / config.edition
        if folder.is_symlink() or folder.exists() and not folder.is_dir():
            raise BookletError("is not a folder the release may replace: remove it",
                               folder.relative_to(root).as_posix())
        shown = folder.relative_to(root).as_posix()
        # Always built (from the cache, when nothing changed): a release folder is judged against
        # what this build makes, so one planted in the project cannot stand for the edition.
        result = build(root, progress=progress, draft_translations=False)
        left_out = tuple(f"{copy.language}: {copy.draft_reason()}" for copy in
                         (translated_copy(root, config, project.chapters, language) for language in config.translations)
                         if copy.is_draft)
        # The edition's snapshot is made again from its inputs every time: one edited or lost
        # after the release is put right.
        write_snapshot(project)
        if previous is not None and folder.is_dir() and release_is_complete(
                folder, (root / BUILD_DIR / CHECKSUMS).read_bytes(), (root / BUILD_DIR / MANIFEST).read_bytes()):
            return ReleaseResult(config.edition, shown, recorded=False, left_out=left_out)
        listed = (root / BUILD_DIR / CHECKSUMS).read_text(encoding="utf-8").splitlines()
        copy_release(root / BUILD_DIR, folder, [line.partition("  ")[2] for line in listed])
        if previous is None:
            record_edition(root, config.edition, config.published.isoformat(), inputs)
        return ReleaseResult(config.edition, shown, recorded=previous is None, build=result, left_out=left_out)
