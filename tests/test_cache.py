"""The render cache and parallel rendering: unchanged outputs are not rendered again."""
from __future__ import annotations

import subprocess
import sys

from booklet.build import build
from conftest import run_booklet


def _stems(result) -> set[str]:
    return {name.removesuffix("-note") for name in result.rendered}


def test_editing_a_patient_only_chapter_re_renders_only_patient_outputs(project):
    first = build(project, jobs=2)
    assert len(first.rendered) == 9  # the 7 linear outputs and the 2 imposed copies' printing notes
    sums = (project / "build" / "SHA256SUMS").read_text()
    assert build(project, jobs=2).rendered == ()  # nothing changed: nothing rendered
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    edited = build(project, jobs=2)
    assert edited.rendered and all("-patient-" in name for name in edited.rendered)
    assert (project / "build" / "SHA256SUMS").read_text() != sums


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path):
    from conftest import make_project
    one, two = make_project(tmp_path / "one"), make_project(tmp_path / "two")
    build(one, jobs=1)
    build(two, jobs=2)
    assert (one / "build" / "SHA256SUMS").read_text() == (two / "build" / "SHA256SUMS").read_text()


def test_a_damaged_cache_entry_is_rendered_again(project):
    build(project, jobs=1)
    for entry in (project / "build" / ".cache").glob("*.pdf"):
        entry.write_bytes(b"damaged")
    again = build(project, jobs=1)
    assert len(again.rendered) == 9  # 7 linear outputs and 2 printing notes
    assert run_booklet(project, "build").returncode == 0


def test_check_and_a_build_with_nothing_to_do_never_import_weasyprint(project):
    assert run_booklet(project, "build").returncode == 0
    probe = ("import sys; from booklet.cli import main; code = main(['--root', sys.argv[1], sys.argv[2]]); "
             "print('weasyprint' in sys.modules, 'pypdf' in sys.modules, code)")
    for command in ("check", "build"):
        result = subprocess.run([sys.executable, "-c", probe, str(project), command],
                                capture_output=True, text=True, cwd=project)
        assert result.stdout.strip().splitlines()[-1] == "False False 0", (command, result.stdout, result.stderr)


def test_cached_page_references_follow_pages_as_they_are_added():
    import pydyf

    import booklet.pdf  # noqa: F401  (installs the cached page_references)
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == tuple(f"{n} 0 R".encode() for n in pdf.pages["Kids"][::3])
