"""Browsing tables: the list, filters of each kind, sort, paging, exports with their cap, the SQL shown, and every bad
name or value refused with a message naming it while the warehouse stays as it was."""

from __future__ import annotations

import csv
import io
import json

import pytest

from silkscope import browse, warehouse
from silkscope.errors import SilkscopeError
from silkscope.validate import NotFoundError
from warehouse_helpers import checksum

EVENT = (
    "INSERT INTO core.events (event_id, date_start, date_end, date_precision, year, event_type, status, mode, level, "
    "visitor_iso3, host_iso3, format_id, title, source_id, source_ids, citation_status, record) VALUES "
    "(?, ?, ?, 'day', ?, 'state_visit', 'held', 'in_person', 'head_of_state', ['JPN'], ['UZB'], ?, ?, ?, [?], "
    "'cited', 'test')"
)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    """Twelve events, two sources: enough to page, filter and sort by hand-checkable answers."""
    path = tmp_path_factory.mktemp("browse") / "w.duckdb"
    con = warehouse.connect(path)
    for i in range(12):
        year = 2010 + i
        title = f"C5+1 meeting {i}" if i % 3 == 0 else f"Visit to Uzbekistan {i}"
        source = "src_a" if i < 8 else "src_b"
        fmt = "fmt_c5_plus_1" if i % 3 == 0 else None
        con.execute(EVENT, [f"ev_{i:02d}", f"{year}-05-01", f"{year}-05-02", year, fmt, title, source, source])
    con.close()
    return path


@pytest.fixture
def con(small_db):
    c = warehouse.connect(small_db, read_only=True)
    yield c
    c.close()


def test_lists_every_core_and_out_table_with_counts_and_descriptions(con):
    listed = {t.full_name: t for t in browse.tables(con)}
    assert "core.events" in listed and "out.observations" in listed and "out.visits" in listed
    assert all(name.split(".")[0] in ("core", "out") for name in listed)
    assert listed["core.events"].rows == 12
    assert listed["core.sources"].rows == 0
    assert all(t.description for t in listed.values())
    assert listed["core.events"].description == browse.DESCRIPTIONS["core.events"]


def test_filters_sort_and_pages_with_the_sql_shown(con):
    filters = browse.parse_filters([("title__contains", "c5+1"), ("year__gte", "2013")])
    page = browse.query(con, "core.events", filters, sort="year", desc=True, size=2)
    assert page.total == 3  # 2013, 2016, 2019 (2010 is before the bound)
    assert [r["year"] for r in page.rows] == [2019, 2016]
    assert (page.first_row, page.last_row, page.pages) == (1, 2, 2)
    assert page.sql == (
        'SELECT * FROM "core"."events" WHERE contains(lower("title"), lower(?)) AND "year" >= ? '
        'ORDER BY "year" DESC NULLS LAST, rowid LIMIT ? OFFSET ?'
    )
    assert page.params == ["c5+1", 2013, 2, 0]  # the year bound as an integer, not text
    second = browse.query(con, "core.events", filters, sort="year", desc=True, size=2, page=2)
    assert [r["year"] for r in second.rows] == [2013] and (second.first_row, second.last_row) == (3, 3)
    # the SQL shown is the SQL that ran: running it again gives the same rows
    again = con.execute(second.sql, second.params).fetchall()
    assert [r[0] for r in again] == [r["event_id"] for r in second.rows]


def test_equality_dates_lists_offset_and_default_order(con):
    assert browse.query(con, "core.events", [browse.Filter("event_id", "eq", "ev_03")]).total == 1
    on_day = browse.query(con, "core.events", browse.parse_filters([("date_start", "2015-05-01")]))
    assert [r["event_id"] for r in on_day.rows] == ["ev_05"]
    cited = browse.query(con, "core.events", browse.parse_filters([("source_ids__contains", "src_b")]))
    assert cited.total == 4 and "list_contains" in cited.sql
    first = browse.query(con, "core.events", size=5, offset=3)
    assert [r["event_id"] for r in first.rows] == ["ev_03", "ev_04", "ev_05", "ev_06", "ev_07"]
    assert first.number == 1 and first.offset == 3
    assert browse.query(con, "core.events", page=9).rows == []  # past the end: no rows, not an error


