"""The JSON Schemas in schemas/: generated from the loader's fields, and agreeing with the loader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from booklet.source import fields as loader
from booklet.source.brand import BRAND_FIELDS
from booklet.source.chapters import CHAPTER_FIELDS, split_front_matter
from booklet.source.config import CONFIG_FIELDS
from booklet.source.references import REFERENCE_FIELDS
from booklet.source.fields import CONVERTERS, Field, validate_mapping
from booklet.authoring.json_schemas import (KIND_SCHEMAS, SCHEMA_DIR, field_schema, generate_schemas, object_schema,
                             stale_schemas, write_schemas)
from booklet.source.yamlfile import load_yaml
from conftest import REPO


def validator(name: str) -> Draft202012Validator:
    schema = json.loads(generate_schemas()[name])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, data: object) -> list[str]:
    return [error.message for error in validator(name).iter_errors(data)]


def read_yaml(path: Path) -> object:
    # The loader's own YAML reading: dates stay strings, as in a YAML 1.2 editor. yaml.safe_load
    # would make them datetime.date objects, which are not JSON and no schema could accept.
    data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
    return data


def front_matter(path: Path) -> object:
    yaml_text, _, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    data, _ = load_yaml(yaml_text, path.name)
    return data


def test_committed_schemas_are_exactly_what_generation_produces():
    stale = stale_schemas(REPO)
    assert not stale, f"{', '.join(stale)} out of date with the loader's fields: run `booklet schemas`"


def test_generation_is_deterministic_and_keeps_field_order():
    import subprocess
    import sys

    # Another interpreter with another hash seed (set iteration order differs) gives the same text.
    other = subprocess.run([sys.executable, "-c", "import json; from booklet.authoring.json_schemas import "
                            "generate_schemas; print(json.dumps(generate_schemas()))"],
                           capture_output=True, text=True, env={**__import__("os").environ, "PYTHONHASHSEED": "12345"})
    assert json.loads(other.stdout) == generate_schemas()
    chapter = json.loads(generate_schemas()["chapter.schema.json"])
    assert list(chapter["properties"]) == [field.name for field in CHAPTER_FIELDS]
    assert chapter["required"] == [field.name for field in CHAPTER_FIELDS if field.required]
    assert chapter["additionalProperties"] is False
    assert chapter["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "booklet schemas" in chapter["description"]


def test_every_property_carries_its_field_description():
    for name, fields in (("chapter.schema.json", CHAPTER_FIELDS), ("booklet.schema.json", CONFIG_FIELDS),
                         ("brand.schema.json", BRAND_FIELDS)):
        properties = json.loads(generate_schemas()[name])["properties"]
        assert {key: p["description"] for key, p in properties.items()} == \
               {f.name: f.description for f in fields}
    references = json.loads(generate_schemas()["references.schema.json"])["$defs"]["reference"]
    assert list(references["properties"]) == [f.name for f in REFERENCE_FIELDS]


def test_write_schemas_writes_every_file_and_leaves_nothing_stale(tmp_path: Path):
    assert sorted(stale_schemas(tmp_path)) == sorted(f"{SCHEMA_DIR}/{name}" for name in generate_schemas())
    written = write_schemas(tmp_path)
    assert written == [f"{SCHEMA_DIR}/{name}" for name in generate_schemas()]
    assert stale_schemas(tmp_path) == []
    assert sorted(p.name for p in (tmp_path / SCHEMA_DIR).iterdir()) == sorted(generate_schemas())  # no temp files
    (tmp_path / SCHEMA_DIR / "brand.schema.json").write_text("{}\n", encoding="utf-8")
    assert stale_schemas(tmp_path) == [f"{SCHEMA_DIR}/brand.schema.json"]


def test_every_schema_is_valid_draft_2020_12():
    for name in generate_schemas():
        validator(name)  # check_schema raises on a malformed schema


def test_booklet_yaml_validates():
    assert schema_errors("booklet.schema.json", read_yaml(REPO / "booklet.yaml")) == []


def test_references_yaml_validates():
    assert schema_errors("references.schema.json", read_yaml(REPO / "references.yaml")) == []


@pytest.mark.parametrize("path", sorted((REPO / "chapters").glob("*.md")), ids=lambda p: p.name)
def test_every_chapter_front_matter_validates(path: Path):
    assert schema_errors("chapter.schema.json", front_matter(path)) == []


@pytest.mark.parametrize("path", sorted((REPO / "brands").glob("*.yaml")), ids=lambda p: p.name)
def test_every_brand_validates(path: Path):
    assert schema_errors("brand.schema.json", read_yaml(path)) == []


def test_a_reference_list_without_the_references_key_validates():
    items = read_yaml(REPO / "references.yaml")["references"]
    assert schema_errors("references.schema.json", items) == []
    assert schema_errors("references.schema.json", {"references": items, "extra": 1}) != []
    assert schema_errors("references.schema.json", {"references": None}) != []


CHAPTER = {"title": "A title", "id": "a-title", "order": 3, "audience": "both", "summary": "One sentence.",
           "reviewed": "2026-01-01", "next_review": "2027-01-01"}
CONFIG = {"title": "T", "slug": "t", "language": "en-GB", "edition": "1.0.0", "published": "2026-01-01",
          "publisher": "P", "editions": ["patient", "clinician"]}
REFERENCE = {"id": "smith-2020", "type": "article-journal", "title": "A study",
             "author": [{"family": "Smith", "given": "J"}, {"literal": "A Group"}], "container-title": "J",
             "issued": 2020, "volume": 4, "page": "1-9", "DOI": "10.1000/xyz", "PMID": 12345678,
             "accessed": {"date-parts": [[2024, 7]]}}
BRAND = {"name": "Example", "website": "https://example.org/"}


DROP = object()  # as a value in changed(): remove the key


def changed(base: dict, **changes: object) -> dict:
    """`base` with some keys set or removed."""
    data = {**base, **changes}
    return {key: value for key, value in data.items() if value is not DROP}


KINDS = {"chapter.schema.json": CHAPTER_FIELDS, "booklet.schema.json": CONFIG_FIELDS,
         "references.schema.json": REFERENCE_FIELDS, "brand.schema.json": BRAND_FIELDS}


def loader_problems(fields: tuple[Field, ...], data: dict) -> list:
    _, problems = validate_mapping(data, fields, "x", {}, "front-matter")
    return problems


def schema_accepts(name: str, data: dict) -> bool:
    if name == "references.schema.json":
        data = [data]  # the file is a list of such mappings
    return not schema_errors(name, data)


ACCEPTED = [
    ("chapter.schema.json", CHAPTER),
    ("chapter.schema.json", changed(CHAPTER, sources="one-key", factual=None, status="draft")),
    ("chapter.schema.json", changed(CHAPTER, sources=[], id=2024)),  # YAML reads `id: 2024` as a number
    ("booklet.schema.json", CONFIG),
    ("booklet.schema.json", changed(CONFIG, editions="patient", subtitle=None, keywords="one")),
    ("references.schema.json", REFERENCE),
    ("references.schema.json", changed(REFERENCE, issued="2020-07", accessed="2024-07-01", page=63)),
    ("brand.schema.json", BRAND),
]

REJECTED = [
    ("chapter.schema.json", changed(CHAPTER, sumary="typo")),  # unknown key
    ("chapter.schema.json", changed(CHAPTER, summary=DROP)),  # missing required key
    ("chapter.schema.json", changed(CHAPTER, summary=None)),  # a required key left empty
    ("chapter.schema.json", changed(CHAPTER, order="third")),  # wrong type
    ("chapter.schema.json", changed(CHAPTER, factual="yes")),  # wrong type
    ("chapter.schema.json", changed(CHAPTER, title="   ")),  # blank text
    ("chapter.schema.json", changed(CHAPTER, audience="patients")),  # bad enum value
    ("chapter.schema.json", changed(CHAPTER, status="done")),  # bad enum value
    ("chapter.schema.json", changed(CHAPTER, reviewed="next year")),  # bad date pattern
    ("chapter.schema.json", changed(CHAPTER, reviewed="2026-1-01")),  # bad date pattern
    ("chapter.schema.json", changed(CHAPTER, reviewed="2026-02-30")),  # not a real date (format: date)
    ("chapter.schema.json", changed(CHAPTER, id="A Title")),  # bad slug
    ("chapter.schema.json", changed(CHAPTER, id="a--title")),  # bad slug
    ("chapter.schema.json", changed(CHAPTER, sources=["ok", ""])),  # an empty list item
    ("booklet.schema.json", changed(CONFIG, editions=[])),  # no edition
    ("booklet.schema.json", changed(CONFIG, editions=["patient", "patient"])),  # an edition twice
    ("booklet.schema.json", changed(CONFIG, editions=["patients"])),  # bad enum value
    ("booklet.schema.json", changed(CONFIG, slug="Calciphylaxis")),  # bad slug
    ("booklet.schema.json", changed(CONFIG, slug=-1)),  # a number that is no slug
    ("booklet.schema.json", changed(CONFIG, edition="1.0")),  # bad semver
    ("booklet.schema.json", changed(CONFIG, language="English")),  # bad language tag
    ("booklet.schema.json", changed(CONFIG, home_page="example.org")),  # bad URL
    ("booklet.schema.json", changed(CONFIG, published=DROP)),  # missing required key
    ("references.schema.json", changed(REFERENCE, DOI="https://doi.org/10.1000/xyz")),
    ("references.schema.json", changed(REFERENCE, PMID="PMID123")),
    ("references.schema.json", changed(REFERENCE, issued="July 2020")),
    ("references.schema.json", changed(REFERENCE, issued=20)),
    ("references.schema.json", changed(REFERENCE, issued={"date-parts": [[2020, 13]]})),
    ("references.schema.json", changed(REFERENCE, issued={"date-parts": [[2020, 1, 1, 1]]})),
    ("references.schema.json", changed(REFERENCE, author=[])),
    ("references.schema.json", changed(REFERENCE, author=[{"given": "J"}])),  # no family name
    ("references.schema.json", changed(REFERENCE, author=[{"literal": "G", "family": "S"}])),  # literal not alone
    ("references.schema.json", changed(REFERENCE, author=[{"family": "S", "middle": "X"}])),
    ("references.schema.json", changed(REFERENCE, volume=True)),
    ("references.schema.json", changed(REFERENCE, genre="preprint")),
    ("brand.schema.json", changed(BRAND, name=DROP)),
    ("brand.schema.json", changed(BRAND, colour="red")),
]


@pytest.mark.parametrize("name, data", ACCEPTED)
def test_loader_and_schema_both_accept_valid_input(name: str, data: dict):
    assert loader_problems(KINDS[name], data) == []
    assert schema_accepts(name, data)


@pytest.mark.parametrize("name, data", REJECTED)
def test_loader_and_schema_both_reject_bad_input(name: str, data: dict):
    assert loader_problems(KINDS[name], data), "the loader accepts it"
    assert not schema_accepts(name, data), "the schema accepts it"


def test_every_converter_kind_has_a_schema():
    assert set(KIND_SCHEMAS) == set(CONVERTERS)
    for kind in CONVERTERS:
        field_schema(Field("x", kind, "A field.", choices=("a", "b")))  # raises for an unmapped kind


def test_a_field_of_unknown_kind_makes_generation_fail():
    with pytest.raises(ValueError, match="no JSON Schema for kind 'colour'"):
        object_schema((Field("x", "colour", "A field of a kind the schemas do not know."),))


def test_a_converter_kind_without_a_schema_makes_generation_fail(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(loader.CONVERTERS, "colour", lambda field, value: value)
    with pytest.raises(ValueError, match="colour"):
        generate_schemas()
