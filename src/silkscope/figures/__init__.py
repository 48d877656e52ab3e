"""Figures shared by the dashboard and the briefs: charts and the map (drawn offline to SVG, or as Vega-Lite specs
the browser draws), partner colours and names, and the Jinja filters that format numbers for people."""
