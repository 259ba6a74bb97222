"""Stage 1, load and validate: every input file read, checked and turned into typed data."""
