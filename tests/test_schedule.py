"""The scheduler: jobs that need others' results, the cache, and failures."""
from __future__ import annotations

from pathlib import Path

import pytest

from booklet.render.cache import RenderCache
from booklet.render.jobs import RenderJob
from booklet.render.schedule import Later, RenderFailed, Scheduler


def _job(tmp_path: Path, body: str) -> RenderJob:
    html = f"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>{body}</body></html>"
    return RenderJob(html, tmp_path / "doc.html", tmp_path, (), b"0" * 16, 0, accessible=False)


def _pages(count: int) -> str:
    return "".join(f"<p style='break-after: page'>page {n}</p>" for n in range(count))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_later_job_is_made_from_the_results_it_waits_for(tmp_path, jobs):
    seen = {}

    def note(results):
        seen.update({name: result.pages for name, result in results.items()})
        return _job(tmp_path, _pages(results["three"].pages + results["two"].pages))

    scheduler = Scheduler(RenderCache(tmp_path), jobs)
    try:
        results = scheduler.run({"sum": Later(("three", "two"), note),
                                 "three": _job(tmp_path, _pages(3)), "two": _job(tmp_path, _pages(2))})
    finally:
        scheduler.close()
    assert list(results) == ["sum", "three", "two"]  # in the order asked for
    assert seen["three"] == 3 and seen["two"] == 2
    assert results["sum"].pages == 5
    assert sorted(scheduler.rendered) == ["sum", "three", "two"]


def test_cached_results_feed_later_jobs_without_rendering_again(tmp_path):
    work = {"one": _job(tmp_path, _pages(1)),
            "after": Later(("one",), lambda results: _job(tmp_path, _pages(results["one"].pages + 1)))}
    first = Scheduler(RenderCache(tmp_path), 1)
    first.run(work)
    again = Scheduler(RenderCache(tmp_path), 1)
    results = again.run(work)
    assert again.rendered == []
    assert results["after"].pages == 2 and results["after"].from_cache


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_failure_in_the_order_given_is_reported_and_its_followers_never_start(tmp_path, jobs):
    made = []

    def follower(results):
        made.append(True)
        return _job(tmp_path, "never")

    broken = _job(tmp_path, "<img src='https://example.org/x.png' alt='x'>")
    scheduler = Scheduler(RenderCache(tmp_path), jobs)
    try:
        with pytest.raises(RenderFailed) as failed:
            scheduler.run({"fine": _job(tmp_path, "ok"), "first-broken": broken,
                           "follower": Later(("first-broken",), follower), "second-broken": broken})
    finally:
        scheduler.close()
    assert failed.value.name == "first-broken"
    assert "example.org" in failed.value.error.message
    assert made == []
