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


def test_a_fresh_build_makes_every_output(built_mini):
    """The session's own fixture was a fresh build: what it printed says so."""
    from conftest import FRESH_BUILD_OUTPUT

    printed = (built_mini.parent / FRESH_BUILD_OUTPUT).read_text()
    assert "made 9 of 9 outputs, 0 came unchanged from the cache" in printed
    rows = [line.split() for line in printed.splitlines() if line.startswith("fixture-") and ".pdf " in line]
    assert len(rows) == 9 and not any(row[-1] == "cached" for row in rows)
    # 7 renders, 2 notes, 2 impositions, and the web site with the e-books
    assert len(list((built_mini / "build" / ".cache").glob("*.pdf"))) == 12


def test_damaged_cache_entries_are_rendered_again_never_trusted(project):
    """Shown on a chapter's handouts, whose renders are small: every entry damaged, every one redone."""
    first = build(project, chapter_id="patient-only")
    folder = project / "build" / "handouts" / "patient-only"
    sums = (folder / "SHA256SUMS").read_text()
    entries = sorted((folder / ".cache").glob("*.pdf"))
    assert len(entries) == len(first.rendered) == 2  # the A4 and Letter handouts
    for entry in entries:
        entry.write_bytes(b"damaged")
    again = build(project, chapter_id="patient-only")
    assert sorted(again.rendered) == sorted(first.rendered)
    assert all(entry.read_bytes().startswith(b"%PDF") for entry in entries)  # cached anew
    assert (folder / "SHA256SUMS").read_text() == sums


def test_check_and_a_build_with_nothing_to_do_never_import_weasyprint(built_project):
    probe = ("import sys; from booklet.cli import main; code = main(['--root', sys.argv[1], sys.argv[2]]); "
             "print('weasyprint' in sys.modules, 'pypdf' in sys.modules, code)")
    for command in ("check", "build"):
        result = subprocess.run([sys.executable, "-c", probe, str(built_project), command],
                                capture_output=True, text=True, cwd=built_project)
        assert result.stdout.strip().splitlines()[-1] == "False False 0", (command, result.stdout, result.stderr)


def _handout(root) -> tuple[str, ...]:
    """Build the patient-only chapter's two handouts; the renders that ran."""
    return build(root, chapter_id="patient-only").rendered


def _add_to_chapter(root, text: str) -> None:
    chapter = root / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_a_stylesheet_pulled_in_by_a_bare_import_is_part_of_the_key(project):
    from booklet.render.resources import DEFAULT_STYLE_DIR

    styles = project / "styles"
    styles.mkdir()
    (styles / "base.css").write_text('@import "extra.css";\n' + (DEFAULT_STYLE_DIR / "base.css").read_text())
    (styles / "extra.css").write_text("p { letter-spacing: 0; }\n")
    assert len(_handout(project)) == 2
    assert _handout(project) == ()  # unchanged: from the cache
    (styles / "extra.css").write_text("p { letter-spacing: 0.5pt; }\n")
    assert len(_handout(project)) == 2  # the file only an @import names changed: rendered again


def test_an_image_an_svg_uses_is_part_of_the_key(project):
    from PIL import Image

    images = project / "images"
    images.mkdir()
    Image.new("RGB", (20, 20), "white").save(images / "dot.png")
    (images / "frame.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
                                      '<image href="dot.png" width="40" height="40"/></svg>')
    _add_to_chapter(project, "![A framed dot](../images/frame.svg)")
    assert len(_handout(project)) == 2
    assert _handout(project) == ()
    Image.new("RGB", (20, 20), "black").save(images / "dot.png")
    assert len(_handout(project)) == 2  # only the SVG names the PNG: rendered again


def test_text_that_looks_like_an_address_never_makes_the_build_open_a_file_outside(project, tmp_path):
    """Every file the Python side of a build opens is recorded (an audit hook): none lies in the
    folder that the chapter's text names, however it names it."""
    import sys

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.css").write_text("p { color: red }")
    (secret / "big.png").write_bytes(b"\0" * 1000)
    os_fifo = secret / "pipe.css"
    import os

    os.mkfifo(os_fifo)  # opening it would block the build for ever
    _add_to_chapter(project, f"Written as code: `url({secret}/key.css)` and url({secret}/pipe.css), "
                             f"src=\"{secret}/big.png\" href=\"file://{secret}/key.css\" @import '{secret}/pipe.css';")
    opened: list[str] = []
    recording = [True]

    def record(event: str, args: tuple) -> None:
        if recording[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))

    sys.addaudithook(record)  # a hook cannot be removed, so it stops recording instead
    try:
        assert len(_handout(project)) == 2
    finally:
        recording[0] = False
    assert any(path.endswith("02-patient-only.md") for path in opened)  # the hook saw the build's files
    assert [path for path in opened if str(secret) in path] == []
