"""Edition snapshots: editions/<version>.json, written by `booklet release` and committed.

A snapshot holds what a reader of an edition met, in a form two editions can be compared in:
each chapter's text for each edition as blocks (paragraphs, list items, table rows), the
references with their dates, and the sign-offs. `booklet diff` and the clinician edition's
"Changes in this edition" compare two of them. The same inputs give the same bytes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import BookletError
from ..files import read_text
from .chapters import Chapter
from .config import BookletConfig
from ..dates import iso_partial
from .fields import SEMVER
from .references import Reference
from .signoffs import SignOff, approved_text, chapter_editions

SNAPSHOT_DIR = "editions"
SNAPSHOT_FORMAT = 1
WORKING = "working"  # `booklet diff 1.3.2 working`: the tree as it is now


def snapshot_file(version: str) -> str:
    return f"{SNAPSHOT_DIR}/{version}.json"


def text_blocks(text: str) -> list[str]:
    """A chapter's text as blocks a reader tells apart: paragraphs, and each list item or table
    row on a line of its own, with spaces made uniform."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        current: list[str] = []
        for line in lines:
            if re.match(r"^([-*+]|\d+[.)]|\|)\s", line) and current:
                blocks.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            blocks.append(" ".join(" ".join(current).split()))
    return blocks


def make_snapshot(config: BookletConfig, chapters: tuple[Chapter, ...], references: dict[str, Reference],
                  sign_offs: dict[str, tuple[SignOff, ...]]) -> dict[str, Any]:
    printed = sorted((c for c in chapters if not c.is_draft), key=lambda c: c.order)
    return {
        "format": SNAPSHOT_FORMAT,
        "edition": config.edition,
        "published": config.published.isoformat(),
        "chapters": [{"id": c.id, "title": c.title, "path": c.path,
                      "editions": {e: text_blocks(approved_text(c, e)) for e in chapter_editions(c, config)}}
                     for c in printed],
        "references": [{"id": r.id, "title": r.title,
                        "dates": {kind: iso_partial(getattr(r, attribute)) for kind, attribute in
                                  (("issued", "issued"), ("last-reviewed", "last_reviewed"),
                                   ("last-updated", "last_updated"), ("next-review", "next_review"),
                                   ("accessed", "accessed")) if getattr(r, attribute) is not None}}
                       for r in sorted(references.values(), key=lambda r: r.id)],
        "sign-offs": {chapter_id: [{"role": s.role, "name": s.name, "date": s.date.isoformat(), "edition": s.edition,
                                    "text-sha256": s.text_sha256} for s in entries]
                      for chapter_id, entries in sorted(sign_offs.items()) if entries},
    }


def snapshot_problem(data: Any) -> str | None:
    """What is wrong with a snapshot's shape, or None: a damaged file is one line, not a crash."""
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list) \
            or not isinstance(data.get("references"), list) or not isinstance(data.get("published"), str):
        return "needs 'chapters' and 'references' lists and a 'published' date"
    for chapter in data["chapters"]:
        if not (isinstance(chapter, dict) and all(isinstance(chapter.get(k), str) for k in ("id", "title", "path"))
                and isinstance(chapter.get("editions"), dict)
                and all(isinstance(blocks, list) and all(isinstance(b, str) for b in blocks)
                        for blocks in chapter["editions"].values())):
            return "has a chapter without a text id, title and path, or whose editions are not lists of text"
    for ref in data["references"]:
        if not (isinstance(ref, dict) and isinstance(ref.get("id"), str) and isinstance(ref.get("dates"), dict)):
            return "has a source without a text id and its dates"
    return None


def snapshot_json(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def snapshot_versions(root: Path) -> list[str]:
    """The editions with a snapshot, oldest first."""
    folder = root / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    return sorted((p.stem for p in folder.glob("*.json") if SEMVER.match(p.stem)), key=version_key)


def previous_version(root: Path, edition: str) -> str | None:
    """The newest edition before this one that has a snapshot."""
    older = [v for v in snapshot_versions(root) if version_key(v) < version_key(edition)]
    return older[-1] if older else None


def read_snapshot(root: Path, version: str) -> dict[str, Any]:
    shown = snapshot_file(version)
    if not SEMVER.match(version):
        raise BookletError(f"'{version}' is not an edition number like 1.2.0 (or '{WORKING}' for the tree as it "
                           "is now)", SNAPSHOT_DIR)
    path = root / shown
    if not path.is_file():
        known = ", ".join(snapshot_versions(root)) or "none yet"
        raise BookletError(f"no snapshot of edition {version} (editions with one: {known}); 'booklet release' "
                           "writes one", shown)
    try:
        data = json.loads(read_text(path, shown, root))
    except json.JSONDecodeError as err:
        raise BookletError(f"is not valid JSON: {err.msg}", shown, err.lineno) from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or data.get("edition") != version:
        raise BookletError(f"is not a snapshot of edition {version} in format {SNAPSHOT_FORMAT}", shown)
    if problem := snapshot_problem(data):
        raise BookletError(f"is damaged: it {problem}; restore it from git", shown)
    return data

