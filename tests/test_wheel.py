"""The tool as a charity would install it: a wheel, in a fresh virtual environment outside the
repository, that starts, checks and builds a project of its own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from conftest import REPO

# What a wheel is built from; copied first, because building in the repository would write
# setuptools' own build/ folder where the booklet's outputs live.
SOURCES = ("booklet", "pyproject.toml", "README.md", "LICENSE")


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


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
    # The libraries come from this environment (installed from requirements.lock) through a .pth
    # line, which adds their folder but runs none of its .pth files: the editable install of the
    # repository's own package there stays invisible.
    site = Path(_run(fresh / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=tmp_path).stdout.strip())
    (site / "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run(fresh / "bin" / "python", "-c", "import booklet, json, importlib.metadata as m; print(json.dumps("
                 "[booklet.__file__, m.requires('calciphylaxis-booklet'), "
                 "[r.split(';')[0].split('<')[0].split('>')[0].split('=')[0].split('!')[0].strip() "
                 "for r in m.requires('calciphylaxis-booklet')]]))", cwd=tmp_path, env=env).stdout
    installed_at, requires, names_required = json.loads(where)
    assert Path(installed_at).is_relative_to(site), installed_at  # the wheel's copy, not the repository's
    assert {"weasyprint==70.0", "pydyf==0.13.0"} <= set(requires)
    versions = _run(fresh / "bin" / "python", "-c", "import sys, importlib.metadata as m; "
                    "print(*[m.version(n) for n in sys.argv[1:]])", *names_required, cwd=tmp_path, env=env)
    assert len(versions.stdout.split()) == len(names_required)  # every declared dependency is there

    booklet = fresh / "bin" / "booklet"
    _run(booklet, "init", "charity-booklet", "--title", "Living with lupus", cwd=tmp_path, env=env)
    project = tmp_path / "charity-booklet"
    assert "ok: booklet.yaml" in _run(booklet, "check", cwd=project, env=env).stdout
    built = _run(booklet, "build", cwd=project, env=env)
    assert "made 9 of 9 outputs" in built.stdout, built.stdout
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert len(manifest["outputs"]) == 9 and manifest["title"] == "Living with lupus"
    html = (project / "build" / "html" / "living-with-lupus-patient-standard-a4-1.0.0.html").read_text()
    assert (Path(installed_at).parent / "styles" / "base.css").as_uri() in html  # the installed stylesheets
