"""The render cache: a PDF is not rendered again while everything it is made from is unchanged.

The key covers the HTML document, every file it and its stylesheets refer to
(stylesheets, fonts, images), the versions of the rendering libraries and the
render options. Entries live in <build folder>/.cache/; a build removes the
entries it did not use, so the cache holds one generation of outputs.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..files import atomic_write
from .resources import RENDER_LIBRARIES, library_versions

CACHE_DIR = ".cache"
CACHE_FORMAT = "2"
# Our own code that shapes a rendered PDF: a change to it invalidates the renders it made.
RENDER_CODE = ("pdf.py", "jobs.py", "patches.py")
_REFERENCE = re.compile(r"""(?:href|src)\s*=\s*"([^"]+)"|url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass(frozen=True)
class CachedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]


def _local_file(reference: str, base: Path) -> Path | None:
    parts = urlsplit(reference)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme or reference.startswith("#"):
        return None  # data:, links and anchors are part of the text already
    return (base / unquote(parts.path)).resolve()


def _files_referenced(text: str, base: Path, seen: set[Path]) -> None:
    """Every local file a document or stylesheet refers to, following stylesheets' own references."""
    for match in _REFERENCE.finditer(text):
        path = _local_file(match.group(1) or match.group(2), base)
        if path is None or path in seen or not path.is_file():
            continue
        seen.add(path)
        if path.suffix == ".css":
            _files_referenced(path.read_text(encoding="utf-8", errors="replace"), path.parent, seen)


@functools.cache
def code_digest(*names: str) -> str:
    """SHA-256 of some of this package's own source files."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def render_key(html: str, html_path: Path, root: Path, options: dict) -> str:
    """A digest of everything that decides the rendered PDF's bytes. Project files are named
    relative to the project, as the renderer sees them, so a copy of the project elsewhere
    (a second checkout, a test's copy) finds the same entries."""
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}|{library_versions(RENDER_LIBRARIES)}|{code_digest(*RENDER_CODE)}|"
                  f"{json.dumps(options, sort_keys=True)}|{html_path.relative_to(root).as_posix()}".encode())
    digest.update(html.encode())
    files: set[Path] = set()
    _files_referenced(html, html_path.parent, files)
    real_root = root.resolve()
    for path in sorted(files):
        name = path.relative_to(real_root).as_posix() if path.is_relative_to(real_root) else str(path)
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class RenderCache:
    def __init__(self, build_dir: Path):
        self.folder = build_dir / CACHE_DIR
        self.used: set[str] = set()

    def get(self, key: str) -> CachedPdf | None:
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            data = pdf.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None  # a damaged entry is rendered again, never trusted
        self.used.add(key)
        return CachedPdf(data, int(info["pages"]), tuple(info.get("warnings", ())))

    def put(self, key: str, data: bytes, pages: int, warnings: tuple[str, ...]) -> None:
        info = {"pages": pages, "warnings": list(warnings), "sha256": hashlib.sha256(data).hexdigest()}
        atomic_write(self.folder / f"{key}.pdf", data)
        atomic_write(self.folder / f"{key}.json", json.dumps(info).encode())
        self.used.add(key)

    def prune(self) -> None:
        """Remove entries this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used and path.suffix in (".pdf", ".json"):
                path.unlink(missing_ok=True)
