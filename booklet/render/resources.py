"""What a render uses besides the project's text: stylesheets, page templates and fonts.

The package ships the default stylesheets (booklet/styles/) and the page templates
(booklet/templates/), so an installed `booklet` builds any project. A project's own
`styles/NAME.css` replaces the default of the same name, file by file. Templates
are not overridable: a Jinja template is code, and a cloned project must not be
able to run any.
"""
from __future__ import annotations

import functools
import os
import re
from html import unescape
from importlib.metadata import version
from pathlib import Path

from ..errors import BookletError
from ..files import is_plain_file
from ..interface import current_language
from ..source.project import BUILD_DIR, STYLE_DIR
from .typefaces import ENGLISH_DIR, FAMILY, characters, face_paths, typeface

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_STYLE_DIR = PACKAGE_DIR / "styles"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
FONT_DIR = ENGLISH_DIR  # the English typeface's folder, which renders may read
# The libraries that turn a project into pages, whose versions a release records: text to HTML
# (Markdown, Jinja2, nh3, segno for the QR code) and HTML to PDF (WeasyPrint and what it uses),
# and pypdf, which imposes the folded booklets.
HTML_LIBRARIES = ("Markdown", "Jinja2", "MarkupSafe", "nh3", "tinyhtml5", "segno", "PyYAML")
RENDER_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "fonttools", "pyphen", "pillow",
                    "fontpkg-atkinson-hyperlegible")
IMPOSE_LIBRARIES = ("pypdf",)
PAGE_LIBRARIES = tuple(dict.fromkeys(HTML_LIBRARIES + RENDER_LIBRARIES + IMPOSE_LIBRARIES))


@functools.cache  # fixed for the life of a process: an upgrade needs a new one anyway
def library_versions(names: tuple[str, ...]) -> str:
    """The installed versions of these libraries, e.g. 'weasyprint=70.0;pydyf=0.13.0'."""
    return ";".join(f"{name}={version(name)}" for name in names)
@functools.cache
def template_environment():
    """The one Jinja environment of the page templates (print, web, EPUB): escaping on, undefined
    names an error, the booklet's date filter, and the interface words in the copy's language."""
    import jinja2

    from ..dates import long_date
    from ..interface import install

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["long_date"] = long_date
    install(environment)
    return environment


def stylesheet(root: Path, name: str) -> Path:
    """The project's own copy of a stylesheet if it has one, else the package's default. The
    project's must be a regular file inside the project: a FIFO would block the render for
    ever, and a link could lead anywhere."""
    own = root / STYLE_DIR / name
    if not os.path.lexists(own):
        return DEFAULT_STYLE_DIR / name
    if not is_plain_file(own) and not (own.is_file() and own.resolve().is_relative_to(root.resolve())):
        raise BookletError("is not a regular file inside the project; a stylesheet must be one",
                           own.relative_to(root).as_posix())
    return own


def stylesheet_href(root: Path, html_dir: Path, name: str) -> str:
    """The address the HTML document in `html_dir` links the stylesheet by: relative to the
    document for a project file, so the project can move; file:// for the package's own."""
    path = stylesheet(root, name)
    if path.is_relative_to(root):
        return Path(os.path.relpath(path, html_dir)).as_posix()
    return path.as_uri()


def package_inputs(root: Path) -> list[tuple[str, Path]]:
    """The package files that decide the pages of this project: the templates, and the default
    stylesheets the project does not replace, each by a name that does not depend on where the
    package is installed."""
    files = [(f"booklet/templates/{p.name}", p) for p in sorted(TEMPLATE_DIR.glob("*.j2"))]
    files += [(f"booklet/styles/{p.name}", p) for p in sorted(DEFAULT_STYLE_DIR.glob("*.css"))
              if stylesheet(root, p.name) == p]
    return files


def font_face_css(root: Path, html_dir: Path) -> str:
    """The @font-face rules of the typeface of the language being spoken, for a document in
    `html_dir`: the English faces by their installed file:// address, a translation's merged
    faces (build/.fonts/) by an address relative to the document."""
    rules = []
    for face, path in face_paths(typeface(current_language()), root / BUILD_DIR):
        url = path.as_uri() if not path.is_relative_to(root) else Path(os.path.relpath(path, html_dir)).as_posix()
        rules.append(f"@font-face {{ font-family: '{FAMILY}'; "
                     f"src: url('{url}'); font-weight: {face.weight}; font-style: {face.style}; }}")
    return "\n".join(rules)


def font_characters() -> frozenset[int]:
    """The code points every face of the typeface of the language being spoken draws."""
    return characters(typeface(current_language()))


def font_name() -> str:
    return typeface(current_language()).name


_TAG = re.compile(r"<[^>]*>")


def missing_characters(html: str) -> list[str]:
    """The characters of an HTML fragment's text that the typeface lacks, each once, in order."""
    text = unescape(_TAG.sub(" ", html))
    have = font_characters()
    return list(dict.fromkeys(c for c in text if ord(c) not in have and not c.isspace()))
