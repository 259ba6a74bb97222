"""Reading input files and writing files safely, for every stage.

Every input is read through `read_text`: inside the project, a regular file,
limited in size, UTF-8. Each refusal is our own error naming the file (and the
line of a bad byte), so a stray link, a huge file or a file saved in another
encoding is a message, not a crash. Files are written whole or not at all.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

from .errors import BookletError

MAX_SOURCE_BYTES = 1_000_000  # far above any real chapter or list of sources; stops runaway files early
BYTE_ORDER_MARK = "\ufeff"  # some editors start UTF-8 files with one; it is not part of the text
# Invisible characters that change the direction in which the text around them is laid out, so
# that what is printed differs from what the file says (a dose of 52 shown as 25): the embeddings,
# overrides and isolates, and the three marks, which reorder digits that a space or comma separates.
# Booklets are written left to right; one in Arabic or Hebrew would have to allow the marks.
DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def direction_control(text: str) -> str:
    """How a message names the first direction control in `text`: 'U+202E (RIGHT-TO-LEFT OVERRIDE)'."""
    found = DIRECTION_CONTROLS.search(text)
    if found is None:
        return ""
    char = found.group()
    return f"U+{ord(char):04X} ({unicodedata.name(char)})"


def read_text(file: Path, shown: str, root: Path | None = None, limit: int = MAX_SOURCE_BYTES) -> str:
    try:
        if root is not None and not file.resolve().is_relative_to(root.resolve()):
            raise BookletError("links to a file outside the project; inputs must live inside it", shown)
        if not file.is_file():
            raise BookletError("is not a regular file", shown)
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            size = file.stat().st_size
            raise BookletError(f"file is {size:,} bytes; input files are limited to {limit:,}", shown)
    except OSError as err:  # permission denied, a name too long, a disk error: one line, not a traceback
        raise BookletError(f"cannot be read: {err.strerror or err}", shown) from None
    except RuntimeError:  # Path.resolve on a link that leads back to itself
        raise BookletError("is a symbolic link that leads round in a loop", shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise BookletError(f"not UTF-8 text (byte {err.start}); save the file as UTF-8", shown, line) from None
    text = text.removeprefix(BYTE_ORDER_MARK).replace("\r\n", "\n")
    found = DIRECTION_CONTROLS.search(text)
    if found is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        line, column = text.count("\n", 0, found.start()) + 1, found.start() - start + 1
        others = len(DIRECTION_CONTROLS.findall(text)) - 1
        more = f" (and {others} more in the file)" if others else ""
        raise BookletError(f"invisible direction control {direction_control(found.group())} in column {column} "
                           "can reorder the text as printed (a dose of 52 shown as 25); remove it" + more,
                           shown, line)
    return text


_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EROFS, errno.EFBIG, errno.EDQUOT})


def os_error(err: OSError, root: Path | None = None) -> BookletError:
    """An operating-system error (permission, read-only or full disk, file too large, name too
    long) as one line naming the file, relative to the project where it is inside it."""
    name = str(err.filename or "")
    if name and root is not None and Path(name).is_absolute() and Path(name).is_relative_to(root):
        name = Path(name).relative_to(root).as_posix()
    reason = err.strerror or str(err)
    return BookletError(f"cannot write: {reason}" if err.errno in _WRITE_ERRORS else reason, name or None)


def real_folder(folder: Path, root: Path) -> Path:
    """`folder`, below `root`, as a real directory: every part of it that exists must be a
    folder and not a symbolic link, and missing parts are made. Outputs, the cache, the journal
    and the lock are written only there, so a committed link (git keeps symlinks, and the
    .gitignore pattern `build/` matches only a real folder) cannot send writes or deletions
    elsewhere."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        shown = current.relative_to(root).as_posix()
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            try:
                os.mkdir(current)
            except OSError as err:
                raise os_error(err, root) from None
            continue
        if stat.S_ISLNK(mode):
            raise BookletError("is a symbolic link; the build writes only into real folders of the project: "
                               "remove the link", shown)
        if not stat.S_ISDIR(mode):
            raise BookletError("is not a folder; the build needs it as one: remove or rename it", shown)
    return folder


def is_plain_file(path: Path) -> bool:
    """A regular file, not a link to one (nor a folder, FIFO or device)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def temporary_name(target: Path) -> Path:
    """Where `target` is written before it is renamed into place (hidden, and per process)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_temporary(target: Path, data: bytes) -> Path:
    """`data` written and flushed to disk beside `target`, under its temporary name. A write
    that fails (a full disk, a file-size limit) leaves no part of the file behind; a link
    planted under the temporary name is never followed."""
    temporary = temporary_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(target)) from None  # named after the file meant
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as err:
        temporary.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(target)) from None
        raise
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
