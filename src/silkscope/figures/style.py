"""The house look every figure and table shares: one colour per partner (the same on every chart, page and brief)
and a partner's name for people.

Kept apart from the chart code so that templates, charts and maps read the same palette without importing each
other."""

from __future__ import annotations

from silkscope.countries import name_or_code

# Okabe–Ito colours (distinguishable with colour-vision deficiency), one per partner, the same on every chart.
PARTNER_COLOURS = {
    "JPN": "#0072B2",
    "CHN": "#D55E00",
    "KOR": "#009E73",
    "RUS": "#CC79A7",
    "USA": "#56B4E9",
    "EUU": "#E69F00",
    "TUR": "#7f7f7f",
    "IND": "#000000",
    # Donors beside the partners in finance comparisons, and the five states when they are the lines of a chart
    "DEU": "#882255",
    "FRA": "#44AA99",
    "GBR": "#999933",
    "KAZ": "#1b9e77",
    "KGZ": "#d95f02",
    "TJK": "#7570b3",
    "TKM": "#e7298a",
    "UZB": "#66a61e",
}
DEFAULT_COLOUR = "#0072B2"  # a partner without a colour of its own, where one colour fills a map


def partner_colour(iso3: str) -> str:
    return PARTNER_COLOURS.get(iso3, DEFAULT_COLOUR)


def partner_name(iso3: str | None) -> str:
    """The name people know a partner or state by ('–' for none; the code itself when the registry lacks it)."""
    return name_or_code(iso3)
