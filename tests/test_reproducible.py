"""Same inputs, same bytes: whatever the time zone, locale, file times or folder."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import make_project


def _build(root, env_overrides: dict[str, str]) -> str:
    env = {**os.environ, **env_overrides}
    result = subprocess.run([sys.executable, "-m", "booklet.cli", "--root", str(root), "build"],
                            capture_output=True, text=True, cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return (root / "build" / "SHA256SUMS").read_text()


def test_two_clean_builds_in_different_zones_locales_folders_and_file_times_are_identical(tmp_path):
    first = make_project(tmp_path / "one" / "project")
    second = make_project(tmp_path / "two" / "elsewhere")
    for path in second.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: file times must not leak in
    sums_first = _build(first, {"TZ": "UTC", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "0"})
    sums_second = _build(second, {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C"})
    assert sums_first == sums_second
    assert len(sums_first.splitlines()) == 9
