"""Image files are checked before WeasyPrint sees them: every hostile sample, made here in
tmp_path, is refused with its own one-phrase reason within a second or two, and real images,
which the same checks measure, pass."""
from __future__ import annotations

import io
import os
import random
import stat
import struct
import threading
import time
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from booklet.source import images
from booklet.source.images import MAX_IMAGE_PIXELS, image_problem, limit_pillow, svg_references

QUICK_S = 2.0  # generous: the checks take milliseconds, the machine is shared
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'


def _timed(path: Path) -> tuple[str | None, float]:
    started = time.perf_counter()
    problem = image_problem(path)
    return problem, time.perf_counter() - started


def refused(path: Path, expected: str) -> None:
    problem, seconds = _timed(path)
    assert problem == expected
    assert seconds < QUICK_S, f"{path.name} took {seconds:.2f} s"


def accepted(path: Path) -> None:
    problem, seconds = _timed(path)
    assert problem is None
    assert seconds < QUICK_S, f"{path.name} took {seconds:.2f} s"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def svg(folder: Path, name: str, body: str, head: str = "") -> Path:
    return write(folder, name, f"{head}{SVG_OPEN}{body}</svg>")


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def photo(mode: str = "RGB", size: tuple[int, int] = (160, 120)) -> Image.Image:
    return Image.effect_noise(size, 40).convert(mode)  # noise: no encoder can shrink it to nothing


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, colour_type: int = 2) -> bytes:
    """A PNG of a signature, an IHDR claiming the size, and IEND: no pixels at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


# Raster images: sizes, damage, names


@pytest.mark.parametrize("kind, name", [("PNG", "a.png"), ("JPEG", "a.jpg"), ("JPEG", "a.jpeg"),
                                        ("GIF", "a.gif"), ("WEBP", "a.webp")])
def test_real_raster_images_may_be_printed(tmp_path, kind, name):
    data = encoded(photo("P" if kind == "GIF" else "RGB"), kind)
    path = write(tmp_path, name, data)
    accepted(path)
    assert Image.open(path).size == (160, 120)  # a real image, which the check decoded in full


def test_a_tiny_png_claiming_ten_gigapixels_is_refused_from_its_header(tmp_path):
    data = png_header(100_000, 100_000)
    assert len(data) < 50 and PngImagePlugin.PngImageFile(io.BytesIO(data)).size == (100_000, 100_000)
    refused(write(tmp_path, "bomb.png", data),
            "is 100,000 x 100,000 pixels (10,000 Mpx); images are limited to 25 Mpx")
    refused(write(tmp_path, "big.png", png_header(30_000, 30_000)),
            "is 30,000 x 30,000 pixels (900 Mpx); images are limited to 25 Mpx")


def test_an_image_just_over_the_pixel_budget_never_reads_as_within_it(tmp_path):
    refused(write(tmp_path, "over.png", png_header(5001, 5000)),
            "is 5,001 x 5,000 pixels (25.1 Mpx); images are limited to 25 Mpx")


def test_an_image_of_exactly_the_pixel_budget_is_decoded_and_passes(tmp_path):
    width = height = 5000
    assert width * height == MAX_IMAGE_PIXELS
    rows = zlib.compress(b"\0" * ((width + 1) * height), 1)  # grey, filter byte 0 on every row
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b""))
    accepted(write(tmp_path, "page.png", data))
    refused(write(tmp_path, "cut.png", data[: len(data) // 2]), "is damaged: the PNG data stops early (truncated file)")


@pytest.mark.parametrize("kind, name", [("PNG", "cut.png"), ("JPEG", "cut.jpg")])
def test_a_truncated_image_is_damaged_even_after_weasyprint_allowed_truncation(tmp_path, monkeypatch, kind, name):
    whole = encoded(photo(), kind)
    accepted(write(tmp_path, "whole" + name[3:], whole))
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as importing WeasyPrint does
    label = {"PNG": "PNG", "JPEG": "JPEG"}[kind]
    refused(write(tmp_path, name, whole[: len(whole) // 2]), f"is damaged: the {label} data stops early (truncated file)")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's setting is left as it was


def test_contents_must_be_the_format_the_name_says(tmp_path):
    png, jpeg = encoded(photo(), "PNG"), encoded(photo(), "JPEG")
    refused(write(tmp_path, "photo.jpg", png), "is a PNG file but its name ends in .jpg")
    refused(write(tmp_path, "photo.png", jpeg), "is a JPEG file but its name ends in .png")
    refused(write(tmp_path, "photo.svg", png), "is a PNG file but its name ends in .svg")
    refused(write(tmp_path, "drawing.png", SVG_OPEN + "</svg>"), "is an SVG file but its name ends in .png")
    refused(write(tmp_path, "notes.gif", "just some text\n"), "is not a GIF file: its contents are not in any image format")
    refused(write(tmp_path, "photo.PNG", jpeg), "is a JPEG file but its name ends in .PNG")


def test_files_of_other_types_are_not_images(tmp_path):
    bmp = write(tmp_path, "photo.bmp", encoded(photo(), "BMP"))
    refused(bmp, "is not an image file: its name must end in .png, .jpg, .jpeg, .gif, .webp or .svg")


def test_empty_and_missing_files_are_refused(tmp_path):
    refused(write(tmp_path, "empty.png", b""), "is empty")
    refused(tmp_path / "missing.png", "was not found")


def _returns_promptly(path: Path) -> str | None:
    """image_problem in a thread, so that a check that blocked could not hang the test run."""
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(image_problem(path)), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(5)
    if worker.is_alive() and stat.S_ISFIFO(os.stat(path).st_mode):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # release a blocked open, then fail
    assert not worker.is_alive() and result, f"image_problem blocked on {path.name}"
    assert time.perf_counter() - started < QUICK_S
    return result[0]


@pytest.mark.parametrize("name", ["pipe.png", "pipe.svg"])
def test_a_fifo_named_as_an_image_is_refused_without_being_opened(tmp_path, name):
    os.mkfifo(tmp_path / name)
    assert _returns_promptly(tmp_path / name) == "is not a regular file"


def test_folders_and_devices_named_as_images_are_not_regular_files(tmp_path):
    (tmp_path / "folder.png").mkdir()
    os.symlink("/dev/zero", tmp_path / "zero.jpg")  # a device would read for ever
    assert _returns_promptly(tmp_path / "folder.png") == "is not a regular file"
    assert _returns_promptly(tmp_path / "zero.jpg") == "is not a regular file"


def test_a_file_over_the_byte_budget_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as handle:
        handle.truncate(12_300_000)  # sparse: nothing written, and nothing need be read
    refused(huge, "is 12.3 MB; images are limited to 10 MB")
    with open(huge, "wb") as handle:
        handle.truncate(images.MAX_IMAGE_BYTES + 1)
    refused(huge, "is 10.1 MB; images are limited to 10 MB")


@pytest.mark.parametrize("kind, name", [("GIF", "anim.gif"), ("PNG", "anim.png"), ("WEBP", "anim.webp")])
def test_an_animation_is_refused_since_a_page_prints_one_frame(tmp_path, kind, name):
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    data = encoded(frames[0], kind, save_all=True, append_images=frames[1:], duration=100)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3
    refused(write(tmp_path, name, data),
            "is animated; a printed page shows only one frame: save that frame as a still image")
    accepted(write(tmp_path, "still" + name[4:], encoded(frames[0], kind)))


def test_files_of_millions_of_tiny_parts_are_refused_before_pillow_walks_them(tmp_path):
    png, jpeg = encoded(photo(), "PNG"), encoded(photo(), "JPEG")
    gif = encoded(photo("P"), "GIF")
    blocks_at = 13 + (3 << ((gif[10] & 7) + 1) if gif[10] & 0x80 else 0)  # after the header and palette
    again = " (open it in an image editor and save it again)"
    refused(write(tmp_path, "chunks.png", png[:33] + png_chunk(b"zzZz", b"") * 30_000 + png[33:]),
            "is not a normal PNG file: more than 20,000 chunks" + again)
    refused(write(tmp_path, "segments.jpg", jpeg[:2] + b"\xff\xe5\x00\x02" * 2_000 + jpeg[2:]),
            "is not a normal JPEG file: more than 1,000 segments before the image data" + again)
    refused(write(tmp_path, "fill.jpg", jpeg[:2] + b"\xff" * 20_000 + jpeg[2:]),
            "is not a normal JPEG file: more than 10,000 stray bytes between its segments" + again)
    scans = jpeg.count(b"\xff\xda") + 200
    refused(write(tmp_path, "scans.jpg", jpeg + b"\xff\xda" * 200),
            f"is not a normal JPEG file: {scans:,} scans, where a progressive JPEG has about 10" + again)
    comment = b"!\xfe" + b"\x01a" * 200_000 + b"\x00"  # a comment in 1-byte blocks
    refused(write(tmp_path, "blocks.gif", gif[:blocks_at] + comment + gif[blocks_at:]),
            "is not a normal GIF file: more than 100,000 data blocks" + again)
    # The same files with as many parts as real ones have are fine: the walks read them right.
    accepted(write(tmp_path, "few-chunks.png", png[:33] + png_chunk(b"zzZz", b"") * 100 + png[33:]))
    accepted(write(tmp_path, "few-segments.jpg", jpeg[:2] + b"\xff\xe5\x00\x02" * 20 + b"\xff" * 30 + jpeg[2:]))
    accepted(write(tmp_path, "few-blocks.gif", gif[:blocks_at] + b"!\xfe" + b"\x01a" * 50 + b"\x00" + gif[blocks_at:]))


def test_a_progressive_jpeg_passes(tmp_path):
    accepted(write(tmp_path, "progressive.jpg", encoded(photo(), "JPEG", progressive=True)))


def test_damaged_files_of_every_format_give_a_reason_and_never_raise(tmp_path):
    """Cut short and with bytes overwritten at random: each answer is None or a reason, never
    an exception, and comes quickly. Most of them are refused: the check is looking."""
    samples = {"png": encoded(photo(), "PNG"), "jpg": encoded(photo(), "JPEG"), "gif": encoded(photo("P"), "GIF"),
               "webp": encoded(photo(), "WEBP"),
               "svg": (SVG_OPEN + '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
                       '<rect width="5" height="5" style="fill:url(#g)"/><use href="#g"/></svg>').encode()}
    chance = random.Random(70)
    refusals = total = 0
    for suffix, data in samples.items():
        for attempt in range(12):
            damaged = bytearray(data[: chance.randrange(1, len(data))] if attempt % 3 == 0 else data)
            for _ in range(attempt % 4 + 1):
                damaged[chance.randrange(len(damaged))] = chance.randrange(256)
            problem, seconds = _timed(write(tmp_path, f"{attempt}.{suffix}", bytes(damaged)))
            assert problem is None or (isinstance(problem, str) and problem.strip()), problem
            assert not (problem or "").startswith("could not be checked"), problem  # a bug of the check
            assert seconds < QUICK_S
            total += 1
            refusals += problem is not None
    assert refusals > total // 3


def test_limit_pillow_sets_pillows_own_bomb_limit_to_the_budget(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # restored afterwards
    limit_pillow()
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS == 25_000_000


# SVG images


REAL_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="120" height="80" viewBox="0 0 120 80">
  <title>The kidney</title>
  <defs>
    <linearGradient id="skin"><stop offset="0" stop-color="#fdd"/><stop offset="1" stop-color="#c88"/></linearGradient>
    <linearGradient id="skin-wide" xlink:href="#skin" x2="2"/>
    <marker id="arrow" markerWidth="4" markerHeight="4" orient="auto"><path d="M0 0 L4 2 L0 4 z"/></marker>
    <g id="dot"><circle r="2" style="fill:#000000;fill-opacity:1;stroke:none"/></g>
  </defs>
  <style type="text/css"><![CDATA[ .organ { fill: url(#skin-wide); stroke: #633 } text { font-size: 6px } ]]></style>
  <g inkscape:label="Layer 1" style="stroke-width:0.5">
    <path class="organ" d="M10 10 C 30 0, 50 20, 40 40 S 10 60, 10 10 z"/>
    <line x1="60" y1="20" x2="90" y2="20" stroke="black" marker-end="url(#arrow)"/>
    <use xlink:href="#dot" x="95" y="20"/><use href="#dot" x="95" y="30"/>
    <text x="60" y="40">Kidney<tspan x="60" dy="8">(left)</tspan></text>
    <image href="photo.png" x="60" y="50" width="20" height="20"/>
  </g>
</svg>
"""


