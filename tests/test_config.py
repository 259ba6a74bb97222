"""booklet.yaml validation: every bad key reported at once, with lines."""
from __future__ import annotations

import pytest

from booklet.source.config import load_config
from booklet.errors import ValidationFailed


def test_the_repository_config_is_valid():
    from conftest import REPO
    config = load_config(REPO)
    assert config.slug == "calciphylaxis" and config.language == "en-GB"
    assert config.editions == ("patient", "clinician")


def test_every_bad_key_is_reported_at_once(project):
    path = project / "booklet.yaml"
    text = path.read_text().replace("edition: 2.1.0", "edition: two").replace("slug: fixture", "slugg: fixture")
    path.write_text(text + "editions_extra: 1\n")
    with pytest.raises(ValidationFailed) as failed:
        load_config(project)
    lines = failed.value.lines()
    assert "booklet.yaml:2: unknown key 'slugg' in booklet.yaml (did you mean 'slug'?)" in lines
    assert "booklet.yaml:4: 'edition' must be a version like 1.0.0, not 'two'" in lines
    assert any("missing required key 'slug'" in line for line in lines)
    assert any("unknown key 'editions_extra'" in line for line in lines)


def test_unknown_edition_is_rejected(project):
    path = project / "booklet.yaml"
    path.write_text(path.read_text().replace("[patient, clinician]", "[patient, nurse]"))
    with pytest.raises(ValidationFailed) as failed:
        load_config(project)
    assert any("'editions' has 'nurse', which is not one of patient, clinician" in line
               for line in failed.value.lines())
