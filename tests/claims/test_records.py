"""The record catalogue (analysis/records.py): every record runs on a built warehouse, values are given by name and
checked, and the claim checker keeps no SQL of its own (it asks for records and measures by name)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from silkscope.analysis.records import RECORDS, statement
from silkscope.claims import plan
from silkscope.errors import SilkscopeError

CLAIMS = Path(plan.__file__).resolve().parent
# A value for every parameter name a record takes: each record is run with these.
EXAMPLES = {
    "visitors": ["JPN", "CHN"], "hosts": ["UZB", "KAZ"], "levels": None, "since": 2000, "until": 2018,
    "person": None, "from_date": date(2000, 1, 1), "to_date": date(2018, 12, 31), "host": "KAZ",
    "states": ["KAZ", "UZB"], "state": "JPN", "format_id": None, "subject": None, "class_id": "asian",
    "pattern": "%GDP%",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_every_record_runs_on_a_built_warehouse(built_db, name):
    values = {p: EXAMPLES[p] for p in RECORDS[name].parameters}
    query = plan.record(name, **values)
    with duckdb.connect(str(built_db), read_only=True) as con:
        rows = query.run(con)
    assert isinstance(rows, list)
    if name in ("visits", "formats", "format_events", "leader_terms", "independence", "sources", "last_year"):
        assert rows, f"{name}: no rows on the reference pack"


def test_values_are_given_by_name_each_once():
    sql, params = statement("visits", visitors=["JPN"], hosts=["KAZ"], levels=None, since=1992, until=2020,
                            person="Abe")  # fmt: skip
    assert sql == RECORDS["visits"].sql and params == [["JPN"], ["KAZ"], None, None, 1992, 2020, "Abe", "Abe"]
    with pytest.raises(SilkscopeError, match=r"record 'visits' takes .*missing person, unexpected who"):
        statement("visits", visitors=["JPN"], hosts=["KAZ"], levels=None, since=1992, until=2020, who="Abe")
    with pytest.raises(SilkscopeError, match="unknown record 'visitz'"):
        statement("visitz")


def test_the_claim_checker_keeps_no_sql_of_its_own():
    """Quantities come from the measure catalogue, events and records from the record catalogue."""
    sql = re.compile(r"\bSELECT\s|\bFROM\s+(?:core|out|raw)\.")  # SQL is written in capitals here
    found = [
        f"{path.relative_to(CLAIMS)}:{n}"
        for path in CLAIMS.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if sql.search(line)
    ]
    assert found == []
