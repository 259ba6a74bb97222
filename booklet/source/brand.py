"""brands/<name>.yaml: an organisation that redistributes the booklet under its own name.

A brand changes the covers and the contact slots only: the organisation on the
front, its contact details in the back cover's "Your kidney team" box, its numbers
in the urgent box's slots ({{day-phone}} and the like), and its slug in the file
names. The chapters' words are never touched.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import BookletError, Problem, ValidationFailed
from ..files import read_text
from .images import project_image_problem
from .fields import fields_of, from_values, spec, validate_mapping
from .yamlfile import load_yaml

LOGO_SUFFIXES = (".svg", ".png")


@dataclass(frozen=True, kw_only=True)
class Brand:
    slug: str  # from the file name: brands/kidney-care.yaml -> kidney-care
    name: str = spec("text", "The organisation's name, printed on the covers.")
    # Written as a path inside the project; held as the absolute path, once checked.
    logo: Path | None = spec("text", "An SVG or PNG file inside the project, e.g. brands/logos/ours.svg.",
                             default=None)
    phone: str | None = spec("text", "Phone number for the back cover.", default=None)
    website: str | None = spec("url", "Web address for the back cover.", default=None)
    address: str | None = spec("text", "Postal address for the back cover.", default=None)
    day_phone: str | None = spec("phone", "The unit's daytime phone number, printed in the urgent box.",
                                 default=None)
    out_of_hours_phone: str | None = spec("phone", "The number to call at night and at weekends, printed "
                                          "in the urgent box.", default=None)
    emergency_number: str | None = spec("phone", "The emergency number where the unit is, if not the "
                                        "booklet's own (999 in the UK), e.g. 911 or 112.", default=None)
    distributed_by: str | None = spec("text", "The cover line, e.g. 'Distributed by Example Kidney Charity'.",
                                      default=None)

    @property
    def cover_line(self) -> str:
        return self.distributed_by or f"Distributed by {self.name}"


BRAND_FIELDS = fields_of(Brand)


def load_brand(root: Path, path: Path) -> Brand:
    """Read and check a brand file; every problem names the file and line."""
    root = root.resolve()
    file = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not file.is_relative_to(root):
        raise BookletError("brand file must be inside the project, e.g. brands/ours.yaml", str(path))
    shown = file.relative_to(root).as_posix()
    try:
        found = file.is_file()
    except OSError as err:  # a name too long, a folder that cannot be searched
        raise BookletError(f"cannot be read: {err.strerror or err}", shown) from None
    if not found:
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
        elif problem := project_image_problem(logo_path, root):  # its budget, before anything draws it
            problems.append(Problem(shown, line, f"logo '{logo}' {problem}"))
        else:
            values["logo"] = logo_path
    if problems:
        raise ValidationFailed(problems)
    return from_values(Brand, BRAND_FIELDS, values, slug=slug)
