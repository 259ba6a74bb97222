"""The web site and the e-books of the real booklet, judged by the real checkers: axe-core in
Debian's chromium at 320 px and 1280 px, the Nu HTML Checker, EPUBCheck and DAISY Ace. Each
must report nothing. The screenshots are kept in build/test-artefacts/ (not in git) to look at."""
from __future__ import annotations

from pathlib import Path

import pytest

import checkers
from checkers import REPO

WIDTHS = (320, 1280)
ARTEFACTS = REPO / "build" / "test-artefacts"


# Each site the real booklet has: the English one's two audiences, and the patient edition in
# Welsh and in Urdu (its right-to-left proof), in web/<language>/.
SITES = (("patient", None), ("clinician", None), ("patient", "cy"), ("patient", "ur"))
SITE_IDS = ["-".join(filter(None, site)) for site in SITES]


def site_pages(real_build: Path, audience: str | None = None, language: str | None = None) -> list[Path]:
    web = real_build / "build" / "web"
    if language:
        web = web / language
    return sorted((web / audience).glob("*.html")) if audience else sorted(web.rglob("*.html"))


def e_book(real_build: Path, audience: str, language: str | None) -> Path:
    edition = next(real_build.glob("build/calciphylaxis-clinician-*.epub")).stem.rpartition("-")[2]
    return real_build / "build" / f"calciphylaxis-{audience}{'-' + language if language else ''}-{edition}.epub"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("audience", "language"), SITES, ids=SITE_IDS)
def test_axe_finds_nothing_on_any_page_at_wcag_22_aa(real_build, audience, language, width):
    script = checkers.axe_script()
    found: list[str] = []
    home = real_build / "build" / "web" / (language or "") / "index.html"
    pages = site_pages(real_build, audience, language) + ([home] if audience == "patient" else [])
    with checkers.browser() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path in pages:
            page.goto(path.as_uri())
            found += [f"{path.name}: {line}" for line in checkers.describe(checkers.axe_violations(page, script))]
            # Readable at this width: nothing wider than the window, so no sideways scrolling.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.append(f"{path.name}: {overflow} px wider than a {width} px window")
    assert not found, "\n".join(found)


def test_the_nu_html_checker_finds_no_error_or_warning(real_build):
    messages = checkers.vnu(site_pages(real_build))
    assert not messages, "\n".join(messages)


@pytest.mark.parametrize(("audience", "language"), SITES, ids=SITE_IDS)
def test_epubcheck_finds_no_error_or_warning(real_build, audience, language):
    epub = e_book(real_build, audience, language)
    messages = checkers.epubcheck(epub)
    assert not messages, "\n".join(messages)


@pytest.mark.parametrize(("audience", "language"), SITES, ids=SITE_IDS)
def test_daisy_ace_finds_no_violation(real_build, audience, language, tmp_path):
    epub = e_book(real_build, audience, language)
    report = checkers.ace(epub, tmp_path / "ace")
    violations = checkers.ace_violations(report)
    assert report["earl:result"]["earl:outcome"] == "pass" and not violations, "\n".join(violations)
    metadata = report["a11y-metadata"]
    assert not {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                "schema:accessibilitySummary", "schema:accessModeSufficient"} & set(metadata["missing"])


def test_screenshots_of_the_patient_index_and_urgent_page_at_both_widths(real_build):
    """Made for a person to look at (build/test-artefacts/); checked here only for what a machine
    can see: the urgent box is on the first screen of the index at both widths."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with checkers.browser() as browser:
        for language in (None, "cy", "ur"):
            web = real_build / "build" / "web" / (language or "") / "patient"
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name in ("index", "get-help-urgently"):
                    page.goto((web / f"{name}.html").as_uri())
                    shot = ARTEFACTS / f"web-patient{'-' + language if language else ''}-{name}-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    assert shot.stat().st_size > 10_000
                page.goto((web / "index.html").as_uri())
                top = page.evaluate("document.querySelector('section.urgent').getBoundingClientRect().top")
                assert top < 900, f"the urgent box starts {top:.0f} px down at {width} px wide ({language})"
                page.close()


def test_the_checkers_report_a_page_with_known_faults(tmp_path):
    """The harness itself: a page with no language, an image without words and an empty link is
    reported by both axe and the Nu HTML Checker, so their silence on the booklet means something."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><img src="a.png"><a href="#"> </a>'
                   '<p>unclosed</span></body></html>')
    with checkers.browser() as browser:
        page = browser.new_page()
        page.goto(bad.as_uri())
        found = {v["id"] for v in checkers.axe_violations(page, checkers.axe_script())}
    assert {"html-has-lang", "image-alt", "link-name"} <= found
    messages = checkers.vnu([bad])
    assert any("error" in line and "img" in line for line in messages), messages
