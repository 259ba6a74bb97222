"""Typesets the calciphylaxis booklet: Markdown chapters to patient and clinician PDFs."""
from importlib.metadata import version

__version__ = version("calciphylaxis-booklet")  # declared once, in pyproject.toml
