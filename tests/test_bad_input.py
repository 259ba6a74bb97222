"""The corpus of bad and hostile input (tests/bad_input/): each case fails with exactly the
message expected, exit status 1, no traceback, and leaves the earlier outputs untouched.

A case is a folder holding `case.yaml` and, in `files/`, the files it lays over a copy of
the mini fixture project. case.yaml:
    command: check | build            (the `booklet` command to run; default check)
    args: [--brand, brands/x.yaml]    (more arguments, optional)
    stderr: |                         (the exact error output)
      chapters/03-bad.md:4: ...
    remove: [chapters/02-patient-only.md]          (files to delete first, optional)
    symlinks: {chapters/03-link.md: /etc/hostname}  (links to make, optional)
    large: {chapters/03-huge.md: 3000000}           (files of that many bytes of text, optional)
    renders: true                                   (found only by rendering: exempt from the time budget)

Every case is refused within TIME_BUDGET_S (a hostile file must not hold a build up), and the
resource bombs within MEMORY_BUDGET_MB (test_resource_bombs_are_refused_within_the_memory_budget).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import TESTS, booklet

CORPUS = TESTS / "bad_input"
TIME_BUDGET_S = 10
MEMORY_BUDGET_MB = 500
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts}


def _lay_out_case(case: Path, root: Path, spec: dict) -> None:
    for name in spec.get("remove", []):
        (root / name).unlink()
    files = case / "files"
    if files.is_dir():
        for source in files.rglob("*"):
            if source.is_file():
                target = root / source.relative_to(files)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    for name, target in spec.get("symlinks", {}).items():
        os.symlink(target, root / name)
    for name, size in spec.get("large", {}).items():
        head = "---\ntitle: Huge\nid: huge\norder: 9\naudience: patient\nsummary: Too big.\n---\n"
        (root / name).write_text(head + "Words and more words. " * (size // 22), encoding="utf-8")


# One case at least for each kind of bad input the corpus exists to cover.
REQUIRED = {
    "malformed-yaml", "booklet-yaml-malformed", "references-malformed", "changelog-malformed",  # broken files
    "not-utf8", "booklet-yaml-not-utf8", "references-not-utf8", "brand-not-utf8", "changelog-not-utf8",
    "empty-file", "no-front-matter", "front-matter-never-closed", "front-matter-is-a-string",
    "missing-key", "unknown-key", "wrong-type", "impossible-date", "duplicate-id", "unknown-citation",
    "unclosed-audience-block", "unknown-box-type", "image-without-alt-text",
    "alias-bomb", "references-alias-bomb", "very-large-file",  # runaway inputs
    "deeply-nested-yaml", "deeply-nested-lists", "deeply-nested-markdown", "deeply-nested-html",
    "raw-html-script", "raw-html-iframe", "raw-html-object", "raw-html-style", "raw-html-event-handler",
    "javascript-link", "raw-html-javascript-link",  # hostile HTML
    "chapter-links-outside-the-project", "markdown-image-outside", "markdown-image-from-the-web",  # fetches
    "raw-html-image-file-url", "css-url-outside", "css-import-from-the-web", "svg-image-referring-outside",
    "brand-file-outside-the-project", "brand-logo-outside", "brand-svg-logo-referring-outside",
    # Round 2: resources past their budgets, checked before anything lays them out or decodes them
    "image-of-enormous-pixel-size", "image-truncated", "image-named-for-another-format", "svg-nested-use-bomb",
    "svg-nested-deeply", "svg-entity-expansion", "svg-external-entity", "svg-stylesheet-import",
    "brand-logo-svg-bomb", "table-too-large", "table-cell-spanning-thousands",
    "table-column-group-spanning-thousands", "long-line", "regex-unclosed-citation", "many-angle-brackets",
    "many-brackets-in-a-paragraph", "image-taller-than-the-page",
    # ... and what would print a wrong page without a word
    "raw-html-stylesheet-class", "raw-html-running-head-class", "attribute-list-class", "html-id-twice",
    "html-id-outside-the-chapter", "heading-id-of-the-booklet", "raw-html-direction", "src-direction-control",
    "html-entity-direction-control", "src-direction-control-as-yaml-escape", "src-invisible-title",
    "src-duplicate-key", "src-booklet-yaml-duplicate-key", "src-changelog-missing-build", "http-link",
    "src-published-after-next-review", "raw-html-image-without-alt", "raw-html-image-missing",
    # ... and what gave a traceback
    "src-huge-number", "src-booklet-yaml-huge-number", "src-no-patient-text", "src-order-out-of-range",
}


def test_the_corpus_covers_every_kind_of_bad_input_and_each_case_is_complete():
    assert sorted(REQUIRED - set(CASES)) == []
    for case in CASES:
        spec = yaml.safe_load((CORPUS / case / "case.yaml").read_text(encoding="utf-8"))
        assert spec.get("command", "check") in ("check", "build"), case
        assert spec["stderr"].strip() and spec["stderr"].endswith("\n"), case  # the exact lines, each ended


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_cleanly_with_the_expected_message(case, built_mini, tmp_path):
    folder = CORPUS / case
    spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    root = tmp_path / "project"
    shutil.copytree(built_mini, root, symlinks=True)
    _lay_out_case(folder, root, spec)
    before = _snapshot(root / "build")

    started = time.perf_counter()
    result = booklet(root, spec.get("command", "check"), *spec.get("args", []))  # in-process: no traceback escapes
    seconds = time.perf_counter() - started

    assert "Traceback" not in result.stderr, result.stderr
    assert spec.get("renders") or seconds < TIME_BUDGET_S, f"took {seconds:.1f} s"
    assert result.stderr == spec["stderr"], result.stderr
    assert result.returncode == 1
    assert _snapshot(root / "build") == before
    assert not list((root / "build").rglob("*.tmp"))


# The cases that would exhaust memory or time if anything decoded, expanded or laid them out.
BOMBS = ("alias-bomb", "references-alias-bomb", "very-large-file", "deeply-nested-html", "deeply-nested-yaml",
         "image-of-enormous-pixel-size", "svg-nested-use-bomb", "svg-entity-expansion", "svg-nested-deeply",
         "table-too-large", "table-cell-spanning-thousands", "table-column-group-spanning-thousands",
         "brand-logo-svg-bomb")

_MEASURE = """
import json, resource, shutil, sys, contextlib, io
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_bad_input import CORPUS, _lay_out_case
import yaml
from booklet.cli import main
peaks = {}
for case in sys.argv[3:]:
    spec = yaml.safe_load((CORPUS / case / "case.yaml").read_text())
    root = Path(sys.argv[2]) / case
    shutil.copytree(CORPUS.parent / "fixtures" / "mini", root)
    _lay_out_case(CORPUS / case, root, spec)
    with contextlib.chdir(root), contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        main(["--root", str(root), spec.get("command", "check"), *spec.get("args", [])])
    peaks[case] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(peaks))
"""


def test_resource_bombs_are_refused_within_the_memory_budget(tmp_path):
    """One process refuses every bomb in turn; its peak memory (which only grows) stays within
    the budget, so none of them came near it."""
    assert set(BOMBS) <= set(CASES)
    result = subprocess.run([sys.executable, "-c", _MEASURE, str(TESTS), str(tmp_path), *BOMBS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    peaks = json.loads(result.stdout.splitlines()[-1])
    assert max(peaks.values()) < MEMORY_BUDGET_MB, peaks
