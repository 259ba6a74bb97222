"""The project: every input file read and validated together, every problem reported at once.

This is the first stage of the pipeline (load and validate); the later stages take
a `Project` and never read an input file of their own, except the stylesheets and
images the renderer fetches.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ERROR, WARNING, BookletError, Problem, ValidationFailed, has_errors
from .changelog import CHANGELOG_FILE, EditionEntry, read_changelog
from .chapters import CHAPTER_DIR, Chapter, read_chapters
from .citations import check_citations
from .config import AUDIENCES, CONFIG_FILE, BookletConfig, load_config
from .drafts import draft_notice, leftover_prompts
from .references import REFERENCES_FILE, Reference, read_references
from .signoffs import REVIEW_DIR, SignOff, read_sign_offs
from .snapshots import SNAPSHOT_DIR

BUILD_DIR = "build"
STYLE_DIR = "styles"  # a project's own stylesheets, each replacing the default of the same name
IMAGE_DIR = "images"
BRAND_DIR = "brands"
# What a build reads from the project, relative to its folder: the files, then the folders.
INPUT_FILES = (CONFIG_FILE, REFERENCES_FILE, CHANGELOG_FILE)
# reviews/ too: the sign-offs are printed (who wrote and checked the booklet).
# editions/ too: an earlier edition's snapshot prints as "Changes in this edition".
INPUT_FOLDERS = (CHAPTER_DIR, STYLE_DIR, IMAGE_DIR, REVIEW_DIR, SNAPSHOT_DIR)


@dataclass(frozen=True)
class Project:
    root: Path
    config: BookletConfig
    chapters: tuple[Chapter, ...]  # drafts included; the plan leaves them out
    references: dict[str, Reference]
    warnings: tuple[Problem, ...]
    history: tuple[EditionEntry, ...] = ()
    # Each chapter's sign-offs, by chapter id (reviews/): judged by check and release, not printed.
    sign_offs: dict[str, tuple[SignOff, ...]] = field(default_factory=dict)

    @property
    def drafts(self) -> tuple[Chapter, ...]:
        return tuple(c for c in self.chapters if c.is_draft)


def load_project(root: Path) -> Project:
    """Validate everything, reporting every problem in every file at once."""
    project, problems = gather_project(root)
    if project is None or has_errors(problems):
        raise ValidationFailed(problems)
    return project


def gather_project(root: Path) -> tuple[Project | None, list[Problem]]:
    """Whatever loads (None without a valid booklet.yaml), with every problem found: the chapters
    and references that are sound on their own are kept, so `check` can look further into them."""
    config: BookletConfig | None = None
    problems: list[Problem] = []
    try:
        config = load_config(root)
    except BookletError as err:
        problems += err.as_problems(CONFIG_FILE)
        if not os.path.lexists(root / CONFIG_FILE):  # not a booklet's folder: that is all there is to say
            return None, problems
    chapters: tuple[Chapter, ...] = ()
    chapter_problems: list[Problem] = []
    try:
        chapters, chapter_problems = read_chapters(root)
    except BookletError as err:
        chapter_problems = err.as_problems(CHAPTER_DIR)
    reference_list = read_references(root)
    references, reference_problems = reference_list.entries, reference_list.problems
    history, history_problems = read_changelog(root, config.edition if config else None,
                                               config.published if config else None)
    problems += chapter_problems + reference_problems + history_problems
    # Checked against the sound references; when references.yaml could not be read at all, the
    # citations cannot be judged (an empty list is judged: then every citation is unknown).
    if chapters and (references or not has_errors(reference_problems)):
        problems += check_citations(chapters, references, every_chapter_read=not has_errors(chapter_problems),
                                    broken=reference_list.broken_ids)
    for chapter in chapters:
        problems += leftover_prompts(chapter) + draft_notice(chapter)
    problems += missing_edition_text(chapters, config.editions if config else AUDIENCES)
    sign_offs, sign_off_file_problems = read_sign_offs(root, chapters)
    problems += sign_off_file_problems
    if config is not None:
        problems += overdue_when_published(config, chapters)
    if config is None:
        return None, problems
    return Project(root, config, chapters, references,
                   tuple(p for p in problems if p.severity == WARNING), history, sign_offs), problems


def missing_edition_text(chapters: tuple[Chapter, ...], editions: tuple[str, ...]) -> list[Problem]:
    """A chapter for an edition that has no text for it (all of it inside the other audience's
    blocks) would be left out of that edition without a word: an error, or a warning for a draft."""
    problems = []
    for chapter in chapters:
        for audience in editions:
            if chapter.is_for(audience) and not chapter.markdown_for(audience).strip():
                other = next(a for a in AUDIENCES if a != audience)
                problems.append(Problem(chapter.path, chapter.line_of("audience"),
                                        f"'audience' is {chapter.audience}, but the chapter has no text for the "
                                        f"{audience} edition (all of it is in '::: {other}' blocks): give it some, "
                                        f"or make the audience {other}", WARNING if chapter.is_draft else ERROR))
    return problems


def overdue_when_published(config: BookletConfig, chapters: tuple[Chapter, ...]) -> list[Problem]:
    """A booklet published after a ready chapter's next review date would be printed already
    overdue for review. (booklet.yaml's own next_review is checked against it in config.py.)"""
    due = sorted((c for c in chapters if not c.is_draft and c.next_review < config.published),
                 key=lambda c: (c.next_review, c.order))
    if not due:
        return []
    first = due[0]
    line = first.line_of("next_review")
    where = f"{first.path}:{line}" if line else first.path
    more = f"; {len(due) - 1} other chapter(s) are due before then too" if len(due) > 1 else ""
    return [Problem(CONFIG_FILE, config.line_of("published"),
                    f"'published' ({config.published}) comes after the next review of chapter '{first.id}' "
                    f"({first.next_review}, {where}): the booklet would be printed already overdue for "
                    f"review{more}")]
