"""Editions: the committed record of released editions (editions.lock) and their folders.

editions.lock holds one line per released edition: its version, publication date,
a digest of the files that decide its pages and a digest of the versions of the
libraries that make them. Releasing an edition already recorded with the same
inputs changes nothing; releasing different inputs under a recorded edition number
is refused, so no two different booklets ever share an edition number. The two
digests are kept apart so that the refusal can say which changed: the text, or
the libraries installed.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import BookletError
from ..files import atomic_write, is_plain_file, read_text
from ..render.resources import PAGE_LIBRARIES, library_versions, package_inputs
from ..source.project import INPUT_FILES, INPUT_FOLDERS
from .writer import CHECKSUMS, MANIFEST, is_output_path

EDITIONS_FILE = "editions.lock"
# Lines from before the libraries had a digest of their own end after the first one.
_LOCK_LINE = re.compile(r"^(?P<edition>\S+) (?P<published>\d{4}-\d{2}-\d{2}) sha256:(?P<digest>[0-9a-f]{64})"
                        r"(?: libraries:(?P<libraries>[0-9a-f]{64}))?$")
_HEADER = ("# Released editions: version, publication date, SHA-256 of the input files, SHA-256 of the "
           "versions of the libraries that make the pages. Written by 'make release'; commit it.\n")


@dataclass(frozen=True)
class LockedEdition:
    edition: str
    published: str
    digest: str  # the input files
    libraries: str | None  # the library versions (None on lines from before they had their own)
    line: int


@dataclass(frozen=True)
class Inputs:
    """What decides an edition's pages, as two digests."""

    files: str
    libraries: str


def input_files(root: Path, drafts: tuple[str, ...] = ()) -> list[tuple[str, Path]]:
    """What decides the pages, by a name that does not depend on where anything is: the project's
    files and folders (draft chapters left out: they print nowhere), then the package's templates
    and the default stylesheets the project does not replace."""
    left_out = {root / draft for draft in drafts}
    real_root = root.resolve()

    def inside(path: Path) -> bool:  # a regular file here, never a link leading out of the project
        return path.is_file() and path.resolve().is_relative_to(real_root)

    files = [(name, root / name) for name in INPUT_FILES if inside(root / name)]
    for folder in INPUT_FOLDERS:
        files += [(p.relative_to(root).as_posix(), p) for p in sorted((root / folder).rglob("*"))
                  if inside(p) and not p.name.startswith(".") and p not in left_out]
    return files + package_inputs(root)


def inputs_digest(root: Path, drafts: tuple[str, ...] = ()) -> str:
    """SHA-256 over every input file's name and bytes. Our own Python code is left out, so a
    refactor that prints the same pages needs no new edition."""
    digest = hashlib.sha256()
    for name, path in input_files(root, drafts):
        data = path.read_bytes()
        digest.update(len(name.encode()).to_bytes(4, "big") + name.encode() + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def current_inputs(root: Path, drafts: tuple[str, ...] = ()) -> Inputs:
    return Inputs(inputs_digest(root, drafts), hashlib.sha256(library_versions(PAGE_LIBRARIES).encode()).hexdigest())


def refusal(recorded: LockedEdition, now: Inputs) -> str | None:
    """Why the edition cannot be released again from these inputs, or None when it can."""
    if recorded.digest != now.files or recorded.libraries is None:
        return (f"edition {recorded.edition} was released from different inputs (line {recorded.line}): raise "
                "'edition' in booklet.yaml and add a CHANGELOG.md section saying what changed")
    if recorded.libraries != now.libraries:
        return (f"edition {recorded.edition} was released with other versions of the libraries that make its "
                f"pages (line {recorded.line}): install the exact versions in requirements.lock "
                "(pip install -r requirements.lock), or raise 'edition' for a new edition made with these")
    return None


def read_editions(root: Path) -> dict[str, LockedEdition]:
    path = root / EDITIONS_FILE
    if not os.path.lexists(path):
        return {}
    editions = {}
    for number, line in enumerate(read_text(path, EDITIONS_FILE, root).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LOCK_LINE.match(line)
        if not match:
            raise BookletError("expected '<edition> <YYYY-MM-DD> sha256:<64 hex digits> libraries:<64 hex digits>'",
                               EDITIONS_FILE, number)
        editions[match["edition"]] = LockedEdition(match["edition"], match["published"], match["digest"],
                                                   match["libraries"], number)
    return editions


def record_edition(root: Path, edition: str, published: str, inputs: Inputs) -> None:
    """Add the edition's line to editions.lock (written whole, so it is never left half-written)."""
    path = root / EDITIONS_FILE
    text = read_text(path, EDITIONS_FILE, root) if os.path.lexists(path) else _HEADER
    line = f"{edition} {published} sha256:{inputs.files} libraries:{inputs.libraries}\n"
    atomic_write(path, (text + ("" if text.endswith("\n") else "\n") + line).encode())


def copy_release(build_dir: Path, folder: Path, outputs: list[str]) -> None:
    """Outputs, manifest and checksums into the release folder, replacing it whole."""
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in [*outputs, MANIFEST, CHECKSUMS]:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)  # the web site's folders
        shutil.copyfile(build_dir / name, staging / name)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def release_is_complete(folder: Path, checksums: bytes, manifest: bytes) -> bool:
    """True when the folder holds exactly the build's SHA256SUMS (`checksums`), its manifest and
    every file it lists, unchanged, and nothing else: a release folder planted in the project (git add -f) is judged against
    what this build made, never trusted for itself. Only plain files, directly in the folder or
    (the web site's) in real folders below web/."""
    sums = folder / CHECKSUMS
    if not is_plain_file(sums) or sums.read_bytes() != checksums:
        return False
    listed = {line.partition("  ")[2] for line in checksums.decode("utf-8").splitlines()}
    present = set()
    for place, folders, files in os.walk(folder):  # links to folders are listed, never followed
        base = Path(place).relative_to(folder)
        if any((Path(place) / sub).is_symlink() for sub in folders):
            return False
        present |= {(base / name).as_posix() for name in files}
    if present != listed | {CHECKSUMS, MANIFEST}:
        return False  # a file planted beside them, or one missing
    if not is_plain_file(folder / MANIFEST) or (folder / MANIFEST).read_bytes() != manifest:
        return False
    for line in checksums.decode("utf-8").splitlines():
        expected, _, name = line.partition("  ")
        path = folder / name
        if "/" in name and not is_output_path(name) or name.startswith(".") or not is_plain_file(path) \
                or hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            return False
    return True
