"""Profiles: what the dashboard's pages and the briefs show about a country, a partner or the region, assembled
from library answers (results, charts, maps) into one dictionary a template renders.

Library code, not an entry point: the pages (silkscope.web) and the briefs (silkscope.briefs) both call it, so
the brief says what the country page says without driving the page."""
