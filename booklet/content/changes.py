"""What changed between two editions' snapshots, word by word: for `booklet diff` and for the
clinician edition's "Changes in this edition".

Added words are printed underlined and struck-through words removed, each run opened by a
label ("added:", "removed:") so that the change is told by words, in greyscale and to a screen
reader, never by colour alone.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .glossary import TERM

EDITION_NAMES = {"patient": "patient edition", "clinician": "edition for healthcare professionals"}


@dataclass(frozen=True)
class BlockChange:
    kind: str  # added, removed or changed
    html: Markup  # the block with its added and removed words marked
    added: int  # words
    removed: int


@dataclass(frozen=True)
class ChapterChange:
    title: str
    path: str
    edition: str
    status: str  # new, removed or changed
    blocks: tuple[BlockChange, ...]

    @property
    def added(self) -> int:
        return sum(b.added for b in self.blocks)

    @property
    def removed(self) -> int:
        return sum(b.removed for b in self.blocks)


_CITATION = re.compile(r"\[(@[^\]]+)\]")


def readable(block: str) -> str:
    """A block of Markdown as a reader sees its words: no emphasis marks, a glossary term as its
    word, a citation as its sources' keys ("[sources: nkf-2023, cleveland-2024]")."""
    block = _CITATION.sub(lambda m: "[sources: " + ", ".join(
        part.strip().lstrip("@").split(",")[0].strip() for part in m.group(1).split(";")) + "]", block)
    block = TERM.sub(lambda m: m.group(2) or m.group(1), block)
    return re.sub(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", block)


def _run(kind: str, words: list[str]) -> Markup:
    tag, label = ("ins", "added:") if kind == "added" else ("del", "removed:")
    return Markup('<span class="change-label">{1}</span> <{0}>{2}</{0}>').format(tag, label, " ".join(words))


def word_changes(old: str, new: str) -> BlockChange:
    before, after = old.split(), new.split()
    parts: list[Markup] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(after[j1:j2])))
            continue
        if op in ("delete", "replace"):
            parts.append(_run("removed", before[i1:i2]))
            removed += i2 - i1
        if op in ("insert", "replace"):
            parts.append(_run("added", after[j1:j2]))
            added += j2 - j1
    return BlockChange("changed", Markup(" ").join(parts), added, removed)


def _whole(kind: str, block: str) -> BlockChange:
    words = block.split()
    return BlockChange(kind, _run(kind, words), len(words) if kind == "added" else 0,
                       len(words) if kind == "removed" else 0)


def block_changes(old: list[str], new: list[str]) -> list[BlockChange]:
    old, new = [readable(b) for b in old], [readable(b) for b in new]
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        changes += [word_changes(old[i1 + k], new[j1 + k]) for k in range(pairs)]
        changes += [_whole("removed", block) for block in old[i1 + pairs:i2]]
        changes += [_whole("added", block) for block in new[j1 + pairs:j2]]
    return changes


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[ChapterChange]:
    """Every chapter whose text changed, for each edition, in the new edition's order (then the
    chapters it no longer has)."""
    before = {chapter["id"]: chapter for chapter in old["chapters"]}
    after = {chapter["id"]: chapter for chapter in new["chapters"]}
    changes = []
    for edition in EDITION_NAMES:
        for chapter in new["chapters"]:
            if edition not in chapter["editions"]:
                continue
            blocks = chapter["editions"][edition]
            previous = before.get(chapter["id"], {}).get("editions", {}).get(edition)
            if previous is None:
                changes.append(ChapterChange(chapter["title"], chapter["path"], edition, "new",
                                             tuple(_whole("added", readable(b)) for b in blocks)))
            elif found := block_changes(previous, blocks):
                changes.append(ChapterChange(chapter["title"], chapter["path"], edition, "changed", tuple(found)))
        for chapter in old["chapters"]:
            still = after.get(chapter["id"])
            if edition in chapter["editions"] and (still is None or edition not in still["editions"]):
                changes.append(ChapterChange(chapter["title"], chapter["path"], edition, "removed",
                                             tuple(_whole("removed", readable(b)) for b in chapter["editions"][edition])))
    return changes


def summary_lines(old: dict[str, Any], new: dict[str, Any], changes: list[ChapterChange],
                  new_label: str | None = None) -> list[str]:
    lines = [f"changes from edition {old['edition']} to {new_label or 'edition ' + new['edition']}:"]
    if not changes:
        lines.append("  no chapter's text changed")
    for change in changes:
        lines.append(f"  {change.path} ({EDITION_NAMES[change.edition]}): {change.status}, "
                     f"{change.added} word(s) added, {change.removed} removed")
    old_refs = {r["id"]: r for r in old["references"]}
    new_refs = {r["id"]: r for r in new["references"]}
    for key in sorted(new_refs.keys() - old_refs.keys()):
        lines.append(f"  references.yaml: new source '{key}'")
    for key in sorted(old_refs.keys() - new_refs.keys()):
        lines.append(f"  references.yaml: source '{key}' removed")
    for key in sorted(new_refs.keys() & old_refs.keys()):
        if new_refs[key]["dates"] != old_refs[key]["dates"]:
            lines.append(f"  references.yaml: source '{key}' has new dates")
    # Sign-offs recorded or taken out between the two (the audit trail's side of the change).
    def entries(snapshot: dict[str, Any]) -> set[tuple[str, str, str, str, str]]:
        return {(chapter, s["role"], s["name"], s["date"], s["edition"])
                for chapter, signed in snapshot.get("sign-offs", {}).items() for s in signed}
    for verb, found in (("new", entries(new) - entries(old)), ("removed", entries(old) - entries(new))):
        for chapter, role, name, date, edition in sorted(found):
            lines.append(f"  reviews/{chapter}.yaml: {verb} sign-off: {role} {name} ({edition} text, {date})")
    return lines


def changelog_draft(new: dict[str, Any], changes: list[ChapterChange]) -> str:
    """A CHANGELOG.md section for the author to rewrite in words a patient understands."""
    items = [f"- {c.title}: {'new chapter' if c.status == 'new' else 'removed' if c.status == 'removed' else 'changed'}"
             f" in the {EDITION_NAMES[c.edition]}." for c in changes] or ["- No chapter's text changed."]
    return f"## {new['edition']} ({new['published']})\n\n" + "\n".join(items) + "\n"
