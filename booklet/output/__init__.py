"""Stage 4, output: files written whole, one build at a time, and released editions recorded."""