def test_export_csv_and_json_hold_every_filtered_row_and_say_when_capped(con):
    filters = browse.parse_filters([("title__contains", "Uzbekistan")])
    made = browse.export(con, "core.events", filters, sort="year")
    assert made.total == 8 and not made.capped and made.note is None
    rows = list(csv.DictReader(io.StringIO(made.to_csv())))
    assert len(rows) == 8 and all("Uzbekistan" in r["title"] for r in rows)
    assert rows[0]["year"] == "2011" and rows[0]["source_ids"] == "src_a" and rows[0]["date_start"] == "2011-05-01"
    body = json.loads(made.to_json())
    assert body["total"] == 8 and body["exported"] == 8 and body["capped"] is False and len(body["rows"]) == 8
    cut = browse.export(con, "core.events", filters, cap=3)
    assert cut.capped and len(cut.rows) == 3 and "first 3 of 8" in cut.note
    assert json.loads(cut.to_json())["capped"] is True


@pytest.mark.parametrize(
    ("name", "pairs", "kwargs", "message"),
    [
        ("core.nope", [], {}, "unknown table 'core.nope'"),
        ('core.events"; DROP TABLE core.events; --', [], {}, "unknown table"),
        ("raw.anything", [], {}, "unknown table 'raw.anything'"),
        ("core.events", [("nope", "1")], {}, "filter 'nope': no column 'nope'"),
        ("core.events", [('title" OR 1=1 --', "x")], {}, "no column 'title\" OR 1=1 --'"),
        ("core.events", [("year", "abc")], {}, "filter 'year': expected a value of type INTEGER, got 'abc'"),
        ("core.events", [("date_start", "May 2015")], {}, "expected a value of type DATE"),
        ("core.events", [("year__contains", "20")], {}, "year is INTEGER, which takes eq, gte, lte, not contains"),
        ("core.events", [("source_ids", "src_a")], {}, "takes contains, not eq"),
        ("core.events", [("title__like", "x")], {}, "unknown operator 'like'"),
        ("core.events", [("title", "x" * 201)], {}, "over 200 characters"),
        ("core.events", [], {"sort": "nope"}, "sort: no column 'nope'"),
        ("core.events", [], {"size": 1001}, "page size: expected 1 to 1000, got 1001"),
        ("core.events", [], {"page": 0}, "page: expected a page from 1"),
    ],
)
def test_bad_names_and_values_are_named_and_change_nothing(small_db, con, name, pairs, kwargs, message):
    before = checksum(small_db)
    with pytest.raises(SilkscopeError) as err:
        browse.query(con, name, browse.parse_filters(pairs), **kwargs)
    assert message in str(err.value)
    assert isinstance(err.value, NotFoundError) == ("unknown table" in message)
    assert checksum(small_db) == before


def test_text_that_looks_like_sql_is_only_ever_a_value(small_db, con):
    before = checksum(small_db)
    page = browse.query(con, "core.events", [browse.Filter("title", "contains", "'); DROP TABLE core.events; --")])
    assert page.total == 0 and "DROP" not in page.sql and "DROP" in page.params[0]
    assert checksum(small_db) == before


def test_sort_of_takes_one_direction():
    assert browse.sort_of("year", None) == ("year", False)
    assert browse.sort_of(None, "year") == ("year", True)
    assert browse.sort_of(None, None) == (None, False)
    with pytest.raises(SilkscopeError, match="give one of them"):
        browse.sort_of("year", "title")


def test_the_built_warehouse_browses_its_derived_tables(built_db):
    con = warehouse.connect(built_db, read_only=True)
    try:
        page = browse.query(con, "out.observations", browse.parse_filters([("measure", "leader_visits")]), size=5)
        assert page.total > 0 and {r["measure"] for r in page.rows} == {"leader_visits"}
        assert browse.query(con, "core.dialogue_formats", [browse.Filter("name", "eq", "C5+1")]).total == 1
    finally:
        con.close()
