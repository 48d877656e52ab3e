"""Browse the data in a real browser: a table page filters, sorts, pages and exports exactly the filtered rows;
search finds Uzbekistan, "C5+1" and a source; no page scrolls sideways at 390 px; no console error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from web.conftest import shot


@pytest.fixture
def errors(page):
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    yield seen
    assert not seen, f"console errors: {seen}"


def body_rows(page) -> list[dict[str, str]]:
    table = page.locator("table.browse")
    names = [t.split("\n")[0].rstrip(" ▲▼") for t in table.locator("thead th").all_inner_texts()]
    out = []
    for row in table.locator("tbody tr").all():
        out.append(dict(zip(names, row.locator("td").all_inner_texts(), strict=True)))
    return out


def test_a_table_page_filters_sorts_and_exports_the_filtered_rows(page, errors):
    page.goto("/tables")
    assert page.title().startswith("Tables")
    page.get_by_role("link", name="core.events", exact=True).click()
    page.wait_for_url("**/tables/core.events")
    everything = page.locator("#rows-h").inner_text()
    assert everything.startswith("Rows 1–50 of ")

    page.select_option("#f-col", "title")
    page.select_option("#f-op", "contains")
    page.fill("#f-val", "C5+1")
    page.get_by_role("button", name="Add filter").click()
    page.wait_for_url("**title__contains=C5%2B1**")
    rows = body_rows(page)
    assert rows and all("C5+1" in r["title"] for r in rows)
    assert page.locator("#rows-h").inner_text().startswith(f"Rows 1–{len(rows)} of {len(rows)}")
    assert "title contains 'C5+1'" in page.locator("p.filters").inner_text()

    page.locator("table.browse thead").get_by_role("link", name="year").click()  # sort ascending, then descending
    page.wait_for_url("**_sort=year**")
    page.locator("table.browse thead").get_by_role("link", name="year").click()
    page.wait_for_url("**_sort_desc=year**")
    years = [int(r["year"]) for r in body_rows(page)]
    assert years == sorted(years, reverse=True) and len(years) == len(rows)

    page.locator("details.query summary").click()
    sql = page.locator("details.query pre").first.inner_text()
    assert 'FROM "core"."events" WHERE contains(lower("title"), lower(?))' in sql and '"year" DESC' in sql
    assert '"C5+1"' in page.locator("details.query p.note").first.inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with Path(download.path()).open(encoding="utf-8", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == len(rows) and all("C5+1" in r["title"] for r in exported)
    assert [int(r["year"]) for r in exported] == years  # the same rows, in the page's order

    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON").click()
    body = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert body["total"] == len(rows) and body["capped"] is False and body["params"][0] == "C5+1"
    shot(page, "browse-table")

    page.get_by_role("link", name="Remove filter title contains 'C5+1'").click()
    page.wait_for_url("**/tables/core.events?_sort_desc=year")
    assert page.locator("#rows-h").inner_text().startswith(everything)
    assert page.locator("p.filters").count() == 0


def test_search_finds_uzbekistan_c5_plus_1_and_a_source(page, errors):
    page.goto("/tables")
    box = page.get_by_role("searchbox", name="Search countries, partners, measures, events and sources")
    box.fill("Uzbekistan")
    box.press("Enter")
    page.wait_for_url("**/search?q=Uzbekistan")
    states = page.locator("section#kind-countries, section[aria-labelledby=kind-countries]")
    link = states.get_by_role("link", name="Uzbekistan", exact=True)
    assert link.get_attribute("href") == "/country/UZB"
    assert page.locator("section[aria-labelledby=kind-events] li").count() > 0

    page.fill("#q", "C5+1")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search?q=C5%2B1")
    formats = page.locator("section[aria-labelledby=kind-formats]")
    formats.get_by_role("link", name="C5+1", exact=True).click()
    page.wait_for_url("**/tables/core.events?format_id=fmt_c5_plus_1")
    rows = body_rows(page)
    assert rows and {r["format_id"] for r in rows} == {"fmt_c5_plus_1"}

    page.goto("/search?q=World+Bank")
    sources = page.locator("section[aria-labelledby=kind-sources]")
    first = sources.locator("li a").first
    source_id = first.get_attribute("href").rsplit("=", 1)[1]
    first.click()
    page.wait_for_url(f"**/tables/core.sources?source_id={source_id}")
    (row,) = body_rows(page)
    assert row["source_id"] == source_id and "World Bank" in row["publisher"]
    shot(page, "browse-source")


def test_show_all_of_one_kind(page, errors):
    page.goto("/search?q=Uzbekistan")
    events = page.locator("section[aria-labelledby=kind-events]")
    assert "Showing 10 of" in events.inner_text()
    events.get_by_role("link", name="show all").click()
    page.wait_for_url("**kind=events**")
    assert page.locator("section.results").count() == 1
    assert page.locator("section[aria-labelledby=kind-events] li").count() > 10


@pytest.mark.parametrize("path", ["/tables", "/tables/core.events", "/tables/core.sources", "/search?q=Uzbekistan"])
def test_no_sideways_scroll_at_phone_width(page, errors, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390"
    if path.startswith("/tables/"):
        wrap = page.locator("div.table-wrap.browse")
        assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls inside its card
        shot(page, f"browse-390-{path.rsplit('/', 1)[1]}")
