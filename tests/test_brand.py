"""Co-branded copies: the organisation on the covers and in the file names; chapters untouched."""
from __future__ import annotations

import base64
import json

from pypdf import PdfReader

from conftest import booklet

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
BRAND = """name: Kind Care Trust
logo: brands/logos/kind.png
phone: 0123 456 789
website: https://kind-care.example/
address: 2 Test Lane, Testtown
"""


def _text(pdf) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


def test_branded_copies_carry_the_brand_on_covers_names_and_manifest_only(built_project):
    project = built_project
    (project / "brands" / "logos").mkdir(parents=True)
    (project / "brands" / "logos" / "kind.png").write_bytes(PNG)
    (project / "brands" / "kind-care.yaml").write_text(BRAND)
    result = booklet(project, "build", "--brand", "brands/kind-care.yaml")
    assert result.returncode == 0, result.stderr
    assert "file (in build/brands/kind-care/)" in result.stdout
    assert "fixture-kind-care-patient-standard-a4-2.1.0.pdf" in result.stdout

    folder = project / "build" / "brands" / "kind-care"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["brand"] == {"slug": "kind-care", "name": "Kind Care Trust"}
    pdfs = [o for o in manifest["outputs"] if o["format"] == "pdf"]
    assert len(pdfs) == 9 and all(o["path"].startswith("fixture-kind-care-") for o in pdfs)
    assert all(o["brand"] == "kind-care" for o in manifest["outputs"])
    assert {"fixture-kind-care-patient-2.1.0.epub", "web/patient/index.html"} <= {o["path"] for o in manifest["outputs"]}

    branded = _text(folder / "fixture-kind-care-patient-standard-a4-2.1.0.pdf")
    plain = _text(project / "build" / "fixture-patient-standard-a4-2.1.0.pdf")
    assert "Distributed by Kind Care Trust" in branded[0]
    assert "Kind Care Trust Phone: 0123 456 789 Web: https://kind-care.example/ 2 Test Lane, Testtown" in branded[-1]
    assert not any("Kind Care" in page for page in plain)
    assert branded[3:-1] == plain[3:-1]  # every page between the covers is the same text
    html = (folder / "html" / "fixture-kind-care-patient-standard-a4-2.1.0.html").read_text()
    assert 'src="../../../../brands/logos/kind.png" alt="Kind Care Trust logo"' in html
    assert json.loads((project / "build" / "manifest.json").read_text()).get("brand") is None


def test_brand_problems_name_the_file_and_line(project):
    (project / "brands").mkdir()
    (project / "brands" / "bad.yaml").write_text("name: Bad\nlogo: ../outside.png\nfax: 1\n")
    result = booklet(project, "build", "--brand", "brands/bad.yaml")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "brands/bad.yaml:2: logo '../outside.png' is not a file inside the project" in lines
    assert any(line.startswith("brands/bad.yaml:3: unknown key 'fax'") for line in lines)
    assert [p.name for p in (project / "build").rglob("*")] == [".lock"]  # the build lock, no outputs
