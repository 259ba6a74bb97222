"""The package's layout: data flows one way through the stages, heavy libraries stay behind the
modules that need them, every dependency is declared, and the README names every module."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

from conftest import REPO

PACKAGE = REPO / "booklet"
# Each stage may import only the stages before it (and itself): load and validate -> content ->
# render -> output -> the pipeline that runs them -> the authors' tools -> the command line.
STAGES = ("foundation", "source", "content", "render", "output", "pipeline", "authoring", "cli")
FOUNDATION = {"booklet", "booklet.errors", "booklet.dates", "booklet.files", "booklet.interface"}
# Libraries that only one module may use, so that the rest never pays for importing them.
CONFINED = {
    "weasyprint": {"booklet.render.pdf", "booklet.render.patches", "booklet.render.page_fit",
                   "booklet.render.tagging"},
    "pydyf": {"booklet.render.patches", "booklet.render.tagging"},
    "pypdf": {"booklet.render.impose"},
    "watchfiles": {"booklet.authoring.watch"},
    "textstat": {"booklet.authoring.readability"},
    "segno": {"booklet.render.document"},
    "PIL": {"booklet.source.images"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def stage(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    part = module.split(".")[1]
    return {"__main__": "cli"}.get(part, part)


def imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every module imported, as an absolute name, anywhere in the file (functions included)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
            if node.module is None or node.level and not node.module:  # `from . import x`
                found += [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
    return found


def test_every_module_belongs_to_a_stage():
    assert {stage(module) for module in modules()} <= set(STAGES)
    for name in STAGES[1:5] + ("authoring",):
        assert (PACKAGE / name / "__init__.py").is_file(), name


def test_each_stage_imports_only_the_stages_before_it():
    known = modules()
    wrong = []
    for module, path in known.items():
        rank = STAGES.index(stage(module))
        for name, line in imports(module, path):
            if not name.startswith("booklet"):
                continue
            target = name if name in known else name.rsplit(".", 1)[0]
            if target not in known:
                wrong.append(f"{path.relative_to(REPO)}:{line}: imports {name}, which does not exist")
            elif STAGES.index(stage(target)) > rank:
                wrong.append(f"{path.relative_to(REPO)}:{line}: {stage(module)} imports {target} "
                             f"({stage(target)}), a later stage")
    assert wrong == []


def test_the_rule_catches_a_stage_importing_a_later_one(tmp_path):
    """The test above would pass on any tree if it could not see an import: show it can."""
    path = tmp_path / "config.py"
    path.write_text("def f():\n    from ..render.plan import make_plan\n    from . import yamlfile\n")
    names = [name for name, _ in imports("booklet.source.config", path)]
    assert names == ["booklet.render.plan", "booklet.source", "booklet.source.yamlfile"]
    assert STAGES.index(stage("booklet.render.plan")) > STAGES.index(stage("booklet.source.config"))


def test_heavy_libraries_are_imported_only_where_they_are_needed():
    wrong = []
    for module, path in modules().items():
        for name, line in imports(module, path):
            library = name.split(".")[0]
            if library in CONFINED and module not in CONFINED[library]:
                wrong.append(f"{path.relative_to(REPO)}:{line}: imports {library}")
    assert wrong == []


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {requirement.name.lower().replace("_", "-"): requirement for requirement in requirements}


def test_every_library_the_code_imports_is_a_declared_dependency():
    declared = _declared()
    providers = packages_distributions()
    missing = set()
    for module, path in modules().items():
        for name, _ in imports(module, path):
            top = name.split(".")[0]
            if top == "booklet" or top in sys.stdlib_module_names or top == "__future__":
                continue
            distributions = {d.lower().replace("_", "-") for d in providers.get(top, [top])}
            if not distributions & set(declared):
                missing.add(f"{top} (from {path.relative_to(REPO)})")
    assert sorted(missing) == []


def test_requirements_lock_pins_every_declared_dependency_within_its_range():
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[name.lower().replace("_", "-")] = pinned
    for name, requirement in _declared().items():
        assert name in pins, f"{name} is not pinned in requirements.lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement}"


def _layout_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("\n## Layout\n"):].split("\n## ", 2)[1]


def test_the_readme_layout_names_every_module_in_pipeline_order():
    layout = _layout_section()
    named = re.findall(r"`booklet/([\w/]+\.py)`", layout)
    every = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py"))
    assert sorted(named) == every
    first_of_stage = [next(i for i, name in enumerate(named) if name.startswith(f"{part}/"))
                      for part in ("source", "content", "render", "output")]
    assert first_of_stage == sorted(first_of_stage)
    assert named.index("pipeline.py") > first_of_stage[-1]
    assert min(i for i, name in enumerate(named) if name.startswith("authoring/")) > named.index("pipeline.py")


def test_every_module_that_shapes_a_render_is_part_of_the_render_cache_key():
    """A change to the code that draws or tags a PDF must not be answered from the cache."""
    from booklet.render.cache import RENDER_CODE

    shaping = {name.rsplit(".", 1)[1] + ".py" for name in CONFINED["weasyprint"] | CONFINED["pydyf"]}
    assert shaping | {"xmp.py", "jobs.py"} <= set(RENDER_CODE)
