"""Chapter translations in PO files: one entry per block, fuzzy when the English changes, checked
for what must not change (citations, numbers, slots), and the same bytes from the same inputs."""
from __future__ import annotations

from pathlib import Path

from booklet.authoring.translate import po_bytes
from booklet.source.blocks import chapter_blocks
from booklet.source.translations import read_catalogue
from conftest import booklet, write_chapter

FRONT = ("title: Wound care\nid: wound-care\norder: 3\naudience: patient\nsummary: \"Keep it clean [@web-reviewed].\"\n"
         "reviewed: 2026-01-01\nnext_review: 2027-01-01\nsources: [web-reviewed]")
BODY = """Wash your hands first [@web-reviewed].

## At home

- [ ] Change the dressing every 2 days [@web-reviewed].
- Call {{day-phone}} if it gets worse.

!!! urgent "Get help at once"
    A temperature of 38 C or more is a warning sign [@web-reviewed].

    - a red, hot wound

| When | What |
|---|---|
| Morning | Take 5 mg [@web-reviewed] |

![A clean dressing on a leg](images/dressing.svg)
"""


def _catalogue(path: Path):
    return read_catalogue(path.parent, path.name)


def _translate_all(path: Path) -> None:
    """A stand-in translator: every entry translated (the same tokens kept)."""
    catalogue = _catalogue(path)
    for entry in catalogue:
        if entry.id:
            entry.string = f"CY: {entry.id}"
            entry.flags.discard("fuzzy")
    path.write_bytes(po_bytes(catalogue))


def test_a_chapter_is_cut_into_blocks_with_the_markdown_left_out():
    source = f"---\n{FRONT}\n---\n{BODY}"
    blocks = [(b.kind, b.text) for b in chapter_blocks(source)]
    assert blocks == [
        ("title", "Wound care"), ("summary", "Keep it clean [@web-reviewed]."),
        ("paragraph", "Wash your hands first [@web-reviewed]."), ("heading", "At home"),
        ("item", "Change the dressing every 2 days [@web-reviewed]."), ("item", "Call {{day-phone}} if it gets worse."),
        ("box-title", "Get help at once"), ("paragraph", "A temperature of 38 C or more is a warning sign [@web-reviewed]."),
        ("item", "a red, hot wound"), ("cell", "When"), ("cell", "What"), ("cell", "Morning"),
        ("cell", "Take 5 mg [@web-reviewed]"), ("picture", "A clean dressing on a leg")]
    for block in chapter_blocks(source):
        assert source[block.start:block.end] == block.text  # where a translation goes back


