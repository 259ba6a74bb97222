"""The tool as a charity would install it: a wheel, in a fresh virtual environment outside the
repository, that starts, checks and builds a project of its own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

from conftest import REPO

# What a wheel is built from; copied first, because building in the repository would write
# setuptools' own build/ folder where the booklet's outputs live.
SOURCES = ("booklet", "pyproject.toml", "README.md", "LICENSE")


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def _needed(requirements: list[str]) -> set[str]:
    """The distributions these requirements bring in, transitively, as pip would choose them."""
    needed: set[str] = set()
    queue = [(Requirement(text), "") for text in requirements]
    while queue:
        requirement, extra = queue.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = requirement.name.lower().replace("_", "-")
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in needed:
            continue
        needed.add(key)
        found = distribution(name)
        for wanted in ("", *requirement.extras):
            queue += [(Requirement(text), wanted) for text in found.requires or ()]
    return {key.split("[")[0] for key in needed}


def _install_from_here(names: set[str], site: Path) -> None:
    """Each distribution named, linked into `site` from this environment: its modules and metadata
    only, so that what is not declared is not there, as in an environment pip made."""
    for name in sorted(names):
        try:
            found = distribution(name)
        except PackageNotFoundError:
            raise AssertionError(f"{name} is required but not installed here") from None
        tops = {Path(str(file)).parts[0] for file in found.files or () if not str(file).startswith("..")}
        for top in tops:
            source = Path(str(found.locate_file(top)))
            if top != "__pycache__" and source.exists() and not (site / top).exists():
                (site / top).symlink_to(source)


def test_a_wheel_in_a_fresh_environment_starts_checks_and_builds_a_project(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    shutil.rmtree(source / "booklet" / "__pycache__", ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", tmp_path / "wheels", source, cwd=tmp_path)
    wheel = next((tmp_path / "wheels").glob("calciphylaxis_booklet-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("booklet/styles/base.css", "booklet/templates/document.html.j2", "booklet/starter/booklet.yaml",
                 "booklet/starter/chapters/01-how-to-use-this-booklet.md", "booklet/render/pdf.py"):
        assert data in names, data

    fresh = tmp_path / "fresh"
    _run(sys.executable, "-m", "venv", "--without-pip", fresh, cwd=tmp_path)
    _run(sys.executable, "-m", "pip", "--python", fresh / "bin" / "python", "install", "--quiet", "--no-deps",
         "--no-index", wheel, cwd=tmp_path)
    # The wheel's declared dependencies, and theirs, and nothing else, taken from this environment
    # (installed from requirements.lock) rather than downloaded: an import the wheel does not
    # declare fails here as it would for a charity.
    site = Path(_run(fresh / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=tmp_path).stdout.strip())
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run(fresh / "bin" / "python", "-c", "import json, importlib.metadata as m; print(json.dumps("
                 "[str(m.distribution('calciphylaxis-booklet').locate_file('booklet')), "
                 "m.requires('calciphylaxis-booklet')]))", cwd=tmp_path, env=env).stdout
    installed_at, requires = json.loads(where)
    assert Path(installed_at).is_relative_to(site), installed_at  # the wheel's copy, not the repository's
    assert {"weasyprint==70.0", "pydyf==0.13.0"} <= set(requires)
    _install_from_here(_needed(requires), site)
    assert "packaging" not in {p.name for p in site.iterdir()}  # a test dependency, not the tool's

    booklet = fresh / "bin" / "booklet"
    _run(booklet, "init", "charity-booklet", "--title", "Living with lupus", cwd=tmp_path, env=env)
    project = tmp_path / "charity-booklet"
    assert "ok: booklet.yaml" in _run(booklet, "check", cwd=project, env=env).stdout
    built = _run(booklet, "build", cwd=project, env=env)
    assert "made 9 of 9 outputs" in built.stdout, built.stdout
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert len([o for o in manifest["outputs"] if o["format"] == "pdf"]) == 9
    assert manifest["title"] == "Living with lupus"
    assert (project / "build" / "living-with-lupus-patient-1.0.0.epub").is_file()  # templates and styles shipped
    assert (project / "build" / "web" / "assets" / "web.css").is_file()
    html = (project / "build" / "html" / "living-with-lupus-patient-standard-a4-1.0.0.html").read_text()
    assert (Path(installed_at) / "styles" / "base.css").as_uri() in html  # the installed stylesheets
