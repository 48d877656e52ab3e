"""The browse and search API: statuses (404 for an unknown table, 422 for a bad column or value), a page with its
SQL and parameters, CSV and JSON exports of the filtered rows, and the pages behind them."""

from __future__ import annotations

import csv
import io

import pytest

C5_PLUS_1 = "/api/tables/core.events?title__contains=C5%2B1"


def test_lists_the_tables(client):
    r = client.get("/api/tables")
    assert r.status_code == 200
    tables = {t["table"]: t for t in r.json()["tables"]}
    assert tables["core.events"]["rows"] > 100 and tables["core.events"]["url"] == "/api/tables/core.events"
    assert "out.observations" in tables and all(t["description"] for t in tables.values())


def test_a_filtered_sorted_page_with_its_sql(client):
    r = client.get(f"{C5_PLUS_1}&_sort_desc=year&_size=2")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == int(r.headers["x-total-count"]) >= 3
    assert len(body["rows"]) == 2 and body["rows"][0]["year"] >= body["rows"][1]["year"]
    assert all("C5+1" in row["title"] for row in body["rows"])
    assert body["sql"].startswith('SELECT * FROM "core"."events" WHERE contains(lower("title"), lower(?))')
    assert body["params"] == ["C5+1", 2, 0]
    assert body["filters"] == [{"column": "title", "op": "contains", "value": "C5+1"}]
    assert {"name": "source_ids", "type": "VARCHAR[]"} in body["columns"]
    second = client.get(f"{C5_PLUS_1}&_sort_desc=year&_size=2&_page=2").json()
    assert second["offset"] == 2 and second["rows"][0]["event_id"] not in {x["event_id"] for x in body["rows"]}


def test_csv_and_json_exports_hold_every_filtered_row(client):
    total = client.get(C5_PLUS_1).json()["total"]
    r = client.get(f"{C5_PLUS_1}&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment") and r.headers["x-silkscope-capped"] == "false"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == total and all("C5+1" in row["title"] for row in rows)
    j = client.get(f"{C5_PLUS_1}&_all=1")
    assert j.status_code == 200 and j.json()["exported"] == total and j.json()["capped"] is False
    assert j.json()["sql"].endswith("LIMIT ?")


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/api/tables/core.nope", 404, "unknown table 'core.nope'"),
        ("/api/tables/raw.whatever", 404, "unknown table"),
        ("/api/tables/core.events?nope=1", 422, "no column 'nope'"),
        ("/api/tables/core.events?year=abc", 422, "expected a value of type INTEGER, got 'abc'"),
        ("/api/tables/core.events?title__regex=x", 422, "unknown operator 'regex'"),
        ("/api/tables/core.events?_sort=nope", 422, "sort: no column 'nope'"),
        ("/api/tables/core.events?_sort=year&_sort_desc=year", 422, "give one of them"),
        ("/api/tables/core.events?_size=5000", 422, "page size: expected 1 to 1000"),
        ("/api/tables/core.events?_page=abc", 422, "_page"),
        ("/api/tables/core.events?format=xml", 422, "format"),
        ("/api/tables/core.nope?format=csv", 404, "unknown table"),
        ("/api/search?q=x&kind=bogus", 422, "kind: unknown 'bogus'"),
        ("/api/search", 422, "q"),
    ],
)
def test_bad_requests_are_named(client, url, status, text):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert text in r.json()["error"]["message"]


def test_search_finds_a_state_a_format_and_a_source(client):
    body = client.get("/api/search", params={"q": "Uzbekistan"}).json()
    kinds = {g["kind"]: g for g in body["groups"]}
    assert kinds["countries"]["hits"][0] == {"title": "Uzbekistan", "url": "/country/UZB", "detail": "UZB"}
    c5 = {g["kind"]: g for g in client.get("/api/search", params={"q": "C5+1"}).json()["groups"]}
    assert c5["formats"]["hits"][0]["url"] == "/tables/core.events?format_id=fmt_c5_plus_1"
    src = client.get("/api/search", params={"q": "World Bank", "kind": "sources", "limit": 2}).json()
    assert [g["kind"] for g in src["groups"]] == ["sources"] and src["groups"][0]["shown"] == 2


def test_pages_answer_with_the_same_statuses(client):
    assert client.get("/tables").status_code == 200
    page = client.get("/tables/core.events", params={"title__contains": "C5+1"})
    assert page.status_code == 200 and "Rows 1–" in page.text and "C5+1" in page.text
    assert client.get("/tables/core.nope").status_code == 404
    assert client.get("/tables/core.events?year=abc").status_code == 422
    moved = client.get("/tables/core.events?_col=year&_op=gte&_val=2020", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/tables/core.events?year__gte=2020"
    assert client.get("/search", params={"q": "C5+1"}).status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/tables", "/api/tables/{name}", "/api/search"} <= set(paths) and "/tables" not in paths
