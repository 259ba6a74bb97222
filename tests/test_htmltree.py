"""The small element tree the web site and e-books are cut with: it keeps what it reads, and
writes well-formed XHTML."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from booklet.render.htmltree import inner, parse, serialize, text_blocks


def test_html_reads_and_writes_back_unchanged():
    html = ('<p class="a">Fish &amp; chips &lt;3 <a href="x.html?a=1&amp;b=2" aria-label="Say &quot;hi&quot;">'
            'link</a><br><img src="p.svg" alt="A dot"></p>')
    assert serialize(parse(html)) == html


def test_xhtml_closes_void_elements_and_is_well_formed_xml():
    html = '<div><p>One<br>two</p><img src="p.svg" alt="x &amp; y"><input disabled type="checkbox"></div>'
    xhtml = serialize(parse(html), xhtml=True)
    assert "<br />" in xhtml and 'disabled="disabled"' in xhtml
    ET.fromstring(xhtml)  # parses as XML


def test_an_end_tag_that_matches_nothing_open_is_ignored_and_the_open_ones_close():
    root = parse("<div><p>text</span></p><ul><li>one<li>two</ul></div>")
    assert serialize(root) == "<div><p>text</p><ul><li>one<li>two</li></li></ul></div>"
    assert [e.tag for e in text_blocks(root)] == ["p", "li", "li"]


def test_style_text_is_kept_as_written_in_html_and_escaped_in_xhtml():
    root = parse("<style>a > b { color: red }</style>")
    assert serialize(root) == "<style>a > b { color: red }</style>"
    assert inner(root, xhtml=True) == "<style>a &gt; b { color: red }</style>"