def test_extract_writes_one_entry_per_block_with_its_context_place_and_digest(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    result = booklet(project, "translate", "extract", "cy")
    assert result.returncode == 0, result.stderr
    assert "wrote translations/cy/wound-care.po: 0 translated, 0 fuzzy (the English changed), 14 to translate" in result.stdout
    catalogue = _catalogue(project / "translations" / "cy" / "wound-care.po")
    entries = [m for m in catalogue if m.id]
    assert len(entries) == 14 and all(m.string == "" for m in entries)
    box = next(m for m in entries if m.context == "wound-care:both:box-title")
    assert box.id == "Get help at once" and box.locations == [("chapters/03-wound-care.md", 18)]
    assert any(comment.startswith("English digest: ") for comment in box.auto_comments)
    assert str(catalogue.locale) == "cy"
    # The chapter for both editions gives only the patient edition's blocks.
    shared = [str(m.id) for m in _catalogue(project / "translations" / "cy" / "shared.po") if m.id]
    assert any("bluebell meadow" in text for text in shared) and not any("quartz lattice" in text for text in shared)
    assert "wound-care  " in result.stdout and "not complete" in result.stdout


def test_changing_one_sentence_makes_exactly_its_entry_fuzzy_in_every_language(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    for language in ("cy", "ur"):
        assert booklet(project, "translate", "extract", language).returncode == 0
        _translate_all(project / "translations" / language / "wound-care.po")
    chapter = project / "chapters" / "03-wound-care.md"
    chapter.write_text(chapter.read_text().replace("Wash your hands first", "Wash your hands well first"))
    for language in ("cy", "ur"):
        result = booklet(project, "translate", "update", language)
        assert result.returncode == 0, result.stderr
        assert "wrote translations/%s/wound-care.po: 13 translated, 1 fuzzy" % language in result.stdout
        catalogue = _catalogue(project / "translations" / language / "wound-care.po")
        fuzzy = [m for m in catalogue if m.id and m.fuzzy]
        assert [str(m.id) for m in fuzzy] == ["Wash your hands well first [@web-reviewed]."]
        assert fuzzy[0].previous_id == ["Wash your hands first [@web-reviewed]."]
        assert fuzzy[0].string == "CY: Wash your hands first [@web-reviewed]."  # the old translation, to revise
        status = booklet(project, "translate", "status", language).stdout
        assert [line.split()[:4] for line in status.splitlines() if line.startswith("wound-care")] == \
            [["wound-care", "13", "1", "0"]]
    before = (project / "translations" / "cy" / "wound-care.po").read_bytes()
    again = booklet(project, "translate", "update", "cy")
    assert "unchanged translations/cy/wound-care.po" in again.stdout
    assert (project / "translations" / "cy" / "wound-care.po").read_bytes() == before


def test_status_before_an_update_counts_the_changed_sentence_as_not_translated(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    booklet(project, "translate", "extract", "cy")
    _translate_all(project / "translations" / "cy" / "wound-care.po")
    chapter = project / "chapters" / "03-wound-care.md"
    chapter.write_text(chapter.read_text().replace("every 2 days", "every 3 days"))
    status = booklet(project, "translate", "status", "cy").stdout
    line = next(line for line in status.splitlines() if line.startswith("wound-care"))
    assert line.split()[:4] == ["wound-care", "13", "0", "1"] and "run booklet translate update" in line


def test_a_translation_that_changes_a_dose_a_citation_or_a_slot_fails_at_its_line(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    booklet(project, "translate", "extract", "cy")
    path = project / "translations" / "cy" / "wound-care.po"
    catalogue = _catalogue(path)
    wrong = {"Take 5 mg [@web-reviewed]": "Cymerwch 50 mg [@web-reviewed]",
             "Wash your hands first [@web-reviewed].": "Golchwch eich dwylo yn gyntaf.",
             "Call {{day-phone}} if it gets worse.": "Ffoniwch os yw'n gwaethygu."}
    for entry in catalogue:
        if entry.id in wrong:
            entry.string = wrong[str(entry.id)]
    path.write_bytes(po_bytes(catalogue))
    result = booklet(project, "translate", "status", "cy")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("translations/cy/wound-care.po:") for line in lines)
    text = path.read_text().splitlines()
    for line in lines:
        number = int(line.split(":")[1])
        assert text[number - 1].startswith(("msgid", "msgctxt", "#")), line
    assert any("must cite web-reviewed as the English does, not nothing" in line for line in lines)
    assert any("numbers differ from the English: it has 5, the translation 50" in line for line in lines)
    assert any("contact slots" in line and "{{day-phone}}" in line for line in lines)


def test_a_language_code_that_is_not_one_is_refused_in_one_line(project):
    result = booklet(project, "translate", "extract", "../../etc")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and not (project / "translations").exists()
    none_yet = booklet(project, "translate", "status", "pl")
    assert none_yet.returncode == 2 and "there is no translation into 'pl' yet" in none_yet.stderr


def test_check_warns_when_the_english_changed_under_a_translation(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY.replace("![A clean dressing on a leg](images/dressing.svg)", ""))
    booklet(project, "translate", "extract", "cy")
    _translate_all(project / "translations" / "cy" / "wound-care.po")
    assert "changed since" not in booklet(project, "check").stderr
    chapter = project / "chapters" / "03-wound-care.md"
    chapter.write_text(chapter.read_text().replace("every 2 days", "every day"))
    warned = booklet(project, "check").stderr
    assert "translations/cy/wound-care.po: warning: the English of 'wound-care' changed" in warned
    booklet(project, "translate", "update", "cy")
    assert "translations/cy/wound-care.po: warning: 1 entry marked fuzzy" in booklet(project, "check").stderr


def test_the_committed_welsh_draft_has_no_errors_and_says_it_is_a_draft():
    from booklet.source.project import load_project
    from booklet.source.translations import translation_problems

    repo = Path(__file__).resolve().parent.parent
    project = load_project(repo)
    problems = translation_problems(repo, project.chapters)
    assert not [p for p in problems if p.severity == "error"], [str(p) for p in problems]
    files = sorted((repo / "translations" / "cy").glob("*.po"))
    assert {f.stem for f in files} == {c.id for c in project.chapters if c.is_for("patient") and not c.is_draft} \
        | {"_booklet"}
    for file in files:
        assert "# Status: machine-assisted DRAFT" in file.read_text(encoding="utf-8"), file.name


def test_translations_go_back_in_place_and_the_markdown_around_them_is_kept(project):
    from booklet.source.chapters import parse_chapter
    from booklet.source.translated_copy import put_in_place

    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    booklet(project, "translate", "extract", "cy")
    path = project / "translations" / "cy" / "wound-care.po"
    catalogue = _catalogue(path)
    for entry in catalogue:
        if entry.id == "Wound care":
            entry.string = 'Gofal clwyf: "y pethau sylfaenol"'  # a colon and quotes, as YAML must take them
        elif entry.id == "A temperature of 38 C or more is a warning sign [@web-reviewed].":
            entry.string = "Mae tymheredd o 38 C neu fwy\nyn arwydd rhybudd [@web-reviewed]."
        elif entry.id == "Change the dressing every 2 days [@web-reviewed].":
            entry.string = "Newidiwch y dresin bob 2 ddiwrnod [@web-reviewed]."
            entry.flags.add("fuzzy")  # not done: the English stays
    source = (project / "chapters" / "03-wound-care.md").read_text()
    chapter, _ = parse_chapter(source, "chapters/03-wound-care.md")
    text, kept_kinds = put_in_place(chapter, source, "patient", catalogue)
    kept = len(kept_kinds)
    assert kept == 12  # every block but the two done ones
    assert 'title: "Gofal clwyf: \\"y pethau sylfaenol\\""' in text
    assert '    Mae tymheredd o 38 C neu fwy\n    yn arwydd rhybudd [@web-reviewed].' in text  # still in the box
    assert "- [ ] Change the dressing every 2 days [@web-reviewed]." in text  # fuzzy: English kept, tick box too
    translated, problems = parse_chapter(text, "translations/cy/wound-care.po")
    assert translated is not None and translated.title == 'Gofal clwyf: "y pethau sylfaenol"', problems


def test_status_and_check_name_the_letters_the_typeface_cannot_draw(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY.replace("![A clean dressing on a leg](images/dressing.svg)", ""))
    booklet(project, "translate", "extract", "cy")
    path = project / "translations" / "cy" / "wound-care.po"
    catalogue = _catalogue(path)
    for entry in catalogue:
        if entry.id == "At home":
            # ŷ and ŵ: not in Atkinson Hyperlegible 1.6, but in Next, the Welsh copies' typeface;
            # Ж (Cyrillic) in neither.
            entry.string = "Yn y tŷ, gyda dŵr, Ж"
    path.write_bytes(po_bytes(catalogue))
    status = booklet(project, "translate", "status", "cy").stdout
    assert "typeface: Atkinson Hyperlegible Next cannot draw Ж (U+0416, 1 entry):" in status, status
    assert "ŵ" not in status.split("typeface:")[1]
    assert "translations/cy: warning: Atkinson Hyperlegible Next cannot draw Ж" in booklet(project, "check").stderr


def test_a_translation_file_that_is_a_link_or_malformed_is_one_line_naming_it(project, tmp_path):
    assert booklet(project, "translate", "extract", "cy").returncode == 0
    secret = tmp_path / "secret.txt"
    secret.write_text('msgid "x"\nmsgstr "someone else\'s file"\n')
    link = project / "translations" / "cy" / "shared.po"
    link.unlink()
    link.symlink_to(secret)
    for command in (("translate", "status", "cy"), ("translate", "update", "cy")):
        result = booklet(project, *command)
        assert result.returncode == 1 and result.stderr.splitlines() == [
            "translations/cy/shared.po: is not a plain file in the project; a translation file must be one"]
    assert secret.read_text() == 'msgid "x"\nmsgstr "someone else\'s file"\n'  # never written through
    link.unlink()
    link.write_text('msgid "a"\nmsgstr "b"\n\nnot a keyword\n')
    result = booklet(project, "translate", "status", "cy")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "translations/cy/shared.po:4: cannot read this translation file: Unknown or misformatted keyword"]


def test_a_translation_sign_off_stands_until_its_english_or_translation_changes(project):
    write_chapter(project, "03-wound-care.md", FRONT, BODY.replace("![A clean dressing on a leg](images/dressing.svg)", ""))
    booklet(project, "translate", "extract", "cy")
    unfinished = booklet(project, "translate", "sign", "cy", "wound-care", "--as", "translator", "--name", "A Jones",
                         "--checked", "all of it")
    assert unfinished.returncode == 1 and "is not complete (0 fuzzy, 13 missing)" in unfinished.stderr
    _translate_all(project / "translations" / "cy" / "wound-care.po")

    def signed() -> str:
        status = booklet(project, "translate", "status", "cy").stdout
        return next(line for line in status.splitlines() if line.startswith("wound-care")).split("  ")[-1].strip()

    for role, name in (("translator", "A Jones"), ("language-reviewer", "Dr B Evans")):
        result = booklet(project, "translate", "sign", "cy", "wound-care", "--as", role, "--name", name,
                         "--checked", "the chapter against the English")
        assert result.returncode == 0, result.stderr
    assert signed() == "translator, language reviewer"
    for role in ("translator", "language-reviewer"):  # again, or in the other role: refused
        again = booklet(project, "translate", "sign", "cy", "wound-care", "--as", role, "--name", "A Jones",
                        "--checked", "all of it")
        assert again.returncode == 1 and ("already signed" in again.stderr or "two people" in again.stderr)
    sign_offs = (project / "translations" / "cy" / "sign-offs.yaml").read_text()
    assert sign_offs.count("- chapter: wound-care") == 2 and "entries-sha256: " in sign_offs
    path = project / "translations" / "cy" / "wound-care.po"
    catalogue = _catalogue(path)
    for entry in catalogue:
        if entry.id == "At home":
            entry.string = "Gartref"
    path.write_bytes(po_bytes(catalogue))
    assert signed() == "no one yet"  # the translation changed after they signed
    warned = booklet(project, "check").stderr
    assert "A Jones's sign-off of 'wound-care' as translator no longer stands" in warned
    assert "0 of 3 chapters are signed off by a translator and a reviewer" in warned
    catalogue = _catalogue(path)
    for entry in catalogue:
        if entry.id == "At home":
            entry.string = "CY: At home"
    path.write_bytes(po_bytes(catalogue))
    assert signed() == "translator, language reviewer"  # the text they signed is back
    wrong = booklet(project, "translate", "sign", "cy", "wound-care", "--as", "translator")
    assert wrong.returncode == 2 and "all four are needed" in wrong.stderr


def test_a_long_sentence_changed_keeps_its_old_english_as_a_valid_po_comment_through_updates(project):
    long = ("In July 2023 there was no specialist hospital for this illness, but your team could ask experts in "
            "the UK for advice through a national group [@web-reviewed].")
    write_chapter(project, "03-wound-care.md", FRONT, long + "\n")
    booklet(project, "translate", "extract", "cy")
    _translate_all(project / "translations" / "cy" / "wound-care.po")
    chapter = project / "chapters" / "03-wound-care.md"
    chapter.write_text(chapter.read_text().replace("there was no specialist", "there was still no specialist"))
    for _ in range(2):  # the second update must keep the old English, not drop it
        assert booklet(project, "translate", "update", "cy").returncode == 0
        text = (project / "translations" / "cy" / "wound-care.po").read_text()
        previous = [line for line in text.splitlines() if line.startswith("#|")]
        assert previous == [f'#| msgid "{long}"'], previous  # one line, quoted: gettext reads it
        assert _catalogue(project / "translations" / "cy" / "wound-care.po").get(
            long.replace("there was no", "there was still no"), "wound-care:both:paragraph").previous_id == [long]


def test_booklet_yaml_texts_are_translated_in_their_own_file_and_go_fuzzy_when_changed(project):
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + "subtitle: A short guide\ndescription: Facts about the fixture\n")
    assert booklet(project, "translate", "extract", "cy").returncode == 0
    path = project / "translations" / "cy" / "_booklet.po"
    catalogue = _catalogue(path)
    texts = {m.context: str(m.id) for m in catalogue if m.id}
    assert set(texts) and all(context.startswith("booklet:") for context in texts)
    _translate_all(path)
    field = next(iter(texts)).split(":")[1]
    old = texts[f"booklet:{field}"]
    config.write_text(config.read_text().replace(old, old + " today", 1))
    assert "booklet.yaml's texts changed since this file was updated" in booklet(project, "check").stderr
    result = booklet(project, "translate", "update", "cy")
    assert "translations/cy/_booklet.po: 0 translated, 1 fuzzy" in result.stdout or \
        f"translations/cy/_booklet.po: {len(texts) - 1} translated, 1 fuzzy" in result.stdout, result.stdout
    assert [line.split()[:4] for line in result.stdout.splitlines() if line.startswith("booklet.yaml")] == \
        [["booklet.yaml", str(len(texts) - 1), "1", "0"]]
