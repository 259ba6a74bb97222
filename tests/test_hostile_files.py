"""A cloned project may hold links and files planted to make the build write, delete or read
outside it. Each case is refused with one line (or safely ignored), and nothing outside the
project's folder changes: every test snapshots a folder beside the project, where the links point."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import time
import sys
from pathlib import Path

import pytest

from booklet import files as booklet_files
from conftest import booklet, copy_project

VICTIM_FILES = {"victim.pdf": b"%PDF-1.7 someone else's", "victim.json": b"{}", "keep.txt": b"mine"}


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def setting(built_mini, tmp_path):
    """(project, outside): a built project and, beside it, a folder of someone else's files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, data in VICTIM_FILES.items():
        (outside / name).write_bytes(data)
    return copy_project(built_mini, tmp_path / "project"), outside


def _replace_with_link(path: Path, target: Path) -> None:
    shutil.rmtree(path)
    os.symlink(target, path)


@pytest.mark.parametrize("folder", ["build", "build/.cache", "build/html"])
def test_a_build_folder_that_is_a_link_is_refused_and_nothing_outside_changes(setting, folder):
    root, outside = setting
    before = _snapshot(outside)
    _replace_with_link(root / folder, outside)

    result = booklet(root, "build")

    assert result.returncode == 1
    assert result.stderr == (f"{folder}: is a symbolic link; the build writes only into real folders of the "
                             "project: remove the link\n")
    assert _snapshot(outside) == before
    assert sorted(p.name for p in outside.iterdir()) == sorted(VICTIM_FILES)


def test_a_build_folder_that_is_a_file_is_refused(project):
    (project / "build").write_text("not a folder")
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr == "build: is not a folder; the build needs it as one: remove or rename it\n"
    assert (project / "build").read_text() == "not a folder"


def test_a_release_folder_that_is_a_link_is_refused(setting):
    root, outside = setting
    before = _snapshot(outside)
    os.symlink(outside, root / "build" / "release")
    result = booklet(root, "release")
    assert result.returncode == 1
    assert result.stderr == ("build/release: is a symbolic link; the build writes only into real folders of the "
                             "project: remove the link\n")
    assert _snapshot(outside) == before


def test_a_planted_journal_touches_only_files_this_build_names(setting):
    root, outside = setting
    before = _snapshot(outside)
    build = root / "build"
    os.symlink(outside, build / "elsewhere")
    (build / ".planted.tmp").write_bytes(b"planted")
    (build / "notes.txt").write_text("an author's own file")
    manifest = (build / "manifest.json").read_bytes()
    journal = {"renames": [[".planted.tmp", "manifest.json"], [".planted.tmp", "notes.txt"],
                           ["elsewhere/victim.pdf", "stolen.pdf"], [".planted.tmp", "elsewhere/keep.txt"]],
               "remove": ["elsewhere/victim.pdf", "elsewhere/victim.json", "notes.txt", "../outside/keep.txt",
                          "html/../elsewhere/keep.txt", "elsewhere"]}
    (build / ".commit.json").write_text(json.dumps(journal))

    result = booklet(root, "build")  # nothing changed: every output comes from the cache

    assert result.returncode == 0, result.stderr
    assert _snapshot(outside) == before
    assert (build / "notes.txt").read_text() == "an author's own file"
    assert (build / "manifest.json").read_bytes() == manifest
    assert not (build / "stolen.pdf").exists() and not (build / ".commit.json").exists()
    assert (build / "elsewhere").is_symlink()


def test_a_cache_holding_links_and_other_files_prunes_only_its_own_plain_entries(setting):
    root, outside = setting
    before = _snapshot(outside)
    cache = root / "build" / ".cache"
    os.symlink(outside / "victim.pdf", cache / ("0" * 64 + ".pdf"))
    (cache / "readme.json").write_text("{}")

    result = booklet(root, "build")

    assert result.returncode == 0, result.stderr
    assert _snapshot(outside) == before
    assert (cache / "readme.json").exists()


def test_a_full_disk_while_writing_is_one_line_and_leaves_the_outputs_and_no_temporary_file(setting,
                                                                                            monkeypatch):
    root, _ = setting
    _outputs_from_an_older_build(root)
    before = _snapshot(root / "build")
    real_fsync, calls = os.fsync, []

    def full_after_two(descriptor):
        calls.append(descriptor)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(descriptor)

    monkeypatch.setattr(booklet_files.os, "fsync", full_after_two)  # the build rewrites the older outputs
    result = booklet(root, "build")

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("build/") and \
        lines[0].endswith(": cannot write: No space left on device"), result.stderr
    assert not [p for p in (root / "build").rglob("*.tmp")]
    after = _snapshot(root / "build")
    assert {k: v for k, v in after.items() if not k.startswith(".cache/")} == \
        {k: v for k, v in before.items() if not k.startswith(".cache/")}


