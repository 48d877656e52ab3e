"""The explorer in a real browser: its tabs (chart, table, map, sources), a gap shown as a gap, the permalink."""

from __future__ import annotations

from pathlib import Path

from web.conftest import shot
from web.test_pages import svg_marks

VIEW = "/explore?measure=leader_visits&partners=JPN,CHN,KOR&countries=C5&since=2000&until=2018"


def test_explorer_tabs_and_permalink(page):
    page.goto(VIEW)
    assert page.title().startswith("Explore: Leader-level visits")
    assert page.locator("#measure").input_value() == "leader_visits"
    marks = svg_marks(page)
    assert marks and marks[0] > 20, marks
    assert "Definition" in page.locator("dl.facts").inner_text()
    shot(page, "explorer-chart")

    tabs = page.get_by_role("navigation", name="Views of the series")
    tabs.get_by_role("link", name="Table", exact=True).click()
    page.wait_for_url("**tab=table**")
    table = page.locator("div.table-wrap table").first
    header = table.locator("thead").inner_text()
    assert "Japan" in header and "China" in header
    years = [int(t) for t in table.locator("tbody td:nth-child(3)").all_inner_texts()]
    assert years and min(years) >= 2000 and max(years) <= 2018  # plain years, no thousands separator

    tabs.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_url("**tab=map**")
    assert svg_marks(page)[0] > 5

    tabs.get_by_role("link", name="Sources", exact=True).click()
    page.wait_for_url("**tab=sources**")
    assert page.locator("details.sources li, details.sources tr").count() > 0

    permalink = page.get_by_role("link", name="Permalink").get_attribute("href")
    page.goto("/")
    page.goto(permalink)
    assert page.locator("#partners").input_value() == "JPN,CHN,KOR"
    assert page.locator("#since").input_value() == "2000"
    assert "tab=sources" in page.url


def test_explorer_takes_partners_repeated_as_other_pages_send_them(page):
    page.goto("/explore?measure=leader_visits&partners=JPN&partners=KOR&since=2000&until=2018")
    assert page.locator("#partners").input_value() == "JPN,KOR"


def test_explorer_refuses_an_unknown_measure(page):
    response = page.goto("/explore?measure=oda_lik")
    assert response.status == 422
    assert "unknown measure 'oda_lik'" in page.locator("main").inner_text()


def test_charts_are_interactive_with_tooltips_and_downloads(page):
    page.goto("/explore?measure=leader_visits&partners=JPN,CHN&countries=KAZ")
    page.wait_for_selector("figure.chart[data-interactive=true]")
    assert page.locator("figure.chart > svg").count() == 0  # drawn by the browser only: no server SVG shipped
    page.locator(".vl-live svg .mark-symbol path").nth(2).hover(force=True)
    tip = page.locator("#vg-tooltip-element")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "year" in text and "count" in text, text
    for kind in ("SVG", "PNG"):
        page.locator("figure.chart details").first.evaluate("menu => { menu.open = true; }")
        with page.expect_download() as info:
            page.get_by_text(f"Download {kind}").first.click()
        download = info.value
        assert download.suggested_filename.lower().endswith(f".{kind.lower()}")
        data = Path(download.path()).read_bytes()
        assert (b"<svg" in data[:500]) if kind == "SVG" else data.startswith(b"\x89PNG")


def test_only_the_tab_shown_is_drawn(built_db, monkeypatch):
    """Tabs are links, each its own page: the chart tab does not render the map to SVG, nor the map tab the chart."""
    from fastapi.testclient import TestClient

    from silkscope.server import create_app
    from silkscope.web import explorer

    drawn = []
    for name in ("_map", "_chart"):
        real = getattr(explorer, name)
        monkeypatch.setattr(explorer, name, lambda *a, _n=name, _f=real, **k: drawn.append(_n) or _f(*a, **k))
    with TestClient(create_app(built_db)) as client:
        for tab, figure in (("chart", "_chart"), ("map", "_map"), ("table", None)):
            drawn.clear()
            response = client.get(f"{VIEW}&tab={tab}")
            assert response.status_code == 200
            assert drawn == ([figure] if figure else []), (tab, drawn)
            assert ('class="vl-spec"' in response.text) == bool(figure)
