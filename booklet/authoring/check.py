"""`booklet check`: every validation the build makes, without rendering, plus the
author's to-do list (review dates coming due, readability, glossary terms).

Drafts are checked like every other chapter; what a draft still lacks is a warning.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..content.chapter_html import Location, document_id_problems
from ..content.glossary import glossary_problems
from ..dates import plain_date
from ..errors import ERROR, WARNING, BookletError, Problem, has_errors, visible
from ..render.document import edition_chapter_html
from ..render.plan import Plan, make_plan
from ..source.chapters import Chapter
from ..source.citations import MarkedStatement, marked_statements
from ..source.config import CONFIG_FILE
from ..source.signoffs import (ROLE_WORDS, SignOffContext, missing_sign_off_problems, missing_sign_offs,
                               sign_off_warnings)
from ..source.project import BUILD_DIR, gather_project
from ..source.references import REFERENCES_FILE
from ..source.translations import translation_problems
from .translate import translated_glossary_problems, translation_font_problems, translation_sign_off_problems
from .readability import Readability, patient_readability, readability_problems
from .reviews import review_warnings

DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class DueSoon:
    """A review date that falls in the next DUE_SOON_DAYS days."""

    path: str
    line: int | None
    what: str
    due: dt.date
    shown: str  # the date as its file gives it (a source's may be just a month)


@dataclass(frozen=True)
class CheckReport:
    as_of: dt.date
    problems: tuple[Problem, ...]  # errors and warnings, by file and line
    readability: tuple[Readability, ...] = ()
    due_soon: tuple[DueSoon, ...] = ()
    chapters: int = 0
    drafts: int = 0
    references: int = 0
    marked: tuple[MarkedStatement, ...] = ()  # statements resting on unreviewed AI sources alone
    unsigned: tuple[str, ...] = ()  # a draft for review's chapters still waiting for a sign-off

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)


def _by_place(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.path, p.line or 0, p.severity)))


_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+\S")
_NOT_A_PARAGRAPH = re.compile(r"^(?:\s|#|:::|!!!|\||<|```|[-*+]\s|\d+[.)]\s)")


def list_problems(chapter: Chapter) -> list[Problem]:
    """A list straight after a paragraph line, with no blank line between: Markdown prints it as
    part of the paragraph ("- [ ] ..." and all), so the author should know."""
    problems = []
    for segment in chapter.segments:
        lines = segment.text.split("\n")
        fenced = False
        for offset, line in enumerate(lines):
            if line.startswith("```"):
                fenced = not fenced
            if fenced or offset == 0 or not _LIST_ITEM.match(line):
                continue
            previous = lines[offset - 1]
            if previous.strip() and not _NOT_A_PARAGRAPH.match(previous):
                problems.append(Problem(chapter.path, segment.first_line + offset,
                                        "a list needs a blank line before it: without one it prints as part "
                                        "of the paragraph above", WARNING))
    return problems


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
        rendered = []
        for chapter in output.chapters:
            try:
                rendered.append((chapter, edition_chapter_html(
                    chapter, output.audience, Location(root, root / chapter.path, build_dir / "html"), numbers)))
            except BookletError as err:
                problems += err.as_problems(chapter.path)
        problems += document_id_problems(rendered, [key for key, _ in output.citations])
    return list(dict.fromkeys(problems))


def check_project(root: Path, as_of: dt.date) -> CheckReport:
    root = root.resolve()
    project, problems = gather_project(root)
    if project is None or not project.chapters:  # nothing sound enough to look into further
        return CheckReport(as_of, _by_place(problems))
    try:
        plan = make_plan(project.config, project.chapters, project.references, project.history,
                         include_drafts=True)
    except BookletError as err:
        return CheckReport(as_of, _by_place([*problems, *err.as_problems(CONFIG_FILE)]))
    # The chapters that loaded are turned into HTML even when other files have errors, so one
    # unknown citation does not hide a missing alt text elsewhere.
    problems += chapter_problems(plan, root, root / BUILD_DIR)
    problems += [problem for chapter in project.chapters for problem in list_problems(chapter)]
    if has_errors(problems):  # the text is not sound enough to measure
        return CheckReport(as_of, _by_place(problems))
    readability = patient_readability(project.chapters)
    # Void sign-offs are warnings; so are missing ones, but for a draft for review, where they are
    # expected and listed apart (`unsigned`).
    context = SignOffContext(root, project.config, project.references)
    problems += sign_off_warnings(context, project.chapters, project.sign_offs)
    unsigned = missing_sign_offs(context, project.chapters, project.sign_offs)
    if not project.config.draft_for_review:
        problems += missing_sign_off_problems(context, project.chapters, project.sign_offs, WARNING)
    elif not unsigned and any(not c.is_draft for c in project.chapters):
        problems.append(Problem(CONFIG_FILE, project.config.line_of("draft_for_review"),
                                "every sign-off a release needs is in: remove 'draft_for_review' for an edition "
                                "that is not a draft", WARNING))
    problems += [*review_warnings(project.chapters, project.references, as_of),
                *readability_problems(readability), *glossary_problems(project.chapters),
                *translation_problems(root, project.chapters)]
    if not has_errors(problems):
        problems += [*translated_glossary_problems(root, project.chapters), *translation_font_problems(root),
                     *translation_sign_off_problems(root, project.chapters)]
    horizon = as_of + dt.timedelta(days=DUE_SOON_DAYS)
    due = [DueSoon(c.path, c.line_of("next_review"), f"chapter '{c.id}'", c.next_review, c.next_review.isoformat())
           for c in project.chapters if as_of <= c.next_review <= horizon]
    due += [DueSoon(REFERENCES_FILE, r.line, f"source '{r.id}'", r.next_review.last_day(),
                    plain_date(r.next_review))
            for r in project.references.values() if r.next_review and as_of <= r.next_review.last_day() <= horizon]
    config_review = project.config.next_review
    if config_review and as_of <= config_review <= horizon:
        due.append(DueSoon(CONFIG_FILE, None, "the booklet", config_review, config_review.isoformat()))
    unreviewed = frozenset(key for key, ref in project.references.items() if ref.is_unreviewed_ai)
    marked = tuple(statement for c in project.chapters for statement in marked_statements(c, unreviewed))
    return CheckReport(as_of, _by_place(problems), tuple(readability), tuple(sorted(due, key=lambda d: d.due)),
                       len(project.chapters), sum(c.is_draft for c in project.chapters), len(project.references),
                       marked, tuple(f"{chapter.path}: {edition} text: "
                                     f"{', '.join(ROLE_WORDS[role] for role in roles)}"
                                     for chapter, edition, roles in unsigned) if project.config.draft_for_review else ())


def unsigned_lines(report: CheckReport) -> list[str]:
    """A draft for review's sign-offs still to come, before a release that is not a draft."""
    if not report.unsigned:
        return []
    return [f"draft for review: {len(report.unsigned)} chapter text(s) still need a sign-off before an edition "
            "that is not a draft ('booklet review sign'):", *(f"- {line}" for line in report.unsigned)]


