"""The dashboard: server-rendered pages, charts and maps rendered to inline SVG offline."""
