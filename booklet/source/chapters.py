"""Reads chapters/*.md: YAML front-matter, then Markdown with audience blocks."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BookletError, Problem, ValidationFailed, has_errors
from ..files import read_text
from .audience import QUICK_GUIDE, Segment, split_audiences, text_for
from .fields import fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

CHAPTER_DIR = "chapters"
CHAPTER_AUDIENCES = ("patient", "clinician", "both")
DRAFT, READY = "draft", "ready"
# The longest line a chapter may have. Authors write a paragraph as one line, and the longest in
# the booklet is under 1,000 characters. Python-Markdown reads some lines in time that grows with
# the square of their length: a line of 2,000 unclosed "[" takes it about half a second to convert
# (one of 4,000 about two seconds), so the cap keeps one line's worst case well under a second.
MAX_LINE_CHARS = 2_000
# Two more of Python-Markdown's slow paths span more than a line. Each "[" makes it look for the
# bracket's end through the rest of its paragraph, so the work is the brackets times the length
# of their paragraph: at 4,000,000 (2,000 brackets in a 2,000-character paragraph) it takes about
# half a second; the real booklet's chapters need at most 134,000. And Python's HTML parser,
# which it uses for raw HTML, takes time growing with the square of the "<" in a chapter: 1,000
# take it 0.1 s, 10,000 six seconds; the real chapters have at most 2.
MAX_BRACKET_WORK = 4_000_000
# Lines in one block (between blank lines): Python-Markdown tests a block for a table or a box
# again from each of its lines, in time growing with the square of them (15,000 heading lines with
# no blank line between took `check` 30 s). The real booklet's longest block has 27.
MAX_BLOCK_LINES = 300
MAX_ANGLE_BRACKETS = 1_000



@dataclass(frozen=True, kw_only=True)
class Chapter:
    path: str  # relative to the project root, as printed in messages
    title: str = spec("text", "The chapter title, printed as its heading and in the contents.")
    id: str = spec("slug", "Stable identifier, unique across chapters, e.g. what-is-calciphylaxis.")
    order: int = spec("integer", "Position in the booklet; unique across chapters.")
    audience: str = spec("choice", "Which edition(s) print the chapter.", choices=CHAPTER_AUDIENCES)
    summary: str = spec("text", "The chapter's main message in one sentence.")
    reviewed: dt.date = spec("date", "When the chapter was last reviewed (YYYY-MM-DD).")
    next_review: dt.date = spec("date", "When the chapter is next due for review (YYYY-MM-DD).")
    sources: tuple[str, ...] = spec("text-list", "Reference keys (from references.yaml) of the sources the "
                                    "chapter draws on.", default=())
    factual: bool = spec("boolean", "Set to false for a page with no facts to cite (e.g. a notes page).",
                         default=True)
    status: str = spec("choice", "'draft' while the chapter is being written: builds leave it out until it "
                       "says 'ready' (the default).", choices=(DRAFT, READY), default=READY)
    segments: tuple[Segment, ...]
    # Line of each front-matter key, so later checks can point at it.
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key)

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    def is_for(self, audience: str) -> bool:
        return self.audience in ("both", audience)

    def markdown_for(self, audience: str) -> str:
        return text_for(self.segments, audience)

    def cited_text(self, audience: str) -> str:
        """Everything an edition prints of the chapter that may cite, in reading order: the summary
        (its main message), then the body. The quick guide prints no summary."""
        body = self.markdown_for(audience)
        return body if audience == QUICK_GUIDE else f"{self.summary}\n\n{body}"


CHAPTER_FIELDS = fields_of(Chapter)


def source_line(chapter: Chapter, needle: str | re.Pattern) -> int | None:
    """First line of the chapter file that contains `needle` (text, or a pattern to search for)."""
    for segment in chapter.segments:
        for offset, line in enumerate(segment.text.split("\n")):
            if (needle.search(line) if isinstance(needle, re.Pattern) else needle in line):
                return segment.first_line + offset
    return None


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Return (front-matter YAML, body, body's first line number)."""
    if not text.strip():
        raise BookletError("the file is empty: a chapter needs front-matter and text", path, 1)
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise BookletError("no front-matter: the file must start with a line '---', then the "
                           "chapter's fields, then another '---'", path, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    raise BookletError("front-matter is never closed: add a line '---' after the fields", path, 1)


def long_lines(body: str, first_line: int, path: str) -> list[Problem]:
    """A problem for each line of a chapter's text longer than MAX_LINE_CHARS. (The front-matter
    is YAML, which has limits of its own.)"""
    return [Problem(path, first_line + offset, f"line is {len(line):,} characters long; lines are "
                                               f"limited to {MAX_LINE_CHARS:,}: break it into paragraphs")
            for offset, line in enumerate(body.split("\n")) if len(line) > MAX_LINE_CHARS]


def markup_problems(body: str, first_line: int, path: str) -> list[Problem]:
    """Text past the budgets above, refused before Markdown reads it."""
    problems = []
    if body.count("<") > MAX_ANGLE_BRACKETS:
        at = -1
        for _ in range(MAX_ANGLE_BRACKETS + 1):
            at = body.index("<", at + 1)
        problems.append(Problem(path, first_line + body.count("\n", 0, at),
                                f"the chapter has {body.count('<'):,} '<' signs; a chapter may have at most "
                                f"{MAX_ANGLE_BRACKETS:,} (raw HTML tags and the like)"))
    work, heaviest, heaviest_line, line = 0, 0, first_line, first_line
    for block in re.split(r"(\n[ \t]*\n)", body):
        if block.count("\n") >= MAX_BLOCK_LINES and not problems:
            problems.append(Problem(path, line, f"{block.count(chr(10)) + 1:,} lines follow one another with no "
                                    f"blank line between; at most {MAX_BLOCK_LINES} may: add blank lines"))
        cost = block.count("[") * len(block)
        work += cost
        if cost > heaviest:
            heaviest, heaviest_line = cost, line
        line += block.count("\n")
    if work > MAX_BRACKET_WORK:
        problems.append(Problem(path, heaviest_line, "too many '[' for Markdown to read in good time (the paragraph "
                                "here is the heaviest): remove stray brackets, or split long paragraphs"))
    return problems


def parse_chapter(text: str, path: str) -> tuple[Chapter | None, list[Problem]]:
    """Parse one chapter's text; return it (if usable) and every problem found.

    Text with a line over MAX_LINE_CHARS is refused before anything reads it further."""
    try:
        yaml_text, body, body_line = split_front_matter(text, path)
        data, lines = load_yaml(yaml_text, path, first_line=2)
    except BookletError as err:
        return None, err.as_problems(path)
    if too_long := long_lines(body, body_line, path) or markup_problems(body, body_line, path):
        return None, too_long  # the rest is reported once the text is within its budgets
    values, problems = validate_mapping(data, CHAPTER_FIELDS, path, lines, "front-matter")
    segments, block_problems = split_audiences(body, body_line, path)
    problems += block_problems
    if "reviewed" in values and "next_review" in values and values["next_review"] <= values["reviewed"]:
        problems.append(Problem(path, lines.get(("next_review",)),
                                f"'next_review' ({values['next_review']}) must come after "
                                f"'reviewed' ({values['reviewed']})"))
    audience = values.get("audience")
    if audience in ("patient", "clinician"):
        for segment in segments:
            if segment.audience not in (None, audience):
                problems.append(Problem(path, segment.first_line - 1,
                                        f"'::: {QUICK_GUIDE if segment.quick else segment.audience}' block "
                                        f"in a chapter whose audience is "
                                        f"'{audience}': it would never be printed"))
    if not any(s.text.strip() for s in segments):
        problems.append(Problem(path, body_line, "the chapter has no text after its front-matter"))
    if has_errors(problems):
        return None, problems
    key_lines = tuple((k[0], n) for k, n in lines.items() if len(k) == 1)
    return from_values(Chapter, CHAPTER_FIELDS, values, path=path, segments=segments,
                       key_lines=key_lines), problems


def chapter_files(root: Path) -> list[Path]:
    return sorted((root / CHAPTER_DIR).glob("*.md"))


def load_chapters(root: Path) -> tuple[tuple[Chapter, ...], list[Problem]]:
    """Read every chapter; raise ValidationFailed listing every error in every file."""
    chapters, problems = read_chapters(root)
    if has_errors(problems):
        raise ValidationFailed(problems)
    return chapters, problems


def read_chapters(root: Path) -> tuple[tuple[Chapter, ...], list[Problem]]:
    """Every chapter that is valid on its own, sorted by order, and every problem found."""
    chapters: list[Chapter] = []
    problems: list[Problem] = []
    real_root = root.resolve()
    files = chapter_files(root)
    if not files:
        raise BookletError(f"no chapters: add Markdown files to {CHAPTER_DIR}/", CHAPTER_DIR)
    for file in files:
        shown = file.relative_to(root).as_posix()
        try:
            text = read_text(file, shown, real_root)
        except BookletError as err:
            problems += err.as_problems(shown)
            continue
        chapter, found = parse_chapter(text, shown)
        problems += found
        if chapter is not None:
            chapters.append(chapter)
    problems += _duplicates(chapters)
    return tuple(sorted(chapters, key=lambda c: c.order)), problems


def _duplicates(chapters: list[Chapter]) -> list[Problem]:
    problems = []
    for attribute in ("id", "order"):
        seen: dict[object, Chapter] = {}
        for chapter in chapters:
            value = getattr(chapter, attribute)
            if value in seen:
                problems.append(Problem(chapter.path, chapter.line_of(attribute), f"duplicate {attribute} {value!r}: "
                                                            f"{seen[value].path} uses it too"))
            else:
                seen[value] = chapter
    return problems
