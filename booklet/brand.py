"""brands/<name>.yaml: an organisation that redistributes the booklet under its own name.

A brand changes the covers only: the organisation on the front, its contact
details in the back cover's "Your kidney team" box, and its slug in the file
names. The chapters are never touched.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BookletError, Problem, ValidationFailed
from .schema import Field, validate_mapping
from .textfile import read_text
from .yamlfile import load_yaml

BRAND_FIELDS: tuple[Field, ...] = (
    Field("name", "text", "The organisation's name, printed on the covers."),
    Field("logo", "text", "An SVG or PNG file inside the project, e.g. brands/logos/ours.svg.", required=False),
    Field("phone", "text", "Phone number for the back cover.", required=False),
    Field("website", "url", "Web address for the back cover.", required=False),
    Field("address", "text", "Postal address for the back cover.", required=False),
    Field("distributed_by", "text", "The cover line, e.g. 'Distributed by Example Kidney Charity'.",
          required=False),
)
LOGO_SUFFIXES = (".svg", ".png")


@dataclass(frozen=True)
class Brand:
    slug: str  # from the file name: brands/kidney-care.yaml -> kidney-care
    name: str
    logo: Path | None = None  # absolute, checked to be inside the project
    phone: str | None = None
    website: str | None = None
    address: str | None = None
    distributed_by: str | None = None

    @property
    def cover_line(self) -> str:
        return self.distributed_by or f"Distributed by {self.name}"


def load_brand(root: Path, path: Path) -> Brand:
    """Read and check a brand file; every problem names the file and line."""
    root = root.resolve()
    file = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not file.is_relative_to(root):
        raise BookletError("brand file must be inside the project, e.g. brands/ours.yaml", str(path))
    shown = file.relative_to(root).as_posix()
    if not file.is_file():
        raise BookletError("brand file not found", shown)
    slug = file.stem
    if not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise BookletError("brand file name must be lower-case words joined by hyphens, e.g. "
                           "brands/kidney-care.yaml (it becomes part of the output file names)", shown)
    data, lines = load_yaml(read_text(file, shown, root), shown)
    values, problems = validate_mapping(data, BRAND_FIELDS, shown, lines, "brand")
    logo = values.pop("logo", None)
    if logo is not None:
        logo_path = (root / logo).resolve()
        line = lines.get(("logo",))
        if not logo_path.is_relative_to(root) or not logo_path.is_file():
            problems.append(Problem(shown, line, f"logo '{logo}' is not a file inside the project"))
        elif logo_path.suffix.lower() not in LOGO_SUFFIXES:
            problems.append(Problem(shown, line, f"logo '{logo}' must be an SVG or PNG file"))
        else:
            values["logo"] = logo_path
    if problems:
        raise ValidationFailed(problems)
    return Brand(slug=slug, **values)
