"""The command line: clean one-line errors, exit statuses, and what it reports."""
from __future__ import annotations

import re

import pytest

from conftest import booklet


def test_check_validates_without_rendering(project):
    result = booklet(project, "check")
    assert result.returncode == 0
    assert "2 chapter(s) are valid" in result.stdout
    assert not (project / "build").exists()


def test_check_lists_every_problem_in_every_file_then_fails(project):
    (project / "booklet.yaml").write_text((project / "booklet.yaml").read_text().replace("slug:", "slag:"))
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("audience: patient", "audience: everyone"))
    result = booklet(project, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "booklet.yaml:2: unknown key 'slag' in booklet.yaml (did you mean 'slug'?)" in lines
    assert any(line.startswith("chapters/02-patient-only.md:5: 'audience' must be one of") for line in lines)
    assert "Traceback" not in result.stderr


def test_build_ends_with_a_table_of_outputs_and_shows_no_progress_when_not_on_a_terminal(built_project):
    chapter = built_project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    result = booklet(built_project, "build")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", "(in", "build/)", "pages", "size", "time"]
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("fixture-") and ".pdf " in line}
    assert {"fixture-patient-2.1.0.epub", "fixture-clinician-2.1.0.epub", "web/"} <= {line.split()[0] for line in lines}
    assert len(rows) == 9
    patient = rows["fixture-patient-standard-a4-2.1.0.pdf"]
    assert patient[0].isdigit() and patient[2] == "KiB" and patient[4] == "s"  # made now, and how long it took
    assert rows["fixture-clinician-standard-a4-2.1.0.pdf"][-1] == "cached"
    assert "wrote build/SHA256SUMS and build/manifest.json; made 7 of 9 outputs, 2 came unchanged" in result.stdout
    assert "rendering" not in result.stderr  # progress is for terminals only

    again = booklet(built_project, "build")
    assert all(line.split()[-1] == "cached" for line in again.stdout.splitlines()
               if line.startswith("fixture-") and ".pdf " in line)
    quiet = booklet(built_project, "build", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_build_on_a_terminal_says_what_it_is_rendering(built_project):
    import os
    import pty
    import subprocess
    import sys

    from conftest import write_chapter

    # A new patient chapter: the booklets get longer, so their printing notes are made again too.
    write_chapter(built_project, "03-extra.md", "title: Extra\nid: extra\norder: 3\naudience: patient\n"
                  "summary: One more.\nreviewed: 2026-01-01\nnext_review: 2027-01-01\nsources: [web-reviewed]",
                  "One more short chapter [@web-reviewed].\n")
    leader, follower = pty.openpty()
    process = subprocess.run([sys.executable, "-m", "booklet", "--root", str(built_project), "build", "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=follower, text=True, cwd=built_project, timeout=300)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed and drained
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 0
    text = shown.decode().replace("\r\n", "\n")
    assert "  rendering fixture-patient-standard-a4-2.1.0 ..." in text
    assert "  rendering printing note for fixture-patient-booklet-imposed-a4-2.1.0 ..." in text
    assert "  rendering fixture-patient-booklet-imposed-a4-2.1.0 ..." in text
    assert re.search(r"  done      fixture-patient-standard-letter-2\.1\.0 \(\d+ pages, \d+\.\d s\)", text)
    assert "clinician" not in text  # unchanged, so taken from the cache without a word
    events = [line.split()[:2] for line in text.splitlines() if line.startswith(("  rendering", "  done"))]
    assert len(events) == 2 * 9  # 5 renders, 2 printing notes, 2 impositions
    for started, finished in zip(events[::2], events[1::2]):  # one job at a time: each ends before the next
        assert started[0] == "rendering" and finished[0] == "done" and started[1] == finished[1]


@pytest.mark.parametrize("command", ["build", "check", "init", "new", "watch", "release", "schemas"])
def test_every_command_explains_itself_in_its_help(project, command):
    result = booklet(project, command, "--help")
    assert result.returncode == 0
    from booklet.cli import COMMANDS

    short, long = COMMANDS[command]
    first_line = " ".join(long.split("\n\n")[0].split())
    assert first_line[:60] in " ".join(result.stdout.split())
    overview = booklet(project, "--help").stdout
    assert command in overview and short.split()[0] in overview


def test_wrong_usage_exits_2_with_one_line(project):
    result = booklet(project, "frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_is_a_clean_error(tmp_path):
    result = booklet(tmp_path, "check")
    assert result.returncode == 1
    assert result.stderr.startswith("booklet.yaml: no booklet.yaml here")
