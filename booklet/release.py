"""Releases: build/release/<edition>/ and the committed record of editions, editions.lock.

editions.lock holds one line per released edition: its version, publication date
and a hash of every input file. Releasing an edition already recorded with the
same inputs changes nothing; releasing different inputs under a recorded edition
number is refused, so no two different booklets ever share an edition number.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .build import BUILD_DIR, BuildResult, build, load_project
from .errors import BookletError
from .lock import build_lock
from .schedule import Progress
from .writer import CHECKSUMS, MANIFEST, atomic_write

LOCK_FILE = "editions.lock"
# What the booklet is made from: content, styles, page templates and the pinned renderer.
# The Python modules are left out, so a refactor that prints the same pages needs no new edition.
INPUT_FILES = ("booklet.yaml", "references.yaml", "CHANGELOG.md", "requirements.lock")
INPUT_FOLDERS = ("chapters", "styles", "images", "booklet/templates")
_LOCK_LINE = re.compile(r"^(?P<edition>\S+) (?P<published>\d{4}-\d{2}-\d{2}) sha256:(?P<digest>[0-9a-f]{64})$")


@dataclass(frozen=True)
class LockedEdition:
    edition: str
    published: str
    digest: str
    line: int


def _input_paths(root: Path, left_out: frozenset[Path]) -> list[Path]:
    paths = [root / name for name in INPUT_FILES if (root / name).is_file()]
    for folder in INPUT_FOLDERS:
        paths += sorted(p for p in (root / folder).rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
                        and p not in left_out)
    return paths


def inputs_digest(root: Path, drafts: tuple[str, ...] = ()) -> str:
    """SHA-256 over every input file's path (relative, '/'-separated) and bytes.

    Draft chapters are left out: they print nowhere, so writing one needs no new edition.
    """
    digest = hashlib.sha256()
    for path in _input_paths(root, frozenset(root / draft for draft in drafts)):
        relative = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def read_lock(root: Path) -> list[LockedEdition]:
    path = root / LOCK_FILE
    if not path.is_file():
        return []
    editions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LOCK_LINE.match(line)
        if not match:
            raise BookletError("expected '<edition> <YYYY-MM-DD> sha256:<64 hex digits>'", LOCK_FILE, number)
        editions.append(LockedEdition(match["edition"], match["published"], match["digest"], number))
    return editions


@dataclass(frozen=True)
class ReleaseResult:
    edition: str
    folder: str
    recorded: bool  # False when the edition was already recorded with these inputs
    build: BuildResult | None = None  # None when the release folder was already complete


def release(root: Path, progress: Progress | None = None) -> ReleaseResult:
    root = root.resolve()
    with build_lock(root / BUILD_DIR):
        return _release(root, progress)


def _release(root: Path, progress: Progress | None) -> ReleaseResult:
    project = load_project(root)
    config = project.config
    digest = inputs_digest(root, tuple(c.path for c in project.chapters if c.is_draft))
    locked = {entry.edition: entry for entry in read_lock(root)}
    previous = locked.get(config.edition)
    if previous is not None and previous.digest != digest:
        raise BookletError(f"edition {config.edition} was released from different inputs (line "
                           f"{previous.line}): raise 'edition' in booklet.yaml and add a CHANGELOG.md "
                           "section saying what changed", LOCK_FILE, previous.line)
    folder = root / BUILD_DIR / "release" / config.edition
    if previous is not None and _release_is_complete(folder):
        return ReleaseResult(config.edition, folder.relative_to(root).as_posix(), recorded=False)
    result = build(root, progress=progress)
    _copy_release(root / BUILD_DIR, folder, [item.path for item in result.outputs])
    if previous is None:
        text = (root / LOCK_FILE).read_text(encoding="utf-8") if (root / LOCK_FILE).is_file() else (
            "# Released editions: version, publication date, SHA-256 of the inputs. Written by "
            "'make release'; commit it.\n")
        line = f"{config.edition} {config.published.isoformat()} sha256:{digest}\n"
        atomic_write(root / LOCK_FILE, (text + ("" if text.endswith("\n") else "\n") + line).encode())
    return ReleaseResult(config.edition, folder.relative_to(root).as_posix(), recorded=previous is None,
                         build=result)


def _copy_release(build_dir: Path, folder: Path, outputs: list[str]) -> None:
    """Outputs, manifest and checksums into the release folder, replacing it whole."""
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in [*outputs, MANIFEST, CHECKSUMS]:
        shutil.copyfile(build_dir / name, staging / name)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def _release_is_complete(folder: Path) -> bool:
    sums = folder / CHECKSUMS
    if not sums.is_file():
        return False
    for line in sums.read_text(encoding="utf-8").splitlines():
        expected, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            return False
    return True
