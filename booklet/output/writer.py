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
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write, write_temporary

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
    _finish(build_dir, journal)
    return [path for path, _ in everything]


def _previous_outputs(previous: dict) -> list[str]:
    paths = []
    for old in previous.get("outputs", []):
        stale = old.get("path") if isinstance(old, dict) else None
        # Only plain file names directly in build/: a tampered manifest cannot reach further.
        if not isinstance(stale, str) or Path(stale).name != stale or stale.startswith("."):
            continue
        paths += [stale, f"html/{Path(stale).stem}.html"]
    return paths


def _inside(build_dir: Path, path: object) -> Path | None:
    """A journal path as a file in build_dir, or None if it would lead anywhere else."""
    if not isinstance(path, str) or not path or path.startswith("/") or ".." in Path(path).parts:
        return None
    return build_dir / path


def _finish(build_dir: Path, journal: dict) -> None:
    for pair in journal.get("renames", []):
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        temporary, target = _inside(build_dir, pair[0]), _inside(build_dir, pair[1])
        if temporary is not None and target is not None and temporary.is_file():
            os.replace(temporary, target)
    for path in journal.get("remove", []):
        if (target := _inside(build_dir, path)) is not None:
            target.unlink(missing_ok=True)
    (build_dir / JOURNAL).unlink(missing_ok=True)


def recover(build_dir: Path) -> None:
    """Finish the renames of a build killed while making them; drop temporary files left by
    builds killed earlier. Only call this holding the build lock."""
    try:
        journal = json.loads((build_dir / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        journal = None
    except (OSError, ValueError):
        journal = {}  # a journal cut short was never acted on: its build's outputs are all temporary
    if journal is not None:
        _finish(build_dir, journal if isinstance(journal, dict) else {})
    if build_dir.is_dir():
        for folder in (build_dir, build_dir / "html", build_dir / ".cache"):
            for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
                leftover.unlink(missing_ok=True)
