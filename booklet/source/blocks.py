"""A chapter cut into the blocks a translator translates, one at a time.

One block per heading, paragraph, list item, table cell, picture description, box title and
box paragraph, and the front matter's title and summary; each knows its place in the file
(so a translation can be put back in exactly that place) and which edition prints it (the
`::: patient`, `::: clinician` and `::: quick-guide` fences). The Markdown around the text
(list markers, tick boxes, the box line, table bars, fences) is never a translator's to change.
General tools (po4a, translate-toolkit) cut this booklet's boxes and front matter wrongly.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .audience import QUICK_GUIDE

FENCE = re.compile(r"^:::\s*([a-z-]*)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BOX = re.compile(r'^!!!\s+[a-z-]+(?:\s+"(.*)")?\s*$')
ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
PICTURE = re.compile(r"^!\[([^\]]*)\]\([^)]*\)\s*$")
BOX_INDENT = 4


@dataclass(frozen=True)
class Block:
    kind: str  # title, summary, heading, paragraph, item, cell, picture, box-title
    text: str  # as the chapter file has it (a paragraph's lines joined by newlines)
    start: int  # where the text lies in the chapter file (character offsets)
    end: int
    line: int  # its first line in the file
    edition: str  # both, patient, clinician or quick-guide: which copies print it

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text):
        starts.append(match.end())
    return starts


def front_matter_blocks(source: str) -> list[Block]:
    """The title and summary in the front matter, where they are written on one line."""
    found = []
    for match in re.finditer(r'^(title|summary):[ \t]*("?)(.*?)\2[ \t]*$', source, re.M):
        if source[:match.start()].count("\n---") or not source.startswith("---"):
            break  # past the front matter
        found.append(Block(match.group(1), match.group(3), match.start(3), match.end(3),
                           source.count("\n", 0, match.start()) + 1, "both"))
    return found


def body_blocks(source: str, body_start: int) -> list[Block]:
    """Every block of the body (which begins at `body_start` in the file), in order."""
    lines = source[body_start:].split("\n")
    offsets = [body_start + o for o in _line_starts(source[body_start:])]
    first_line = source.count("\n", 0, body_start) + 1
    blocks: list[Block] = []
    _walk(source, lines, offsets, first_line, 0, len(lines), 0, "both", blocks)
    return blocks


def _walk(source: str, lines: list[str], offsets: list[int], first_line: int, begin: int, stop: int,
          indent: int, edition: str, out: list[Block]) -> None:
    """Blocks in lines[begin:stop], whose text starts `indent` spaces in (a box's body)."""
    def block(kind: str, index: int, text_start: int, text_end: int) -> None:
        text = source[text_start:text_end]
        if text.strip():
            out.append(Block(kind, text, text_start, text_end, first_line + index, edition))

    index = begin
    fences: list[str] = []
    while index < stop:
        raw = lines[index]
        line = raw[indent:] if raw[:indent].strip() == "" else raw
        at = offsets[index] + (len(raw) - len(line))
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if fence := FENCE.match(line):
            if fence.group(1):
                fences.append(edition)
                edition = fence.group(1) if fence.group(1) in ("patient", "clinician", QUICK_GUIDE) else edition
            elif fences:
                edition = fences.pop()
            index += 1
            continue
        if heading := HEADING.match(line):
            block("heading", index, at + heading.start(2), at + heading.end(2))
            index += 1
            continue
        if box := BOX.match(line):
            if box.group(1) is not None:
                block("box-title", index, at + box.start(1), at + box.end(1))
            body_end = index + 1
            while body_end < stop and (not lines[body_end].strip() or
                                       len(lines[body_end]) - len(lines[body_end].lstrip(" ")) >= indent + BOX_INDENT):
                body_end += 1
            while body_end > index + 1 and not lines[body_end - 1].strip():
                body_end -= 1
            _walk(source, lines, offsets, first_line, index + 1, body_end, indent + BOX_INDENT, edition, out)
            index = body_end
            continue
        if stripped.startswith("|"):
            if not TABLE_RULE.match(stripped):
                for cell in re.finditer(r"(?<=\|)([^|]*)(?=\|)", line):
                    text = cell.group(1)
                    lead = len(text) - len(text.lstrip())
                    if text.strip():
                        block("cell", index, at + cell.start(1) + lead, at + cell.start(1) + lead + len(text.strip()))
            index += 1
            continue
        if picture := PICTURE.match(stripped):
            begin_at = at + line.index(stripped)
            block("picture", index, begin_at + picture.start(1), begin_at + picture.end(1))
            index += 1
            continue
        if item := ITEM.match(line):
            end = index + 1
            # An item goes on over lines indented past its marker (and not another item).
            while end < stop and lines[end].strip() and not ITEM.match(lines[end][indent:]) and \
                    lines[end][indent:].startswith(" "):
                end += 1
            block("item", index, at + item.end(), offsets[end - 1] + len(lines[end - 1]))
            index = end
            continue
        end = index + 1
        while end < stop and lines[end].strip() and not _starts_something(lines[end][indent:]):
            end += 1
        block("paragraph", index, at + (len(line) - len(line.lstrip())), offsets[end - 1] + len(lines[end - 1].rstrip()))
        index = end


def _starts_something(line: str) -> bool:
    return bool(FENCE.match(line) or HEADING.match(line) or BOX.match(line) or ITEM.match(line)
                or line.strip().startswith("|"))


def chapter_blocks(source: str) -> list[Block]:
    """The front matter's title and summary, then the body's blocks, in the file's order."""
    body = re.match(r"---\n.*?\n---[ \t]*\n", source, re.S)
    return front_matter_blocks(source) + body_blocks(source, body.end() if body else 0)


def edition_of(block: Block, audience: str) -> bool:
    """Whether a copy for `audience` (patient, clinician or quick-guide) prints the block."""
    if block.kind in ("title", "summary"):
        return audience != QUICK_GUIDE or block.kind == "title"
    return block.edition in ("both", audience)