def test_a_real_drawing_may_be_printed(tmp_path):
    ElementTree.fromstring(REAL_SVG.encode())  # what WeasyPrint parses it with
    accepted(write(tmp_path, "kidney.svg", REAL_SVG))


def test_nested_use_elements_a_billion_copies_deep_are_refused_without_expanding(tmp_path):
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    levels += [f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 11)]
    path = svg(tmp_path, "laughs.svg", "<defs>" + "".join(levels) + '</defs><use xlink:href="#l10"/>')
    assert len(path.read_bytes()) < 3000
    ElementTree.fromstring(path.read_bytes())  # well-formed: only expanding it would hurt
    refused(path, "is an SVG that cannot be printed: <use> elements expand to more than 10,000 elements")


def test_a_use_that_refers_to_itself_is_refused(tmp_path):
    refused(svg(tmp_path, "self.svg", '<use id="u" href="#u"/>'), "is an SVG that cannot be printed: <use> refers to itself")
    refused(svg(tmp_path, "loop.svg", '<g id="a"><g><use xlink:href="#a"/></g></g>'), "is an SVG that cannot be printed: <use> refers to itself")
    refused(svg(tmp_path, "mutual.svg", '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'),
            "is an SVG that cannot be printed: <use> refers to itself")


def test_deep_nesting_is_refused_and_the_depth_budget_itself_passes(tmp_path):
    refused(svg(tmp_path, "deep.svg", "<g>" * 59 + "</g>" * 59), "is an SVG that cannot be printed: nested 60 levels deep; SVG images are limited to 50")
    accepted(svg(tmp_path, "fifty.svg", "<g>" * 49 + "</g>" * 49))


