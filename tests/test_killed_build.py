"""A build that is killed, or whose render processes are, never leaves a process running,
the project locked or an output changed; and it says what happened in one line."""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from booklet.render import schedule
from booklet.render.cache import RenderCache
from booklet.render.jobs import RenderJob
from booklet.render.schedule import RenderFailed, Scheduler
from conftest import booklet
from test_interrupted import _checksums_match, _edited_copy, _snapshot

# A build of its own, with the real default of one render process per core (two at least).
JOBS = () if len(os.sched_getaffinity(0)) > 1 else ("--jobs", "2")
ONE_LINE = "booklet: interrupted; earlier outputs are unchanged\n"


def _start_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "booklet", "--root", str(root), "build", *JOBS],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            pass
    return found


def _descendants(pid: int) -> set[int]:
    found = set(_children(pid))
    for child in list(found):
        found |= _descendants(child)
    return found


def _running(pid: int) -> bool:
    """Alive, not a zombie waiting to be reaped (a container's init may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _workers_rendering(process: subprocess.Popen) -> set[int]:
    """The build's render processes, once they have been at it for a moment (so it is mid-render)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if len(_children(process.pid)) >= 2:
            time.sleep(0.5)
            return _descendants(process.pid)
        time.sleep(0.02)
    pytest.fail("the build never started its render processes")


def _all_gone(pids: set[int], within: float = 5.0) -> float:
    started = time.monotonic()
    while any(_running(pid) for pid in pids):
        assert time.monotonic() - started < within, f"still running: {[p for p in pids if _running(p)]}"
        time.sleep(0.01)
    return time.monotonic() - started


@pytest.fixture
def leftovers():
    """Processes a test started, SIGKILLed at its end should the test have failed with them running."""
    pids: set[int] = set()
    yield pids
    for pid in pids:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def _unlocked(root: Path) -> bool:
    with open(root / "build" / ".lock", "rb") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_build_killed_mid_render_leaves_no_process_running_and_the_project_unlocked(built_mini, tmp_path, how,
                                                                                      leftovers):
    root = _edited_copy(built_mini, tmp_path)
    before = _snapshot(root / "build")
    process = _start_build(root)
    workers = _workers_rendering(process)
    leftovers |= workers
    os.kill(process.pid, how)  # the build alone, as the OOM killer or `kill` would: not its group
    process.wait(timeout=30)
    _all_gone(workers)
    _, stderr = process.communicate(timeout=5)  # the workers held the pipe too
    if how == signal.SIGTERM:  # handled as Ctrl-C is
        assert process.returncode == 143
        assert stderr == ONE_LINE
    else:
        assert process.returncode == -signal.SIGKILL
    assert _unlocked(root)
    assert _snapshot(root / "build") == before
    assert not list((root / "build").rglob("*.tmp"))
    if how == signal.SIGKILL:  # and the next build goes ahead at once, rather than waiting for ever
        again = subprocess.run([sys.executable, "-m", "booklet", "--root", str(root), "build", "-q", *JOBS],
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert "waiting for another build" not in again.stderr
        assert _checksums_match(root / "build")


def _long_edited_copy(built_mini: Path, tmp_path: Path) -> Path:
    """The edited copy with a patient chapter long enough that its renders are still running when
    a worker is killed (the fixture's own renders could all be done by then, and the build pass)."""
    root = _edited_copy(built_mini, tmp_path)
    chapter = root / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text() + "\nMore about the heron lake [@web-reviewed].\n" * 400)
    return root


def test_a_render_process_killed_mid_render_fails_the_build_with_one_line_naming_its_output(built_mini, tmp_path,
                                                                                          leftovers):
    root = _long_edited_copy(built_mini, tmp_path)
    before = _snapshot(root / "build")
    process = _start_build(root)
    workers = _workers_rendering(process)
    leftovers |= workers | {process.pid}
    os.kill(min(workers), signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    assert re.fullmatch(r"html/(fixture-patient-[a-z0-9.-]+)\.html: a render process stopped unexpectedly "
                        r"\(killed, or out of memory\) while making \1\.pdf\n", stderr), stderr
    _all_gone(workers)  # the other one was stopped too
    assert _snapshot(root / "build") == before
    assert not list((root / "build").rglob("*.tmp"))


def _job(tmp_path: Path, name: str) -> RenderJob:
    return RenderJob(name, tmp_path / "doc.html", tmp_path, (), b"0" * 16, 0, accessible=False)


def _stuck(job: RenderJob) -> None:
    """A worker's job that does not end (for 30 s, so a failing test does not hang); it says which
    process runs it."""
    # Whole or not at all (a worker stopped mid-write left an empty file for the test to read).
    pid_file = Path(job.root) / f"{job.html}.pid"
    pid_file.with_suffix(".tmp").write_text(str(os.getpid()))
    os.replace(pid_file.with_suffix(".tmp"), pid_file)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.05)


def _stuck_deaf_to_sigterm(job: RenderJob) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _stuck(job)


