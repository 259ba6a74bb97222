"""Budgets and integrity checks for image files, run before WeasyPrint ever sees one.

Chapter images, brand logos and the images an SVG shows come from many hands, and a tiny
file can make a renderer hang or run out of memory: a PNG header claiming 100,000 x
100,000 pixels, an SVG whose <use> elements copy each other a billion times, a FIFO
named logo.png that blocks whoever opens it. `image_problem` reads a file once (a
regular file only, within MAX_IMAGE_BYTES), checks that its contents are the format its
name says, and checks each budget before the costly step it guards. It never raises,
and answers within about a second for any file.

Raster images. The container is walked first, a few thousand steps at most: Pillow
reads chunks, markers and GIF blocks in Python, so a file of millions of tiny ones
takes it seconds. Pillow then reads the header alone, which gives the size without
decoding; only an image within MAX_IMAGE_PIXELS is decoded in full, so a damaged or
cut-off file is refused now instead of printing as a grey band (WeasyPrint loads
truncated images on purpose). Animations are refused: a page prints one frame.

SVG images. One streaming pass with expat refuses entity declarations before any is
expanded, and collects what drawing will cost; nothing is drawn or expanded. WeasyPrint
draws a <use> target again for every <use>, a pattern, gradient, clip path or mask for
every element painted with it, and a marker at every point of its line, and it passes
attributes (even `d`) down to every descendant, so the budgets count the drawing as it
will happen: each referenced subtree is measured once (memoised by id and by what it
inherits) and multiplied. An SVG may show raster images but no other SVG (WeasyPrint
would draw that one again at every <image>, so no budget of one file could bound it).

The SVG budgets keep WeasyPrint 70's drawing of any one image to a few seconds (files at a
budget took 1.2-3.4 s on a 2-core machine), where files without them took minutes: 10,000
elements draw in 0.8-1.5 s, 100,000 path points in 1.4 s, a marker drawn 10,000 times in
2 s, 20,000 characters of text in 1.6 s, a million characters of style attributes in 0.8 s
(of dash arrays, 1.8 s), 2,000 stylesheet selectors on 2,000 elements in 1.5 s, 5,000
attributes inherited by 2,000 elements in 1.8 s. Real drawings stay far inside them. What
is left to the caller: each file is checked alone, so a page showing many images that are
each within budget needs a budget of its own.
"""
from __future__ import annotations

import io
import itertools
import math
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

from PIL import GifImagePlugin, Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

# 10 MB: a full-page photograph at 300 dpi is 2-4 MB as JPEG. Every byte is read (and for
# SVG parsed) before the file is accepted, and the PDF carries it in every edition.
MAX_IMAGE_BYTES = 10_000_000
# A full A4 page at 300 dpi is 2480 x 3508 = 8.7 Mpx, so 25 Mpx is generous, while
# decoding stays near 100 MB (4 bytes a pixel) and a quarter of a second.
MAX_IMAGE_PIXELS = 25_000_000
# All the images of one chapter together (each file once: the renderer decodes each address once):
# WeasyPrint decodes about 50 Mpx a second here, so a chapter's images cost it about 2 s at most.
MAX_CHAPTER_PIXELS = 100_000_000
# Elements as drawn, every <use>, pattern and marker copy counted: about 1-1.5 s of drawing.
# A detailed Inkscape illustration has a few thousand.
MAX_SVG_ELEMENTS = 10_000
# Inkscape files nest 10-20 levels. WeasyPrint draws and writes nested groups recursively
# and fails with RecursionError, inside write_pdf, at 300-400 levels of opacity groups.
MAX_SVG_DEPTH = 50
# Numbers in `d` and `points`, as drawn: ~100,000 line segments, 1.4 s. WeasyPrint parses
# each copy of a path again.
MAX_SVG_COORDINATES = 200_000
# Characters inside <text>, as drawn: WeasyPrint lays out SVG text at ~80 microseconds a
# character (0.8 s). Labels on a diagram come to a few hundred.
MAX_SVG_TEXT = 10_000
# Characters of attribute values (style, class, dash arrays...) and of <style>, counted for
# every element drawn and every long value it inherits: WeasyPrint parses them again for each
# copy, at 0.8-1.8 s a million characters. A real element carries a few hundred.
MAX_SVG_MARKUP = 2_000_000
# <style> selectors: WeasyPrint tries each universal or tag selector on every element drawn
# (~0.4 microseconds a try). Illustrator writes one class per distinct style, under 100.
MAX_SVG_SELECTORS = 500
# Distinct attribute, style property and class names: WeasyPrint copies every inherited
# attribute into every descendant. Real files use under 100.
MAX_SVG_NAMES = 500
# What may be printed, by file name ending: the formats WeasyPrint embeds well. Pillow's
# other formats (TIFF, BMP, EPS, ...) are more decoder to attack for nothing a booklet needs.
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP", ".svg": "SVG"}

