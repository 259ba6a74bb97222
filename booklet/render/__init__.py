"""Stage 3, render: what to build (the plan), whole HTML documents, and PDFs from them."""