def test_the_output_named_is_the_one_whose_process_was_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(schedule, "run_job", _stuck)  # the workers are forked: they run it too
    pid_of_second = tmp_path / "second.pid"

    def kill_the_second_once_it_runs() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if pid_of_second.exists() and pid_of_second.read_text():
                os.kill(int(pid_of_second.read_text()), signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_second_once_it_runs)
    killer.start()
    scheduler = Scheduler(RenderCache(tmp_path), 2)
    try:
        with pytest.raises(RenderFailed) as failed:
            scheduler.run({"first": _job(tmp_path, "first"), "second": _job(tmp_path, "second")})
    finally:
        scheduler.close()
        killer.join()
    assert failed.value.name == "second"
    assert failed.value.error.message == ("a render process stopped unexpectedly (killed, or out of memory) "
                                          "while making second.pdf")
    first = tmp_path / "first.pid"  # absent when the first job was stopped before it began
    assert not first.exists() or not _running(int(first.read_text()))


ORPHANED_WITHOUT_THE_DEATH_SIGNAL = """
import os, sys, time
from pathlib import Path
from booklet.render import schedule
from booklet.render.cache import RenderCache
from booklet.render.jobs import RenderJob

folder = Path(sys.argv[1])
schedule.PR_SET_PDEATHSIG = 0  # an option prctl refuses, as a system without it would: the watchdog is left

def stuck(job):
    (folder / f"{job.html}.pid").write_text(str(os.getpid()))
    time.sleep(30)

schedule.run_job = stuck
job = lambda name: RenderJob(name, folder / "doc.html", folder, (), b"0" * 16, 0, accessible=False)
schedule.Scheduler(RenderCache(folder), 2).run({"a": job("a"), "b": job("b")})
"""


def test_without_the_parent_death_signal_a_watchdog_ends_the_workers_of_a_killed_build(tmp_path, leftovers):
    build = subprocess.Popen([sys.executable, "-c", ORPHANED_WITHOUT_THE_DEATH_SIGNAL, str(tmp_path)])
    leftovers.add(build.pid)
    deadline = time.monotonic() + 20
    while not all((tmp_path / f"{name}.pid").exists() and (tmp_path / f"{name}.pid").read_text()
                  for name in ("a", "b")):
        assert time.monotonic() < deadline and build.poll() is None
        time.sleep(0.02)
    workers = {int((tmp_path / f"{name}.pid").read_text()) for name in ("a", "b")}
    leftovers |= workers
    build.kill()
    build.wait(timeout=10)
    _all_gone(workers, within=3 * schedule.PARENT_POLL_S + 1)


def test_a_job_past_the_time_limit_is_stopped_even_when_its_process_ignores_sigterm(tmp_path, monkeypatch):
    monkeypatch.setattr(schedule, "run_job", _stuck_deaf_to_sigterm)
    scheduler = Scheduler(RenderCache(tmp_path), 2, time_limit=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(RenderFailed) as failed:
            scheduler.run({"first": _job(tmp_path, "first"), "second": _job(tmp_path, "second")})
    finally:
        scheduler.close()
    assert time.monotonic() - started < 10
    # Both are overdue within moments of each other; which one is found first depends on the load.
    assert failed.value.name in ("first", "second")
    assert failed.value.error.message.startswith(f"rendering {failed.value.name}.pdf took more than 0.5 s")
    for name in ("first", "second"):
        assert not _running(int((tmp_path / f"{name}.pid").read_text()))


@pytest.mark.parametrize("jobs", ["1", "2"])  # in this process (SIGALRM), and in render processes
def test_a_render_past_the_time_limit_fails_the_build_with_one_line_naming_its_output(built_mini, tmp_path,
                                                                                     monkeypatch, jobs):
    root = _edited_copy(built_mini, tmp_path)
    before = _snapshot(root / "build")
    monkeypatch.setattr(schedule, "RENDER_TIME_LIMIT_S", 0.05)
    alarm, children = signal.getsignal(signal.SIGALRM), _descendants(os.getpid())
    result = booklet(root, "build", "--jobs", jobs)
    assert result.returncode == 1
    assert re.fullmatch(r"html/(fixture-patient-[a-z0-9.-]+)\.html: rendering \1\.pdf took more than 0\.05 s, "
                        r"so the build stopped it: look for a very large image or table in it\n",
                        result.stderr), result.stderr
    assert signal.getsignal(signal.SIGALRM) == alarm and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert _snapshot(root / "build") == before
    assert _descendants(os.getpid()) <= children  # no render process left behind


@pytest.mark.parametrize("target_exists", [False, True])
def test_a_symbolic_link_as_the_build_lock_is_refused_and_never_followed(built_mini, tmp_path, target_exists):
    root = tmp_path / "project"
    shutil.copytree(built_mini, root, symlinks=True)
    target = tmp_path / "elsewhere" / "target"
    target.parent.mkdir()
    if target_exists:
        target.write_text("not the booklet's")
    (root / "build" / ".lock").unlink()
    (root / "build" / ".lock").symlink_to(target)
    result = booklet(root, "build")
    assert result.returncode == 1
    assert result.stderr == "build/.lock: is a symbolic link; the build lock must be a real file: remove the link\n"
    assert target.exists() == target_exists
    if target_exists:
        assert target.read_text() == "not the booklet's"


def test_a_build_lock_that_cannot_be_opened_is_one_line_naming_it(built_mini, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(built_mini, root, symlinks=True)
    (root / "build" / ".lock").unlink()
    (root / "build" / ".lock").mkdir()
    result = booklet(root, "build")
    assert result.returncode == 1
    assert result.stderr == "build/.lock: cannot open the build lock: Is a directory\n"