_LABELS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP", "SVG": "SVG"}
_SUFFIXES = ", ".join(list(IMAGE_TYPES)[:-1]) + f" or {list(IMAGE_TYPES)[-1]}"
# Structure budgets for the container walks: far above any real file, and low enough that
# Pillow's own per-chunk Python loops stay in milliseconds.
_MAX_PNG_CHUNKS = 20_000  # a 10 MB PNG in libpng's 8 KB IDAT chunks has 1,250
_MAX_JPEG_SEGMENTS = 1_000  # before the first scan; a camera writes about 20
_MAX_JPEG_SCANS = 100  # progressive JPEGs have about 10; libjpeg passes over the whole image for each
_MAX_GIF_BLOCKS = 100_000  # a 10 MB GIF in full 255-byte blocks has about 40,000
_MAX_STRAY_BYTES = 10_000  # junk and fill bytes between segments, which Pillow skips one read at a time
_MAX_EXIF_BYTES = 65_536  # a JPEG's EXIF segment holds no more; WeasyPrint parses EXIF to turn images upright


class _Refused(Exception):
    def __init__(self, reason: str):
        # An SVG's reasons are written "SVG: ..." and read after the file's name as "is an SVG
        # that cannot be printed: ...".
        if reason.startswith("SVG: "):
            reason = "is an SVG that cannot be printed: " + reason.removeprefix("SVG: ")
        super().__init__(reason)
        self.reason = reason


