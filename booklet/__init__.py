"""Typesets the calciphylaxis booklet: Markdown chapters to patient and clinician PDFs."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("calciphylaxis-booklet")  # declared once, in pyproject.toml
except PackageNotFoundError:  # run from a source folder that was never installed
    __version__ = "0+unknown"
