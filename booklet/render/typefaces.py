"""The typeface each language's copies are set in.

English keeps Atkinson Hyperlegible 1.6 (from PyPI), whose lines every English page was laid
out with. It lacks ŵ ŷ Ŵ Ŷ ẁ ẃ ẅ ỳ, which Welsh needs, so the other languages in the Latin
script take Atkinson Hyperlegible Next, and those in the Arabic script (Urdu) add Noto Naskh
Arabic, whose text extracts from a PDF as letters (Noto Nastaliq Urdu's does not). Both come
from the npm registry as @fontsource packages (fonts/package-lock.json; `make` installs them
into fonts/node_modules), split into per-script subsets.

WeasyPrint cannot take those subsets as they are: two files under one family name are merged
into one embedded font with the glyphs of both mixed up (seen with the Next subsets). So the
subsets of each weight and style are merged here into one TrueType file (fontTools), made once
into build/.fonts/ and named by a digest of what went in. Each face keeps the family name the
stylesheets use, "Atkinson Hyperlegible": the stylesheets name the booklet's text face, and
the face a language's copies get is decided here.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson

from ..errors import BookletError
from ..interface import primary

FAMILY = "Atkinson Hyperlegible"  # the name the stylesheets give the text face
ENGLISH_DIR = Path(atkinson.ROOT) / "files"
PROJECT_FONTS = Path(__file__).resolve().parent.parent.parent / "fonts"
NPM_DIR = PROJECT_FONTS / "node_modules" / "@fontsource"
MERGED_DIR = ".fonts"  # inside build/: the merged faces, made once
# Languages written in the Arabic script (right to left).
ARABIC_SCRIPT = frozenset({"ar", "ur", "fa", "ps", "sd", "ug", "ckb"})


@dataclass(frozen=True)
class Face:
    file: str  # its name in a web site or e-book, e.g. AtkinsonHyperlegibleNext-Bold.ttf
    weight: int
    style: str
    sources: tuple[Path, ...]  # the files it is made of, merged in this order (the first wins)

    @property
    def is_merged(self) -> bool:
        return len(self.sources) > 1 or self.sources[0].suffix != ".ttf"


@dataclass(frozen=True)
class Typeface:
    name: str  # as messages name it
    faces: tuple[Face, ...]
    packages: tuple[str, ...] = ()  # the npm packages it comes from (their versions key the cache)

    def missing_package(self) -> str | None:
        for package in self.packages:
            if not (NPM_DIR / package / "package.json").is_file():
                return package
        return None

    def versions(self) -> str:
        """'atkinson-hyperlegible-next=5.3.0;...': what the render cache and a release record."""
        return ";".join(f"{p}={json.loads((NPM_DIR / p / 'package.json').read_text())['version']}"
                        for p in self.packages)


STYLES = ((400, "normal", "Regular"), (700, "normal", "Bold"), (400, "italic", "Italic"), (700, "italic", "BoldItalic"))
ENGLISH = Typeface("Atkinson Hyperlegible", tuple(
    Face(f"AtkinsonHyperlegible-{suffix}.ttf", weight, style, (ENGLISH_DIR / f"AtkinsonHyperlegible-{suffix}.ttf",))
    for weight, style, suffix in STYLES))


def _next(subsets: tuple[str, ...], weight: int, style: str) -> tuple[Path, ...]:
    folder = NPM_DIR / "atkinson-hyperlegible-next" / "files"
    return tuple(folder / f"atkinson-hyperlegible-next-{subset}-{weight}-{style}.woff" for subset in subsets)


def _naskh(weight: int) -> Path:
    # Noto Naskh Arabic has no italic: the Arabic script is not slanted for emphasis.
    return NPM_DIR / "noto-naskh-arabic" / "files" / f"noto-naskh-arabic-arabic-{weight}-normal.woff"


LATIN = Typeface("Atkinson Hyperlegible Next", tuple(
    Face(f"AtkinsonHyperlegibleNext-{suffix}.ttf", weight, style, _next(("latin", "latin-ext"), weight, style))
    for weight, style, suffix in STYLES), ("atkinson-hyperlegible-next",))
ARABIC = Typeface("Atkinson Hyperlegible Next with Noto Naskh Arabic", tuple(
    Face(f"AtkinsonNextNaskhArabic-{suffix}.ttf", weight, style,
         (*_next(("latin", "latin-ext"), weight, style), _naskh(weight)))
    for weight, style, suffix in STYLES), ("atkinson-hyperlegible-next", "noto-naskh-arabic"))


def typeface(language: str) -> Typeface:
    """The typeface of the copies in `language` (a tag such as 'cy' or 'en-GB')."""
    code = primary(language)
    if code == "en":
        return ENGLISH
    return ARABIC if code in ARABIC_SCRIPT else LATIN


def _needs(face: Typeface) -> None:
    if (package := face.missing_package()) is not None:
        raise BookletError(f"the typeface {face.name} is not installed (npm package @fontsource/{package}): "
                           "run make, which installs fonts/package-lock.json into fonts/node_modules")


@functools.cache
def face_bytes(face: Face) -> bytes:
    """The face as one TrueType file: the package's own when it is one, else its subsets merged.
    The same subsets give the same bytes (no timestamps)."""
    if not face.is_merged:
        return face.sources[0].read_bytes()
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    parts = []
    for source in face.sources:
        font = TTFont(source, recalcTimestamp=False)
        font.flavor = None  # WOFF to plain TrueType
        plain = io.BytesIO()
        font.save(plain)
        plain.seek(0)
        parts.append(plain)
    first = TTFont(face.sources[0], recalcTimestamp=False)["head"]
    merged = Merger().merge(parts)
    # The merger dates the font now: it takes its first part's dates, so the same parts give the
    # same bytes (and the same PDFs) on every build.
    merged["head"].created, merged["head"].modified = first.created, first.modified
    merged.recalcTimestamp = False
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def face_paths(face_set: Typeface, build_root: Path) -> list[tuple[Face, Path]]:
    """Each face's file on disk: the package's own, or the merged file in build/.fonts/ (made
    when missing, named by a digest of its bytes so that a changed package makes a new one)."""
    from ..files import atomic_write, real_folder

    _needs(face_set)
    found = []
    for face in face_set.faces:
        if not face.is_merged:
            found.append((face, face.sources[0]))
            continue
        data = face_bytes(face)
        folder = real_folder(build_root / MERGED_DIR, build_root.parent)
        path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{face.file}"
        if not path.is_file() or path.stat().st_size != len(data):
            atomic_write(path, data)
        found.append((face, path))
    return found


@functools.cache
def characters(face_set: Typeface) -> frozenset[int]:
    """The code points every face of the typeface draws: a character outside them would be drawn
    from some other font on the machine, or as a box."""
    from fontTools.ttLib import TTFont

    _needs(face_set)
    faces = []
    for face in face_set.faces:
        drawn: set[int] = set()
        for source in face.sources:
            drawn |= set(TTFont(source).getBestCmap())
        faces.append(drawn)
    return frozenset(set.intersection(*faces))


def with_typeface(css: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A stylesheet written for the English faces (web.css, epub.css), with the faces of the
    language being spoken in their place, and those faces' files by name."""
    from ..interface import current_language

    faces = typeface(current_language()).faces
    for english, face in zip(ENGLISH.faces, faces):
        css = css.replace(f"fonts/{english.file}".encode(), f"fonts/{face.file}".encode())
    return css, [(face.file, face_bytes(face)) for face in faces]
