"""The static checkers, run with the tests so that they share the test processes' cores."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_pyflakes_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "pyflakes", "booklet", "tests", "bench"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_mypy_finds_no_type_errors():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)  # pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout
