"""Runs renders and impositions: from the cache when their inputs are unchanged, otherwise
in parallel processes, each as soon as what it needs is ready.

WeasyPrint renders on one core, so independent outputs go to a pool of worker
processes (one per core by default). A job that needs another's result (a printing
note needs its booklet's page count; an imposed copy needs both) is made and
started the moment that result arrives, so it overlaps the renders still running
instead of waiting for all of them. WeasyPrint and pypdf are imported only when
something must actually be done, so a build with nothing to do stays fast.

However the build ends, its workers end with it: Ctrl-C, SIGTERM and errors stop them
(abort), and a build killed outright takes them along (see _die_with_parent). A worker
killed from outside (by hand, or by the kernel out of memory) fails the build with one
line naming what it was making, and a render that runs past RENDER_TIME_LIMIT_S is
stopped, even one stuck in C code, since the main process kills the worker.
"""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Union

from .cache import CachedPdf, RenderCache, code_digest, render_key
from .plan import PAPERS
from .resources import IMPOSE_LIBRARIES, library_versions
from .jobs import ImposeJob, RenderedPdf, RenderError, RenderJob, run_job


@dataclass(frozen=True)
class Later:
    """A job made only once the named results exist."""

    after: tuple[str, ...]
    make: Callable[[dict[str, RenderedPdf]], RenderJob | ImposeJob]


Work = Union[RenderJob, ImposeJob, Later]

# How long one render (or imposition) may take before the build gives up on it. Real renders of
# the real booklet take up to ~10 s each on a 2-core machine; a slower or busier one (shared
# cores, CI, a laptop on battery) or a much longer booklet may well take several times that, so
# the limit leaves twelvefold room: it is there to end a render that hangs (a decoder stuck in C,
# a layout that never ends), not to judge slow ones. Tests lower it.
RENDER_TIME_LIMIT_S = 120.0
PARENT_POLL_S = 0.5  # how often a worker's watchdog looks for its parent (see _die_with_parent)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class RenderFailed(Exception):
    def __init__(self, name: str, error: RenderError):
        super().__init__(name, error)
        self.name = name
        self.error = error


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def job_key(job: RenderJob | ImposeJob) -> str:
    if isinstance(job, ImposeJob):
        digest = hashlib.sha256(f"impose|{code_digest('impose.py')}|{library_versions(IMPOSE_LIBRARIES)}|"
                                f"{job.title}|{job.sheet}|"
                                f"{PAPERS[job.sheet].landscape_points}".encode())
        digest.update(hashlib.sha256(job.booklet).digest() + hashlib.sha256(job.note).digest())
        return digest.hexdigest()
    options = {"identifier": job.identifier.hex(), "epoch": job.source_date_epoch, "accessible": job.accessible,
               "page_map": job.page_map,
               "xmp": hashlib.sha256(job.xmp).hexdigest() if job.xmp else None,
               "packages": [str(p) for p in job.packages]}
    key = render_key(job.html, job.html_path, job.root, options)
    if job.padding_html is not None:
        key = hashlib.sha256((key + render_key(job.padding_html, job.html_path, job.root, options)).encode()
                             ).hexdigest()
    return key


def _size(job: RenderJob | ImposeJob) -> int:
    return len(job.html) if isinstance(job, RenderJob) else 0


def _what(name: str) -> str:
    """A job's output, as its message names it."""
    return f"the printing note for {name.removesuffix('-note')}.pdf" if name.endswith("-note") else f"{name}.pdf"


class _OverTime(BaseException):
    """SIGALRM's word that the job running in this process is past its time limit. Not an
    Exception, so that no `except Exception` in the renderer's libraries swallows it."""


@contextmanager
def _alarm(limit: float | None) -> Iterator[None]:
    """Raise _OverTime in the block once `limit` seconds have passed. Signal handlers run in the
    main thread only, so elsewhere (and where there is no setitimer) there is no limit; an outer
    alarm that would come first anyway (pytest-timeout's, say) is left alone, and any other is
    set going again afterwards."""
    if limit is None or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer = signal.getitimer(signal.ITIMER_REAL)
    if outer[0] and outer[0] <= limit:
        yield
        return
    armed, fired = True, False

    def over(signum, frame) -> None:
        nonlocal fired
        if armed:
            fired = True
            raise _OverTime()

    previous = signal.signal(signal.SIGALRM, over)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, limit, 1.0)  # and every second after, should a library swallow it
    try:
        yield
    finally:
        try:
            armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
            if outer[0]:
                signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 0.001), outer[1])
    if fired:  # the block finished, but only because something caught _OverTime
        raise _OverTime()


class _InThisProcess(Executor):
    """`--jobs 1`: each job runs at once, here; its future is already done. A job past the time
    limit is stopped by SIGALRM (see _alarm) and its future holds _OverTime."""

    def __init__(self, limit: float | None = None):
        self.limit = limit

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            with _alarm(self.limit):
                result = fn(*args, **kwargs)
        except _OverTime as over:
            future.set_exception(over)
        else:
            future.set_result(result)
        return future


