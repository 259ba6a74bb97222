"""One build at a time per project: two builds writing build/ at once would mix their files.

The lock is an advisory lock (flock) on build/.lock. The kernel releases it when the
process ends, however it ends, so a killed build never leaves the project locked.
A second build waits for the first, saying so, then starts with the first's
outputs in place.

Why flock, and what it takes. An flock belongs to the open file, which a forked child
shares: a render worker that outlived a killed build would keep the project locked, and
the next build would wait for ever. So every forked child closes its copy of the
descriptor at once (os.register_at_fork, below: before any code of the child runs, the
pool's workers included), the descriptor is close-on-exec for programs started from the
build, and the workers die with the build anyway (render/schedule.py). POSIX record locks
(fcntl.lockf) are not inherited, but they have two traps flock has not: the process loses
the lock when it closes *any* descriptor of the file (one stray open() of build/.lock in
this process, by a copy or a checksum of build/, would silently unlock the project), and
they never conflict within one process.

The lock file is opened without following a symbolic link: a committed link
build/.lock -> elsewhere is refused, never followed to create or lock its target.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import BookletError

BUILD_LOCK = ".lock"
_held: dict[Path, int] = {}  # lock file -> depth, so a release that builds does not wait on itself
_descriptors: dict[Path, int] = {}  # lock file -> this process's descriptor holding it


def _forget_inherited_locks() -> None:
    """In a forked child: close the parent's lock descriptors (the parent keeps the lock), so the
    child never holds the project's lock, whether it outlives the parent or not."""
    for descriptor in _descriptors.values():
        try:
            os.close(descriptor)
        except OSError:
            pass
    _descriptors.clear()
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_locks)


def _open_lock_file(build_root: Path, path: Path, shown: str) -> int:
    try:
        build_root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP or os.path.islink(path):
            raise BookletError("is a symbolic link; the build lock must be a real file: remove the link",
                               shown) from None
        raise BookletError(f"cannot open the build lock: {err.strerror or err}", shown) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise BookletError("is not a regular file; the build lock must be one: remove it", shown)
    return descriptor


def _lock(descriptor: int, shown: str) -> None:
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another build of this booklet to finish...", file=sys.stderr, flush=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
    except OSError as err:  # e.g. ENOLCK: a file system without locks
        raise BookletError(f"cannot lock the build lock: {err.strerror or err}", shown) from None


@contextmanager
def build_lock(build_root: Path) -> Iterator[None]:
    # The folder resolved, not the file: resolving would follow a link planted as build/.lock.
    path = build_root.resolve() / BUILD_LOCK
    shown = f"{build_root.name}/{BUILD_LOCK}"  # build_root is the project's build/ (or a folder in it)
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            if path in _held:  # not in a forked child, which forgot the parent's locks
                _held[path] -= 1
        return
    descriptor = _open_lock_file(build_root, path, shown)
    _descriptors[path] = descriptor
    try:
        _lock(descriptor, shown)
        _held[path] = 1
        yield
    finally:
        _held.pop(path, None)
        if _descriptors.get(path) == descriptor:  # a forked child has closed it already
            del _descriptors[path]
            os.close(descriptor)  # closing releases the lock
