"""Typesets the calciphylaxis booklet: Markdown chapters to patient and clinician PDFs."""

__version__ = "0.1.0"
