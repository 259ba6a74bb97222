"""CHANGELOG.md: one section per edition, printed as the "Edition history" page.

Each section starts `## <version> (<YYYY-MM-DD>)` and holds Markdown (usually a
list of what changed). Newest first; the edition being built must have a
section whose date is its publication date, so no edition ships unexplained
(and a project without the file is refused for the same reason).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..dates import parse_date
from ..errors import BookletError, Problem
from ..files import read_text
from .fields import SEMVER

CHANGELOG_FILE = "CHANGELOG.md"
_HEADING = re.compile(r"^##\s+(?P<version>\S+)\s+\((?P<date>[^)]*)\)\s*$")


@dataclass(frozen=True)
class EditionEntry:
    version: str
    date: dt.date
    markdown: str
    line: int

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


def read_changelog(root: Path, edition: str | None, published: dt.date | None
                   ) -> tuple[tuple[EditionEntry, ...], list[Problem]]:
    """Entries newest first, and every problem with its line."""
    path = root / CHANGELOG_FILE
    if not path.exists() and not path.is_symlink():  # a link or a folder is read_text's to name
        return (), [Problem(CHANGELOG_FILE, None, "missing: every edition needs a section saying what changed")]
    try:
        lines = read_text(path, CHANGELOG_FILE, root).split("\n")
    except BookletError as err:
        return (), err.as_problems(CHANGELOG_FILE)
    problems: list[Problem] = []
    sections: list[tuple[int, str, str, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            match = _HEADING.match(line)
            if not match:
                problems.append(Problem(CHANGELOG_FILE, number,
                                        "edition heading must read '## <version> (<YYYY-MM-DD>)'"))
                continue
            sections.append((number, match["version"], match["date"], []))
        elif sections:
            sections[-1][3].append(line)
    entries: list[EditionEntry] = []
    for number, version, date_text, body in sections:
        if not SEMVER.match(version):
            problems.append(Problem(CHANGELOG_FILE, number, f"'{version}' is not a version like 1.0.0"))
            continue
        try:
            date = parse_date(date_text)
        except ValueError as err:
            problems.append(Problem(CHANGELOG_FILE, number, f"edition {version}: {err}"))
            continue
        text = "\n".join(body).strip()
        if not text:
            problems.append(Problem(CHANGELOG_FILE, number, f"edition {version} says nothing about what changed"))
        entries.append(EditionEntry(version, date, text, number))
    seen: dict[str, int] = {}
    for earlier, entry in zip(entries, entries[1:]):
        if entry.version_key >= earlier.version_key:
            problems.append(Problem(CHANGELOG_FILE, entry.line, f"edition {entry.version} is listed after "
                                    f"{earlier.version}: list editions newest first"))
    for entry in entries:
        if entry.version in seen:
            problems.append(Problem(CHANGELOG_FILE, entry.line,
                                    f"edition {entry.version} is listed twice (also on line {seen[entry.version]})"))
        seen.setdefault(entry.version, entry.line)
    if edition is not None:
        current = next((e for e in entries if e.version == edition), None)
        if current is None:
            problems.append(Problem(CHANGELOG_FILE, None, f"no section for edition {edition} (booklet.yaml): "
                                    f"add '## {edition} ({published.isoformat() if published else 'YYYY-MM-DD'})' "
                                    "saying what changed"))
        elif published is not None and current.date != published:
            problems.append(Problem(CHANGELOG_FILE, current.line, f"edition {edition} is dated "
                                    f"{current.date.isoformat()}, but booklet.yaml publishes it on "
                                    f"{published.isoformat()}"))
    return tuple(entries), problems