# Told of each job as it starts and ends: ("start" | "done" | "cached", name, result or None).
Progress = Callable[[str, str, Union[RenderedPdf, None]], None]


def _silent(event: str, name: str, result: RenderedPdf | None) -> None:
    pass


class Scheduler:
    def __init__(self, cache: RenderCache, jobs: int, progress: Progress | None = None,
                 time_limit: float | None = None):
        self.cache = cache
        self.jobs = max(1, jobs)
        self.progress = progress or _silent
        self.time_limit = time_limit  # seconds per job; None: RENDER_TIME_LIMIT_S (0: no limit)
        # The pool's bookkeeping: when each job started and the slot where its worker writes its pid
        # (which job a killed worker was running), the free slots, and every worker by pid.
        self._started: dict[Future, tuple[float, int]] = {}
        self._slots: Any = None
        self._free_slots = list(range(self.jobs))
        self._workers: dict[int, Any] = {}
        # Each job once made (a Later one when its inputs exist), with its cache key and cached result.
        self._made: dict[str, tuple[RenderJob | ImposeJob, str, CachedPdf | None]] = {}
        self._pool: Executor | None = None
        self.rendered: list[str] = []  # names of the renders actually run (not from the cache)

    def run(self, work: dict[str, Work]) -> dict[str, RenderedPdf]:
        """Results by name. After a failure only the renders given directly still start (no follow-on
        work); once they end, RenderFailed is raised for the first failed name in the order given."""
        waiting = dict(work)
        awaited = {name for item in work.values() if isinstance(item, Later) for name in item.after}
        results: dict[str, RenderedPdf] = {}
        running: dict[Future, tuple[str, str, RenderJob | ImposeJob]] = {}
        failures: dict[str, RenderError] = {}
        while True:
            # After a failure the remaining renders still run (not the follow-on work), so which
            # failure is reported does not depend on timing or on the number of workers.
            self._start_ready(waiting, awaited, results, running, renders_only=bool(failures))
            if not running:
                break
            done, _ = wait(running, timeout=self._time_left(running), return_when=FIRST_COMPLETED)
            if not done:
                self._stop_overdue(running, work)
                continue
            for future in done:
                self._stop_if_lost(future, running, work)
                name, key, job = running.pop(future)
                if future in self._started:
                    self._free_slots.append(self._started.pop(future)[1])
                outcome = future.result()
                if isinstance(outcome, RenderError):
                    failures[name] = outcome
                    continue
                if isinstance(job, RenderJob):
                    self.rendered.append(name)
                if not outcome.overflows:  # a failing render is never cached
                    self.cache.put(key, outcome.data, outcome.pages, outcome.warnings, outcome.inputs,
                                   outcome.page_starts)
                results[name] = outcome
                self.progress("done", name, outcome)
        if failures:
            first = next(name for name in work if name in failures)
            raise RenderFailed(first, failures[first])
        if waiting:
            raise ValueError(f"jobs waiting on results that never came: {sorted(waiting)}")
        return {name: results[name] for name in work}

    def _start_ready(self, waiting: dict[str, Work], awaited: set[str], results: dict[str, RenderedPdf],
                     running: dict[Future, tuple[str, str, RenderJob | ImposeJob]],
                     renders_only: bool = False) -> None:
        """Take cached results and start jobs whose inputs are ready while a worker is free: first
        those that others wait for (so the follow-on work fills the gaps between renders), then the
        longest. Starting no more than there are workers means "rendering X" is said when X starts,
        and a job that becomes ready later can still go ahead of the longer ones."""
        while True:
            ready = [name for name, item in waiting.items()
                     if not isinstance(item, Later) or not renders_only and all(a in results for a in item.after)]
            if not ready:
                return
            for name in ready:
                if name not in self._made:
                    item = waiting[name]
                    job = item.make(results) if isinstance(item, Later) else item
                    key = job_key(job)
                    folders = job.folders if isinstance(job, RenderJob) else ()
                    self._made[name] = (job, key, self.cache.get(key, folders))
            cached_any = False
            for name in sorted(ready, key=lambda n: (n not in awaited, -_size(self._made[n][0]))):
                job, key, hit = self._made[name]
                if hit is not None:
                    del waiting[name]
                    results[name] = RenderedPdf(hit.data, hit.pages, hit.warnings, from_cache=True,
                                                inputs=hit.inputs, page_starts=hit.page_starts)
                    cached_any = True
                    self.progress("cached", name, results[name])
                elif len(running) < self.jobs:
                    del waiting[name]
                    self.progress("start", name, None)
                    running[self._submit(job)] = (name, key, job)
            if not cached_any:
                return  # nothing new finished, so nothing new can be ready yet

    def _executor(self) -> Executor:
        if self._pool is None:
            if self.jobs > 1:
                self._slots = multiprocessing.RawArray("i", self.jobs)
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_start_worker,
                                                 initargs=(os.getpid(), self._slots))
            else:
                self._pool = _InThisProcess(self._limit())
        return self._pool

    def _submit(self, job: RenderJob | ImposeJob) -> Future:
        pool = self._executor()
        if not isinstance(pool, ProcessPoolExecutor):
            return pool.submit(run_job, job)
        slot = self._free_slots.pop()
        self._slots[slot] = 0
        future = pool.submit(_run_in_worker, slot, job)
        self._started[future] = (time.monotonic(), slot)
        self._workers.update(getattr(pool, "_processes", None) or {})  # all started by the first submit
        return future

    def _limit(self) -> float | None:
        limit = RENDER_TIME_LIMIT_S if self.time_limit is None else self.time_limit
        return limit if 0 < limit < float("inf") else None

    def _time_left(self, running: dict[Future, Any]) -> float | None:
        """Until the first running job reaches the limit (None: no limit, or no job in workers)."""
        limit = self._limit()
        started = [self._started[future][0] for future in running if future in self._started]
        if limit is None or not started:
            return None
        return max(0.0, min(started) + limit - time.monotonic())

    def _stop_overdue(self, running: dict[Future, tuple[str, str, RenderJob | ImposeJob]], order: dict) -> None:
        """The limit is the main process's to keep, so that a worker stuck in C code is stopped too."""
        limit, now = self._limit(), time.monotonic()
        if limit is None:
            return
        overdue = {name for future, (name, _, _) in running.items()
                   if future in self._started and now - self._started[future][0] >= limit}
        if overdue:
            self.abort()
            name = next(name for name in order if name in overdue)
            raise RenderFailed(name, RenderError(_over_time(name, limit), ""))

    def _stop_if_lost(self, future: Future, running: dict[Future, tuple[str, str, RenderJob | ImposeJob]],
                      order: dict) -> None:
        """A job that ended without a result: its worker was killed, or it ran out of time here."""
        error = future.exception()
        if isinstance(error, _OverTime):
            name = running[future][0]
            raise RenderFailed(name, RenderError(_over_time(name, self._limit() or 0), ""))
        if isinstance(error, BrokenProcessPool):
            name = self._killed_job(running, order)
            self.abort()  # the pool has broken: the other workers are of no more use
            raise RenderFailed(name, RenderError("a render process stopped unexpectedly (killed, or out of "
                                                 f"memory) while making {_what(name)}", ""))

    def _killed_job(self, running: dict[Future, tuple[str, str, RenderJob | ImposeJob]], order: dict) -> str:
        """The job whose worker died (the pool says only that one did). The worker killed from outside
        has an exit status before the others, which are still running or were just stopped by the
        pool (SIGTERM); its pid is in the slot of the job it was running. Failing that, the first
        job running, in the order given."""
        deadline = time.monotonic() + 1.0
        while True:  # the pool's thread may be reaping it at this moment
            exits = {pid: process.exitcode for pid, process in self._workers.items()}
            dead = {pid for pid, code in exits.items() if code is not None}
            if dead or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        killed = {pid for pid in dead if exits[pid] != -signal.SIGTERM} or dead
        names = {name for future, (name, _, _) in running.items()
                 if future in self._started and self._slots[self._started[future][1]] in killed}
        names = names or {name for name, _, _ in running.values()}
        return next(name for name in order if name in names)

    def abort(self) -> None:
        """Stop the workers at once (on Ctrl-C or any other way out of a build that is not its end),
        rather than waiting for the renders they are running: SIGKILL, which stops one stuck in C
        code too (they hold nothing that needs cleaning up; the outputs are the main process's)."""
        if isinstance(self._pool, ProcessPoolExecutor):
            workers = {**self._workers, **(getattr(self._pool, "_processes", None) or {})}
            for process in workers.values():
                try:
                    process.kill()
                except (OSError, ValueError):  # already gone
                    pass

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _over_time(name: str, limit: float) -> str:
    return (f"rendering {_what(name)} took more than {limit:g} s, so the build stopped it: look for a very "
            "large image or table in it")


_slots: Any = None  # in a worker: the scheduler's slots, where it writes its pid as it starts a job


def _start_worker(parent: int, slots: Any) -> None:
    """A worker's first act. Ctrl-C is the main process's to handle: it stops the workers and
    reports once, where a worker would print its own traceback. And the worker dies with it."""
    global _slots
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _slots = slots
    _die_with_parent(parent)


def _run_in_worker(slot: int, job: RenderJob | ImposeJob) -> RenderedPdf | RenderError:
    if _slots is not None:
        _slots[slot] = os.getpid()
    return run_job(job)


def _die_with_parent(parent: int) -> None:
    """A worker never outlives its build: a build killed outright (kill -9, the kernel out of
    memory) cannot stop its workers, which would wait for more work for ever, holding the build's
    output pipes (and, before lock.py closed them, its lock). On Linux the kernel
    sends the worker SIGKILL as its parent ends (PR_SET_PDEATHSIG; strictly, as the thread that
    forked it ends: the one running the scheduler, which outlives the pool). If the parent died
    before that call, the worker has a new parent already and leaves at once. Then, on every
    system, and on Linux as a second guard (should prctl be refused), a thread looks for the
    parent every PARENT_POLL_S and ends the worker once it has gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="booklet-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)
