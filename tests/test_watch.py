"""`booklet watch`: rebuilds what a saved change affects, reports errors and keeps going."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from booklet.authoring.watch import InputFilter
from conftest import interruptible
from watchfiles import Change

WAIT = 120  # seconds; a cold build of the mini project takes a few


class _Watcher:
    """`booklet watch` in a subprocess, its stdout and stderr read line by line."""

    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "booklet", "--root", str(root), "watch", "--jobs", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root, preexec_fn=interruptible)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str) -> list[str]:
        """Lines up to and including the first that contains `text`."""
        got: list[str] = []
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got
        raise AssertionError(f"no {text!r} within {WAIT} s; saw:\n" + "\n".join(self.seen))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_watch_rebuilds_affected_outputs_reports_errors_and_keeps_going(built_project):
    project = built_project
    watcher = _Watcher(project)
    try:
        first = watcher.until("waiting for changes")
        assert first[0].startswith("watching booklet.yaml, references.yaml, CHANGELOG.md, chapters, styles")
        assert "nothing to rebuild: all 9 outputs are up to date" in first

        chapter = project / "chapters" / "02-patient-only.md"
        chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
        changed = watcher.until("waiting for changes")
        assert "changed: chapters/02-patient-only.md" in changed
        rebuilt = next(line for line in changed if line.startswith("rebuilt "))
        assert rebuilt == "rebuilt 7 of 9 outputs:"  # the patient copies; the clinician ones are unchanged
        assert not any("clinician" in line for line in changed)
        html = (project / "build" / "html" / "fixture-patient-standard-a4-2.1.0.html").read_text()
        assert "heron lake" in html

        pdf = project / "build" / "fixture-patient-standard-a4-2.1.0.pdf"
        before = pdf.read_bytes()
        chapter.write_text(chapter.read_text().replace("audience: patient", "audience: everyone"))
        failed = watcher.until("waiting for changes")
        assert any(line.startswith("chapters/02-patient-only.md:5: 'audience' must be one of") for line in failed)
        assert "build failed: the outputs were left as they were" in failed
        assert pdf.read_bytes() == before

        chapter.write_text(chapter.read_text().replace("audience: everyone", "audience: patient"))
        fixed = watcher.until("waiting for changes")
        assert any(line.startswith("nothing to rebuild") or line.startswith("rebuilt") for line in fixed)
        assert watcher.process.poll() is None  # still watching after the error
    finally:
        code = watcher.stop()
    assert code in (0, 130)


def test_watch_ignores_build_outputs_hidden_files_and_editor_backups(tmp_path):
    accepts = InputFilter(tmp_path)
    assert accepts(Change.modified, str(tmp_path / "chapters" / "01-a.md"))
    assert accepts(Change.modified, str(tmp_path / "booklet.yaml"))
    assert accepts(Change.added, str(tmp_path / "styles" / "print.css"))
    assert not accepts(Change.modified, str(tmp_path / "build" / "x.pdf"))
    assert not accepts(Change.modified, str(tmp_path / "chapters" / ".01-a.md.swp"))
    assert not accepts(Change.modified, str(tmp_path / "chapters" / "01-a.md~"))
    assert not accepts(Change.added, str(tmp_path / "chapters" / "sedVNmFQJ"))
    assert not accepts(Change.modified, str(tmp_path / "tests" / "x.py"))
    assert not accepts(Change.modified, os.path.join("/elsewhere", "booklet.yaml"))


def test_watch_sees_the_default_stylesheets_in_the_package(tmp_path):
    from booklet.render.resources import DEFAULT_STYLE_DIR

    accepts = InputFilter(tmp_path)
    assert accepts(Change.modified, str(DEFAULT_STYLE_DIR / "patient.css"))  # the house style
    assert not accepts(Change.modified, str(DEFAULT_STYLE_DIR / ".patient.css.swp"))
    assert not accepts(Change.modified, str(DEFAULT_STYLE_DIR.parent / "cli.py"))


def test_watch_outside_a_booklet_folder_fails_at_once(tmp_path):
    result = subprocess.run([sys.executable, "-m", "booklet", "--root", str(tmp_path), "watch"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "booklet.yaml: no booklet.yaml here: run the command in the booklet's folder\n"


def test_a_change_saved_during_the_first_build_is_not_missed(project):
    from booklet.authoring import watch as watching

    chapter = project / "chapters" / "02-patient-only.md"
    builds: list[str] = []
    announced: list[list[str]] = []
    stop = threading.Event()

    def rebuild() -> None:
        builds.append("build")
        if len(builds) == 1:  # the author saves while the first build runs
            chapter.write_text(chapter.read_text() + "\nSaved during the build [@web-reviewed].\n")
        else:
            stop.set()

    watching.watch_project(project, rebuild, announced.append, lambda: None, stop)
    assert builds == ["build", "build"]
    assert announced == [["chapters/02-patient-only.md"]]
