"""Stage 2, content: each chapter's Markdown turned into a checked HTML fragment for one edition."""
