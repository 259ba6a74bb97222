"""The blocks a translated copy still prints in English, marked so: a reader sees them set apart
(the "untranslated" class), and a screen reader speaks them as English (lang="en"; dir="ltr" in a
copy written right to left).

source/translated_copy.py puts such a block's English between two private-use characters; here,
after the chapter's HTML is made and cleaned, the element that holds nothing else (a paragraph,
list item, table cell, heading, box title) takes the marking, and any other place a span.
"""
from __future__ import annotations

import re

from ..source.translated_copy import ENGLISH_CLOSE, ENGLISH_OPEN

ENGLISH_ATTRIBUTES = 'lang="en" dir="ltr"'
_WHOLE = re.compile(rf"<(p|li|td|th|h[1-6])((?:\s[^>]*)?)>{ENGLISH_OPEN}([^{ENGLISH_OPEN}{ENGLISH_CLOSE}]*)"
                    rf"{ENGLISH_CLOSE}</\1>")
_CLASS = re.compile(r'\sclass="([^"]*)"')


def _element(match: re.Match) -> str:
    tag, attributes, inner = match.groups()
    if _CLASS.search(attributes):
        attributes = _CLASS.sub(lambda m: f' class="{m.group(1)} untranslated"', attributes, count=1)
    else:
        attributes += ' class="untranslated"'
    return f"<{tag}{attributes} {ENGLISH_ATTRIBUTES}>{inner}</{tag}>"


def mark_english(html: str) -> str:
    """The chapter's HTML with its English blocks marked (and no private-use character left)."""
    if ENGLISH_OPEN not in html:
        return html
    html = _WHOLE.sub(_element, html)
    return (html.replace(ENGLISH_OPEN, f'<span class="untranslated" {ENGLISH_ATTRIBUTES}>')
            .replace(ENGLISH_CLOSE, "</span>"))
