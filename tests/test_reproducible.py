"""Same inputs, same bytes: whatever the time zone, locale, file times, folder or number of
render processes."""
from __future__ import annotations

import os

from conftest import make_project, run_booklet


def test_builds_in_other_zones_locales_folders_file_times_and_processes_are_identical(built_mini, tmp_path):
    """built_mini rendered in the test process, one document at a time, in the test's own
    environment; this one renders in parallel worker processes, elsewhere, at other times."""
    elsewhere = make_project(tmp_path / "two" / "elsewhere")
    for path in elsewhere.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: file times must not leak in
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C", "SOURCE_DATE_EPOCH": "0"}
    result = run_booklet(elsewhere, "build", "--jobs", "2", env=env)
    assert result.returncode == 0, result.stderr
    sums = (elsewhere / "build" / "SHA256SUMS").read_text()
    assert sums == (built_mini / "build" / "SHA256SUMS").read_text()
    names = [line.split("  ", 1)[1] for line in sums.splitlines()]
    assert len([name for name in names if name.endswith(".pdf") and "/" not in name]) == 9
    assert {"fixture-patient-2.1.0.epub", "fixture-clinician-2.1.0.epub", "web/patient/index.html"} <= set(names)


def test_pdfs_with_images_are_the_same_wherever_the_project_is(tmp_path):
    """WeasyPrint names each image in the PDF after its address: the renderer sees the project
    at one fixed address, so raster images, SVGs and the images inside SVGs leave no trace of
    the folder."""
    from PIL import Image

    from booklet.pipeline import build

    sums = []
    for where in ("a", "deeper/b"):
        root = make_project(tmp_path / where / "project")
        images = root / "images"
        images.mkdir()
        Image.new("RGB", (30, 20), "navy").save(images / "block.png")
        Image.new("RGB", (30, 20), "teal").save(images / "block.jpg")
        (images / "frame.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
                                          '<image href="block.png" width="40" height="40"/></svg>')
        chapter = root / "chapters" / "02-patient-only.md"
        chapter.write_text(chapter.read_text() + "\n![A navy block](../images/block.png)\n\n"
                           "![A teal block](../images/block.jpg)\n\n![A framed block](../images/frame.svg)\n")
        build(root, chapter_id="patient-only")
        sums.append((root / "build" / "handouts" / "patient-only" / "SHA256SUMS").read_text())
    assert sums[0] == sums[1]
