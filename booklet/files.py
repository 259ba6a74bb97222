"""Reading input files and writing files safely, for every stage.

Every input is read through `read_text`: inside the project, a regular file,
limited in size, UTF-8. Each refusal is our own error naming the file (and the
line of a bad byte), so a stray link, a huge file or a file saved in another
encoding is a message, not a crash. Files are written whole or not at all.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import BookletError

MAX_SOURCE_BYTES = 1_000_000  # far above any real chapter or list of sources; stops runaway files early


def read_text(file: Path, shown: str, root: Path | None = None, limit: int = MAX_SOURCE_BYTES) -> str:
    if root is not None and not file.resolve().is_relative_to(root.resolve()):
        raise BookletError("links to a file outside the project; inputs must live inside it", shown)
    if not file.is_file():
        raise BookletError("is not a regular file", shown)
    with open(file, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        size = file.stat().st_size
        raise BookletError(f"file is {size:,} bytes; input files are limited to {limit:,}", shown)
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise BookletError(f"not UTF-8 text (byte {err.start}); save the file as UTF-8", shown, line) from None


def temporary_name(target: Path) -> Path:
    """Where `target` is written before it is renamed into place (hidden, and per process)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_temporary(target: Path, data: bytes) -> Path:
    """`data` written and flushed to disk beside `target`, under its temporary name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def atomic_write(target: Path, data: bytes) -> None:
    """Replace `target` with `data` whole: readers see the old file or the new one, never a part."""
    temporary = write_temporary(target, data)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_create(target: Path, data: bytes) -> None:
    """Write a new file whole, or fail with FileExistsError: an existing file is never replaced."""
    temporary = write_temporary(target, data)
    try:
        os.link(temporary, target)  # unlike a rename, a hard link refuses to replace `target`
    finally:
        temporary.unlink(missing_ok=True)
