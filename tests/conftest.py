"""Shared helpers: fixture projects, built once per test session, and the CLI run in-process.

Rendering is what makes tests slow, so the mini fixture is built once for the whole
session (shared by pytest-xdist's workers through a lock) and a test that needs earlier
outputs gets its own copy, render cache included: a rebuild after an edit renders only
what the edit affects. Tests of HTML-level behaviour use `booklet.pipeline.prepare`,
which makes every document without rendering any. The CLI runs in this process unless
a test needs a real process (signals, environment, a fresh interpreter).
"""
from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import booklet.pipeline
from booklet.cli import main

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
REAL_BOOKLET_FILES = ("booklet.yaml", "references.yaml", "CHANGELOG.md")
REAL_BOOKLET_FOLDERS = ("chapters", "reviews", "translations")

# In-process builds render in this process, one document at a time: the test workers already
# keep every core busy, and a pool of render processes per build would only add start-up time.
# Builds in a subprocess (run_booklet) keep the real default, one render process per core.
booklet.pipeline.default_jobs = lambda: 1  # type: ignore[assignment]


def make_project(destination: Path, fixture: str = "mini") -> Path:
    """A copy of tests/fixtures/<fixture> (its stylesheets are the package's defaults)."""
    shutil.copytree(FIXTURES / fixture, destination)
    return destination


def copy_real_booklet(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in REAL_BOOKLET_FILES:
        shutil.copy(REPO / name, destination / name)
    for folder in REAL_BOOKLET_FOLDERS:
        shutil.copytree(REPO / folder, destination / folder)
    return destination


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def booklet(root: Path, *args: str) -> Ran:
    """`booklet --root ROOT ARGS` run in this process, in ROOT, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--root", str(root), *args])
        except SystemExit as exit_:  # argparse's --help
            code = exit_.code if isinstance(exit_.code, int) else 0
    return Ran(code, out.getvalue(), err.getvalue())


def run_booklet(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m booklet` in a process of its own, for what needs one."""
    return subprocess.run([sys.executable, "-m", "booklet", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=root, env=env)


def interruptible() -> None:
    """For a child the test will stop with SIGINT: Ctrl-C's default handling, even where the tests
    themselves were started with SIGINT ignored (as a background job without job control is)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def write_chapter(root: Path, name: str, front: str, body: str) -> Path:
    path = root / "chapters" / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def copy_project(source: Path, destination: Path) -> Path:
    """A private copy of a built project, its outputs and render cache included."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


def _shared(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test session, whichever xdist worker asks first; the others wait."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers
    target = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / f"{name}.done").exists():
            shutil.rmtree(target, ignore_errors=True)
            make(target)
            (base / f"{name}.done").touch()
    return target


def _build_mini(target: Path) -> None:
    make_project(target)
    result = booklet(target, "build")
    assert result.returncode == 0, result.stderr
    # What the first build of a fresh project did, for the tests about fresh builds.
    (target.parent / FRESH_BUILD_OUTPUT).write_text(result.stdout, encoding="utf-8")


FRESH_BUILD_OUTPUT = "built-mini.stdout"


def _build_real(target: Path) -> None:
    copy_real_booklet(target)
    # On every core: the tests that read it run first, so the other workers are waiting for it.
    result = booklet(target, "build", "--jobs", str(len(os.sched_getaffinity(0))))
    assert result.returncode == 0, result.stderr
    (target / "build-warnings.txt").write_text(result.stderr)  # for the tests of how the pages fit


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory) -> Path:
    """The mini fixture, built once. Read it; never change it (take `built_project` for that)."""
    return _shared(tmp_path_factory, "built-mini", _build_mini)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> Path:
    """A copy of the repository's own booklet, built once. Read it; never change it."""
    return _shared(tmp_path_factory, "built-real", _build_real)


@pytest.fixture
def built_project(built_mini, tmp_path) -> Path:
    """A private copy of the built mini fixture, outputs and render cache included."""
    return copy_project(built_mini, tmp_path / "project")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, unbuilt copy of the mini fixture."""
    return make_project(tmp_path / "project")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest tests first, so that no worker is left with one of them at the end."""
    slow = ("test_real_booklet.py", "test_wheel.py", "test_interrupted.py", "test_killed_build.py", "test_static.py")
    items.sort(key=lambda item: next((i for i, name in enumerate(slow) if item.fspath.basename == name),
                                     len(slow)))
