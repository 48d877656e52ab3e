"""Tables for people: a table wider than the terminal is split into parts that fit, keys repeated in each."""

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


def test_wide_table_is_split_to_fit_with_keys_in_every_part():
    text = render(wide_result(), 80)
    assert all(len(line) <= 80 for line in text.splitlines()), text
    parts = [line for line in text.splitlines() if line.startswith("Wide (part ")]
    assert len(parts) >= 3 and parts[-1].rstrip().endswith(f"of {len(parts)})")
    for measure in MEASURES:  # every column is shown once, whole
        assert text.count(measure.replace("_", " ").removesuffix(" usd")) == 1, measure
    assert text.count("JPN") == len(parts)  # the row key leads every part
    assert text.count("[1]") >= 3 and "[1] Publisher A" in text  # sources on the last part, cited below


def test_table_that_fits_is_one_part():
    text = render(wide_result(), 400)
    assert "(part" not in text and text.count("JPN") == 1
