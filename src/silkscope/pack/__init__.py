"""The curated reference pack: shared definitions (base), per-file converters (tables, facts, coverage), read."""
