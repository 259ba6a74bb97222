"""Shared helpers: copy a fixture project into a temporary folder and run the CLI on it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"


def make_project(destination: Path, fixture: str = "mini") -> Path:
    """A copy of tests/fixtures/<fixture> with the real stylesheets."""
    shutil.copytree(FIXTURES / fixture, destination)
    if not (destination / "styles").exists():
        shutil.copytree(REPO / "styles", destination / "styles")
    return destination


def run_booklet(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "booklet.cli", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=root)


def write_chapter(root: Path, name: str, front: str, body: str) -> Path:
    path = root / "chapters" / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """The mini fixture built once for a whole test module."""
    root = make_project(tmp_path_factory.mktemp("built") / "project")
    result = run_booklet(root, "build")
    assert result.returncode == 0, result.stderr
    return root
