"""The few exceptions the CLI turns into clean one-line messages.

Anything else that escapes is a bug in the program and keeps its traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file."""

    path: str
    line: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{where}: {prefix}{self.message}"


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
            return self.message
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
