"""The edition's facts for a PDF's XMP metadata, where they survive tools that drop the Info
dictionary. Made in the main process and handed to the PDF stage with the render job."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from .plan import Output, Plan

RDF_NAMESPACE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# Our own XMP schema; ".invalid" is reserved, so the name can never point at someone else's site.
XMP_NAMESPACE = "http://ns.calciphylaxis-booklet.invalid/edition/1.0/"


def xmp_metadata(plan: Plan, output: Output) -> bytes:
    """An rdf:RDF element with the edition, its dates and which copy this is."""
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    fields = {"edition": plan.config.edition, "published": plan.config.published.isoformat(),
              "nextReview": output.review_date(plan).isoformat(), "audience": output.audience,
              "variant": output.variant, "paper": output.paper}
    body = "".join(f"<booklet:{key}>{esc(value)}</booklet:{key}>" for key, value in fields.items())
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description rdf:about="" xmlns:booklet="{XMP_NAMESPACE}">{body}</rdf:Description>'
            "</rdf:RDF>").encode()


def merge_rdf(main: bytes, extras: list[bytes]) -> bytes:
    """One rdf:RDF holding the main packet's descriptions and those of `extras` (each an rdf:RDF):
    WeasyPrint writes extra metadata as a second rdf:RDF after the first, which most readers
    never look at."""
    ET.register_namespace("rdf", RDF_NAMESPACE)
    ET.register_namespace("booklet", XMP_NAMESPACE)
    merged = ET.fromstring(main)
    for extra in extras:
        merged.extend(list(ET.fromstring(extra)))
    return ET.tostring(merged)