def _outputs_from_an_older_build(root: Path) -> None:
    """Outputs unlike the ones this build makes, so that it must write them again (a file that
    already holds the bytes a build makes is left alone)."""
    for pdf in sorted((root / "build").glob("*.pdf"))[:3]:
        pdf.write_bytes(b"an older build's PDF")


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # below the size of every PDF


def test_a_file_size_limit_is_one_line_and_leaves_the_outputs_and_no_temporary_file(setting):
    root, _ = setting
    _outputs_from_an_older_build(root)
    before = _snapshot(root / "build")
    result = subprocess.run([sys.executable, "-m", "booklet", "build", "--jobs", "1"], cwd=root,
                            capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    # The limit is met by a PDF or by a font WeasyPrint writes for the render: either way, one
    # line naming the file meant, or the output whose render stopped.
    assert len(lines) == 1 and re.fullmatch(r"(build|html)/\S+: (cannot write|rendering stopped): File too large",
                                            lines[0]), result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in (root / "build").rglob("*.tmp")]
    after = _snapshot(root / "build")
    assert {k: v for k, v in after.items() if not k.startswith(".cache/")} == \
        {k: v for k, v in before.items() if not k.startswith(".cache/")}


def test_a_file_name_with_a_newline_cannot_print_a_line_of_its_own(project):
    (project / "chapters" / "03-x\nok: booklet.yaml and 9 chapter(s) are valid.md").write_text("no front-matter")
    result = booklet(project, "check")
    assert result.returncode == 1
    assert "chapters/03-x\\nok: booklet.yaml and 9 chapter(s) are valid.md:1: no front-matter" in result.stderr
    assert not any(line.startswith("ok:") for line in (result.stdout + result.stderr).splitlines())


def test_a_fifo_for_a_stylesheet_is_refused_at_once(project):
    (project / "styles").mkdir()
    os.mkfifo(project / "styles" / "patient.css")  # opening it would wait for a writer for ever
    result = booklet(project, "build")
    assert result.returncode == 1
    assert result.stderr == "styles/patient.css: is not a regular file inside the project; a stylesheet must be one\n"


def test_a_fifo_a_stylesheet_imports_is_refused_naming_it(project):
    from booklet.render.resources import DEFAULT_STYLE_DIR

    (project / "styles").mkdir()
    os.mkfifo(project / "styles" / "pipe.css")
    (project / "styles" / "patient.css").write_text('@import "pipe.css";\n' +
                                                     (DEFAULT_STYLE_DIR / "patient.css").read_text())
    result = booklet(project, "build", "--chapter", "patient-only")
    assert result.returncode == 1
    assert "styles/pipe.css is not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1


def test_booklet_schemas_and_new_refuse_a_linked_folder_and_write_nothing_outside(setting):
    root, outside = setting
    before = _snapshot(outside)
    os.symlink(outside, root / "schemas")
    result = booklet(root, "schemas")
    assert result.returncode == 1
    assert result.stderr.startswith("schemas: is a symbolic link")
    shutil.rmtree(root / "chapters")
    (outside / "01-theirs.md").write_text("---\ntitle: Theirs\n---\n")
    before = _snapshot(outside)
    os.symlink(outside, root / "chapters")
    result = booklet(root, "new", "Evil", "--audience", "both")
    assert result.returncode == 1
    assert result.stderr.startswith("chapters: is a symbolic link")
    assert _snapshot(outside) == before


def test_a_planted_release_folder_is_judged_against_the_build_and_names_nothing_outside(setting):
    """An edition recorded for these very inputs, with a release folder committed beside it
    whose SHA256SUMS names a file outside and whose PDFs are someone else's."""
    root, outside = setting
    assert booklet(root, "release").returncode == 0
    folder = next((root / "build" / "release").iterdir())
    (folder / "SHA256SUMS").write_text(f"{hashlib.sha256(b'mine').hexdigest()}  {outside}/keep.txt\n")
    for pdf in folder.glob("*.pdf"):
        pdf.write_bytes(b"%PDF-1.7 a forgery")
    result = booklet(root, "release")
    assert result.returncode == 0, result.stderr
    assert "was made again from this build" in result.stdout
    assert (folder / "SHA256SUMS").read_bytes() == (root / "build" / "SHA256SUMS").read_bytes()
    assert not any(pdf.read_bytes().startswith(b"%PDF-1.7 a forgery") for pdf in folder.glob("*.pdf"))


def test_a_planted_cache_entry_is_rendered_again_not_printed(setting):
    """Entries whose PDF and digest were both replaced, as a commit could (git gives each file
    the time of the checkout): the build renders them again."""
    root, _ = setting
    cache = root / "build" / ".cache"
    for meta in cache.glob("*.json"):
        info = json.loads(meta.read_text())
        forged = b"%PDF-1.7 a forgery"
        (cache / f"{meta.stem}.pdf").write_bytes(forged)
        info["sha256"] = hashlib.sha256(forged).hexdigest()
        meta.write_text(json.dumps(info))
    result = booklet(root, "build", "--chapter", "patient-only")
    assert result.returncode == 0, result.stderr
    handouts = root / "build" / "handouts" / "patient-only"
    assert all(pdf.read_bytes().startswith(b"%PDF-1.7\n") for pdf in handouts.glob("*.pdf"))


