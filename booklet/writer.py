"""Writes the outputs: every file atomically, the manifest last.

All files are first written to temporary names beside their targets, then
renamed into place, so an interrupted or failed build leaves the previous
outputs as they were.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the build folder
    data: bytes
    entry: dict | None = None  # manifest entry (without bytes and sha256), None for side files


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _write_temporary(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(target)
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def atomic_write(target: Path, data: bytes) -> None:
    temporary = _write_temporary(target, data)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
    staged: list[tuple[Path, Path]] = []
    try:
        for file in files:
            target = build_dir / file.path
            staged.append((_write_temporary(target, file.data), target))
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    atomic_write(build_dir / CHECKSUMS, checksums_bytes(files))
    atomic_write(build_dir / MANIFEST, manifest_bytes(header, files))
    current = {f.path for f in files}
    for old in previous.get("outputs", []):
        stale = old.get("path") if isinstance(old, dict) else None
        # Only plain file names directly in build/: a tampered manifest cannot reach further.
        if not isinstance(stale, str) or Path(stale).name != stale or stale.startswith("."):
            continue
        for path in (stale, f"html/{Path(stale).stem}.html"):
            if path not in current:
                (build_dir / path).unlink(missing_ok=True)
    return [f.path for f in files] + [CHECKSUMS, MANIFEST]
