"""Every CLI table is readable at 80 and 120 columns: no line wider than the terminal, numbers and dates whole on
one line, no table split into 'part n of m'. Run through the console script with COLUMNS set, as a user would."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys

import pytest

from silkscope.build import build

COMMANDS = [
    ["compare", "--country", "C5", "--indicator", "all"],
    ["compare", "--country", "C5", "--partners", "JPN,KOR,CHN", "--indicator", "leader_visits"],
    ["compare", "--country", "UZB", "--partners", "JPN,CHN", "--indicator", "finance"],
    ["profile", "UZB", "--partners", "JPN,KOR,CHN"],
    ["timeline", "--partner", "JPN", "--country", "C5"],
    ["sources", "--kind", "curated_file"],
]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A number cut at the end of a line inside a table cell: a digit, then the cell's right edge, and on the next line
# the same cell starting with a digit (a split "1,23|4" or "2003-|05-01").
BOX = "│┃"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cliwidth") / "w.duckdb"
    build(path)
    return path


def run(args: list[str], db, width: int) -> str:
    env = {**os.environ, "COLUMNS": str(width), "LINES": "50", "TERM": "dumb", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "silkscope.cli", *args, "--db", str(db)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(f"[{BOX}]", line)[1:-1]]


def split_values(text: str) -> list[str]:
    """Numbers or dates broken across two lines of one table cell: a continuation line (its first cell empty)
    whose cell starts with a digit under a cell that ends with a digit or a number's separator."""
    lines = [line for line in text.splitlines() if line[:1] in BOX]
    broken = []
    for above, below in itertools.pairwise(lines):
        a, b = cells(above), cells(below)
        if len(a) != len(b) or not b or b[0]:
            continue
        for x, y in zip(a, b, strict=True):
            last = x.split(" ")[-1] if x else ""
            # A cut number: ends in a digit, a point, a dash or "US$", or in a thousands group ("1," of "1,234");
            # "2009," closes an item of a list of years, which may wrap.
            cut = re.search(r"(\d|\d[.$-]|US\$)$", last) or re.fullmatch(r"\d{1,3}(,\d{3})*,", last)
            if cut and y and re.match(r"^[\d,.%]", y):
                broken.append(f"{x!r} / {y!r}")
    return broken


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_cli_tables_fit_the_terminal(db, args, width):
    text = run(args, db, width)
    assert text.strip(), args
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, "\n".join(too_wide[:5])
    assert "(part " not in text
    assert not split_values(text), split_values(text)[:5]
    # Dates in table cells are whole: a cell never ends with a year and a dash.
    assert not re.search(r"\d{4}-(\d{2})?\s*[│┃]", text.replace("–", "")), text


def test_narrow_terminal_names_the_columns_it_leaves_out(db):
    text = run(["timeline", "--partner", "JPN", "--country", "C5"], db, 80)
    note = " ".join(text[text.index("Not shown at 80 columns:") :].split())
    assert "--format csv" in note
    wide = run(["timeline", "--partner", "JPN", "--country", "C5"], db, 400)
    assert "date start" in text and "date start" in wide
    for line in text.splitlines():
        for value in DATE.findall(line):
            assert value in wide  # the same dates, whole


def test_years_are_plain_and_money_has_its_unit(db):
    text = run(["compare", "--country", "C5", "--partners", "JPN,KOR,CHN", "--indicator", "all"], db, 120)
    assert not re.search(r"\b2,0\d\d\b", text)  # never "2,003"
    assert re.search(r"US\$\d[\d.,]* (m|bn)\b", text), text