def marked_lines(report: CheckReport) -> list[str]:
    """Every statement printed with the AI mark, chapter by chapter, with its count."""
    if not report.marked:
        return ["statements resting only on unreviewed AI sources: none"]
    by_chapter: dict[str, list[MarkedStatement]] = {}
    for statement in report.marked:
        by_chapter.setdefault(statement.path, []).append(statement)
    lines = [f"statements resting only on unreviewed AI sources (printed with the AI mark): "
             f"{len(report.marked)} in {len(by_chapter)} chapter(s)"]
    for path, statements in by_chapter.items():
        lines.append(visible(f"  {path}: {len(statements)}"))
        for statement in statements:
            text = statement.text if len(statement.text) <= 70 else statement.text[:67] + "..."
            lines.append(visible(f"    line {statement.line}: {text}"))
    return lines


def grouped(problems: tuple[Problem, ...]) -> list[str]:
    """One line per problem (`path:line: message`, which editors can open), a blank line between files."""
    lines: list[str] = []
    previous = None
    for problem in problems:
        if previous is not None and problem.path != previous:
            lines.append("")
        lines.append(str(problem))
        previous = problem.path
    return lines


def due_soon_lines(report: CheckReport) -> list[str]:
    horizon = report.as_of + dt.timedelta(days=DUE_SOON_DAYS)
    if not report.due_soon:
        return [f"review dates: none due in the next {DUE_SOON_DAYS} days (by {horizon.isoformat()})"]
    lines = [f"review dates due in the next {DUE_SOON_DAYS} days (by {horizon.isoformat()}):"]
    for item in report.due_soon:
        where = f"{item.path}:{item.line}" if item.line else item.path
        lines.append(visible(f"  {item.shown:<12} {item.what:<40} {where}"))
    return lines