def image_problem(path: Path) -> str | None:
    """Why the image file at `path` may not be printed, as a phrase to follow its name
    ("is not a regular file"), or None when it may. Never raises."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        return f"is not an image file: its name must end in {_SUFFIXES}"
    return _answer(lambda: _contents_problem(_read(path), kind, path, named=True))


def _answer(check: Callable[[], str | None]) -> str | None:
    """A check's answer, whatever it raises: a refusal's reason, or, for a bug here, a reason
    too (it must neither let the file through nor stop the build)."""
    try:
        return check()
    except _Refused as refused:
        return refused.reason
    except Exception as err:
        return f"could not be checked ({type(err).__name__}: {_shown(str(err))})"


def _contents_problem(data: bytes, kind: str, path: Path, named: bool) -> str | None:
    """The bytes checked as `kind`. A file `named` for its format must hold that format; bytes
    of no name of their own (a data: address) are checked as the format they hold."""
    found = _sniff(data)
    if found is not None and found != kind:
        if named:
            return f"is {_a(found)} file but its name ends in {_shown(path.suffix)}"
        kind = found
    if kind == "SVG":
        _load_svg(data, path)
        return None
    if found is None:
        return f"is not {_a(kind)} file: its contents are not in any image format"
    return _raster_problem(data, kind)


def svg_references(path: Path) -> list[str]:
    """The addresses the SVG at `path` refers to, as written, each once: href and xlink:href
    on any element and url() in style attributes, in the order they come, then url() in <style>. References inside the document
    (#id, or this file's own name) are left out. Only for a file image_problem accepted:
    any other SVG raises ValueError; a raster image refers to nothing."""
    if IMAGE_TYPES.get(path.suffix.lower()) != "SVG":
        return []
    try:
        return list(_load_svg(_read(path), path).references)
    except _Refused as refused:
        raise ValueError(f"{path} {refused.reason}") from None


def project_image_problem(path: Path, root: Path) -> str | None:
    """image_problem for a file of the project, and for an SVG the same for every file it
    refers to, each of which must be a raster image inside the project: what the renderer
    would refuse later, found now, so `booklet check` reports it with the chapter's line."""
    if problem := image_problem(path):
        return problem
    real_root = root.resolve()
    for address in svg_references(path):
        parts = urlsplit(address)
        target = (path.parent / unquote(parts.path)).resolve()
        if parts.scheme or parts.netloc or address.startswith("/") or not target.is_relative_to(real_root):
            return f"refers to '{_shown(address)}', which is not a file inside the project"
        if not os.path.lexists(target):
            return f"refers to '{_shown(address)}', which is not found"
        if problem := image_problem(target):
            return f"refers to '{_shown(address)}', which {problem}"
    return None


def data_problem(data: bytes, name: str = "image.svg") -> str | None:
    """image_problem for bytes that did not come from a file of their own: a data: address, or
    a file whose name says it is not an image (a stylesheet, a font) that WeasyPrint may still
    decode as one (it tries SVG on whatever an image address gives it). `name` gives the format
    the bytes claim to be. Never raises."""
    if len(data) > MAX_IMAGE_BYTES:
        return _too_big(len(data))
    kind = IMAGE_TYPES.get(Path(name).suffix.lower(), "SVG")
    return _answer(lambda: _contents_problem(data, kind, Path(name), named=False))


def looks_like_an_image(data: bytes) -> bool:
    """Whether WeasyPrint could decode these bytes as an image: in a known raster format, or
    markup (SVG is tried on anything that parses as XML; no stylesheet or font begins with '<')."""
    head = data[:4]
    wide = head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head  # UTF-16 or UTF-32 markup
    return _sniff(data) is not None or wide or data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def image_pixels(path: Path) -> int:
    """The pixel count of a raster image that image_problem accepted, from its header (0 for an
    SVG, or a file that cannot be read): what decoding it costs."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind in (None, "SVG"):
        return 0
    try:
        with _strict_decoding():
            width, height = _OPENERS[kind](io.BytesIO(_read(path))).size
        return width * height
    except Exception:
        return 0


def limit_pillow() -> None:
    """Set Pillow's own decompression-bomb limit to MAX_IMAGE_PIXELS, for WeasyPrint's Pillow
    calls in the render worker. Pillow only warns above it and refuses above twice it, so
    image_problem is the real gate; this is the second line."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


# Reading and recognising files


def _read(path: Path) -> bytes:
    try:
        info = os.stat(path)  # before opening: opening a FIFO blocks until a writer comes
    except FileNotFoundError:
        raise _Refused("was not found") from None
    except OSError as err:
        raise _Refused(f"cannot be read ({err.strerror or type(err).__name__})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _Refused("is not a regular file")
    if info.st_size > MAX_IMAGE_BYTES:
        raise _Refused(_too_big(info.st_size))
    try:
        # Non-blocking and checked again once open: the file may have been swapped for a FIFO.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _Refused("is not a regular file")
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as err:
        raise _Refused(f"cannot be read ({err.strerror or type(err).__name__})") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise _Refused(_too_big(len(data)))
    if not data:
        raise _Refused("is empty")
    return data


def _too_big(size: int) -> str:
    # Rounded up, so a file just over the limit never reads as "10 MB".
    return f"is {math.ceil(size / 100_000) / 10:g} MB; images are limited to {MAX_IMAGE_BYTES // 1_000_000} MB"


def _sniff(data: bytes) -> str | None:
    """The format the bytes are in (the magic numbers Pillow itself tests), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and b"<svg" in data[:65536]:
        return "SVG"
    return None


def _a(kind: str) -> str:
    label = _LABELS[kind]
    return f"an {label}" if label == "SVG" else f"a {label}"


def _shown(text: str, limit: int = 80) -> str:
    """Text from a file, fit for a message: printable and short."""
    text = "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Raster images


def _unusual(label: str, what: str) -> str:
    return f"is not a normal {label} file: {what} (open it in an image editor and save it again)"


def _truncated(label: str) -> str:
    return f"is damaged: the {label} data stops early (truncated file)"


def _png_walk(data: bytes) -> str | None:
    pos, chunks = 8, 0
    while pos + 8 <= len(data):
        chunk = data[pos + 4:pos + 8]
        pos += 12 + int.from_bytes(data[pos:pos + 4], "big")  # length, type, data, CRC
        chunks += 1
        if chunks > _MAX_PNG_CHUNKS:
            return _unusual("PNG", f"more than {_MAX_PNG_CHUNKS:,} chunks")
        if chunk == b"IEND":
            break
    return None


_FILL = re.compile(rb"\xff+")


def _jpeg_walk(data: bytes) -> str | None:
    pos, segments, stray = 2, 0, 0
    while True:  # the segments before the first scan, which Pillow reads in Python
        marker_at = data.find(b"\xff", pos)
        if marker_at < 0:
            return _truncated("JPEG")
        fill = _FILL.match(data, marker_at)
        after = fill.end() if fill else marker_at + 1
        stray += after - pos - 1
        segments += 1
        if stray > _MAX_STRAY_BYTES:
            return _unusual("JPEG", f"more than {_MAX_STRAY_BYTES:,} stray bytes between its segments")
        if segments > _MAX_JPEG_SEGMENTS:
            return _unusual("JPEG", f"more than {_MAX_JPEG_SEGMENTS:,} segments before the image data")
        if after >= len(data):
            return _truncated("JPEG")
        marker, pos = data[after], after + 1
        if marker == 0xDA:  # start of scan
            break
        if marker == 0xD9:
            return "is damaged: the JPEG file ends before its image data"
        if not (marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD8):  # the rest carry a length
            pos += int.from_bytes(data[pos:pos + 2], "big")
    scans = data.count(b"\xff\xda")  # entropy-coded data escapes 0xff, so these are all markers
    if scans > _MAX_JPEG_SCANS:
        return _unusual("JPEG", f"{scans:,} scans, where a progressive JPEG has about 10")
    return None


def _gif_walk(data: bytes) -> str | None:
    def table(flags: int) -> int:
        return 3 << ((flags & 7) + 1) if flags & 0x80 else 0

    pos = 13 + table(data[10] if len(data) > 10 else 0)
    blocks = stray = 0
    while pos < len(data) and data[pos] != 0x3B:  # until the trailer
        if data[pos] == 0x21:  # extension: introducer, label, sub-blocks
            pos += 2
        elif data[pos] == 0x2C:  # image: descriptor, colour table, LZW code size, sub-blocks
            if pos + 10 > len(data):
                return _truncated("GIF")
            pos += 10 + table(data[pos + 9]) + 1
        else:
            pos += 1
            stray += 1
            if stray > _MAX_STRAY_BYTES:
                return _unusual("GIF", f"more than {_MAX_STRAY_BYTES:,} stray bytes between its blocks")
            continue
        while True:
            if pos >= len(data):
                return _truncated("GIF")
            size = data[pos]
            pos += size + 1
            blocks += 1
            if blocks > _MAX_GIF_BLOCKS:
                return _unusual("GIF", f"more than {_MAX_GIF_BLOCKS:,} data blocks")
            if not size:
                break
    return None


_WALKS: dict[str, Callable[[bytes], str | None]] = {"PNG": _png_walk, "JPEG": _jpeg_walk, "GIF": _gif_walk}
# Each format's own Pillow class, not Image.open: no other plugin gets to guess at the bytes,
# and the header is read without Pillow's decompression-bomb check, which is ours to make.
_OPENERS: dict[str, Callable[[IO[bytes]], ImageFile.ImageFile]] = {
    "PNG": PngImagePlugin.PngImageFile, "JPEG": JpegImagePlugin.jpeg_factory,
    "GIF": GifImagePlugin.GifImageFile, "WEBP": WebPImagePlugin.WebPImageFile}


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow with truncated images as errors. WeasyPrint sets LOAD_TRUNCATED_IMAGES when it
    is imported, so in a process that has rendered, Pillow would quietly fill in the rest."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _raster_problem(data: bytes, kind: str) -> str | None:
    label = _LABELS[kind]
    walk = _WALKS.get(kind)
    if walk is not None and (problem := walk(data)):
        return problem
    try:
        with _strict_decoding():
            image = _OPENERS[kind](io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return (f"is {width:,} x {height:,} pixels ({_mpx(width * height)} Mpx); images are limited "
                        f"to {MAX_IMAGE_PIXELS // 1_000_000} Mpx")
            if not width or not height:
                return f"is damaged: it has no pixels ({width} x {height})"
            # An MPO (a camera's JPEG with extra views) prints its first frame, as meant.
            if getattr(image, "is_animated", False) and image.format != "MPO":
                return "is animated; a printed page shows only one frame: save that frame as a still image"
            image.load()
            exif = image.info.get("exif") or b""  # a PNG's comes after its pixels
            if len(exif) > _MAX_EXIF_BYTES:
                return _unusual(label, f"{len(exif):,} bytes of EXIF data, where a camera writes at most 64 KB")
    except Exception as err:  # whatever Pillow raises for bad data (OSError, SyntaxError, ...)
        detail = _shown(str(err)) or type(err).__name__
        if isinstance(err, EOFError) or "truncated" in detail.lower():
            return _truncated(label)
        return f"is damaged: the {label} data cannot be decoded ({detail})"
    return None


def _mpx(pixels: int) -> str:
    # Rounded up, so an image just over the limit never reads as "25 Mpx".
    return f"{math.ceil(pixels / 100_000) / 10:g}" if pixels < 100_000_000 else f"{math.ceil(pixels / 1_000_000):,}"


# SVG images

_XLINK_HREF = "http://www.w3.org/1999/xlink}href"  # expat's name for xlink:href (separator "}")
_HREFS = ("href", _XLINK_HREF)
_XML_BASE = "http://www.w3.org/XML/1998/namespace}base"
# WeasyPrint's svg.NOT_INHERITED_ATTRIBUTES: every other attribute passes to descendants.
_NOT_INHERITED = frozenset((
    "clip", "clip-path", "filter", "height", "id", "mask", "opacity", "overflow", "rotate", "stop-color",
    "stop-opacity", "style", "transform", "transform-origin", "viewBox", "width", "x", "y", "dx", "dy", "href"))
# Properties naming what is drawn with an element, and a word the target's tag must contain
# for WeasyPrint to draw it (its LazyDefs lookups). Fill, stroke and markers are inherited.
_PAINTS = ("fill", "stroke")
_MARKERS = ("marker-start", "marker-mid", "marker-end")
_INHERITED_REFS = _PAINTS + _MARKERS
_LOCAL_REFS = ("clip-path", "mask", "filter")
_TARGETS = {"fill": ("gradient", "pattern"), "stroke": ("gradient", "pattern"), "marker-start": ("marker",),
            "marker-mid": ("marker",), "marker-end": ("marker",), "clip-path": ("path",), "mask": ("mask",),
            "filter": ("filter",)}
_SHAPES = frozenset(("circle", "ellipse", "line", "path", "polyline", "polygon", "rect", "text", "tspan", "textPath"))
_MARKED = frozenset(("line", "path", "polyline", "polygon"))
_TEXT = frozenset(("text", "tspan", "textPath"))
_NO_REFS: tuple[frozenset[str], bool, bool] = (frozenset(), False, False)
# WeasyPrint draws one fill (or stroke, marker, ...) for an element; counting every value that
# its attributes, style and any stylesheet rule might give it still comes to a handful.
_MAX_TARGETS = 64
_LONG = 200  # inherited values this long are followed down the tree (a real one is a few characters)

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Possessive (*+): a `url(` followed by a megabyte of spaces must not backtrack through them.
_URL = re.compile(r"""url\(\s*+(?:"([^"]*)"|'([^']*)'|([^()"'\s]*+))\s*+\)""", re.I)
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.S)

_EXPANDED_BY = {"use": "<use> elements", "paint": "patterns, gradients, clip paths and masks",
                "marker": "markers (each drawn at every point of its line)"}


@dataclass(frozen=True)
class _Svg:
    references: tuple[str, ...]


@dataclass(frozen=True)
class _Context:
    """What an element inherits that changes its cost: the targets of fill, stroke and the
    three markers (as in _INHERITED_REFS), an inherited d or points as (coordinates, points,
    subpaths), and the lengths of long inherited values."""
    refs: tuple[frozenset[str], ...] = (frozenset(),) * len(_INHERITED_REFS)
    geometry: tuple[int, int, int] | None = None
    long: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class _Cost:
    elements: int
    coordinates: int
    text: int
    markup: int
    height: int


class _Node:
    __slots__ = ("tag", "children", "targets", "refs", "geometry", "text", "markup", "long", "declared",
                 "classes", "id")

    def __init__(self, tag: str):
        self.tag = tag
        self.children: list[int] = []
        self.targets: list[str] = []  # ids named by href="#id"
        # property -> (target ids, set by the element itself, says "inherit"); the ids are a
        # set while the file is read, then only those WeasyPrint would draw, frozen (freeze)
        self.refs: dict[str, tuple[set[str] | frozenset[str], bool, bool]] = {}
        self.geometry: tuple[int, int, int] | None = None
        self.text = 0
        self.markup = 0
        self.long: dict[str, int] = {}
        self.declared: set[str] = set()
        self.classes: frozenset[str] = frozenset()
        self.id: str | None = None

    def declare(self, prop: str, value: str) -> None:
        """An attribute or style declaration of the element's own."""
        if prop not in _TARGETS and prop != "marker":
            return
        is_inherit = value.strip().lower() == "inherit"
        for name in _MARKERS if prop == "marker" else (prop,):
            if name in _TARGETS:
                self.add(name, _fragments(value), not is_inherit, is_inherit)

    def add(self, name: str, targets: set[str] | frozenset[str], overrides: bool, inherit: bool) -> None:
        ids, overridden, inherits = self.refs.get(name) or (set(), False, False)
        ids |= targets  # a set while the file is read: grows in place
        _check_targets(name, ids)
        self.refs[name] = (ids, overridden or overrides, inherits or inherit)

    def freeze(self, nodes: list[_Node], ids: dict[str, int]) -> None:
        """Keep only the targets WeasyPrint would draw (its LazyDefs look for the word in the
        tag), so that every one kept is an element drawn, counted by the walk."""
        for name, (targets, overridden, inherit) in self.refs.items():
            kept = frozenset(t for t in targets if t in ids
                             and any(word in nodes[ids[t]].tag.lower() for word in _TARGETS[name]))
            self.refs[name] = (kept, overridden, inherit)


def _check_targets(name: str, ids: set[str] | frozenset[str]) -> None:
    if len(ids) > _MAX_TARGETS:
        raise _Refused(f"SVG: its styles give one element more than {_MAX_TARGETS} different {name} targets")


def _fragments(value: str) -> frozenset[str]:
    # WeasyPrint looks up the fragment of a url() in this document, whatever comes before it.
    return frozenset(address.partition("#")[2] for address in _urls(value) if "#" in address)


def _urls(css: str) -> list[str]:
    return [next(g for g in match.groups() if g is not None).strip() for match in _URL.finditer(css)]


def _plain_css(text: str) -> str:
    """CSS without comments and with escapes decoded, so `@\\69mport` reads as @import."""
    if "/*" not in text and "\\" not in text:
        return text
    kept, pos = [], 0
    while (start := text.find("/*", pos)) >= 0:
        kept.append(text[pos:start])
        end = text.find("*/", start + 2)
        pos = len(text) if end < 0 else end + 2  # an unclosed comment runs to the end
    kept.append(text[pos:])

    if "\\" not in text:
        return "".join(kept)

    def unescape(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(unescape, "".join(kept))


def _declarations(css: str) -> dict[tuple[str, str], None]:
    """The (property, value) pairs declared, each once however often it is repeated."""
    found: dict[tuple[str, str], None] = {}
    for declaration in css.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip():
            found[name.strip().lower(), value.replace("!important", "").strip()] = None
    return found


def _geometry(value: str, room: int) -> tuple[int, int, int]:
    """(coordinates, points, subpaths) of a d or points value, the points counted generously:
    a point needs at least one number, and each moveto or closepath starts a subpath. Counting
    stops past `room` coordinates (the budget left): the value is refused then anyway."""
    coordinates = sum(1 for _ in itertools.islice(_NUMBER.finditer(value), room + 1))
    closes = value.count("z") + value.count("Z")
    return coordinates, coordinates + closes + 1, max(1, value.count("m") + value.count("M") + closes)


def _rules(css: str) -> Iterator[tuple[str, str]]:
    """(selectors, declarations) of each innermost {...} block: the rules inside @media too."""
    parts = re.split(r"([{}])", css)  # text, brace, text, brace, ...
    for i in range(1, len(parts) - 2, 2):
        if parts[i] == "{" and parts[i + 2] == "}":
            yield parts[i - 1], parts[i + 1]


def _selector_key(selector: str) -> tuple[str, str] | None:
    """The id, class or tag the selector's last compound requires (a superset of what it
    matches), or None for a selector that may match any element."""
    compound = re.split(r"[\s>+~]+", selector.strip())[-1]
    compound = re.sub(r"\[[^\[\]]*\]", "", compound)  # [attribute] tests only narrow it
    if any(c in compound for c in "([|"):  # :not(.x), :is(), namespaces, broken brackets: anything
        return None
    if found := re.search(r"#([-\w]+)", compound):
        return "#", found.group(1)
    if found := re.search(r"\.([-\w]+)", compound):
        return ".", found.group(1)
    if found := re.match(r"[-\w]+", compound):
        return "tag", found.group(0).lower()
    return None


class _SvgReader:
    """Expat's handlers: the elements as a tree of _Nodes, budgets checked as they come."""

    def __init__(self, path: Path):
        self.nodes: list[_Node] = []
        self.stack: list[int] = []
        self.ids: dict[str, int] = {}
        self.names: set[str] = set()
        self.references: dict[str, None] = {}  # an ordered set
        self.styles: list[str] = []
        self.in_style = self.in_text = self.depth = 0
        self.coordinates = self.text = self.markup = 0
        self.subset = False
        self.own = os.path.normpath(os.path.abspath(path))

    def parse(self, data: bytes) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EndDoctypeDeclHandler = self.end_doctype
        parser.EntityDeclHandler = self.entity
        parser.ExternalEntityRefHandler = self.external_entity
        parser.SkippedEntityHandler = self.skipped_entity
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        try:
            parser.Parse(data, True)
        except expat.ExpatError as err:
            raise _Refused(f"SVG: not well-formed XML (line {err.lineno}: {expat.ErrorString(err.code)})") from None

    def doctype(self, name: str, system_id: str | None, public_id: str | None, has_internal_subset: int) -> None:
        self.subset = bool(has_internal_subset)

    def end_doctype(self) -> None:
        if self.subset:  # element or attribute-list declarations: defaults no reader of the file can see
            raise _Refused("SVG: has a DOCTYPE with declarations ([...]); SVG images may not")

    def entity(self, name: str, is_parameter: int, value: str | None, base: str | None,
               system_id: str | None, public_id: str | None, notation: str | None) -> None:
        if system_id is not None:
            raise _Refused("SVG: declares an external entity (<!ENTITY ... SYSTEM>); SVG images may not")
        raise _Refused("SVG: declares entities (<!ENTITY>); SVG images may not")

    def external_entity(self, context: str, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise _Refused("SVG: declares an external entity (<!ENTITY ... SYSTEM>); SVG images may not")

    def skipped_entity(self, name: str, is_parameter: int) -> None:
        raise _Refused(f"SVG: refers to an entity (&{_shown(name, 40)};) that is not declared")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition("}")[2]
        if len(self.nodes) >= MAX_SVG_ELEMENTS:
            raise _Refused(f"SVG: has more than {MAX_SVG_ELEMENTS:,} elements")
        if not self.nodes and tag != "svg":
            raise _Refused(f"SVG: the root element is <{_shown(tag, 40)}>, not <svg>")
        node = _Node(tag)
        if self.stack:
            self.nodes[self.stack[-1]].children.append(len(self.nodes))
        self.stack.append(len(self.nodes))
        self.nodes.append(node)
        self.depth = max(self.depth, len(self.stack))
        self.in_text += tag in _TEXT
        self.in_style += tag == "style"
        node.markup = sum(len(v) for a, v in attributes.items() if "}" not in a and a not in ("d", "points"))
        self.markup += node.markup
        self.names.update(attributes)
        self.check_raw_budgets()  # before any value is parsed
        for attribute, value in attributes.items():
            if attribute == _XML_BASE:
                raise _Refused("SVG: xml:base is not allowed (it changes where the SVG's addresses lead)")
            if attribute in _HREFS:
                self.href(node, value)
            if "}" in attribute:
                continue  # other namespaces' attributes are copied down, never read
            node.declared.add(attribute)
            if attribute in ("d", "points"):
                coordinates, points, subpaths = _geometry(value, MAX_SVG_COORDINATES - self.coordinates)
                before = node.geometry or (0, 0, 0)  # both on one element: both drawn
                node.geometry = (before[0] + coordinates, before[1] + points, before[2] + subpaths)
                self.coordinates += coordinates
                self.check_raw_budgets()
                continue
            if attribute not in _NOT_INHERITED and len(value) >= _LONG:
                node.long[attribute] = len(value)
            if attribute == "id":
                node.id = value
                self.ids.setdefault(value, len(self.nodes) - 1)  # WeasyPrint finds the first
            elif attribute == "class":
                node.classes = frozenset(value.split())
                self.names.update(node.classes)
            elif attribute == "style":
                self.style_attribute(node, value)
            else:
                node.declare(attribute, value)
        self.check_raw_budgets()

    def style_attribute(self, node: _Node, value: str) -> None:
        css = _plain_css(value)
        for name, declared in _declarations(css):
            self.names.add(name)
            node.declared.add(name)
            node.declare(name, declared)
            if len(declared) >= _LONG:
                node.long[name] = len(declared)
        for address in _urls(css):
            self.reference(address)

    def href(self, node: _Node, value: str) -> None:
        address = value.strip()
        if not address:
            return
        before, _, fragment = address.partition("#")
        local = self.reference(address)
        if node.tag == "image":
            if local:
                raise _Refused("SVG: <image> shows the SVG itself")
            if before.partition("?")[0].lower().endswith((".svg", ".svgz")):
                raise _Refused(f"SVG: <image> shows another SVG ({_shown(address, 60)}); an SVG may show "
                               "PNG, JPEG, GIF or WebP images only")
        elif local and fragment:
            node.targets.append(fragment)

    def reference(self, address: str) -> bool:
        """Note an address the SVG refers to; True when it is this document."""
        if address[:5].lower() == "data:":
            raise _Refused("SVG: has an embedded data: address; save the image as a file in the project "
                           "and refer to it by name")
        before = address.partition("#")[0]
        if not before or os.path.normpath(os.path.join(os.path.dirname(self.own), unquote(before))) == self.own:
            return True
        self.references[address] = None
        return False

    def end(self, name: str) -> None:
        tag = self.nodes[self.stack.pop()].tag
        self.in_text -= tag in _TEXT
        self.in_style -= tag == "style"

    def characters(self, data: str) -> None:
        if self.in_style:
            self.styles.append(data)
        if self.in_text and self.stack:
            count = len(data) - sum(map(data.count, " \t\r\n"))
            self.nodes[self.stack[-1]].text += count
            self.text += count
            self.check_raw_budgets()

    def check_raw_budgets(self) -> None:
        """The budgets the file breaks before anything is expanded, checked early."""
        if len(self.names) > MAX_SVG_NAMES:
            raise _Refused(f"SVG: uses more than {MAX_SVG_NAMES:,} different attribute, property and class names")
        _check_drawing(self.coordinates, self.text, self.markup, "attributes and stylesheets")

    def stylesheets(self) -> None:
        """<style> contents: refuse what would fetch more, and apply the rules that name
        paint servers, clip paths, masks or markers to every element they may match."""
        text = "".join(self.styles)
        self.markup += len(text)
        self.check_raw_budgets()
        css = _plain_css(text)
        if re.search(r"@import\b", css, re.I):
            raise _Refused("SVG: @import in a stylesheet is not allowed")
        if re.search(r"@font-face\b", css, re.I):
            raise _Refused("SVG: @font-face in a stylesheet is not allowed; the booklet's own fonts are used")
        for address in _urls(css):
            self.reference(address)
        # selector key -> property -> (targets, says "inherit"), merged: each element reads each once
        rules: dict[tuple[str, str] | None, dict[str, tuple[set[str], bool]]] = {}
        selectors = 0
        for prelude, block in _rules(css):
            drawn: dict[str, tuple[set[str], bool]] = {}
            for prop, value in _declarations(block):
                self.names.add(prop)
                for name in _MARKERS if prop == "marker" else (prop,):
                    if name in _TARGETS:
                        ids, inherit = drawn.setdefault(name, (set(), False))
                        ids |= _fragments(value)
                        drawn[name] = (ids, inherit or value.lower() == "inherit")
            parts = prelude.split(",")
            selectors += len(parts)
            if selectors > MAX_SVG_SELECTORS:
                raise _Refused(f"SVG: its stylesheets have more than {MAX_SVG_SELECTORS:,} selectors")
            for part in parts if drawn else ():
                merged = rules.setdefault(_selector_key(part), {})
                for name, (ids, inherit) in drawn.items():
                    old_ids, old_inherit = merged.get(name, (set(), False))
                    merged[name] = (old_ids | ids, old_inherit or inherit)
                    _check_targets(name, merged[name][0])
        self.check_raw_budgets()
        for node in self.nodes if rules else ():
            keys = [None, ("tag", node.tag.lower()), *((".", c) for c in node.classes)]
            keys += [("#", node.id)] if node.id is not None else []
            for key in keys:
                for name, (ids, inherit) in rules.get(key, {}).items():
                    node.add(name, ids, False, inherit)  # a rule may match: adds targets, overrides nothing


def _raw_contexts(nodes: list[_Node]) -> tuple[list[_Context], list[_Context]]:
    """What each element inherits in the file as written, and what it passes on. A referenced
    pattern, marker or clip path is drawn with these; a <use> target with what the <use> gives."""
    inherits = [_Context()] * len(nodes)
    passes = []
    for index, node in enumerate(nodes):  # parents come before their children
        passes.append(_inherited(node, inherits[index]))
        for child in node.children:
            inherits[child] = passes[index]
    return inherits, passes


def _inherited(node: _Node, context: _Context) -> _Context:
    """What `node` passes to its children, given what it inherits."""
    refs = []
    for name, outer in zip(_INHERITED_REFS, context.refs):
        ids, overridden, inherit = node.refs.get(name, _NO_REFS)
        if not (inherit or not overridden):  # its own value replaces the inherited one
            refs.append(frozenset(ids))
        else:
            refs.append(frozenset(ids | outer) if ids and outer else frozenset(ids) if ids else outer)
        _check_targets(name, refs[-1])
    long = {name: size for name, size in context.long if name not in node.declared}
    long.update(node.long)
    return _Context(tuple(refs), node.geometry or context.geometry, tuple(sorted(long.items())))


class _Expander:
    """The cost of drawing the tree, following the references of the given kinds. Each
    (element, context) is measured once and multiplied where it is drawn again; every step
    along the way is one more element drawn, so the walk stops after MAX_SVG_ELEMENTS steps
    whatever the file."""

    def __init__(self, reader: _SvgReader, raw: tuple[list[_Context], list[_Context]], kinds: tuple[str, ...]):
        self.nodes, self.ids, self.kinds = reader.nodes, reader.ids, kinds
        self.raw, self.raw_passes = raw
        self.memo: dict[tuple[int, _Context], _Cost] = {}
        self.active: set[int] = set()  # the elements being measured: one met again is a cycle
        self.steps = 0

    def refusal(self, what: str) -> _Refused:
        return _Refused(f"SVG: {what} once {_EXPANDED_BY[self.kinds[-1]]} are expanded")

    def total(self) -> _Cost:
        cost = self.visit(0, self.raw[0], 1)
        if cost.elements > MAX_SVG_ELEMENTS:  # (the walk itself stops after that many steps)
            raise _Refused(f"SVG: {_EXPANDED_BY[self.kinds[-1]]} expand to more than {MAX_SVG_ELEMENTS:,} elements")
        return cost

    def visit(self, index: int, context: _Context, depth: int) -> _Cost:
        known = self.memo.get((index, context))
        if depth + (known.height if known else 1) - 1 > MAX_SVG_DEPTH:
            raise self.refusal(f"nested more than {MAX_SVG_DEPTH} levels deep")
        if known is not None:
            return known
        node = self.nodes[index]
        inner = self.raw_passes[index] if context is self.raw[index] else _inherited(node, context)
        geometry = (4, 2, 1) if node.tag == "line" else node.geometry or context.geometry or (0, 0, 0)
        total = [1, geometry[0] if node.tag in _MARKED else 0, node.text,
                 node.markup + sum(size for name, size in context.long if name not in node.declared)]
        height = 1
        self.active.add(index)
        for target, target_context, times in [(child, inner, 1) for child in node.children] + \
                self.drawn_with(node, inner, geometry):
            self.steps += 1
            if self.steps > MAX_SVG_ELEMENTS:
                raise _Refused(f"SVG: {_EXPANDED_BY[self.kinds[-1]]} expand to more than "
                               f"{MAX_SVG_ELEMENTS:,} elements")
            cost = self.visit(target, target_context, depth + 1)
            total = [a + b * times for a, b in zip(total, (cost.elements, cost.coordinates, cost.text, cost.markup))]
            height = max(height, cost.height + 1)
        self.active.discard(index)
        self.memo[index, context] = cost = _Cost(total[0], total[1], total[2], total[3], height)
        return cost

    def drawn_with(self, node: _Node, inner: _Context,
                   geometry: tuple[int, int, int]) -> list[tuple[int, _Context, int]]:
        """What drawing `node` draws besides its children: (element, its context, times)."""
        wanted: list[tuple[str, str, int, str]] = []  # id, what its tag must contain, times, kind
        # A gradient or pattern takes its href's children, if it has none; a textPath reads its path.
        inherits_from = next((w for w in ("gradient", "pattern") if w in node.tag.lower()), None)
        for target in node.targets:
            if node.tag == "use":
                wanted.append((target, "", 1, "use"))
            elif inherits_from or node.tag == "textPath":
                wanted.append((target, inherits_from or "path", 1, "paint"))
        refs = dict(zip(_INHERITED_REFS, inner.refs))
        if node.tag in _SHAPES:
            wanted += [(t, "", 1, "paint") for name in _PAINTS for t in refs[name]]
        for name in _LOCAL_REFS:
            wanted += [(t, "", 1, "paint") for t in node.refs.get(name, _NO_REFS)[0]]
        if node.tag in _MARKED:
            _, points, subpaths = geometry
            wanted += [(t, "", points if name == "marker-mid" else subpaths, "marker")
                       for name in _MARKERS for t in refs[name]]
        found = []
        for target, needed, times, kind in wanted:
            index = self.ids.get(target)
            if kind not in self.kinds or index is None or not times:
                continue
            if needed not in self.nodes[index].tag.lower():
                continue  # WeasyPrint would not draw it
            if index in self.active:
                raise _Refused(f"SVG: <{_shown(node.tag, 40)}> refers to itself")
            found.append((index, inner if kind == "use" else self.raw[index], times))
        return found


def _load_svg(data: bytes, path: Path) -> _Svg:
    """Parse and measure an SVG; raises _Refused with the first budget it breaks."""
    reader = _SvgReader(path)
    reader.parse(data)
    reader.stylesheets()
    for node in reader.nodes:
        node.freeze(reader.nodes, reader.ids)
    if reader.depth > MAX_SVG_DEPTH:
        raise _Refused(f"SVG: nested {reader.depth} levels deep; SVG images are limited to {MAX_SVG_DEPTH}")
    raw = _raw_contexts(reader.nodes)
    kinds = tuple(_EXPANDED_BY)
    try:
        cost = _Expander(reader, raw, kinds).total()
    except _Refused:  # again kind by kind, so that the message names what multiplied the drawing
        for end in range(1, len(kinds)):
            _Expander(reader, raw, kinds[:end]).total()
        raise
    _check_drawing(cost.coordinates, cost.text, cost.markup, "attributes",
                   " as drawn, with every copy <use> elements, patterns and markers make")
    return _Svg(tuple(reader.references))


def _check_drawing(coordinates: int, text: int, markup: int, markup_is: str, counted: str = "") -> None:
    """The budgets on what drawing costs, on the file as written or (with `counted` saying how) as
    drawn."""
    if coordinates > MAX_SVG_COORDINATES:
        raise _Refused(f"SVG: its paths have more than {MAX_SVG_COORDINATES:,} coordinates{counted}")
    if text > MAX_SVG_TEXT:
        raise _Refused(f"SVG: has more than {MAX_SVG_TEXT:,} characters of text{counted}")
    if markup > MAX_SVG_MARKUP:
        raise _Refused(f"SVG: its {markup_is} come to more than {MAX_SVG_MARKUP:,} characters{counted}")
