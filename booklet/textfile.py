"""Reading an input file's text: inside the project, a regular file, limited in size, UTF-8.

Every refusal is our own error naming the file (and the line of a bad byte), so a
stray link, a huge file or a file saved in another encoding is a message, not a crash.
"""
from __future__ import annotations

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
