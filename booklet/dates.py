"""Dates as the booklet reads and prints them, in one place.

Input dates are parsed here (YYYY-MM-DD, or a source's date only as precise as it
states it), and printed here in the booklet's fixed English forms, the same in
every locale, as a printed booklet needs.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .interface import local_date

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTHS_SHORT = tuple(month[:3] for month in MONTHS)  # NLM's abbreviations: Jan, Feb, ...

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: Any) -> dt.date:
    """A YYYY-MM-DD date; ValueError with the author's text when it is not one."""
    if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
        raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"is not a real date: {value.strip()}") from None


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date only as precise as its source: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def last_day(self) -> dt.date:
        """The end of the period, so 'next review July 2026' is due until 31 July 2026."""
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def parse_partial_date(value: Any) -> PartialDate:
    """YYYY, YYYY-MM, YYYY-MM-DD, a bare year read as a number, or CSL's {date-parts: [[2023, 7]]}."""
    if isinstance(value, dict) and set(value) == {"date-parts"}:
        parts = value["date-parts"]
        if not (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], list)
                and 1 <= len(parts[0]) <= 3 and all(isinstance(p, int) and not isinstance(p, bool)
                                                     for p in parts[0])):
            raise ValueError("must have date-parts like [[2023, 7, 1]]")
        value = "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts[0]))
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    match = PARTIAL_DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"must be a date written YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"is not a real date: {value.strip()}") from None
    return PartialDate(year, month, day)  # type: ignore[arg-type]


def long_date(day: dt.date) -> str:
    """'21 November 2026' (or the same in the language of the copy being made)."""
    if (spoken := local_date(day, "d MMMM y")) is not None:
        return spoken
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def plain_date(date: PartialDate) -> str:
    """25 March 2024, July 2023, 2018: for readers, not for the citation."""
    if date.month is None:
        return str(date.year)
    pattern = "MMMM y" if date.day is None else "d MMMM y"
    if (spoken := local_date(dt.date(date.year, date.month, date.day or 1), pattern)) is not None:
        return spoken
    if date.day is None:
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def iso_partial(date: PartialDate) -> str:
    """As references.yaml writes it: 2023, 2023-07 or 2023-07-01."""
    return "-".join([f"{date.year:04d}", *(f"{part:02d}" for part in (date.month, date.day) if part is not None)])


def nlm_date(date: PartialDate) -> str:
    """2024 Mar 25, 2023 Jul, 2018: as NLM's Citing Medicine writes them."""
    parts = [str(date.year)]
    if date.month:
        parts.append(MONTHS_SHORT[date.month - 1])
        if date.day:
            parts.append(str(date.day))
    return " ".join(parts)


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has none (29 Feb -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
