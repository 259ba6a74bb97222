"""Runs renders and impositions: from the cache when their inputs are unchanged, otherwise
in parallel processes, each as soon as what it needs is ready.

WeasyPrint renders on one core, so independent outputs go to a pool of worker
processes (one per core by default). A job that needs another's result (a printing
note needs its booklet's page count; an imposed copy needs both) is made and
started the moment that result arrives, so it overlaps the renders still running
instead of waiting for all of them. WeasyPrint and pypdf are imported only when
something must actually be done, so a build with nothing to do stays fast.
"""
from __future__ import annotations

import hashlib
import os
import signal
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Union

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
               "xmp": hashlib.sha256(job.xmp).hexdigest() if job.xmp else None,
               "packages": [str(p) for p in job.packages]}
    key = render_key(job.html, job.html_path, job.root, options)
    if job.padding_html is not None:
        key = hashlib.sha256((key + render_key(job.padding_html, job.html_path, job.root, options)).encode()
                             ).hexdigest()
    return key


def _size(job: RenderJob | ImposeJob) -> int:
    return len(job.html) if isinstance(job, RenderJob) else 0


class _InThisProcess(Executor):
    """`--jobs 1`: each job runs at once, here; its future is already done."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


# Told of each job as it starts and ends: ("start" | "done" | "cached", name, result or None).
Progress = Callable[[str, str, Union[RenderedPdf, None]], None]


def _silent(event: str, name: str, result: RenderedPdf | None) -> None:
    pass


class Scheduler:
    def __init__(self, cache: RenderCache, jobs: int, progress: Progress | None = None):
        self.cache = cache
        self.jobs = max(1, jobs)
        self.progress = progress or _silent
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
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name, key, job = running.pop(future)
                outcome = future.result()
                if isinstance(outcome, RenderError):
                    failures[name] = outcome
                    continue
                if isinstance(job, RenderJob):
                    self.rendered.append(name)
                if not outcome.overflows:  # a failing render is never cached
                    self.cache.put(key, outcome.data, outcome.pages, outcome.warnings)
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
                    self._made[name] = (job, key, self.cache.get(key))
            cached_any = False
            for name in sorted(ready, key=lambda n: (n not in awaited, -_size(self._made[n][0]))):
                job, key, hit = self._made[name]
                if hit is not None:
                    del waiting[name]
                    results[name] = RenderedPdf(hit.data, hit.pages, hit.warnings, from_cache=True)
                    cached_any = True
                    self.progress("cached", name, results[name])
                elif len(running) < self.jobs:
                    del waiting[name]
                    self.progress("start", name, None)
                    running[self._executor().submit(run_job, job)] = (name, key, job)
            if not cached_any:
                return  # nothing new finished, so nothing new can be ready yet

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = (ProcessPoolExecutor(max_workers=self.jobs, initializer=_ignore_interrupts)
                          if self.jobs > 1 else _InThisProcess())
        return self._pool

    def abort(self) -> None:
        """Stop the workers at once (on Ctrl-C or any other way out of a build that is not its end),
        rather than waiting for the renders they are running."""
        if isinstance(self._pool, ProcessPoolExecutor):
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _ignore_interrupts() -> None:
    """Ctrl-C is the main process's to handle: it stops the workers and reports once, where a
    worker would print its own traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
