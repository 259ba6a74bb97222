"""Interrupted and concurrent builds never leave build/ inconsistent or change earlier outputs."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from booklet.output import writer
from booklet.output.writer import OutputFile, recover, write_outputs
from conftest import booklet, interruptible


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts and p.name != ".lock"}


def _checksums_match(build: Path) -> bool:
    for line in (build / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        if hashlib.sha256((build / name).read_bytes()).hexdigest() != digest:
            return False
    return True


def _start_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "booklet", "--root", str(root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=interruptible)


def _edited_copy(built_mini: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built_mini, root)
    chapter = root / "chapters" / "02-patient-only.md"  # the patient copies, not the clinician ones
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    return root


def _wait_for_renders(process: subprocess.Popen) -> None:
    """Until the build has worker processes rendering (so it is stopped mid-render)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout
        if children.split():
            time.sleep(0.3)
            return
        time.sleep(0.05)
    pytest.fail("the build never started rendering")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_build_stopped_mid_render_leaves_earlier_outputs_and_manifest_untouched(built_mini, tmp_path, how):
    root = _edited_copy(built_mini, tmp_path)
    before = _snapshot(root / "build")
    process = _start_build(root)
    _wait_for_renders(process)
    os.killpg(process.pid, how)
    _, stderr = process.communicate(timeout=60)
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert stderr == "booklet: interrupted; earlier outputs are unchanged\n"
    else:
        assert process.returncode == -signal.SIGKILL
    assert _snapshot(root / "build") == before
    # The next build runs normally (the lock was released) and leaves no temporary files behind.
    again = booklet(root, "build")
    assert again.returncode == 0, again.stderr
    assert not list((root / "build").rglob("*.tmp"))
    assert _checksums_match(root / "build")


def test_a_build_killed_while_renaming_its_outputs_is_finished_by_the_next(tmp_path, monkeypatch):
    build = tmp_path / "build"
    old = [OutputFile("a.pdf", b"old a", {"n": 1}), OutputFile("b.pdf", b"old b", {"n": 2})]
    write_outputs(build, {"edition": "1"}, old)
    real_replace, calls = os.replace, []

    def dies_on_the_second_output(source, target):
        calls.append(target)
        if len(calls) == 3:  # the journal, a.pdf, then the process stops before b.pdf
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(writer.os, "replace", dies_on_the_second_output)
    new = [OutputFile("a.pdf", b"new a", {"n": 1}), OutputFile("b.pdf", b"new b", {"n": 2})]
    with pytest.raises(KeyboardInterrupt):
        write_outputs(build, {"edition": "2"}, new)
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert (build / "a.pdf").read_bytes() == b"new a" and (build / "b.pdf").read_bytes() == b"old b"

    recover(build, {"a.pdf", "b.pdf", writer.CHECKSUMS, writer.MANIFEST})  # what the next build does first

    assert (build / "b.pdf").read_bytes() == b"new b"
    assert '"edition": "2"' in (build / "manifest.json").read_text()
    assert _checksums_match(build)
    assert not (build / writer.JOURNAL).exists() and not list(build.glob(".*.tmp"))


def test_a_journal_that_points_outside_the_build_folder_is_ignored(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    outside = tmp_path / "keep.txt"
    outside.write_text("mine")
    (build / writer.JOURNAL).write_text('{"renames": [["../keep.txt", "x"]], "remove": ["../keep.txt", "/etc/x"]}')
    recover(build, {"x", "a.pdf"})
    assert outside.read_text() == "mine"
    assert not (build / writer.JOURNAL).exists()


def test_two_builds_started_at_once_both_finish_and_build_stays_consistent(built_mini, tmp_path):
    root = _edited_copy(built_mini, tmp_path)
    first = _start_build(root)
    _wait_for_renders(first)
    second = _start_build(root)
    _, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert "waiting for another build of this booklet to finish" in second_err
    assert _checksums_match(root / "build")
    assert not list((root / "build").rglob("*.tmp"))
