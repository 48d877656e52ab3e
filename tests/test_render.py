"""Tables for people fit the terminal: numbers whole, text wrapped in its cell, columns left out by priority and
named under the table; never a table split into parts."""

from __future__ import annotations

from rich.console import Console

from silkscope.render import print_result
from silkscope.result import Result

MEASURES = [f"measure_number_{i}_usd" for i in range(10)]


def wide_result() -> Result:
    columns = ["partner_iso3", "country_iso3", *MEASURES, "source_ids"]
    rows = [
        {"partner_iso3": p, "country_iso3": "UZB", **{m: 1_234_567.0 * (i + 1) for i, m in enumerate(MEASURES)},
         "source_ids": ["src_a"]}
        for p in ("JPN", "CHN", "KOR")
    ]  # fmt: skip
    return Result("Wide", columns, rows, sources=[{"source_id": "src_a", "citation": "Publisher A"}])


def render(result: Result, width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False)
    with console.capture() as captured:
        print_result(result, "table", console)
    return captured.get()


def test_wide_table_fits_keys_kept_numbers_whole_and_the_rest_named():
    text = render(wide_result(), 80)
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "(part" not in text
    assert text.count("JPN") == 1 and "UZB" in text  # the row keys stay
    assert "US$1.23 m" in text  # money as people read it, whole on one line
    assert "Not shown at 80 columns:" in text
    note = " ".join(text[text.index("Not shown") :].split())
    hidden = [m for m in MEASURES if m.replace("_usd", "").replace("_", " ") in note]
    jpn = next(line for line in text.splitlines() if "JPN" in line)
    assert hidden and jpn.count("US$") + len(hidden) == len(MEASURES), (jpn, hidden)
    assert hidden == MEASURES[-len(hidden) :]  # the right-most columns go first
    assert "[1] Publisher A" in text


def test_table_that_fits_shows_every_column():
    text = render(wide_result(), 400)
    assert "Not shown" not in text and text.count("JPN") == 1
    assert all(m.replace("_", " ").removesuffix(" usd") in text for m in MEASURES)
