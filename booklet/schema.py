"""Field specifications shared by every YAML file the booklet reads.

Each file kind (booklet.yaml, chapter front-matter) is a tuple of `Field`s; one
validator checks a mapping against it and reports every problem at once, with
the line of the offending key.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from .errors import Problem

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, integer, date, boolean, choice, choice-list, text-list, semver, slug, language
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()


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


def _text(field: Field, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {describe(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _integer(field: Field, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {describe(value)}")
    return value


def _boolean(field: Field, value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {describe(value)}")
    return value


def parse_date(value: Any) -> dt.date:
    if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
        raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"is not a real date: {value.strip()}") from None


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


def _pattern(pattern: re.Pattern, what: str) -> Callable[[Field, Any], Any]:
    def check(field: Field, value: Any) -> Any:
        text = _text(field, value)
        if not pattern.match(text):
            raise ValueError(f"must be {what}, not {text!r}")
        return text
    return check


CONVERTERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": _text,
    "integer": _integer,
    "boolean": _boolean,
    "date": _date,
    "choice": _choice,
    "text-list": _text_list,
    "choice-list": _choice_list,
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
) -> tuple[dict[str, Any], list[Problem]]:
    """Check `data` against `fields`; return the converted values and every problem."""
    if not isinstance(data, dict):
        return {}, [Problem(path, lines.get(()), f"{what} must be a mapping of 'key: value' lines, "
                                                  f"not {describe(data)}")]
    by_name = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        line = lines.get((key,))
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
            problems.append(Problem(path, lines.get(()), f"missing required key '{field.name}' in {what}"))
    return values, problems
