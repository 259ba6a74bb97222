"""The render cache: a PDF is not rendered again while everything it is made from is unchanged.

The key covers the HTML document, the versions of the rendering libraries, our
rendering code and the render options; each entry also lists every file its render
read (stylesheets, fonts, images, files inside SVGs), with digests, and is used only
while they are unchanged. Nothing is read to make a key, so text in a chapter that
looks like an address cannot make the cache open a file. Entries live in
<build folder>/.cache/; a build removes the entries it did not use, so the cache holds
one generation of outputs. The web site and the e-books are kept here too, as one
uncompressed zip under the digest of everything they are made from (render/extras.py).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write, is_plain_file
from .jobs import input_path
from .resources import RENDER_LIBRARIES, library_versions

CACHE_DIR = ".cache"
CACHE_FORMAT = "6"
_ENTRY = re.compile(r"[0-9a-f]{64}\.(?:pdf|json)")
# Our own code that shapes a rendered PDF or the warnings kept with it: a change to it
# invalidates the renders it made (a test checks that every module using WeasyPrint is here).
RENDER_CODE = ("pdf.py", "jobs.py", "patches.py", "tagging.py", "xmp.py", "page_fit.py", "htmltree.py")


@dataclass(frozen=True)
class CachedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    inputs: tuple[tuple[str, str], ...] = ()
    page_starts: tuple[tuple[int, str, str], ...] | None = None


# Digests of files already read in this process, by what identifies the file's version, so a
# build that finds every render cached does not hash each font once per output.
_digests: dict[tuple, str] = {}


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file, or None if it is missing or not a plain file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    version = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
    if version not in _digests:
        _digests[version] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[version]


def inputs_unchanged(inputs: tuple[tuple[str, str], ...], folders: tuple[Path, ...]) -> bool:
    """Whether every file a cached render read still has the bytes it read."""
    for name, digest in inputs:
        path = input_path(name, folders)
        if path is None or file_digest(path) != digest:
            return False
    return True


@functools.cache
def code_digest(*names: str) -> str:
    """SHA-256 of some of this package's own source files."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def render_key(html: str, html_path: Path, root: Path, options: dict) -> str:
    """A digest of what is known before the render: the document, its place in the project, the
    options, the rendering libraries and our rendering code. The files the render reads are
    found by rendering (no guess from the text can see every @import form, or the images an SVG
    uses), so the cache keeps them with each entry and checks them on every lookup. Names are
    relative to the project, so a copy of it elsewhere finds the same entries."""
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}|{library_versions(RENDER_LIBRARIES)}|{code_digest(*RENDER_CODE)}|"
                  f"{json.dumps(options, sort_keys=True)}|{html_path.relative_to(root).as_posix()}".encode())
    digest.update(html.encode())
    return digest.hexdigest()


class RenderCache:
    def __init__(self, build_dir: Path):
        self.folder = build_dir / CACHE_DIR
        self.used: set[str] = set()

    def get(self, key: str, folders: tuple[Path, ...] = ()) -> CachedPdf | None:
        """The entry for `key` if it is sound and every file its render read (found in `folders`,
        as input_name numbers them) is unchanged; otherwise None, and the render runs again."""
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        if not (is_plain_file(pdf) and is_plain_file(meta)):
            return None
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            data = pdf.read_bytes()
            entry = CachedPdf(data, int(info["pages"]), tuple(str(w) for w in info.get("warnings", ())),
                              tuple((str(name), str(digest)) for name, digest in info.get("inputs", ())),
                              None if info.get("page_starts") is None
                              else tuple((int(block), str(where), str(words))
                                         for block, where, words in info["page_starts"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None  # a damaged entry is rendered again, never trusted
        if info.get("written_ns") != os.lstat(pdf).st_mtime_ns:
            return None  # not the file a build wrote here (see put)
        if not inputs_unchanged(entry.inputs, folders):
            return None
        self.used.add(key)
        return entry

    def put(self, key: str, data: bytes, pages: int, warnings: tuple[str, ...],
            inputs: tuple[tuple[str, str], ...] = (),
            page_starts: tuple[tuple[int, str, str], ...] | None = None) -> None:
        info = {"pages": pages, "warnings": list(warnings), "sha256": hashlib.sha256(data).hexdigest(),
                "inputs": [list(item) for item in inputs],
                "page_starts": None if page_starts is None else list(page_starts)}
        # The entry is trusted later only while its PDF keeps the modification time it has now, to
        # the nanosecond: a copy that keeps file times (cp -p, shutil.copytree) keeps its cache, but
        # an entry planted in the repository (git add -f) gets the time of the checkout, which no
        # one can know in advance, so it is rendered again instead of printed.
        atomic_write(self.folder / f"{key}.pdf", data)
        info["written_ns"] = os.lstat(self.folder / f"{key}.pdf").st_mtime_ns
        atomic_write(self.folder / f"{key}.json", json.dumps(info).encode())
        self.used.add(key)

    def prune(self) -> None:
        """Remove entries this build did not use: only files named as entries are (a digest and
        .pdf or .json), only plain files, and never through a link to another folder."""
        if not self.folder.is_dir() or self.folder.is_symlink():
            return
        for path in self.folder.iterdir():
            if _ENTRY.fullmatch(path.name) and path.stem not in self.used and is_plain_file(path):
                path.unlink(missing_ok=True)
