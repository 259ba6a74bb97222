"""The words the booklet prints itself, in the language of the copy being made.

English is the source language: the code's own words. Another language's words come from a
gettext catalogue, booklet/locale/<language>.po (read with Babel), and its dates are formatted
by Babel for that language. A copy's language is set for the time it is made (`speaking`), so
the words deep in the content code (a reference's "Last reviewed", a space to write a number
in) need no language passed down to them; with none set, English is spoken.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext as gettext_module
import io
from pathlib import Path
from typing import Iterator

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOGUE_TEMPLATE = LOCALE_DIR / "booklet.pot"
SOURCE_LANGUAGE = "en"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("booklet_language", default=SOURCE_LANGUAGE)


def primary(language: str) -> str:
    """'cy' for 'cy-GB': the catalogue a language tag's copies use."""
    return language.replace("_", "-").split("-")[0].lower()


def is_source_language(language: str) -> bool:
    return primary(language) == SOURCE_LANGUAGE


@functools.lru_cache(maxsize=8)
def translations(language: str) -> gettext_module.NullTranslations:
    """The catalogue for `language` (English needs none). A language with no catalogue is an error:
    a copy must never mix in English words unannounced."""
    if is_source_language(language):
        return gettext_module.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from .errors import BookletError

    path = LOCALE_DIR / f"{primary(language)}.po"
    if not path.is_file():
        raise BookletError(f"there is no catalogue of the booklet's own words for '{language}' "
                           f"(booklet/locale/{primary(language)}.po)")
    with open(path, "rb") as handle:
        catalogue = read_po(handle, locale=primary(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)  # a fuzzy entry is not yet a translation
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Make what follows print its own words in `language`."""
    translations(language)  # fails here, before anything is made, for a language with no catalogue
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def current_language() -> str:
    return _language.get()


@functools.lru_cache(maxsize=16)
def is_right_to_left(language: str) -> bool:
    """Whether the language is written right to left, as Babel's CLDR data says."""
    if is_source_language(language):
        return False
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(primary(language)).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def language_name(language: str, in_language: str) -> str:
    """The language's name, written in `in_language` ('Welsh' in English, 'Cymraeg' in Welsh)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(primary(language)).get_display_name(primary(in_language)) or language
    except (UnknownLocaleError, ValueError):
        return language


def html_language(language: str) -> str:
    """The lang (and, for a language written right to left, dir) attributes of a copy's root element."""
    from markupsafe import Markup, escape

    direction = ' dir="rtl"' if is_right_to_left(language) else ""
    return Markup(f'lang="{escape(language)}"{direction}')


def _(message: str) -> str:
    """`message` (English) in the language being spoken."""
    return translations(_language.get()).gettext(message)


def N_(message: str) -> str:
    """Marks a word for the catalogue where it is defined (a table of labels); `_` translates it
    where it is printed."""
    return message


def local_date(day: dt.date, pattern: str) -> str | None:
    """The date in the language being spoken, by a Babel (CLDR) pattern such as 'd MMMM y'; None
    in English, whose dates dates.py writes as it always has."""
    language = _language.get()
    if is_source_language(language):
        return None
    from babel import Locale
    from babel.dates import format_date

    return format_date(day, pattern, locale=Locale.parse(primary(language)))


def install(environment) -> None:
    """Give a Jinja environment `_()` and `{% trans %}` in the language being spoken when each
    template is rendered (the environment is made once; the language is the copy's)."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(
        lambda message: translations(_language.get()).gettext(message),
        lambda singular, plural, n: translations(_language.get()).ngettext(singular, plural, n),
        newstyle=True)
    environment.filters["css_text"] = css_text
    environment.filters["css_counters"] = css_counters
    environment.filters["css_target_page"] = css_target_page
    environment.globals["speaking_english"] = lambda: is_source_language(_language.get())
    environment.globals["right_to_left"] = lambda: is_right_to_left(_language.get())
    environment.filters["html_language"] = html_language


def css_text(text) -> str:
    """Words for a CSS string ("..."), as the page furniture prints them: backslashes and quotes
    escaped. Markup from `_()` is turned back into plain text first (CSS knows no entities)."""
    from markupsafe import Markup

    plain = text.unescape() if isinstance(text, Markup) else str(text)
    return Markup(plain.replace("\\", "\\\\").replace('"', '\\"'))


def css_counters(pattern) -> str:
    """A CSS `content` value from words with {page} and {pages} in them ("Page {page} of
    {pages}"): the words as strings, the places as the page counters."""
    import re

    from markupsafe import Markup

    plain = pattern.unescape() if isinstance(pattern, Markup) else str(pattern)
    parts = []
    for piece in re.split(r"(\{pages?\})", plain):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(f'"{css_text(piece)}"')
    return Markup(" ".join(parts))


def css_target_page(pattern) -> str:
    """A CSS `content` value for the page a link leads to, from words with {page} in them
    ("(page {page})"): the words as strings, the place as the link target's page counter."""
    from markupsafe import Markup

    plain = pattern.unescape() if hasattr(pattern, "unescape") else str(pattern)
    before, _found, after = plain.partition("{page}")
    parts = [f'"{css_text(before)}"' if before else "", "target-counter(attr(href), page)",
             f'"{css_text(after)}"' if after else ""]
    return Markup(" ".join(p for p in parts if p))
