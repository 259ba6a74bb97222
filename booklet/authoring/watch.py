"""`booklet watch`: build, then build again whenever an input changes.

Each rebuild is an ordinary build, so the render cache decides what is affected:
an edit to a patient-only chapter re-renders the patient copies and nothing else.
An error is printed and the watch goes on; the previous outputs stay in place.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

from watchfiles import Change, DefaultFilter, watch

from ..render.resources import DEFAULT_STYLE_DIR
from ..source.project import BRAND_DIR, BUILD_DIR, INPUT_FILES, INPUT_FOLDERS

# What a build reads, relative to the project, and the default stylesheets (the house style,
# in booklet/styles/). Python modules and templates are left out: a change there needs a new
# process, not a rebuild.
WATCHED = (*INPUT_FILES, *INPUT_FOLDERS, BRAND_DIR)


class InputFilter(DefaultFilter):
    """Only the booklet's inputs; never build/, hidden files or editors' swap and backup files."""

    def __init__(self, root: Path, styles: Path = DEFAULT_STYLE_DIR):
        super().__init__()
        self.root = root
        self.styles = styles

    def __call__(self, change: Change, path: str) -> bool:
        if Path(path).parent == self.styles:
            return Path(path).suffix == ".css" and super().__call__(change, path)
        try:
            parts = Path(path).relative_to(self.root).parts
        except ValueError:
            return False
        if not parts or parts[0] == BUILD_DIR or parts[0] not in WATCHED:
            return False
        if any(part.startswith(".") for part in parts):
            return False
        if len(parts) > 1 and not Path(parts[-1]).suffix:  # sed's and some editors' temporary files
            return False
        return super().__call__(change, path)


def _shown(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def changed_files(root: Path, changes: Iterable[tuple[Change, str]]) -> list[str]:
    return sorted({_shown(root, Path(path)) for _, path in changes})


def _snapshot(root: Path, accepts: InputFilter) -> dict[str, tuple[int, int]]:
    """Every watched file's modification time and size."""
    found = {}
    tops = [root / top for top in WATCHED] + [accepts.styles]
    for top in tops:
        for path in [top, *(top.rglob("*") if top.is_dir() else ())]:
            if path.is_file() and accepts(Change.modified, str(path)):
                stat = path.stat()
                found[_shown(root, path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def watch_project(root: Path, rebuild: Callable[[], None], announce: Callable[[list[str]], None],
                  waiting: Callable[[], None], stop: threading.Event | None = None,
                  debounce_ms: int = 300) -> None:
    """Call `rebuild` now and after every batch of changes, until `stop` is set or Ctrl-C.

    The watcher starts only after the first build, so the files are compared with a
    snapshot taken before it: a change saved during that build is not missed. Changes
    during later rebuilds are collected by the running watcher. `waiting` is called once
    the watcher is really watching (its first empty batch, after a timeout, says so).
    """
    root = root.resolve()
    accepts = InputFilter(root)
    before = _snapshot(root, accepts)
    rebuild()
    ready = False
    folders = [root] + ([] if accepts.styles.is_relative_to(root) else [accepts.styles])
    for changes in watch(*folders, watch_filter=accepts, debounce=debounce_ms, stop_event=stop,
                         raise_interrupt=False, yield_on_timeout=True, rust_timeout=200):
        if not ready:
            after = _snapshot(root, accepts)
            missed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
            if missed and not changes:
                announce(missed)
                rebuild()
        if changes:
            announce(changed_files(root, changes))
            rebuild()
        if changes or not ready:
            ready = True
            waiting()
