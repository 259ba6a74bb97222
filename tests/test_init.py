"""`booklet init`: a new project that checks and builds as it is, and never overwrites anything."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import yaml

from booklet.authoring.starter import starter_files
from booklet.pipeline import prepare
from conftest import REPO, booklet


def test_init_writes_a_project_that_checks_and_makes_every_document(tmp_path):
    folder = tmp_path / "lupus"
    result = booklet(tmp_path, "init", str(folder), "--title", "Living with lupus: a guide",
                     "--publisher", "Lupus Friends")
    assert result.returncode == 0, result.stderr
    assert f"wrote a new booklet project in {folder}/" in result.stdout
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == sorted(["booklet.yaml", "references.yaml", "CHANGELOG.md", "brands/example.yaml",
                              "chapters/01-how-to-use-this-booklet.md",
                              "chapters/02-for-healthcare-professionals.md",
                              "schemas/booklet.schema.json", "schemas/brand.schema.json",
                              "schemas/chapter.schema.json", "schemas/references.schema.json",
                              "schemas/sign-offs.schema.json"])
    config = yaml.safe_load((folder / "booklet.yaml").read_text())
    assert config["title"] == "Living with lupus: a guide" and config["publisher"] == "Lupus Friends"
    assert config["slug"] == "living-with-lupus-a-guide"
    assert config["published"] in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))

    check = booklet(folder, "check", "--strict")  # no errors and not even a warning
    assert check.returncode == 0, check.stderr
    assert "ok: booklet.yaml, 0 references and 2 chapter(s) are valid; 0 warning(s)" in check.stdout
    prepared = prepare(folder)
    assert len(prepared.documents) == 7  # every linear output, patient and clinician
    assert "How to use this booklet" in prepared.html("patient-standard-a4")
    assert "For healthcare professionals" in prepared.html("clinician-standard-a4")
    assert "How to use this booklet" not in prepared.html("clinician-standard-a4")


def test_init_refuses_a_folder_that_is_not_empty_or_is_a_file(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = booklet(tmp_path, "init", str(tmp_path / "taken"))
    assert result.returncode == 1
    assert result.stderr == (f"{tmp_path / 'taken'}: is not empty: booklet init makes a new project in a new "
                             "or empty folder\n")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    assert booklet(tmp_path, "init", str(tmp_path / "file")).returncode == 1
    assert (tmp_path / "file").read_text() == "x"


def test_the_starter_files_ship_in_the_package_and_its_brand_example_is_the_repositorys():
    names = {path.name for path in starter_files()}
    assert {"booklet.yaml", "references.yaml", "CHANGELOG.md", "example.yaml"} <= names
    starter_brand = next(p for p in starter_files() if p.name == "example.yaml")
    assert starter_brand.read_text() == (REPO / "brands" / "example.yaml").read_text()


def test_python_dash_m_booklet_is_the_command_and_names_the_packages_version():
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", "booklet", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"booklet {version('calciphylaxis-booklet')}\n"
