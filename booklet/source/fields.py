"""The fields of every YAML file the booklet reads, declared once on its dataclass.

Each file's dataclass (BookletConfig, Chapter, Reference, Brand) declares its YAML
keys with `spec(kind, description)` as the dataclass field's default; `fields_of`
reads them back as `Field`s, which one validator checks a mapping against,
reporting every problem at once with the line of the offending key (and from which
the JSON Schemas are generated). A key is required when its field has no default.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from ..dates import parse_date, parse_partial_date
from ..errors import Problem
from ..files import direction_control

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
URL = re.compile(r"^https?://[^\s]+$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^\d{1,9}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A phone number as printed: digits, spaces, brackets and hyphens, with an optional leading "+".
PHONE = re.compile(r"^\+?[0-9(][0-9 ()-]{0,28}[0-9]$")
# Whole numbers a field accepts unless it says otherwise. The one such field is a chapter's
# `order`: `booklet new` names files NN-title.md from it and lists the free orders below the
# last, and no booklet needs ten thousand positions (1, 2, 3 or 10, 20, 30 both fit).
INTEGER_BOUNDS = (1, 9999)
# Characters that print as nothing: spaces and line breaks, format characters (zero-width
# space and joiners, U+2060 word joiner, the soft hyphen, U+FEFF) and controls, by category;
# then letters and marks that print as nothing (Hangul and Khmer fillers, the combining grapheme
# joiner, Mongolian variation selectors, the blank braille pattern) and the variation selectors.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0")
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


@dataclass(frozen=True)
class Field:
    name: str  # the YAML key
    kind: str  # a key of CONVERTERS: text, integer, date, choice, url, partial-date, names, ...
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()
    attribute: str = ""  # the dataclass attribute, when it is not the key (container-title)
    bounds: tuple[int, int] = INTEGER_BOUNDS  # the smallest and largest value of an integer field


_SPEC = "booklet.field"


def spec(kind: str, description: str, *, key: str | None = None, choices: tuple[str, ...] = (),
         default: Any = dataclasses.MISSING, bounds: tuple[int, int] = INTEGER_BOUNDS) -> Any:
    """A dataclass field that is also a YAML key; without `default` the key is required."""
    return dataclasses.field(default=default, metadata={_SPEC: (kind, description, key, choices, bounds)})


def fields_of(cls: type) -> tuple[Field, ...]:
    """The YAML keys a dataclass declares with `spec`, in declaration order."""
    found = []
    for item in dataclasses.fields(cls):
        if _SPEC not in item.metadata:
            continue
        kind, description, key, choices, bounds = item.metadata[_SPEC]
        required = item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        found.append(Field(key or item.name, kind, description, required, choices, item.name, bounds))
    return tuple(found)


def from_values(cls: type, fields: tuple[Field, ...], values: dict[str, Any], **others: Any) -> Any:
    """An instance of `cls` from validated values (by YAML key) and its other attributes."""
    attribute = {f.name: f.attribute or f.name for f in fields}
    return cls(**{attribute[key]: value for key, value in values.items()}, **others)


def describe(value: Any) -> str:
    """How a YAML value reads to an author, for 'must be X, not Y' messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _is_invisible(char: str) -> bool:
    return (char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _INVISIBLE
            or any(low <= ord(char) <= high for low, high in _VARIATION_SELECTORS))


def unprintable(text: str) -> str | None:
    """What makes a piece of text unfit to print, completing 'it ...'; None when it is fit.

    A text of nothing but invisible characters would print as a blank title; a direction
    control written as a YAML escape ("\\u202E", which read_text cannot see) can reorder it."""
    if all(_is_invisible(char) for char in text):
        return "is empty once invisible characters are removed"
    if found := direction_control(text):
        return (f"holds an invisible direction control {found}, which can reorder the text as printed "
                "(a dose of 52 shown as 25); remove it")
    if control := next((c for c in text if c not in "\n\t" and (c < " " or "\x7f" <= c < "\xa0" or
                                                                c in "\ufffe\uffff")), None):
        return f"holds the control character U+{ord(control):04X}: remove it"
    return None


