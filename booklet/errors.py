"""The few exceptions the CLI turns into clean one-line messages.

Anything else that escapes is a bug in the program and keeps its traceback.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

ERROR, WARNING = "error", "warning"


def visible(text: str) -> str:
    """Text for a one-line message: control, format and separator characters (a newline in a
    file name, an escape sequence, a direction override) shown as escapes, so a message can
    neither break into lines that look like others ("ok: ...") nor reorder itself."""
    out = []
    for char in text:
        if char == " " or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            out.append(char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        else:
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file."""

    path: str
    line: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{visible(self.path)}:{self.line}" if self.line else visible(self.path)
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{where}: {prefix}{visible(self.message)}"


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


class BookletError(Exception):
    """A problem with the input or the build, reported as `path[:line]: message`."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return visible(self.message)
        return str(Problem(self.path, self.line, self.message))

    def as_problems(self, path: str) -> list[Problem]:
        """The error as problems, for reports that gather them; `path` where it names no file."""
        return [Problem(self.path or path, self.line, self.message)]


class ValidationFailed(BookletError):
    """Every problem found in one validation pass, so authors fix them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0))
        super().__init__(f"{len(self.problems)} problem(s) found")

    def as_problems(self, path: str) -> list[Problem]:
        return list(self.problems)

    def lines(self) -> list[str]:
        """The errors, one line each (warnings are left out: they would bury the errors)."""
        return [str(p) for p in self.problems if p.severity == ERROR]


class UsageError(BookletError):
    """The command line itself is wrong (exit status 2)."""
