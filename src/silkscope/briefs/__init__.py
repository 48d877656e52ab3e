"""Exportable country briefs: a 2–4 page PDF (WeasyPrint) and a single-file HTML version."""
