"""A language's copies (booklet.yaml translations:): made from its finished translations only,
marked a draft on every page until done and signed off, the English kept and marked for the rest,
and left out of a release while they are drafts. Read as HTML (the real booklet's Welsh and Urdu
PDFs, web pages and e-books are judged in test_real_booklet.py and test_web_checkers.py)."""
from __future__ import annotations

from pathlib import Path

from booklet.authoring.translate import po_bytes
from booklet.pipeline import prepare, prepare_translations
from booklet.source.project import load_project
from booklet.source.translated_copy import translated_copy
from booklet.source.translations import read_catalogue
from conftest import booklet, write_chapter

FRONT = ("title: Wound care\nid: wound-care\norder: 3\naudience: patient\nsummary: \"Keep it clean [@web-reviewed].\"\n"
         "reviewed: 2026-01-01\nnext_review: 2027-01-01\nsources: [web-reviewed]")
BODY = """Wash your hands first [@web-reviewed].

## At home

- Change the dressing every 2 days [@web-reviewed].
- Call {{day-phone}} if it gets worse.
"""
CHANGED = "Wash your hands with soap first [@web-reviewed]."


def _translate_all(path: Path, prefix: str) -> None:
    """A stand-in translator: every entry translated (the tokens the checks want kept, kept)."""
    catalogue = read_catalogue(path.parent, path.name)
    for entry in catalogue:
        if entry.id:
            entry.string = f"{prefix}{entry.id}"
            entry.flags.discard("fuzzy")
    path.write_bytes(po_bytes(catalogue))


def _set_up(project: Path, languages: tuple[str, ...], translate: bool = True) -> None:
    write_chapter(project, "03-wound-care.md", FRONT, BODY)
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + f"translations: [{', '.join(languages)}]\n")
    for language in languages:
        assert booklet(project, "translate", "extract", language).returncode == 0
        if translate:
            for path in (project / "translations" / language).glob("*.po"):
                _translate_all(path, f"{language.upper()}: ")


def _sign_everything(project: Path, language: str) -> None:
    for path in sorted((project / "translations" / language).glob("*.po")):
        if path.stem.startswith("_"):
            continue
        for role, name in (("translator", "A Jones"), ("language-reviewer", "Dr B Evans")):
            result = booklet(project, "translate", "sign", language, path.stem, "--as", role, "--name", name,
                             "--checked", "the chapter against the English")
            assert result.returncode == 0, result.stderr


def test_a_language_has_every_patient_copy_named_with_it_in_its_words_and_marked_a_draft(project):
    _set_up(project, ("cy",))
    english = prepare(project)
    [welsh] = prepare_translations(english)
    stems = {o.stem for o in welsh.plan.outputs}
    assert {s.replace("-cy-", "-") for s in stems} == {o.stem for o in english.plan.outputs
                                                      if o.audience == "patient"}
    assert all("-cy-2.1.0" in s for s in stems)  # e.g. fixture-patient-standard-a4-cy-2.1.0
    html = welsh.html("patient-standard-a4-cy")
    assert '<html lang="cy">' in html and "CY: Wash your hands first" in html
    assert "Argraffiad" in html  # the interface words in Welsh ("Edition")
    # Every page says it is a draft translation, in Welsh and in English, and so does the cover.
    assert 'content: "Cyfieithiad drafft: peidiwch â\'i roi i neb"' in html
    assert 'content: "Draft translation: do not hand out"' in html
    assert 'class="cover-translation-draft"' in html and 'class="inside-translation-draft"' in html
    assert "AtkinsonHyperlegibleNext" in html  # the typeface with ŵ and ŷ
    assert welsh.plan.translation is not None and welsh.plan.translation.is_draft  # not signed off


