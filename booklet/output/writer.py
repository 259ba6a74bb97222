"""Writes the outputs: every file atomically, the manifest last.

All files are first written to temporary names beside their targets, so a build
that fails or is stopped before then leaves the previous outputs as they were.
Then a journal listing the renames is written, the renames are made and the
journal is removed. A build killed during those few renames leaves the journal,
and the next build (holding the build lock) finishes them first, so the outputs,
SHA256SUMS and the manifest always end up matching one another.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BookletError
from ..files import atomic_write, is_plain_file, read_text, write_temporary
from ..render.cache import CACHE_DIR

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
JOURNAL = ".commit.json"


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the build folder
    data: bytes
    entry: dict | None = None  # manifest entry (without bytes and sha256), None for side files


def manifest_entry(file: OutputFile) -> dict:
    assert file.entry is not None
    return {"path": file.path, **file.entry, "bytes": len(file.data),
            "sha256": hashlib.sha256(file.data).hexdigest()}


def manifest_bytes(header: dict, files: list[OutputFile]) -> bytes:
    manifest = {**header, "outputs": [manifest_entry(f) for f in files if f.entry is not None]}
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def checksums_bytes(files: list[OutputFile]) -> bytes:
    """`sha256sum -c` input for every output in the manifest, in manifest order."""
    lines = [f"{hashlib.sha256(f.data).hexdigest()}  {f.path}\n" for f in files if f.entry is not None]
    return "".join(lines).encode("utf-8")


def read_manifest(build_dir: Path) -> dict | None:
    try:
        return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_outputs(build_dir: Path, header: dict, files: list[OutputFile]) -> list[str]:
    """Write every file, then the manifest; remove outputs of the previous manifest
    that this build no longer makes. Returns the paths written, relative to build_dir."""
    previous = read_manifest(build_dir) or {}
    everything = [*((f.path, f.data) for f in files), (CHECKSUMS, checksums_bytes(files)),
                  (MANIFEST, manifest_bytes(header, files))]
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in everything:
            target = build_dir / path
            if _holds(target, data):
                continue  # already these bytes: a rebuild with nothing changed writes (and syncs) nothing
            staged.append((write_temporary(target, data), target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    current = {f.path for f in files}
    stale = [path for path in _previous_outputs(previous) if path not in current]
    journal = {"renames": [[t.relative_to(build_dir).as_posix(), p.relative_to(build_dir).as_posix()]
                           for t, p in staged], "remove": stale}
    atomic_write(build_dir / JOURNAL, json.dumps(journal).encode())
    _finish(build_dir, journal, {path for path, _ in everything})
    return [path for path, _ in everything]


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a plain file (not a link) with exactly these bytes."""
    try:
        return is_plain_file(target) and target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _previous_outputs(previous: dict) -> list[str]:
    paths = []
    for old in previous.get("outputs", []):
        stale = old.get("path") if isinstance(old, dict) else None
        # Only names an output can have: a tampered manifest cannot reach further.
        if _is_output_name(stale):
            assert isinstance(stale, str)
            paths += [stale, f"html/{Path(stale).stem}.html"]
        elif is_output_path(stale):
            assert isinstance(stale, str)
            paths.append(stale)
    return paths


_OUTPUT_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*\.pdf")
# The e-books, and the web site's files: plain names in folders below web/, never "..".
_OTHER_OUTPUT = re.compile(r"[a-z0-9][a-z0-9.-]*\.epub|web/(?:[a-z0-9][a-z0-9-]*/)*[A-Za-z0-9][A-Za-z0-9_-]*"
                           r"(?:\.[A-Za-z0-9]+)+")


def _is_output_name(path: object) -> bool:
    return isinstance(path, str) and _OUTPUT_NAME.fullmatch(path) is not None


def is_output_path(path: object) -> bool:
    """A file of the web site or an e-book, by where it lies and its name."""
    return isinstance(path, str) and _OTHER_OUTPUT.fullmatch(path) is not None


def _through_real_folders(build_dir: Path, path: str) -> bool:
    """Whether every folder between build_dir and `path` is a real folder, not a link."""
    current = build_dir
    for part in Path(path).parts[:-1]:
        current = current / part
        if current.is_symlink() or not current.is_dir():
            return False
    return True


def _temporary_of(temporary: str, target: str) -> bool:
    """Whether `temporary` is a name write_temporary gives `target` (in some process)."""
    folder, _, name = target.rpartition("/")
    expected = rf"\.{re.escape(name)}\.[0-9]+\.tmp"
    return re.fullmatch((re.escape(folder + "/") if folder else "") + expected, temporary) is not None


def _finish(build_dir: Path, journal: dict, named: set[str]) -> None:
    """Make the journal's renames and removals. A journal may have been planted (git add -f), so
    only what this build itself names is touched: a rename from the temporary name of one of
    `named` onto it, a removal of an earlier output (a PDF in build/ or its HTML); and only
    plain files, never a link, in real folders."""
    folders_ok = all(not (build_dir / sub).is_symlink() for sub in ("html",))
    for pair in journal.get("renames", []) if folders_ok else ():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            continue
        temporary, target = pair
        if (target in named or is_output_path(target)) and _through_real_folders(build_dir, target) \
                and _temporary_of(temporary, target) and is_plain_file(build_dir / temporary) \
                and (not os.path.lexists(build_dir / target) or is_plain_file(build_dir / target)):
            os.replace(build_dir / temporary, build_dir / target)
    for path in journal.get("remove", []) if folders_ok else ():
        stem = path[len("html/"):-len(".html")] + ".pdf" if isinstance(path, str) and path.startswith("html/") \
            and path.endswith(".html") else path
        if (_is_output_name(stem) or is_output_path(path)) and path not in named \
                and _through_real_folders(build_dir, path) and is_plain_file(build_dir / path):
            (build_dir / path).unlink()
    (build_dir / JOURNAL).unlink(missing_ok=True)


def recover(build_dir: Path, named: set[str]) -> None:
    """Finish the renames of a build killed while making them; drop temporary files left by
    builds killed earlier. `named` holds every path (relative to build_dir) this build writes.
    Only call this holding the build lock."""
    journal: object = None
    if os.path.lexists(build_dir / JOURNAL):
        try:
            journal = json.loads(read_text(build_dir / JOURNAL, JOURNAL, build_dir)) \
                if is_plain_file(build_dir / JOURNAL) else {}
        except (OSError, ValueError, BookletError):
            journal = {}  # a journal cut short was never acted on: its build's outputs are all temporary
        _finish(build_dir, journal if isinstance(journal, dict) else {}, named)
    folders = [build_dir, build_dir / "html", build_dir / CACHE_DIR]
    web = build_dir / "web"
    if web.is_dir() and not web.is_symlink():  # os.walk does not follow links to folders
        folders += [Path(folder) for folder, _subfolders, _files in os.walk(web)]
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
