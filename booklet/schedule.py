"""Runs renders: from the cache when their inputs are unchanged, otherwise in parallel processes.

WeasyPrint renders on one core, so independent outputs go to a pool of worker
processes (one per core by default). It is imported only when something must
actually be rendered, so a build with nothing to do stays fast.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import Executor, ProcessPoolExecutor

from .cache import RenderCache, render_key
from .rendering import RenderedPdf, RenderError, RenderJob


class RenderFailed(Exception):
    def __init__(self, name: str, error: RenderError):
        super().__init__(name, error)
        self.name = name
        self.error = error


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def job_key(job: RenderJob) -> str:
    options = {"identifier": job.identifier.hex(), "epoch": job.source_date_epoch, "accessible": job.accessible,
               "xmp": hashlib.sha256(job.xmp).hexdigest() if job.xmp else None,
               "allowed": [str(p) for p in job.allowed]}
    key = render_key(job.html, job.html_path, options)
    if job.padding_html is not None:
        key = hashlib.sha256((key + render_key(job.padding_html, job.html_path, options)).encode()).hexdigest()
    return key


class Scheduler:
    def __init__(self, cache: RenderCache, jobs: int):
        self.cache = cache
        self.jobs = max(1, jobs)
        self._pool: Executor | None = None
        self.rendered: list[str] = []  # names of the renders actually run (not from the cache)

    def run(self, named: dict[str, RenderJob]) -> dict[str, RenderedPdf]:
        """Results by name; raises RenderFailed for the first failure, in the order given."""
        results: dict[str, RenderedPdf] = {}
        missing: dict[str, tuple[str, RenderJob]] = {}
        for name, job in named.items():
            key = job_key(job)
            hit = self.cache.get(key)
            if hit is not None:
                results[name] = RenderedPdf(hit.data, hit.pages, hit.warnings, from_cache=True)
            else:
                missing[name] = (key, job)
        if not missing:
            return results
        from .pdf import render_job  # the heavy import, only when there is work

        if self.jobs == 1 or len(missing) == 1:
            outcomes = {name: _attempt(render_job, job) for name, (_, job) in missing.items()}
        else:
            pool = self._get_pool(len(missing))
            # Longest first (by document length), so no worker is left with a big render at the end.
            order = sorted(missing, key=lambda name: -len(missing[name][1].html))
            futures = {name: pool.submit(_attempt, render_job, missing[name][1]) for name in order}
            outcomes = {name: future.result() for name, future in futures.items()}
        for name, (key, _) in missing.items():
            outcome = outcomes[name]
            if isinstance(outcome, RenderError):
                raise RenderFailed(name, outcome)
            self.rendered.append(name)
            if not outcome.overflows:  # a failing render is never cached
                self.cache.put(key, outcome.data, outcome.pages, outcome.warnings)
            results[name] = outcome
        return {name: results[name] for name in named}

    def _get_pool(self, wanted: int) -> Executor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=min(self.jobs, wanted))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _attempt(render, job: RenderJob):
    """Run in a worker: return the result or the RenderError, so every failure comes back as data."""
    try:
        return render(job)
    except RenderError as err:
        return err