SVG_BOMB = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>'
            '<rect id="a0" width="1" height="1"/>'
            + "".join(f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 8))
            + '</defs><use xlink:href="#a7"/></svg>')


@pytest.mark.parametrize("how", ["named-as-css", "data-address"])
def test_an_svg_bomb_a_stylesheet_hides_is_refused_before_it_is_drawn(project, how):
    from urllib.parse import quote

    from booklet.render.resources import DEFAULT_STYLE_DIR

    styles = project / "styles"
    styles.mkdir()
    if how == "named-as-css":
        (styles / "bomb.css").write_text(SVG_BOMB)
        rule = "body { background-image: url(bomb.css); }"
    else:
        rule = f'body {{ background-image: url("data:image/svg+xml,{quote(SVG_BOMB)}"); }}'
    (styles / "patient.css").write_text((DEFAULT_STYLE_DIR / "patient.css").read_text() + rule + "\n")
    started = time.perf_counter()
    result = booklet(project, "build", "--chapter", "patient-only")
    assert time.perf_counter() - started < 10
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert ("bomb.css is named like a css file but holds an image" in result.stderr if how == "named-as-css"
            else "an image written as a data: address is an SVG that cannot be printed" in result.stderr)


def test_an_editions_lock_that_is_not_text_or_leads_outside_is_one_line(setting):
    root, outside = setting
    (root / "editions.lock").write_bytes(b"\xff\xfe not text")
    result = booklet(root, "release")
    assert result.returncode == 1 and result.stderr.startswith("editions.lock:1: not UTF-8 text")
    (root / "editions.lock").unlink()
    os.symlink(outside / "keep.txt", root / "editions.lock")
    result = booklet(root, "release")
    assert result.returncode == 1
    assert result.stderr == "editions.lock: links to a file outside the project; inputs must live inside it\n"


@pytest.mark.parametrize("name, data", [
    ("bomb.css", SVG_BOMB.encode("utf-16")),  # an SVG WeasyPrint's XML parser reads whatever its name
    ("bomb.woff", SVG_BOMB.encode()),
])
def test_markup_in_a_stylesheet_or_font_file_of_another_encoding_is_refused(project, name, data):
    from booklet.render.resources import DEFAULT_STYLE_DIR

    styles = project / "styles"
    styles.mkdir()
    (styles / name).write_bytes(data)
    (styles / "patient.css").write_text((DEFAULT_STYLE_DIR / "patient.css").read_text()
                                        + f'body {{ background-image: url("{name}"); }}\n')
    started = time.perf_counter()
    result = booklet(project, "build", "--chapter", "patient-only")
    assert time.perf_counter() - started < 10
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert f"styles/{name} is not" in result.stderr


def test_one_image_given_by_many_addresses_is_budgeted_as_decoded(project):
    from PIL import Image

    from booklet.render.resources import DEFAULT_STYLE_DIR

    styles = project / "styles"
    styles.mkdir()
    Image.new("L", (5000, 5000), 250).save(styles / "plain.png", optimize=True)
    addresses = ", ".join(f'url("plain.png#{n}")' for n in range(20))
    (styles / "patient.css").write_text((DEFAULT_STYLE_DIR / "patient.css").read_text()
                                        + f"body {{ background-image: {addresses}; }}\n")
    result = booklet(project, "build", "--chapter", "patient-only")
    assert result.returncode == 1
    assert "the images of this document come to more than 300 million pixels" in result.stderr


def test_a_release_folder_with_files_planted_beside_the_real_ones_is_made_again(setting):
    root, _ = setting
    assert booklet(root, "release").returncode == 0
    folder = next((root / "build" / "release").iterdir())
    (folder / "manifest.json").write_text('{"forged": true}')
    (folder / "fixture-patient-urgent-a4-2.1.0.pdf").write_bytes(b"%PDF-1.7 a forgery")
    result = booklet(root, "release")
    assert result.returncode == 0, result.stderr
    assert "was made again from this build" in result.stdout
    assert not (folder / "fixture-patient-urgent-a4-2.1.0.pdf").exists()
    assert (folder / "manifest.json").read_bytes() == (root / "build" / "manifest.json").read_bytes()


@pytest.mark.parametrize("name", ["references.yaml", "CHANGELOG.md", "chapters/03-loop.md", "editions.lock"])
def test_a_link_that_leads_round_in_a_loop_is_one_line(project, name):
    (project / name).unlink(missing_ok=True)
    os.symlink(project / name, project / name)
    result = booklet(project, "release" if name == "editions.lock" else "check")
    assert result.returncode == 1
    assert f"{name}: is a symbolic link that leads round in a loop" in result.stderr
    assert "Traceback" not in result.stderr
