"""The Makefile hands what an author types (`make new TITLE=...`) to the tool word for word,
through the environment: nothing in it reaches a shell line."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO

RECORDER = """#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" > "$(dirname "$0")/../../argv.json"
"""


@pytest.fixture
def make_folder(tmp_path: Path) -> Path:
    """A copy of the Makefile whose install steps are already done and whose `booklet` only
    records the arguments it was given."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    for name in ("requirements.lock", "pyproject.toml", "fonts/package.json", "fonts/package-lock.json",
                 "fonts/install.sh"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "booklet"):
        (bin_dir / name).write_text(RECORDER)
        (bin_dir / name).chmod(0o755)
    time.sleep(0.01)
    (tmp_path / ".venv" / ".runtime-installed").write_text("")
    (tmp_path / "fonts" / "node_modules").mkdir(parents=True)
    (tmp_path / "fonts" / "node_modules" / ".installed").write_text("")
    return tmp_path


def _make(folder: Path, *args: str) -> list[str]:
    subprocess.run(["make", "--no-print-directory", *args], cwd=folder, check=True, capture_output=True,
                   env={k: v for k, v in os.environ.items() if k not in ("TITLE", "AUDIENCE", "BRAND", "CHAPTER")})
    return json.loads((folder / "argv.json").read_text())


def test_a_title_reaches_booklet_new_word_for_word_and_runs_nothing(make_folder):
    title = 'Wound care `touch PWNED` $(touch PWNED2) $5 "quoted" $$HOME \\ end'
    argv = _make(make_folder, "new", f"TITLE={title}", "AUDIENCE=patient")
    assert argv == ["new", title, "--audience", "patient"]
    assert not (make_folder / "PWNED").exists() and not (make_folder / "PWNED2").exists()


def test_brand_and_chapter_reach_the_tool_word_for_word(make_folder):
    assert _make(make_folder, "build", "BRAND=brands/a `id`.yaml") == ["build", "--brand", "brands/a `id`.yaml"]
    assert _make(make_folder, "watch", "CHAPTER=$(id)") == ["watch", "--chapter", "$(id)"]


def test_make_new_without_a_title_prints_its_usage(make_folder):
    result = subprocess.run(["make", "--no-print-directory", "new"], cwd=make_folder, capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "usage: make new TITLE=" in result.stderr