def test_nesting_made_by_use_chains_counts_towards_the_depth(tmp_path):
    chain = '<g id="c0"/>' + "".join(f'<g id="c{i}"><use href="#c{i - 1}"/></g>' for i in range(1, 30))
    refused(svg(tmp_path, "chain.svg", f'<defs>{chain}</defs><use href="#c29"/>'),
            "is an SVG that cannot be printed: nested more than 50 levels deep once <use> elements are expanded")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>
"""


def test_entity_declarations_are_refused_before_any_is_expanded(tmp_path):
    refused(write(tmp_path, "laughs.svg", BILLION_LAUGHS), "is an SVG that cannot be printed: declares entities (<!ENTITY>); SVG images may not")
    external = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                '<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>')
    refused(write(tmp_path, "xxe.svg", external),
            "is an SVG that cannot be printed: declares an external entity (<!ENTITY ... SYSTEM>); SVG images may not")
    parameter = '<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://example.org/x.dtd"> %p;]><svg/>'
    refused(write(tmp_path, "parameter.svg", parameter),
            "is an SVG that cannot be printed: declares an external entity (<!ENTITY ... SYSTEM>); SVG images may not")


def test_a_doctype_is_allowed_only_without_declarations(tmp_path):
    public = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    accepted(svg(tmp_path, "public.svg", "<rect/>", head=public))
    defaults = '<!DOCTYPE svg [<!ATTLIST use href CDATA "#a">]>'  # a default no reader can see
    refused(svg(tmp_path, "attlist.svg", "<use/>", head=defaults),
            "is an SVG that cannot be printed: has a DOCTYPE with declarations ([...]); SVG images may not")
    refused(svg(tmp_path, "undeclared.svg", "<text>&secret;</text>", head='<!DOCTYPE svg SYSTEM "x.dtd">'),
            "is an SVG that cannot be printed: refers to an entity (&secret;) that is not declared")


def test_stylesheets_may_not_import_or_load_fonts(tmp_path):
    refused(svg(tmp_path, "import.svg", '<style>@import url("more.css");</style>'),
            "is an SVG that cannot be printed: @import in a stylesheet is not allowed")
    refused(svg(tmp_path, "escaped.svg", "<style>@\\69mport 'more.css';</style>"),
            "is an SVG that cannot be printed: @import in a stylesheet is not allowed")
    refused(svg(tmp_path, "cdata.svg", "<style><![CDATA[ /* x */ @IMPORT url(a.css); ]]></style>"),
            "is an SVG that cannot be printed: @import in a stylesheet is not allowed")
    refused(svg(tmp_path, "font.svg", '<style>@font-face { font-family: x; src: url(x.woff) }</style>'),
            "is an SVG that cannot be printed: @font-face in a stylesheet is not allowed; the booklet's own fonts are used")


def test_malformed_xml_and_other_documents_are_refused(tmp_path):
    refused(write(tmp_path, "broken.svg", SVG_OPEN + "\n<g>\n</svg>"), "is an SVG that cannot be printed: not well-formed XML (line 3: mismatched tag)")
    refused(write(tmp_path, "page.svg", "<html><body/></html>"), "is an SVG that cannot be printed: the root element is <html>, not <svg>")
    refused(write(tmp_path, "text.svg", "not xml at all"), "is an SVG that cannot be printed: not well-formed XML (line 1: syntax error)")


def test_markers_are_counted_at_every_point_they_are_drawn(tmp_path):
    points = " ".join(f"l1 {i % 3}" for i in range(20_000))
    marker = '<marker id="m"><rect width="1" height="1"/></marker>'
    refused(svg(tmp_path, "mid.svg", f'{marker}<path d="M0 0 {points}" marker-mid="url(#m)"/>'),
            "is an SVG that cannot be printed: markers (each drawn at every point of its line) expand to more than 10,000 elements")
    refused(svg(tmp_path, "inherited.svg", f'{marker}<g style="marker:url(#m)"><path d="M0 0 {points}"/></g>'),
            "is an SVG that cannot be printed: markers (each drawn at every point of its line) expand to more than 10,000 elements")
    accepted(svg(tmp_path, "arrow.svg", f'{marker}<path d="M0 0 {points}" marker-end="url(#m)"/>'))  # drawn once


def test_a_pattern_is_counted_for_every_shape_painted_with_it(tmp_path):
    pattern = '<pattern id="p">' + '<rect width="1" height="1"/>' * 100 + "</pattern>"
    shapes = '<rect width="1" height="1"/>' * 200
    message = "is an SVG that cannot be printed: patterns, gradients, clip paths and masks expand to more than 10,000 elements"
    refused(svg(tmp_path, "inherited.svg", f'{pattern}<g fill="url(#p)">{shapes}</g>'), message)
    classed = shapes.replace("<rect", '<rect class="s"')
    refused(svg(tmp_path, "sheet.svg", f"<style>.s {{ fill: url(#p) }}</style>{pattern}<g>{classed}</g>"), message)
    # A rule that may match the pattern's own shapes paints the pattern inside itself.
    refused(svg(tmp_path, "cycle.svg", f"<style>*:not(.x) {{ fill: url(#p) }}</style>{pattern}{shapes}"),
            "is an SVG that cannot be printed: <rect> refers to itself")
    accepted(svg(tmp_path, "overridden.svg", f'{pattern}<g fill="url(#p)"><g fill="red">{shapes}</g></g>'))


def test_text_and_path_budgets_count_every_copy(tmp_path):
    refused(svg(tmp_path, "text.svg", "<text>" + "a" * 10_001 + "</text>"), "is an SVG that cannot be printed: has more than 10,000 characters of text")
    drawn = "as drawn, with every copy <use> elements, patterns and markers make"
    refused(svg(tmp_path, "copies.svg", '<text id="t">' + "a" * 100 + "</text>" + '<use href="#t"/>' * 100),
            f"is an SVG that cannot be printed: has more than 10,000 characters of text {drawn}")
    refused(svg(tmp_path, "path.svg", '<path d="M0 0 ' + "1 " * 200_001 + '"/>'),
            "is an SVG that cannot be printed: its paths have more than 200,000 coordinates")
    # WeasyPrint passes `d` down to descendants, so each child path without one draws it again.
    refused(svg(tmp_path, "inherited.svg", '<g d="M0 0 ' + "1 " * 150_000 + '"><path/><path/></g>'),
            f"is an SVG that cannot be printed: its paths have more than 200,000 coordinates {drawn}")


def test_element_markup_selector_and_name_budgets(tmp_path):
    refused(svg(tmp_path, "many.svg", "<g/>" * 10_000), "is an SVG that cannot be printed: has more than 10,000 elements")
    accepted(svg(tmp_path, "enough.svg", "<g/>" * 9_999))
    refused(svg(tmp_path, "style.svg", f'<rect style="fill:red;{"x" * 2_000_000}"/>'),
            "is an SVG that cannot be printed: its attributes and stylesheets come to more than 2,000,000 characters")
    refused(svg(tmp_path, "selectors.svg", "<style>" + "rect{fill:red}" * 501 + "</style>"),
            "is an SVG that cannot be printed: its stylesheets have more than 500 selectors")
    refused(svg(tmp_path, "names.svg", "<g " + " ".join(f'a{i}="1"' for i in range(501)) + "/>"),
            "is an SVG that cannot be printed: uses more than 500 different attribute, property and class names")


def test_embedded_data_other_svgs_and_xml_base_are_refused(tmp_path):
    refused(svg(tmp_path, "data.svg", '<image href="data:image/png;base64,iVBORw0KGgo="/>'),
            "is an SVG that cannot be printed: has an embedded data: address; save the image as a file in the project and refer to it by name")
    refused(svg(tmp_path, "nested.svg", '<image xlink:href="other.svg" width="1" height="1"/>'),
            "is an SVG that cannot be printed: <image> shows another SVG (other.svg); an SVG may show PNG, JPEG, GIF or WebP images only")
    refused(svg(tmp_path, "itself.svg", '<image href="itself.svg#x"/>'), "is an SVG that cannot be printed: <image> shows the SVG itself")
    refused(svg(tmp_path, "base.svg", '<g xml:base="file:///etc/"><image href="passwd.png"/></g>'),
            "is an SVG that cannot be printed: xml:base is not allowed (it changes where the SVG's addresses lead)")


# What an SVG refers to


def test_svg_references_lists_every_file_the_svg_may_load(tmp_path):
    path = svg(tmp_path, "refs.svg",
               '<defs><linearGradient id="g"/></defs>'
               '<style>.a { fill: url(#g) } .b { background: url("sheet.png") }</style>'
               '<image href="pic.png"/><image xlink:href="photos/b%20c.jpg"/>'
               '<rect style="fill: url(#g); mask: url( other.png )"/>'
               '<use href="#g"/><use href="refs.svg#g"/><use href="./refs.svg#g"/>'
               '<use href="lib.svg#icon"/><a href="https://example.org/"><image href="pic.png"/></a>')
    accepted(path)
    assert svg_references(path) == ["pic.png", "photos/b%20c.jpg", "other.png", "lib.svg#icon",
                                    "https://example.org/", "sheet.png"]


def test_svg_references_of_an_svg_that_was_refused_raise(tmp_path):
    path = write(tmp_path, "laughs.svg", BILLION_LAUGHS)
    with pytest.raises(ValueError, match="declares entities"):
        svg_references(path)


def test_a_raster_image_refers_to_nothing(tmp_path):
    assert svg_references(write(tmp_path, "a.png", encoded(photo(), "PNG"))) == []
