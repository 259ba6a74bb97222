"""One build at a time per project: two builds writing build/ at once would mix their files.

The lock is an advisory lock (flock) on build/.lock. The kernel releases it when the
process ends, however it ends, so a killed build never leaves the project locked.
A second build waits for the first, saying so, then starts with the first's
outputs in place.
"""
from __future__ import annotations

import fcntl
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BUILD_LOCK = ".lock"
_held: dict[Path, int] = {}  # lock file -> depth, so a release that builds does not wait on itself


@contextmanager
def build_lock(build_root: Path) -> Iterator[None]:
    path = (build_root / BUILD_LOCK).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    build_root.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another build of this booklet to finish...", file=sys.stderr, flush=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(descriptor)  # closing releases the lock
