"""`python -m booklet`: the same as the `booklet` command."""
import sys

from .cli import main

sys.exit(main())