def _text(field: Field, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {describe(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    if problem := unprintable(value):
        raise ValueError(problem)
    return value.strip()


def _integer(field: Field, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {describe(value)}")
    low, high = field.bounds
    if not low <= value <= high:
        raise ValueError(f"must be a whole number from {low} to {high}, not {value}")
    return value


def _boolean(field: Field, value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {describe(value)}")
    return value


def _date(field: Field, value: Any) -> Any:
    return parse_date(value)


def _choice(field: Field, value: Any) -> Any:
    if not isinstance(value, str) or value not in field.choices:
        options = ", ".join(field.choices)
        raise ValueError(f"must be one of {options}, not {value!r}{did_you_mean(str(value), field.choices)}")
    return value


def _text_list(field: Field, value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"must be a list of text items, not {describe(value)}")
    for item in value:
        if problem := unprintable(item):
            raise ValueError(f"has an item that {problem}")
    return tuple(v.strip() for v in value)


def _choice_list(field: Field, value: Any) -> Any:
    items = _text_list(field, value)
    if not items:
        raise ValueError("must name at least one item")
    for item in items:
        if item not in field.choices:
            raise ValueError(f"has {item!r}, which is not one of {', '.join(field.choices)}"
                             f"{did_you_mean(item, field.choices)}")
    if len(set(items)) != len(items):
        raise ValueError("names an item twice")
    return items


def _language_list(field: Field, value: Any) -> Any:
    """Languages to translate into: tags such as cy or ur, each once, none of them English (the
    language the booklet is written in)."""
    items = _text_list(field, value)
    for item in items:
        if not LANG_TAG.match(item):
            raise ValueError(f"has {item!r}, which is not a language tag like cy or ur")
        if item.split("-")[0].lower() == "en":
            raise ValueError(f"has {item!r}: the booklet is written in English, so English needs no translation")
    if len(set(items)) != len(items):
        raise ValueError("names a language twice")
    return items


def _pattern(pattern: re.Pattern, what: str) -> Callable[[Field, Any], Any]:
    def check(field: Field, value: Any) -> Any:
        text = _short_text(field, value)
        if not pattern.match(text):
            raise ValueError(f"must be {what}, not {text!r}")
        return text
    return check


def _url(field: Field, value: Any) -> Any:
    """A web address, https:// only: a printed http:// address (or its QR code) invites anyone on
    the reader's network to change the page they see."""
    text = _short_text(field, value)
    if text[:7].lower() == "http://":
        raise ValueError(f"must be an https:// address, not {text!r}: use 'https://{text[7:]}'")
    if not URL.match(text):
        raise ValueError(f"must be a web address starting https://, not {text!r}")
    return text


def _partial_date(field: Field, value: Any) -> Any:
    return parse_partial_date(value)


def _short_text(field: Field, value: Any) -> Any:
    """Volume, issue, pages and similar: YAML may read them as numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(field, value)


@dataclass(frozen=True)
class Name:
    family: str | None = None
    given: str | None = None
    literal: str | None = None  # an organisation, printed as is


def _names(field: Field, value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise ValueError(f"must be a list of names like {{family: Sinha, given: Smeeta}}, not {describe(value)}")
    names = []
    for item in value:
        if not isinstance(item, dict) or not item or set(item) - {"family", "given", "literal"} \
                or not all(isinstance(v, str) and v.strip() for v in item.values()):
            raise ValueError(f"has a name that is not {{family: ..., given: ...}} or {{literal: ...}}: {item!r}")
        if "literal" in item and len(item) > 1 or "literal" not in item and "family" not in item:
            raise ValueError(f"has a name with neither a family name nor a literal: {item!r}")
        for part in item.values():
            if problem := unprintable(part):
                raise ValueError(f"has a name that {problem}")
        names.append(Name(**{k: v.strip() for k, v in item.items()}))
    return tuple(names)


def _phone(field: Field, value: Any) -> Any:
    # YAML reads an unquoted 0161 as the octal number 113 and 0800 123 as text: only quoted text
    # is sure to be the number that was typed.
    if not isinstance(value, str):
        raise ValueError(f"must be written in quotes, as in {field.name}: \"0161 206 1234\" (YAML reads an "
                         "unquoted number as a different one)")
    text = _short_text(field, value)
    if not PHONE.match(text):
        raise ValueError(f"must be a phone number (digits, spaces, brackets, hyphens, a leading +), not {text!r}")
    return text


CONVERTERS: dict[str, Callable[[Field, Any], Any]] = {
    "phone": _phone,
    "partial-date": _partial_date,
    "short-text": _short_text,
    "names": _names,
    "url": _url,
    "doi": _pattern(DOI, "a DOI like 10.1056/NEJMra1505292 (no https://doi.org/)"),
    "pmid": _pattern(PMID, "a PubMed ID (digits only)"),
    "sha256": _pattern(SHA256, "a SHA-256 digest: 64 lower-case hexadecimal digits"),
    "text": _text,
    "integer": _integer,
    "boolean": _boolean,
    "date": _date,
    "choice": _choice,
    "text-list": _text_list,
    "choice-list": _choice_list,
    "language-list": _language_list,
    "semver": _pattern(SEMVER, "a version like 1.0.0"),
    "slug": _pattern(SLUG, "lower-case letters, digits and single hyphens (like what-is-it)"),
    "language": _pattern(LANG_TAG, "a language tag like en-GB"),
}


def validate_mapping(
    data: Any,
    fields: tuple[Field, ...],
    path: str,
    lines: dict[tuple, int],
    what: str,
    prefix: tuple = (),
) -> tuple[dict[str, Any], list[Problem]]:
    """Check `data` against `fields`; return the converted values and every problem.

    `prefix` locates the mapping inside the file (for its key lines), e.g. ("references", 3).
    """
    if not isinstance(data, dict):
        return {}, [Problem(path, lines.get(prefix), f"{what} must be a mapping of 'key: value' lines, "
                                                  f"not {describe(data)}")]
    by_name = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        line = lines.get((*prefix, key))
        field = by_name.get(key) if isinstance(key, str) else None
        if field is None:
            problems.append(Problem(path, line, f"unknown key '{key}' in {what}"
                                                f"{did_you_mean(str(key), list(by_name))}"))
            continue
        if value is None and not field.required:
            continue
        try:
            values[key] = CONVERTERS[field.kind](field, value)
        except ValueError as err:
            problems.append(Problem(path, line, f"'{key}' {err}"))
    for field in fields:
        if field.required and field.name not in data:
            problems.append(Problem(path, lines.get(prefix), f"missing required key '{field.name}' in {what}"))
    return values, problems
