"""Words that must not break across lines: phone numbers, dates, pronunciations and amounts.

"0800 169 / 0936" at a line end is a number misdialled, and "kal-si-fuh- / lack-sis" a word
misread. The text is prepared here, once, so authors type ordinary spaces and hyphens: each
such run is wrapped in <span class="nowrap">, which the stylesheet keeps on one line. (The
typeface has no non-breaking hyphen, so a span, not a character, holds a pronunciation.)
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
UNBREAKABLE = re.compile("|".join((
    r"(?<![\w+])(?:\+\d{1,3} )?0?\d{2,5}(?: \d{3,4}){1,3}(?!\w)",  # 0800 169 0936, 0161 206 1234, +44 161 206 7777
    rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b",  # 25 March 2024
    rf"\b(?:{_MONTHS}) \d{{4}}\b",  # July 2023
    r"\(say: [^()\n]{1,60}\)",  # (say: kal-si-fuh-lack-sis)
    r"\b\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)? (?:g|mg|mL|mm|pg/mL|per cent)(?!\w)",  # 12.5-25 g, 500 pg/mL
)))
NOWRAP = "nowrap"
_SKIPPED = {"code", "pre"}


def _pieces(text: str) -> list[str | ET.Element]:
    """The text split into plain strings and nowrap spans."""
    pieces: list[str | ET.Element] = []
    at = 0
    for match in UNBREAKABLE.finditer(text):
        if " " not in match.group(0) and "-" not in match.group(0):
            continue
        pieces.append(text[at:match.start()])
        span = ET.Element("span", {"class": NOWRAP})
        span.text = match.group(0)
        pieces.append(span)
        at = match.end()
    pieces.append(text[at:])
    return pieces


class _Unbreakable(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            if parent.tag in _SKIPPED or parent.get("class") == NOWRAP:
                continue
            # The parent's own text, then each child's tail, from the last so positions hold.
            for index in range(len(parent), -1, -1):
                text = parent.text if index == 0 else parent[index - 1].tail
                if not text or not UNBREAKABLE.search(text):
                    continue
                pieces = _pieces(text)
                if len(pieces) == 1:
                    continue
                head, rest = pieces[0], pieces[1:]
                if index == 0:
                    parent.text = head  # type: ignore[assignment]
                else:
                    parent[index - 1].tail = head  # type: ignore[assignment]
                position = index
                for piece in rest:
                    if isinstance(piece, str):
                        parent[position - 1].tail = (parent[position - 1].tail or "") + piece
                    else:
                        piece.tail = ""
                        parent.insert(position, piece)
                        position += 1


class UnbreakableExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After the inline patterns (20) have made the text, before the citation unwrapper (15).
        md.treeprocessors.register(_Unbreakable(md), "booklet-unbreakable", 16)
