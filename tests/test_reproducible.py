"""Same inputs, same bytes: whatever the time zone, locale, file times, folder or number of
render processes."""
from __future__ import annotations

import os

from conftest import make_project, run_booklet


def test_builds_in_other_zones_locales_folders_file_times_and_processes_are_identical(built_mini, tmp_path):
    """built_mini rendered in the test process, one document at a time, in the test's own
    environment; this one renders in parallel worker processes, elsewhere, at other times."""
    elsewhere = make_project(tmp_path / "two" / "elsewhere")
    for path in elsewhere.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: file times must not leak in
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C", "SOURCE_DATE_EPOCH": "0"}
    result = run_booklet(elsewhere, "build", "--jobs", "2", env=env)
    assert result.returncode == 0, result.stderr
    sums = (elsewhere / "build" / "SHA256SUMS").read_text()
    assert sums == (built_mini / "build" / "SHA256SUMS").read_text()
    assert len(sums.splitlines()) == 9
