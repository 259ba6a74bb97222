"""The web edition (build/web/): what its pages hold and how they link, read as HTML (the real
checkers, axe-core and the Nu HTML Checker, run in test_web_checkers.py)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from booklet.render.htmltree import Element, parse
from conftest import booklet, write_chapter

AUDIENCES = ("patient", "clinician")
# The real booklet's translated copies (booklet.yaml translations:), each a site in web/<language>/.
LANGUAGES = ("cy", "ur")
SITES = (None, *LANGUAGES)  # None: the English site, web/


def pages(build: Path, audience: str | None = None, language: str | None = None) -> list[Path]:
    """A site's pages: the English site's (not its languages' folders), or a language's."""
    base = build / "web" / language if language else build / "web"
    folder = base / audience if audience else base
    return sorted(p for p in folder.rglob("*.html") if language or p.relative_to(base).parts[0] not in LANGUAGES)


def print_html(build: Path, audience: str, language: str | None = None) -> str:
    """The standard A4 copy's HTML document, the one the site's pages are cut from."""
    edition = json.loads((build / "manifest.json").read_text())["edition"]
    part = f"-{language}" if language else ""
    return (build / "html" / f"calciphylaxis-{audience}-standard-a4{part}-{edition}.html").read_text()


def site_audiences(language: str | None) -> tuple[str, ...]:
    return AUDIENCES if language is None else ("patient",)  # the translations are of the patient edition


def said(language: str | None, message: str, **values) -> str:
    """An interface message as the copy in `language` prints it."""
    from booklet.interface import _, speaking

    with speaking(language or "en-GB"):
        return _(message) % values if values else _(message)


def tree(path: Path) -> Element:
    return parse(path.read_text(encoding="utf-8"))


def find_all(root: Element, tag: str) -> list[Element]:
    return root.find_all(lambda e: e.tag == tag)


def test_each_audience_has_an_index_a_page_per_chapter_the_references_and_about(real_build):
    build = real_build / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    html = {o["path"]: o for o in manifest["outputs"] if o["format"] == "html"}
    for audience in AUDIENCES:
        source = print_html(build, audience)
        chapter_ids = re.findall(r'<section class="chapter" id="chapter-([a-z0-9-]+)">', source)
        expected = {"index.html", "references.html", "about.html", *(f"{c}.html" for c in chapter_ids)}
        assert {p.name for p in pages(build, audience)} == expected
        for name in expected:
            entry = html[f"web/{audience}/{name}"]
            assert entry["audience"] == audience and entry["next_review"]
    assert "web/index.html" in html


@pytest.mark.parametrize("language", SITES)
def test_every_page_has_landmarks_a_skip_link_one_h1_and_headings_in_order(real_build, language):
    for path in pages(real_build / "build", language=language):
        root = tree(path)
        html = root.find(lambda e: e.tag == "html")
        assert html is not None and html.get("lang") == (language or "en-GB"), path
        assert html.get("dir") == ("rtl" if language == "ur" else None), path
        assert any(m.get("name") == "viewport" for m in find_all(root, "meta")), path
        for landmark in ("header", "main", "footer"):
            assert len(find_all(root, landmark)) == 1, (path, landmark)
        body = root.find(lambda e: e.tag == "body")
        assert body is not None
        first = body.elements[0]
        assert first.tag == "a" and first.get("href") == "#main" and first.text().strip(), path
        assert root.find(lambda e: e.tag == "main").get("id") == "main"
        levels = [int(e.tag[1]) for e in root.iter() if re.fullmatch(r"h[1-6]", e.tag)]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (path, levels)
        assert not find_all(root, "script"), path


def _local_target(page: Path, href: str) -> tuple[Path, str]:
    parts = urlsplit(href)
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    return target, parts.fragment


def test_every_link_and_file_a_page_uses_is_in_the_site_and_nothing_is_fetched_from_elsewhere(real_build):
    web = (real_build / "build" / "web").resolve()
    ids: dict[Path, set[str]] = {}
    for path in pages(real_build / "build"):
        root = tree(path)
        for element in root.iter():
            for attribute in ("src", "href"):
                value = element.get(attribute)
                if not value or (attribute == "href" and element.tag == "a" and value.startswith(("https://", "tel:"))):
                    continue  # a link the reader follows (to a source, or to call) is fine; nothing loads it
                assert not re.match(r"[a-z]+:", value), (path, value)  # no http:, file:, data: loads
                target, fragment = _local_target(path.resolve(), value)
                assert target.is_relative_to(web) and target.is_file(), (path, value)
                if fragment and target.suffix == ".html":
                    if target not in ids:
                        ids[target] = {e.get("id") for e in tree(target).iter() if e.get("id")}
                    assert fragment in ids[target], (path, value)
    css = (web / "assets" / "web.css").read_text()
    assert "http" not in css.replace("https://", "") and "@import" not in css
    for font in re.findall(r'url\("([^"]+)"\)', css):
        assert (web / "assets" / font).is_file()


def test_citations_link_to_their_reference_with_words(real_build):
    page = real_build / "build" / "web" / "patient" / "what-is-calciphylaxis.html"
    links = [a for a in find_all(tree(page), "a") if (a.get("href") or "").startswith("references.html#ref-")]
    assert links
    assert all(re.fullmatch(r"Reference \d+: .+", a.get("aria-label") or "") for a in links)


def test_the_urgent_box_is_a_labelled_region_and_comes_first_on_the_patient_index(real_build):
    for name in ("index.html", "get-help-urgently.html"):
        root = tree(real_build / "build" / "web" / "patient" / name)
        boxes = [s for s in find_all(root, "section") if s.has_class("urgent")]
        assert len(boxes) == 1, name
        heading = boxes[0].elements[0]
        assert heading.tag == "h2" and boxes[0].get("aria-labelledby") == heading.get("id")
        assert "Get help straight away" in heading.text()
    main = tree(real_build / "build" / "web" / "patient" / "index.html").find(lambda e: e.tag == "main")
    order = [e for e in main.elements if e.tag in ("section", "h2")]
    assert order[0].has_class("urgent") and order[1].get("id") == "contents"


@pytest.mark.parametrize("language", SITES)
def test_every_page_ends_with_the_edition_and_review_dates(real_build, language):
    edition = json.loads((real_build / "build" / "manifest.json").read_text())["edition"]
    for path in pages(real_build / "build", language=language):
        footer = tree(path).find(lambda e: e.tag == "footer")
        words = " ".join(footer.text().split())
        assert said(language, "Edition %(edition)s", edition=edition) in words, path
        assert edition in words and "2027" in words, path  # and the review's


@pytest.mark.parametrize("language", SITES)
def test_chapter_pages_keep_the_pdfs_provenance_marks_review_dates_and_sources(real_build, language):
    build = real_build / "build"
    site = build / "web" / language if language else build / "web"
    for audience in site_audiences(language):
        sections = dict(re.findall(r'<section class="chapter" id="chapter-([a-z0-9-]+)">(.*?)\n</section>',
                                   print_html(build, audience, language), re.S))
        assert len(sections) >= 10
        for chapter, body in sections.items():
            page = (site / audience / f"{chapter}.html").read_text()
            main = page[page.index("<main"):page.index("</main>")]
            assert main.count('class="ai-mark"') == body.count('class="ai-mark"'), chapter
            assert main.count('href="references.html#ref-') == body.count('href="#ref-'), chapter
            # Blocks still in English keep their marking (and their language) on the web too.
            assert main.count('class="untranslated"') == body.count('class="untranslated"'), chapter
            review = re.search(r'<p class="chapter-review">([^<]+)', body).group(1).strip()
            assert review in main, chapter


@pytest.mark.parametrize("language", SITES)
def test_the_index_offers_every_pdf_with_its_size_and_the_copies_are_the_same_bytes(real_build, language):
    build = real_build / "build"
    site = build / "web" / language if language else build / "web"
    manifest = json.loads((build / "manifest.json").read_text())
    pdfs = [o for o in manifest["outputs"] if o["format"] == "pdf" and o.get("language") == language]
    assert pdfs
    for audience in site_audiences(language):
        index = (site / audience / "index.html").read_text()
        for entry in (o for o in pdfs if o["audience"] == audience):
            assert f'href="../downloads/{entry["path"]}"' in index
            assert re.search(rf'{re.escape(entry["path"])}">[^<]+</a> \(PDF, {entry["pages"]}\b', index)
            copy = site / "downloads" / entry["path"]
            assert hashlib.sha256(copy.read_bytes()).hexdigest() == entry["sha256"]


def test_every_file_of_the_site_is_in_the_manifest_and_sha256sums(real_build):
    build = real_build / "build"
    listed = {line.split("  ", 1)[1] for line in (build / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(build).as_posix() for p in (build / "web").rglob("*") if p.is_file()}
    assert on_disk <= listed
    assert {p.name for p in build.glob("*.epub")} <= listed


def test_a_removed_chapter_loses_its_page_and_formats_pdf_leaves_the_web_out(built_project):
    web = built_project / "build" / "web"
    chapter = built_project / "chapters" / "02-patient-only.md"
    chapter_id = re.search(r"^id: (\S+)", chapter.read_text(), re.M).group(1)
    assert (web / "patient" / f"{chapter_id}.html").is_file()
    chapter.unlink()
    assert booklet(built_project, "build").returncode == 0
    after = {p.name for folder in ("patient", "clinician") for p in (web / folder).glob("*.html")}
    assert f"{chapter_id}.html" not in after and "index.html" in after
    result = booklet(built_project, "build", "--formats", "pdf")
    assert result.returncode == 0, result.stderr
    assert not list(web.rglob("*.html")) and not list((built_project / "build").glob("*.epub"))


def test_a_link_planted_where_the_site_goes_stops_the_build_with_one_line(built_project, tmp_path):
    web = built_project / "build" / "web"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for child in sorted(web.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    web.rmdir()
    web.symlink_to(outside)
    result = booklet(built_project, "build")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "build/web" in result.stderr and "link" in result.stderr
    assert not list(outside.iterdir())


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_chapter_with_a_picture_shows_it_from_the_site(project, audience):
    images = project / "chapters" / "images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                    '<circle cx="5" cy="5" r="4"/></svg>')
    write_chapter(project, "50-picture.md", "title: A picture\nid: picture\norder: 50\naudience: both\n"
                  "summary: A dot [@web-reviewed].\nreviewed: 2026-01-01\nnext_review: 2027-01-01\n"
                  "sources: [web-reviewed]", "A dot [@web-reviewed].\n\n![A black dot](images/dot.svg)\n")
    result = booklet(project, "build", "--formats", "pdf,web")
    assert result.returncode == 0, result.stderr
    page = (project / "build" / "web" / audience / "picture.html").read_text()
    src = re.search(r'<img alt="A black dot" src="([^"]+)"', page).group(1)
    assert src.startswith("../assets/images/") and src.endswith(".svg")
    assert (project / "build" / "web" / audience / src).resolve().read_bytes() == (images / "dot.svg").read_bytes()


def test_pictures_with_words_carry_the_typeface_they_were_drawn_for(real_build):
    """An <img> cannot use the page's fonts: each picture with words holds its own cut-down copy."""
    pictures = sorted((real_build / "build" / "web" / "assets" / "images").glob("*.svg"))
    worded = [p for p in pictures if b"<text" in p.read_bytes()]
    assert worded
    for picture in worded:
        data = picture.read_bytes()
        assert b"@font-face{font-family:'Atkinson Hyperlegible'" in data and b"data:font/ttf;base64," in data
        assert len(data) < 60_000  # a subset, not the whole font
