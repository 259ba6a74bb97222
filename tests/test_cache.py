"""The render cache: unchanged outputs are not rendered again, and nothing is trusted blindly."""
from __future__ import annotations

import subprocess
import sys

from booklet.pipeline import build


def test_editing_a_patient_only_chapter_re_renders_only_patient_outputs(built_project):
    sums = (built_project / "build" / "SHA256SUMS").read_text()
    assert build(built_project).rendered == ()  # nothing changed: nothing rendered
    chapter = built_project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    edited = build(built_project)
    # The five patient copies; the printing notes depend only on the booklets' page counts, which
    # did not change, so they come from the cache (and the imposed copies are imposed again).
    assert sorted(edited.rendered) == sorted(
        f"fixture-patient-{name}-2.1.0" for name in ("standard-a4", "standard-letter", "large-print-a4",
                                                      "booklet-a5", "booklet-half-letter"))
    imposed = {item.output.stem: item.from_cache for item in edited.outputs if item.output.is_imposed}
    assert imposed == {"fixture-patient-booklet-imposed-a4-2.1.0": False,
                       "fixture-patient-booklet-imposed-letter-2.1.0": False}
    assert (built_project / "build" / "SHA256SUMS").read_text() != sums


def test_a_fresh_build_renders_every_output_and_its_printing_notes(project):
    result = build(project)
    assert len(result.rendered) == 9  # the 7 linear outputs and the 2 imposed copies' printing notes
    assert len(result.outputs) == 9 and not any(item.from_cache for item in result.outputs)


def test_a_damaged_cache_entry_is_rendered_again(built_project):
    sums = (built_project / "build" / "SHA256SUMS").read_text()
    entries = sorted((built_project / "build" / ".cache").glob("*.pdf"))
    assert len(entries) == 11  # 7 renders, 2 printing notes, 2 impositions
    entries[0].write_bytes(b"damaged")
    again = build(built_project)
    assert len(again.rendered) + sum(not item.from_cache for item in again.outputs) >= 1
    assert entries[0].read_bytes() != b"damaged"  # rendered (or imposed) again, and cached anew
    assert (built_project / "build" / "SHA256SUMS").read_text() == sums


def test_check_and_a_build_with_nothing_to_do_never_import_weasyprint(built_project):
    probe = ("import sys; from booklet.cli import main; code = main(['--root', sys.argv[1], sys.argv[2]]); "
             "print('weasyprint' in sys.modules, 'pypdf' in sys.modules, code)")
    for command in ("check", "build"):
        result = subprocess.run([sys.executable, "-c", probe, str(built_project), command],
                                capture_output=True, text=True, cwd=built_project)
        assert result.stdout.strip().splitlines()[-1] == "False False 0", (command, result.stdout, result.stderr)
