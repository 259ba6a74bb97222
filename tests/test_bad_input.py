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
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import TESTS, booklet

CORPUS = TESTS / "bad_input"
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

    result = booklet(root, spec.get("command", "check"), *spec.get("args", []))  # in-process: no traceback escapes

    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == spec["stderr"], result.stderr
    assert result.returncode == 1
    assert _snapshot(root / "build") == before
    assert not list((root / "build").rglob("*.tmp"))
