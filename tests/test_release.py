"""Releases: a folder per edition, and editions.lock guarding edition numbers."""
from __future__ import annotations

import subprocess

from conftest import booklet


def test_release_writes_the_folder_records_the_edition_and_repeats_as_a_no_op(built_project):
    project = built_project
    first = booklet(project, "release")
    assert first.returncode == 0, first.stderr
    assert "released edition 2.1.0 into build/release/2.1.0/" in first.stdout
    folder = project / "build" / "release" / "2.1.0"
    assert len(list(folder.glob("*.pdf"))) == 9
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    lock = (project / "editions.lock").read_text()
    assert [line.split()[:2] for line in lock.splitlines() if not line.startswith("#")] == [["2.1.0", "2026-01-15"]]

    again = booklet(project, "release")
    assert again.returncode == 0
    assert "already released from these inputs" in again.stdout
    assert (project / "editions.lock").read_text() == lock


def test_changed_content_under_a_released_edition_number_is_refused_until_bumped(built_project):
    project = built_project
    assert booklet(project, "release").returncode == 0
    chapter = project / "chapters" / "02-patient-only.md"
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))
    refused = booklet(project, "release")
    assert refused.returncode == 1
    assert refused.stderr.startswith("editions.lock:2: edition 2.1.0 was released from different inputs")
    assert "raise 'edition' in booklet.yaml" in refused.stderr
    chapter.write_text(chapter.read_text().replace("heron lake", "heron pond"))  # as released
    assert "already released" in booklet(project, "release").stdout
    chapter.write_text(chapter.read_text().replace("heron pond", "heron lake"))

    config = project / "booklet.yaml"
    config.write_text(config.read_text().replace("edition: 2.1.0", "edition: 2.2.0")
                      .replace("published: 2026-01-15", "published: 2026-02-01"))
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## 2.1.0", "## 2.2.0 (2026-02-01)\n\n- Lake.\n\n## 2.1.0", 1))
    bumped = booklet(project, "release")
    assert bumped.returncode == 0, bumped.stderr
    editions = [line.split()[0] for line in (project / "editions.lock").read_text().splitlines()
                if not line.startswith("#")]
    assert editions == ["2.1.0", "2.2.0"]
    assert (project / "build" / "release" / "2.1.0").is_dir() and (project / "build" / "release" / "2.2.0").is_dir()
    # The build folder holds the new edition only: the old one's PDFs and HTML are gone from it.
    build = project / "build"
    assert len(list(build.glob("*-2.2.0.pdf"))) == 9 and not list(build.glob("*-2.1.0.pdf"))
    assert len(list((build / "html").glob("*-2.2.0.html"))) == 7 and not list((build / "html").glob("*2.1.0*"))


def test_the_digest_covers_templates_and_default_styles_and_not_where_the_project_is(project, tmp_path):
    from booklet.output.editions import input_files, inputs_digest

    names = [name for name, _ in input_files(project)]
    assert names[:3] == ["booklet.yaml", "references.yaml", "CHANGELOG.md"]
    assert {"booklet/templates/document.html.j2", "booklet/styles/base.css", "booklet/styles/patient.css"} <= set(names)
    digest = inputs_digest(project)
    import shutil

    elsewhere = shutil.copytree(project, tmp_path / "somewhere" / "else")
    assert inputs_digest(elsewhere) == digest  # names, not paths

    (project / "styles").mkdir()
    (project / "styles" / "patient.css").write_text("body { color: #111; }\n")
    names = [name for name, _ in input_files(project)]
    assert "styles/patient.css" in names and "booklet/styles/patient.css" not in names  # replaced
    assert inputs_digest(project) != digest


def test_other_library_versions_under_a_released_edition_are_refused_saying_so(built_project, monkeypatch):
    from booklet.output import editions

    assert booklet(built_project, "release").returncode == 0
    real = editions.library_versions(editions.PAGE_LIBRARIES)
    monkeypatch.setattr(editions, "library_versions",
                        lambda names: real.replace("weasyprint=70.0", "weasyprint=70.1"))
    refused = booklet(built_project, "release")
    assert refused.returncode == 1
    assert refused.stderr == ("editions.lock:2: edition 2.1.0 was released with other versions of the libraries "
                              "that make its pages (line 2): install the exact versions in requirements.lock "
                              "(pip install -r requirements.lock), or raise 'edition' for a new edition made "
                              "with these\n")
