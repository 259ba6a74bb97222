"""JSON Schemas for the YAML files, generated from the loader's own field definitions.

Editors (VS Code's YAML extension and others) use them to complete keys and flag
mistakes while an author types. They are built from the same `Field` tuples that
`validate_mapping` checks, so they cannot drift from the loader, and a test fails
when the committed copies in schemas/ are stale. They check each key on its own:
rules across keys or files (next_review after reviewed, unique ids, cited
sources, real dates like 2026-02-30 in a partial date) stay with `booklet check`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from ..dates import ISO_DATE, PARTIAL_DATE
from ..files import atomic_write, real_folder
from ..source.brand import BRAND_FIELDS
from ..source.chapters import CHAPTER_FIELDS
from ..source.config import CONFIG_FIELDS
from ..source.fields import CONVERTERS, DOI, LANG_TAG, PMID, PHONE, SEMVER, SHA256, SLUG, URL, Field
from ..source.references import REFERENCE_FIELDS
from ..source.signoffs import SIGN_OFF_FIELDS

SCHEMA_DIR = "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]

TEXT: Schema = {"type": "string", "pattern": r"\S"}  # _text: a string with something besides spaces


def _patterned(pattern: str, **integer: int) -> Schema:
    """A fields._pattern kind. It reads a YAML number as text (`id: 2024`, `PMID: 123`), so
    `integer` bounds (minimum/maximum) admit the whole numbers whose digits match `pattern`."""
    if not integer:
        return {"type": "string", "pattern": pattern}
    return {"type": ["string", "integer"], "pattern": pattern, **integer}


def _choice_list(field: Field) -> Schema:
    # _choice_list goes through _text_list, so one bare choice is a list of one.
    return {"anyOf": [{"enum": list(field.choices)},
                      {"type": "array", "items": {"enum": list(field.choices)}, "minItems": 1,
                       "uniqueItems": True}]}


def _partial_date(field: Field) -> Schema:
    return {"anyOf": [
        {"type": "string", "pattern": PARTIAL_DATE.pattern},
        {"type": "integer", "minimum": 1000, "maximum": 9999},  # a bare year, which YAML reads as a number
        {"type": "object",  # CSL's {date-parts: [[2023, 7, 1]]}
         "properties": {"date-parts": {
             "type": "array", "minItems": 1, "maxItems": 1,
             "items": {"type": "array", "minItems": 1, "items": False, "prefixItems": [
                 {"type": "integer", "minimum": 1, "maximum": 9999},
                 {"type": "integer", "minimum": 1, "maximum": 12},
                 {"type": "integer", "minimum": 1, "maximum": 31}]}}},
         "required": ["date-parts"], "additionalProperties": False},
    ]}


def _names(field: Field) -> Schema:
    return {"type": "array", "minItems": 1, "items": {
        "type": "object",
        "properties": {"family": {"description": "Family name.", **TEXT},
                       "given": {"description": "Given name(s) or initials.", **TEXT},
                       "literal": {"description": "An organisation, printed as is.", **TEXT}},
        "additionalProperties": False,
        # As _names: a family name (perhaps with a given name), or a literal on its own.
        "anyOf": [{"required": ["family"], "not": {"required": ["literal"]}},
                  {"required": ["literal"], "maxProperties": 1}],
    }}


# One entry per kind in booklet.source.fields.CONVERTERS, accepting what its converter accepts.
KIND_SCHEMAS: dict[str, Callable[[Field], Schema]] = {
    "text": lambda field: dict(TEXT),
    "integer": lambda field: {"type": "integer", "minimum": field.bounds[0], "maximum": field.bounds[1]},
    "boolean": lambda field: {"type": "boolean"},
    "date": lambda field: {"type": "string", "pattern": ISO_DATE.pattern, "format": "date"},
    "choice": lambda field: {"enum": list(field.choices)},
    "choice-list": _choice_list,
    "text-list": lambda field: {"anyOf": [dict(TEXT), {"type": "array", "items": dict(TEXT)}]},
    "semver": lambda field: _patterned(SEMVER.pattern),
    "slug": lambda field: _patterned(SLUG.pattern, minimum=0),
    "language": lambda field: _patterned(LANG_TAG.pattern),
    "language-list": lambda field: {"type": "array", "uniqueItems": True, "items": _patterned(LANG_TAG.pattern)},
    "url": lambda field: _patterned(URL.pattern.replace("https?", "https")),  # the check refuses http://
    "doi": lambda field: _patterned(DOI.pattern),
    "pmid": lambda field: _patterned(PMID.pattern, minimum=0, maximum=999_999_999),
    "sha256": lambda field: _patterned(SHA256.pattern),
    "phone": lambda field: {"type": "string", "pattern": PHONE.pattern},
    # YAML reads `page: 63` as a number, which _short_text takes as text.
    "short-text": lambda field: {"type": ["string", "integer"], "pattern": r"\S"},
    "partial-date": _partial_date,
    "names": _names,
}


def _nullable(schema: Schema) -> Schema:
    """validate_mapping skips an optional key left empty (YAML null)."""
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*types, "null"]}


def field_schema(field: Field) -> Schema:
    if field.kind not in KIND_SCHEMAS:  # never emit {}: it would accept anything the loader refuses
        raise ValueError(f"no JSON Schema for kind '{field.kind}' (field '{field.name}'): "
                         "add one to KIND_SCHEMAS in booklet/authoring/json_schemas.py")
    schema = {"description": field.description, **KIND_SCHEMAS[field.kind](field)}
    return schema if field.required else _nullable(schema)


def object_schema(fields: tuple[Field, ...]) -> Schema:
    """The mapping validate_mapping accepts: only these keys, the required ones present."""
    return {"type": "object",
            "properties": {field.name: field_schema(field) for field in fields},
            "required": [field.name for field in fields if field.required],
            "additionalProperties": False}


def _document(title: str, describes: str, body: Schema) -> Schema:
    return {"$schema": DIALECT, "title": title,
            "description": f"{describes} Generated by `booklet schemas` from the loader's field "
                           "definitions: do not edit by hand.",
            **body}


def _schemas() -> dict[str, Schema]:
    reference = {"$ref": "#/$defs/reference"}
    return {
        "chapter.schema.json": _document(
            "Chapter front-matter",
            "The YAML front-matter between the '---' lines at the top of each chapters/*.md file.",
            object_schema(CHAPTER_FIELDS)),
        "booklet.schema.json": _document(
            "booklet.yaml", "booklet.yaml: the booklet-wide settings.", object_schema(CONFIG_FIELDS)),
        "references.schema.json": _document(
            "references.yaml",
            "references.yaml: the booklet's sources in CSL-YAML, as a list of references or as a "
            "mapping whose only key, 'references', holds that list.",
            # load_references takes both layouts; Pandoc writes the second.
            {"anyOf": [{"type": "array", "items": reference},
                       {"type": "object",
                        "properties": {"references": {"description": "The list of sources.",
                                                      "type": "array", "items": reference}},
                        "required": ["references"], "additionalProperties": False}],
             "$defs": {"reference": object_schema(REFERENCE_FIELDS)}}),
        "brand.schema.json": _document(
            "Brand",
            "brands/<name>.yaml: an organisation that redistributes the booklet under its own name.",
            object_schema(BRAND_FIELDS)),
        "sign-offs.schema.json": _document(
            "Sign-offs",
            "reviews/<chapter id>.yaml: who signed the chapter off, in what role, and the text they "
            "approved; 'booklet review sign' appends to it.",
            {"type": "array", "items": object_schema(SIGN_OFF_FIELDS)}),
    }


def generate_schemas() -> dict[str, str]:
    """File name -> JSON text, the same on every run."""
    unmapped = sorted(set(CONVERTERS) - set(KIND_SCHEMAS))
    if unmapped:  # caught here even before a field uses the new kind
        raise ValueError(f"no JSON Schema for kind(s) {', '.join(unmapped)}: "
                         "add them to KIND_SCHEMAS in booklet/authoring/json_schemas.py")
    return {name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            for name, schema in _schemas().items()}


def write_schemas(root: Path) -> list[str]:
    """Write every schema into root/schemas/ (each atomically); return the paths written."""
    written = []
    real_folder(root / SCHEMA_DIR, root)  # a committed link there must not send the files elsewhere
    for name, text in generate_schemas().items():
        atomic_write(root / SCHEMA_DIR / name, text.encode("utf-8"))
        written.append(f"{SCHEMA_DIR}/{name}")
    return written


def stale_schemas(root: Path) -> list[str]:
    """Schema files under root/schemas/ that are missing or differ from what generation gives."""
    stale = []
    for name, text in generate_schemas().items():
        try:
            current = (root / SCHEMA_DIR / name).read_bytes()
        except OSError:
            current = None
        if current != text.encode("utf-8"):
            stale.append(f"{SCHEMA_DIR}/{name}")
    return stale