def test_a_block_without_a_finished_translation_is_printed_in_english_and_marked_so(project):
    _set_up(project, ("cy",))
    path = project / "translations" / "cy" / "wound-care.po"
    catalogue = read_catalogue(path.parent, path.name)
    for entry in catalogue:
        if entry.id == "Change the dressing every 2 days [@web-reviewed].":
            entry.flags.add("fuzzy")  # an old translation of a changed sentence: never printed
        if entry.id == "Wound care":
            entry.string = ""
    path.write_bytes(po_bytes(catalogue))
    [welsh] = prepare_translations(prepare(project))
    html = welsh.html("patient-standard-a4-cy")
    assert ('<li class="untranslated" lang="en" dir="ltr">Change the dressing every 2 days' in html), html
    assert "CY: Change the dressing" not in html
    assert '<h1 class="chapter-title untranslated" lang="en" dir="ltr">Wound care</h1>' in html
    copy = welsh.plan.translation
    assert copy is not None and copy.in_english == 2 and not copy.complete
    assert "2 of" in copy.draft_reason()


def test_changing_one_english_sentence_turns_exactly_its_entries_fuzzy_and_every_language_a_draft(project):
    _set_up(project, ("cy", "ur"))
    for language in ("cy", "ur"):
        _sign_everything(project, language)
        loaded = load_project(project)
        copy = translated_copy(project, loaded.config, loaded.chapters, language)
        assert not copy.is_draft and copy.complete, copy.draft_reason()
    chapter = project / "chapters" / "03-wound-care.md"
    chapter.write_text(chapter.read_text().replace("Wash your hands first [@web-reviewed].", CHANGED))
    for language in ("cy", "ur"):
        assert booklet(project, "translate", "update", language).returncode == 0
        fuzzy = [entry for path in (project / "translations" / language).glob("*.po")
                 for entry in read_catalogue(path.parent, path.name) if entry.id and entry.fuzzy]
        assert [entry.id for entry in fuzzy] == [CHANGED]
        assert fuzzy[0].previous_id == ["Wash your hands first [@web-reviewed]."]  # what changed, for the translator
        loaded = load_project(project)
        copy = translated_copy(project, loaded.config, loaded.chapters, language)
        assert copy.is_draft and copy.in_english == 1
        assert copy.signed == len(copy.chapters) - 1  # the others' sign-offs stand; this chapter's no longer does
    [welsh, urdu] = prepare_translations(prepare(project))
    assert "untranslated" in welsh.html("patient-standard-a4-cy")
    assert '<html lang="ur" dir="rtl">' in urdu.html("patient-standard-a4-ur")


def test_a_release_leaves_out_a_draft_translation_and_says_so(project):
    _set_up(project, ("cy",))
    result = booklet(project, "release")
    assert result.returncode == 0, result.stderr
    assert "left out of the release: the copies in cy:" in result.stdout
    released = next((project / "build" / "release").iterdir())
    assert not [p for p in released.rglob("*") if "-cy-" in p.name or "/cy/" in p.as_posix()]
    assert "-cy-" not in (released / "SHA256SUMS").read_text()


def test_a_language_asked_for_without_translation_files_is_one_line_naming_booklet_yaml(project):
    config = project / "booklet.yaml"
    config.write_text(config.read_text() + "translations: [cy]\n")
    result = booklet(project, "build", "--formats", "pdf")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("booklet.yaml:") and "booklet translate extract cy" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    config.write_text(config.read_text().replace("translations: [cy]", "translations: [en-US]"))
    result = booklet(project, "check")
    assert result.returncode == 1 and "English needs no translation" in result.stderr


def test_a_merged_typeface_has_the_same_bytes_on_every_build():
    """fontTools' merger dates the font it makes now; the faces must not change with the clock, or
    no translated PDF would be the same twice (nor come from the render cache)."""
    import io

    from fontTools.ttLib import TTFont

    from booklet.render.typefaces import ARABIC, LATIN, face_bytes

    for face in (LATIN.faces[0], ARABIC.faces[1]):
        merged = TTFont(io.BytesIO(face_bytes.__wrapped__(face)))
        source = TTFont(face.sources[0])
        assert (merged["head"].created, merged["head"].modified) == (source["head"].created, source["head"].modified)
        assert 0x175 in merged.getBestCmap()  # ŵ, from the latin-ext part
    assert 0x6D2 in TTFont(io.BytesIO(face_bytes(ARABIC.faces[0]))).getBestCmap()  # ے, from Noto Naskh Arabic
