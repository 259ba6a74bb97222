"""Contact slots: `{{day-phone}}`, `{{out-of-hours-phone}}` and `{{emergency-number}}` in a chapter.

A chapter is made into HTML once per edition, whoever prints it, so a slot becomes an
empty placeholder element here; each document fills it (fill_slots) with the number
its brand file gives, the booklet's own emergency number, or a ruled line to write
the number on. A unit's numbers then sit inside the urgent box itself, in every copy.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from ..errors import BookletError
from ..interface import N_, _

# Slot name -> what a reader is asked to write on the ruled line when no number is known.
SLOTS = {
    "day-phone": N_("your kidney unit's daytime number"),
    "out-of-hours-phone": N_("the number for nights and weekends"),
    "emergency-number": N_("the emergency number"),
}
TOKEN = re.compile(r"\{\{[ \t]*([A-Za-z0-9_-]{1,40})[ \t]*\}\}")
SLOT_CLASSES = frozenset(f"slot-{name}" for name in SLOTS)


class UnknownSlot(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _SlotProcessor(InlineProcessor):
    def handleMatch(self, match: re.Match, data: str) -> tuple[ET.Element, int, int]:
        name = match.group(1)
        if name not in SLOTS:
            raise UnknownSlot(name)
        return ET.Element("span", {"class": f"slot-{name}"}), match.start(0), match.end(0)


class SlotExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before links and glossary terms: a slot holds no brackets, so nothing else claims it.
        md.inlinePatterns.register(_SlotProcessor(TOKEN.pattern, md), "booklet-slot", 180)


def unknown_slot_error(name: str, path: str, line: int | None) -> BookletError:
    return BookletError(f"unknown slot '{{{{{name}}}}}': use "
                        + ", ".join(f"{{{{{known}}}}}" for known in SLOTS), path, line)


def fill_slots(fragment: str, values: dict[str, str | None]) -> str:
    """The chapter HTML with every slot replaced by its value, or by a ruled line to write on."""
    def filled(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return f'<strong class="slot-value">{html.escape(value)}</strong>'
        label = _("space to write {what}").format(what=_(SLOTS[name]))
        return f'<span class="write-in" role="img" aria-label="{html.escape(label)}"></span>'
    return _PLACEHOLDER.sub(filled, fragment)


_PLACEHOLDER = re.compile(r'<span class="slot-(' + "|".join(map(re.escape, SLOTS)) + r')"></span>')
