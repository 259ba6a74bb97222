"""The catalogue of the booklet's own words (booklet/locale/booklet.pot), taken from the code
and the templates: every message marked with `_()` or `N_()` (booklet/interface.py), or in a
template's `{% trans %}` block, with where it is used.
Each language's booklet/locale/<language>.po translates them; `merge_language` brings one up
to the template, keeping its translations. Run after changing a marked word:

    .venv/bin/python -m booklet.authoring.interface_catalogue cy

A test fails while booklet.pot is not what the code marks.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ..interface import CATALOGUE_TEMPLATE, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}  # {% trans %} is gettext
# A fixed date in the header, so that the same code gives the same file.
STAMP = dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc)


def template_catalogue() -> Catalog:
    catalogue = Catalog(project="booklet", version=None, creation_date=STAMP, revision_date=STAMP, fuzzy=False,
                        header_comment="# The booklet's own words, taken from the code by "
                                       "booklet/authoring/interface_catalogue.py: do not edit by hand.")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python"), ("templates/**.j2", "jinja2.ext:babel_extract")],
            options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                             "lstrip_blocks": "true"}},
            keywords=KEYWORDS, comment_tags=()):
        if filename.startswith(("authoring/", "tests/")) or not isinstance(message, str):
            continue
        catalogue.add(message, None, [(f"booklet/{filename}", lineno)], context=context)
    return catalogue


def catalogue_bytes(catalogue: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalogue, width=0, sort_output=True, omit_header=False)
    return out.getvalue()


def merge_language(language: str) -> bytes:
    """booklet/locale/<language>.po with the template's messages: translations kept, new ones
    empty, those no longer used dropped."""
    template = template_catalogue()
    path = LOCALE_DIR / f"{language}.po"
    old = read_po(open(path, "rb"), locale=language) if path.is_file() else None
    merged = Catalog(locale=language, project="booklet", version=None, creation_date=STAMP, revision_date=STAMP,
                     fuzzy=False, header_comment=old.header_comment if old is not None else
                     f"# The booklet's own words in {language}.")
    for message in template:
        if not message.id:
            continue
        earlier = old.get(message.id, message.context) if old is not None else None
        merged.add(message.id, earlier.string if earlier is not None else "", message.locations,
                   flags=earlier.flags if earlier is not None else (), context=message.context)
    return catalogue_bytes(merged)


def main(argv: list[str]) -> int:
    LOCALE_DIR.mkdir(exist_ok=True)
    CATALOGUE_TEMPLATE.write_bytes(catalogue_bytes(template_catalogue()))
    for language in argv:
        (LOCALE_DIR / f"{language}.po").write_bytes(merge_language(language))
    print(f"wrote {CATALOGUE_TEMPLATE.relative_to(PACKAGE.parent)}" +
          "".join(f" and booklet/locale/{language}.po" for language in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
